/*
 * requests.h - from observation records to requests: every exchange and
 * intent carrying a request id of the scenario runner's scheme (reqid.h) is
 * grouped by request, and each request gets what the kernel saw of it: the
 * client's outcome at the source pod and the workload pod that served it.
 */
#ifndef SMIW_VERIFY_REQUESTS_H
#define SMIW_VERIFY_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/inventory.h"
#include "records/obs.h"
#include "scenario/reqid.h"
#include "scenario/scenario.h"

/* What the source workload saw of a request, from its own client exchange. */
enum client_outcome {
	CO_UNOBSERVED,	/* no usable client-side observation */
	CO_STATUS,	/* a response with an HTTP status (vreq.status) */
	CO_RESET,	/* the connection was reset before a response */
	CO_REFUSED,	/* connect() was refused (no exchange, a conn record says so), or an HTTP/2
			   stream was refused unprocessed by a GOAWAY (its exchange says so) */
	CO_CLOSED,	/* the connection closed before a response */
	CO_CONNECT_ERROR,	/* connect() failed otherwise (vreq.refused->connect_error) */
};

struct vreq {
	struct reqid id;
	const char *request_id;
	const struct obs_intent *intent;	/* the driver's record, when given */
	const struct obs_exchange *relay;	/* POST /call served at the source pod */
	const struct obs_exchange *client;	/* the source workload's outbound exchange */
	const struct obs_exchange *served;	/* earliest server exchange at another workload */
	const struct obs_conn *refused;		/* refused connect attributed to this request */
	const struct obs_exchange *unattributed; /* a server exchange of no known pod (its opening was lost) */
	unsigned served_pods;			/* distinct workload pods that served it */
	enum client_outcome outcome;
	int status;				/* for CO_STATUS */
	const char *problem;			/* capture problem on this request ("gap", ...), or NULL */
	uint64_t t0, t1;			/* when it was in flight (monotonic ns) */
};

/* Request-tagged records of one run, sorted for lookups. */
struct vindex {
	struct vtag *tags;
	size_t n;
	char run[REQID_RUN_MAX + 1];
	const struct obs_set *obs;
	const struct inventory *inv;
	const char *const *proxy_comms;	/* NULL-terminated; processes that are the mesh */
};

/* Default names of mesh proxy processes (their exchanges are the mesh's, not the workload's). */
extern const char *const default_proxy_comms[];

/*
 * Lists the distinct run ids found in request ids, sorted. *runs and its
 * strings are malloc'ed (free with vindex_runs_free). Returns the count, or -ENOMEM.
 */
int vindex_runs(const struct obs_set *obs, char ***runs);

/* Frees what vindex_runs() returned. */
void vindex_runs_free(char **runs, size_t n);

/* Indexes every record of run `run`. Returns 0 or -ENOMEM. */
int vindex_build(struct vindex *ix, const struct obs_set *obs, const struct inventory *inv,
		 const char *run, const char *const *proxy_comms);

/*
 * The requests of traffic entry t of step `step`: measured ones, or the
 * convergence probes when `probes`. *out is malloc'ed and sorted by sequence
 * number. Returns the count, or -ENOMEM.
 */
int vindex_requests(const struct vindex *ix, unsigned step, const struct sc_traffic *t,
		    bool probes, struct vreq **out);

/* Number of indexed records of steps or traffic entries the scenario does not have. */
size_t vindex_strays(const struct vindex *ix, const struct scenario *sc);

/* True when the exchange was made by a mesh proxy process or in the mesh's pod. */
bool vindex_is_mesh(const struct vindex *ix, const struct obs_exchange *e);

/* "403", "reset", "refused", "closed" or "unobserved" (buf for the status form). */
const char *vreq_outcome_label(const struct vreq *r, char *buf, size_t len);

/* True when the client got a 2xx or 3xx response. */
bool vreq_succeeded(const struct vreq *r);

/* Frees the index (not the records it points into). */
void vindex_free(struct vindex *ix);

#endif
