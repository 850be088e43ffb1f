/*
 * flaky.h - the flaky backend of the retry-with-flaky-backend variant: one
 * workload of the lab started with FAIL_EVERY (the sample app answers every
 * Nth /echo with 503), so that the mesh has failures to retry.
 */
#ifndef SMIW_LAB_FLAKY_H
#define SMIW_LAB_FLAKY_H

#include "lab/lab.h"
#include "lab/state.h"
#include "lab/topology.h"
#include "mesh/policy.h"

/*
 * The pod a flaky variant makes flaky: the last endpoint of the first
 * service (in topology order) with an HTTP port and two or more endpoints,
 * so that there is another server to retry on. -1 when there is none.
 */
int lab_flaky_pod(const struct topology *t);

/* FAIL_EVERY for the workload of pod i under variant v (0: not flaky). */
unsigned lab_fail_every(const struct topology *t, enum mesh_variant v, int i);

/*
 * Restarts every running workload that was started with another
 * FAIL_EVERY than variant st->variant asks of it, and waits until it
 * serves. Workloads that do not run are left to `up`. Returns 0 or -1
 * after printing.
 */
int lab_flaky_sync(const struct lab *lab, const struct topology *t, struct lab_state *st);

#endif
