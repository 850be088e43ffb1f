/*
 * follow.h - following requests through what the kernel saw, not through
 * the request id a mesh may remove or rewrite (docs/verdicts.md, "Following
 * a request through the mesh").
 *
 * Two kinds of links:
 *  - across a TCP connection (exact): a client exchange and the server
 *    exchange at the other socket end have the same two addresses, swapped,
 *    and the same position on their connection; the server side begins
 *    within the client's time. Loopback addresses must also be in the same
 *    pod (the same network namespace).
 *  - inside a mesh proxy process (when unambiguous): an outbound (client)
 *    exchange of the proxy belongs to an inbound (server) exchange of the
 *    same process that contains it in time, with the same method and path;
 *    when several inbound ones do, the one carrying the outbound's own
 *    request id, if exactly one does. Otherwise every candidate is kept and
 *    the link is only as good as what they have in common.
 * Tracing a server exchange back over these links ends at a client exchange
 * of a workload (the request's source), whose request id names the request.
 */
#ifndef SMIW_VERIFY_FOLLOW_H
#define SMIW_VERIFY_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/obs.h"

/* What an exchange traces back to. */
enum vo_kind {
	VO_NONE,	/* nothing: no link, or the chain starts without a request id of the run */
	VO_REQUEST,	/* exactly one request */
	VO_ENTRY,	/* one of several requests of the same traffic entry (the proxy had them in hand at once) */
	VO_PROBES,	/* convergence probes of several entries of one step, in hand at once: a probe of no one entry */
	VO_MIXED,	/* requests of different entries, or unknown traffic: not followed */
};

/* A request (or entry) as the verifier's index keys it (requests.h). */
struct vorigin {
	uint64_t key;		/* step << 32 | traffic << 1 | probe (traffic 0 for VO_PROBES); 0 for VO_NONE, VO_MIXED */
	uint64_t round, seq;	/* VO_REQUEST */
	uint8_t kind;		/* enum vo_kind */
};

/* What exchange i's own request id names (VO_REQUEST), or VO_NONE. */
typedef struct vorigin follow_own_fn(const void *ctx, size_t i);

struct follow {
	size_t n;		/* exchanges of the set */
	uint32_t *hop;		/* 1 + index of the exchange at the other end of the connection; 0: none */
	struct vorigin *trace;	/* where each exchange traces back to (computed on demand) */
	uint8_t *state;
	/* inbound exchanges of mesh processes, for the links inside the proxy */
	uint32_t *in_short, *in_long;
	size_t n_short, n_long;
	uint64_t max_short_ns;
	const struct obs_set *obs;
	const uint8_t *mesh;		/* per exchange: made by a mesh proxy */
	follow_own_fn *own;		/* what an exchange's own request id names, when of the run */
	const void *own_ctx;
	size_t hops, inside_unique, inside_by_id, inside_several;	/* for the report */
};

/*
 * Builds the connection links of obs's exchanges and prepares the proxy
 * links. mesh[i] says exchange i is a mesh proxy's (kept by the caller while
 * f is used); own(own_ctx, i) what its own request id names, asked of the
 * workload client exchanges where chains start. Returns 0 or -ENOMEM.
 */
int follow_build(struct follow *f, const struct obs_set *obs, const uint8_t *mesh, follow_own_fn *own,
		 const void *own_ctx);

/* Where exchange i traces back to (see above). */
struct vorigin follow_trace(struct follow *f, size_t i);

/* Frees what follow_build allocated. */
void follow_free(struct follow *f);

#endif
