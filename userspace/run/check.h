/*
 * check.h - whether a scenario can run in a lab, decided before anything is
 * made: every pod and service its traffic names is in the lab's topology,
 * and the policy in force at every step can be rendered there. The lab
 * target asks it for each scenario of a run; `lint` asks it of a scenario.
 */
#ifndef SMIW_RUN_CHECK_H
#define SMIW_RUN_CHECK_H

#include "scenario/policy.h"
#include "scenario/scenario.h"

/*
 * Checks scenario sc (with its policy pol, built by policy_build) against
 * the lab topology file `topology`. Prints the first problem as one line
 * with the file, line and field (the scenario's, or the manifest's).
 * Returns 0, EXIT_USAGE, or EXIT_ERROR (out of memory).
 */
int check_scenario_topology(const struct scenario *sc, const struct policy *pol, const char *topology);

#endif
