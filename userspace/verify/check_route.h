/*
 * check_route.h - the verdict of a `route: derived` traffic entry: each
 * request against what the Gateway API routes in force say of it
 * (route_outcome.h), judged from the client's and the backend's exchanges.
 */
#ifndef SMIW_VERIFY_CHECK_ROUTE_H
#define SMIW_VERIFY_CHECK_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "verify/evidence.h"

/*
 * Every request must be as the routes say: FAIL (positive) when one is not,
 * INCONCLUSIVE when one cannot be judged (unobserved, headers not recorded
 * whole) and none is wrong, else PASS. Fills *out (evidence owned by it).
 */
void check_route(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		 const struct vreq *r, size_t n, struct eval *out);

/* Whether one convergence probe is as the routes say (headers aside: probes keep none). */
bool route_probe(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		 const struct vreq *r);

#endif
