/*
 * policy.h - the SMI objects in force at each step of a scenario: every
 * object applied up to and including the step, later applies of the same
 * object (kind, namespace, name) replacing earlier ones, deletes removing
 * them. Loaded through the SMI model, so decisions are the same whatever
 * API version the manifests are written in.
 */
#ifndef SMIW_SCENARIO_POLICY_H
#define SMIW_SCENARIO_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gateway/gateway.h"
#include "scenario/scenario.h"
#include "smi/smi.h"

/*
 * One set per step (index step - 1); NULL-safe to free partially built
 * ones. routes[i] holds the Gateway API routes in force at the same step
 * (loaded beside the SMI objects, through the same loader).
 */
struct policy {
	struct smi_set **sets;
	struct gw_set **routes;
	size_t n;
};

/*
 * Builds the set in force after each step. Prints the first SMI problem as
 * "cannot load 'FILE': line N: FIELD: WHY" and returns -EINVAL when a
 * manifest is not valid SMI; -ENOMEM; else 0.
 */
int policy_build(struct policy *p, const struct scenario *sc);

/*
 * The objects in force after step `step` (1-based), SMI and Gateway API
 * routes, in the order they were applied.
 */
const struct sc_object **policy_objects(const struct scenario *sc, unsigned step, size_t *n);

/*
 * Appends every Gateway API route in force after step `step` to f, each as
 * its own document (JSON, a comment before it says where it came from), in
 * the scenario's namespace unless it names one, in the version gw_api
 * gives its kind (enum gw_version by enum gw_kind; NULL or 0: as written).
 * Returns how many, or -EIO.
 */
int policy_write_routes(const struct scenario *sc, unsigned step, const int *gw_api, FILE *f);

/* Whether an entry of sc judges request headers at the backend (`route: derived`): the verifier reads them then. */
bool policy_judges_headers(const struct scenario *sc);

/* Frees every set; the policy can be built again. */
void policy_free(struct policy *p);

#endif
