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
#include "scenario/scenario.h"
#include "smi/smi.h"

struct expect_ctx {
	const struct scenario *sc;
	const struct inventory *inv;
	const struct smi_set *set;	/* the policy in force at the step */
};

/*
 * Fills *out with the expectation for traffic entry t and *how (a new JSON
 * object) with where it came from. Returns 0, or -EINVAL with a one-line
 * reason in `why` when it cannot be derived (the assertion is then
 * INCONCLUSIVE with that reason).
 */
int expect_resolve(const struct expect_ctx *e, const struct sc_traffic *t, struct sc_expect *out,
		   json_t **how, char *why, size_t len);

#endif
