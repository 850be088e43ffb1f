/*
 * expect.h - turning a traffic entry's `expect` into concrete expectations.
 * Explicit expectations are taken as written; `derived` ones come from the
 * SMI objects applied up to the step (the TrafficSplit of the target
 * service, the access decision of the applied TrafficTargets and routes).
 */
#ifndef SMIW_VERIFY_EXPECT_H
#define SMIW_VERIFY_EXPECT_H

#include <stddef.h>

#include "verify/scenario.h"

/*
 * Fills *out with the expectation for traffic entry t of step st. Returns 0,
 * or -ENOTSUP / -EINVAL with a one-line reason in `why` when it cannot be
 * resolved (the assertion is then INCONCLUSIVE with that reason).
 */
int expect_resolve(const struct scenario *sc, const struct sc_step *st, const struct sc_traffic *t,
		   struct sc_expect *out, char *why, size_t len);

#endif
