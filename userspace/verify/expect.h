/*
 * expect.h - turning a traffic entry's `expect` into concrete expectations.
 * Explicit expectations are taken as written; `derived` ones come from the
 * SMI objects in force at the step (policy.h): the TrafficSplit that applies
 * to the request, and the SMI access decision for the source pod's service
 * account against the destination service's pods.
 */
#ifndef SMIW_VERIFY_EXPECT_H
#define SMIW_VERIFY_EXPECT_H

#include <stddef.h>
#include <jansson.h>

#include "records/inventory.h"
#include "gateway/gateway.h"
#include "scenario/scenario.h"
#include "smi/smi.h"

struct expect_ctx {
	const struct scenario *sc;
	const struct inventory *inv;
	const struct smi_set *set;	/* the policy in force at the step */
	const struct gw_set *routes;	/* the Gateway API routes in force (NULL: none) */
};

/*
 * `route: derived` (expect_route.c): the routes that apply to t's requests
 * go into out->routes; a rule that picks between weighted backends gives
 * out a split over them. Returns 0, or -EINVAL with the reason in why.
 */
int expect_route(const struct expect_ctx *e, const struct sc_traffic *t, struct sc_expect *out, json_t *how,
		 char *why, size_t len);

/*
 * Fills *out with the expectation for traffic entry t and *how (a new JSON
 * object) with where it came from. Returns 0, or -EINVAL with a one-line
 * reason in `why` when it cannot be derived (the assertion is then
 * INCONCLUSIVE with that reason).
 */
int expect_resolve(const struct expect_ctx *e, const struct sc_traffic *t, struct sc_expect *out,
		   json_t **how, char *why, size_t len);

#endif
