/* observed.h - per-edge counts and durations from exchange records, as one mesh would see them. */
#ifndef SMIW_METRICS_OBSERVED_H
#define SMIW_METRICS_OBSERVED_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/edge.h"
#include "records/obs.h"

struct u64vec {
	uint64_t *v;
	size_t n, cap;
};

/* Reads an observation file with the shared reader (which prints what is wrong); 0 or -errno. */
int mx_obs_open(const char *path, struct obs_set **out);

/* Frees a set from mx_obs_open; NULL is fine. */
void mx_obs_close(struct obs_set *s);

/* The last cumulative capture counters (from `stats` or `end`); all zero when there are none. */
struct obs_counters mx_obs_counters(const struct obs_set *s);

/* Appends x. Returns 0 or -ENOMEM. */
int u64vec_push(struct u64vec *a, uint64_t x);

/*
 * Where the mesh is: pods that are the mesh (their own exchanges are not
 * traffic between workloads) and addresses that lead to it (for a standalone
 * proxy, only exchanges with such a peer went through the mesh).
 */
struct mx_meshinfo {
	char **pods;		/* "namespace/name" */
	size_t npods;
	char **ips;
	size_t nips;
};

/*
 * Reads the mesh pod and the addresses leading to it (its own, and service
 * addresses, which resolve to the mesh listener) from an inventory file
 * (records/inventory.h). Returns 0 or a negative errno with the reason in
 * err ("cannot load 'FILE': ...").
 */
int mx_meshinfo_from_inventory(struct mx_meshinfo *m, const char *path, char *err, size_t errlen);

/* Adds a mesh pod given as "namespace/name". Returns 0 or -ENOMEM. */
int mx_meshinfo_add_pod(struct mx_meshinfo *m, const char *pod);

/* Frees what the meshinfo holds (not the struct). */
void mx_meshinfo_release(struct mx_meshinfo *m);

/* One edge as observed. Durations are nanoseconds. */
struct mx_obs_edge {
	struct mx_endpoint src, dst;	/* name "?" when that end could not be told */
	uint64_t ok, fail;		/* inside the window */
	uint64_t ok_edge, fail_edge;	/* straddling a window edge: the mesh may or may not count them */
	uint64_t ignored;		/* not counted by this mesh (no response, when it ignores those) */
	uint64_t damaged;		/* bytes missing or unparsed: the count is only a lower bound */
	/*
	 * Per exchange with a response: the duration at the measured side, and
	 * the lowest / highest the mesh can have measured (the server's and the
	 * client's view; MX_UNKNOWN_LO / MX_UNKNOWN_HI when that end was not seen).
	 */
	struct u64vec side, lo, hi;	/* inside the window */
	struct u64vec e_side, e_lo, e_hi;	/* straddling */
	uint64_t no_server, no_client;	/* exchanges whose server / client view is unknown */
};

/* The bounds of an exchange whose other end was not observed: nothing is known. */
#define MX_UNKNOWN_LO 0
#define MX_UNKNOWN_HI UINT64_MAX

struct mx_observed {
	struct mx_obs_edge *edges;
	size_t n;
	uint64_t at_mesh;		/* exchanges observed inside mesh pods, left out */
	uint64_t not_via_mesh;		/* standalone proxy: exchanges that bypassed it, left out */
	uint64_t outside;		/* outside the window */
	bool mesh_unknown;		/* standalone proxy, but no mesh pod or address was known */
	bool sorted;			/* durations sorted (done by mx_observe) */
};

/* Parameters of one observation pass. */
#define MX_ANY_REQUEST UINT64_MAX	/* request_of: one of the entry's, not known which */

struct mx_obs_params {
	struct mx_view view;
	struct mx_window window;
	const struct outcome_rule *outcome;
	bool standalone_proxy;
	const struct mx_meshinfo *mesh;
	/*
	 * Optional, two numbers per exchange of the set, as a verifier that
	 * followed requests through the mesh knows them (a mesh may remove or
	 * rewrite the request id on the way): the first names the traffic
	 * entry (non-zero), the second the request in it, or MX_ANY_REQUEST for
	 * an exchange known to be one of the entry's requests but not which
	 * one. Exchanges with (0, 0), or all when NULL, are paired by their
	 * request id.
	 */
	const uint64_t *request_of;
};

/*
 * Aggregates the exchanges of `obs` into edges named the way `p->view` says,
 * counting at the side the mesh measures. Returns 0 and *out (free with
 * mx_observed_free) or -ENOMEM.
 */
int mx_observe(const struct obs_set *obs, const struct mx_obs_params *p, struct mx_observed **out);

/* Frees an observation pass; NULL is fine. */
void mx_observed_free(struct mx_observed *o);

#endif
