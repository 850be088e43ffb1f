/*
 * suites.h - one run: the scenarios of the suites against one target, one
 * after the other, then the reports of the mesh and the matrix of every
 * mesh run into the same output directory.
 */
#ifndef SMIW_RUN_SUITES_H
#define SMIW_RUN_SUITES_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "run/target.h"

#define RUN_MAX_SCENARIOS 256

/*
 * The scenario files of the suites: a suite is a scenario file, or a
 * directory whose *.yaml files are scenarios (in name order). Appends to
 * files[*n..] (each malloc'd; at most RUN_MAX_SCENARIOS in all). Returns 0
 * or an exit code after printing why.
 */
int run_expand_suites(char *const *suites, size_t n_suites, char **files, size_t *n);

struct run_config {
	struct target *target;
	const char *mesh;	/* names the mesh in reports and OUT/<mesh> */
	const int *api;	/* render the SMI objects in these API versions; NULL: as written */
	const char *out;	/* OUT */
	bool keep;	/* leave the target up afterwards */
	volatile sig_atomic_t *stop;	/* set on SIGINT / SIGTERM: finish the step, then stop */
};

/*
 * Runs files[0..n) against c->target, tears it down unless kept, writes
 * the reports to OUT/<mesh>/, prints the verdicts (a table, or JSON under
 * -j) and writes the matrix over every OUT/<mesh>/report.json. Returns the
 * exit status of the verdicts, or EXIT_USAGE / EXIT_ERROR when a scenario
 * is invalid or could not run.
 */
int run_suites(const struct run_config *c, char *const *files, size_t n);

#endif
