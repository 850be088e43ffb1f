/*
 * place.h - which request of a step an exchange followed only to the step's
 * entry belongs to (the mesh removed or rewrote its request id, and held
 * several requests when it made it).
 *
 * The rule (docs/verdicts.md): a request whose flight holds the exchange,
 * one without a copy first, and of those the one whose flight ends first;
 * failing that, the request whose flight began nearest to the exchange's
 * start. Exchanges are placed in start order: for points in intervals that
 * greedy choice gives a copy to as many requests as any assignment could,
 * so none is left "never reached a backend" while another takes two.
 *
 * A flight holds an exchange that starts in it and ends in it. With
 * lagging ends (obs_set.ends_may_lag: the syscall backend, where an
 * exchange ends when its last send returns and a sender preempted inside
 * that call can "end" after its client read the answer) the start alone is
 * held against the flight, as other_end() in follow.c does: the start, the
 * receive returning, cannot come after the client's end. With the cgroup
 * backend's stamps an end after the client's is evidence the exchange was
 * not that request's, and a mesh could otherwise pass off a copy of one
 * request as the delivery of another it answered itself. (An exchange that
 * never ended is held by any flight that began before it.)
 *
 * The choice costs O(log n) per exchange: a mesh that strips the ids of
 * every request of a large step must not make verification quadratic in
 * the step's size.
 */
#ifndef SMIW_VERIFY_PLACE_H
#define SMIW_VERIFY_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verify/requests.h"

struct placer;

/*
 * A placer over the requests r[0..n) (not copied: they stay the caller's,
 * who adds copies to them between calls). ends_may_lag: the capture's
 * exchange ends can lag their peer's (obs_set.ends_may_lag). NULL when
 * memory runs out.
 */
struct placer *placer_new(struct vreq *r, size_t n, bool ends_may_lag);

/*
 * The request exchange e goes to by the rule above, or NULL when n is 0.
 * Exchanges must come in start order for the answer to be fast (out of
 * order, the placer indexes the requests again: still correct). Call
 * placer_placed() after giving the exchange to the request.
 */
struct vreq *placer_pick(struct placer *p, const struct obs_exchange *e);

/*
 * Request q was just given an exchange: it may have its first copy now
 * (no longer free) or, rarely, a different flight.
 */
void placer_placed(struct placer *p, const struct vreq *q);

void placer_free(struct placer *p);

/* When request r was in flight as its source saw it (0, 0: unknown). */
void vreq_flight(const struct vreq *r, uint64_t *t0, uint64_t *t1);

#endif
