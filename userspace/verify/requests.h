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
#include "verify/follow.h"

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

/* How an exchange was tied to a request. */
enum vlink {
	VL_NONE,	/* it was not */
	VL_ID,		/* its own request id (and nothing the kernel saw says otherwise) */
	VL_CHAIN,	/* followed through connections and the mesh's proxies to exactly this request */
	VL_ENTRY,	/* followed to the traffic entry only (the proxy held several of its requests at once) */
};

/* What an exchange's own X-Request-Id is. */
enum vid { VID_NONE, VID_RUN, VID_OTHER };

/* Per exchange of the set: the request it belongs to. */
struct vattr {
	uint64_t key, round, seq;	/* as struct vorigin; VL_ENTRY: key only */
	uint8_t how;			/* enum vlink */
	uint8_t id;			/* enum vid */
};

/* One server exchange of a workload that received the request (a copy: retries and mirrors make several). */
struct vcopy {
	const struct obs_exchange *e;
	uint8_t how;			/* enum vlink */
	bool answered;			/* the one whose response the client got (vreq.served) */
};

struct vreq {
	struct reqid id;
	const char *request_id;
	const struct obs_intent *intent;	/* the driver's record, when given */
	const struct obs_exchange *relay;	/* POST /call served at the source pod */
	const struct obs_exchange *client;	/* the source workload's outbound exchange */
	const struct obs_exchange *served;	/* the copy whose response the client got (see copies) */
	struct vcopy *copies;			/* every copy, by start time; malloc'ed (vreqs_free) */
	size_t n_copies;
	bool followed;				/* a copy was tied to it by following, not by its id */
	bool id_removed, id_rewritten;		/* a followed copy had no request id / another one */
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
	uint8_t *mesh;			/* per exchange of obs: made by the mesh (vindex_is_mesh) */
	struct vattr *attr;		/* per exchange of obs: the request it belongs to */
	/* How the following went, for the report: connection links, links inside the proxies. */
	size_t hops, inside_unique, inside_by_id, inside_several;
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

/*
 * Indexes every record of run `run`: by request id, and (follow.h) by
 * following server exchanges back to their requests where the id was
 * removed or does not fit what the kernel saw. Returns 0 or -ENOMEM.
 */
int vindex_build(struct vindex *ix, const struct obs_set *obs, const struct inventory *inv,
		 const char *run, const char *const *proxy_comms);

/*
 * The requests of traffic entry t of step `step`: measured ones, or the
 * convergence probes when `probes`. *out is malloc'ed and sorted by sequence
 * number (free with vreqs_free). Every copy of a request is kept; `served`
 * is the one whose response the client got: among the copies with the
 * client's status that ended before the client's answer, the first to end
 * (a mirror is sent once that answer is in hand; a retry follows a failed
 * attempt, which has another status); with none, the last copy to end
 * before the client's answer; without a client status, the first copy.
 * Exchanges followed to the entry only are given out in time order, each
 * to a request whose flight holds it, requests without a copy first.
 * Returns the count, or -ENOMEM.
 */
int vindex_requests(const struct vindex *ix, unsigned step, const struct sc_traffic *t,
		    bool probes, struct vreq **out);

/* Frees what vindex_requests returned. */
void vreqs_free(struct vreq *r, size_t n);

/* The tag key of a request or entry: step << 32 | traffic << 1 | probe. */
uint64_t vindex_key(unsigned step, unsigned traffic, bool probe);

/*
 * For steps 1..n_steps: the earliest and latest time any of its records
 * (requests and probes, every exchange tied to them, intents) shows, in
 * start[step - 1] and end[step - 1]; 0 for a step without records.
 */
void vindex_step_spans(const struct vindex *ix, size_t n_steps, uint64_t *start, uint64_t *end);

/* Number of indexed records of steps or traffic entries the scenario does not have. */
size_t vindex_strays(const struct vindex *ix, const struct scenario *sc);

/* True when the exchange was made by a mesh proxy process or in the mesh's pod. */
bool vindex_is_mesh(const struct vindex *ix, const struct obs_exchange *e);

/* True for the learn-layer5 relay request: POST /call, which the driver sends to the source pod. */
bool vindex_is_relay(const struct obs_exchange *e);

/* "403", "reset", "refused", "closed" or "unobserved" (buf for the status form). */
const char *vreq_outcome_label(const struct vreq *r, char *buf, size_t len);

/* True when the client got a 2xx or 3xx response. */
bool vreq_succeeded(const struct vreq *r);

/* Frees the index (not the records it points into). */
void vindex_free(struct vindex *ix);

#endif
