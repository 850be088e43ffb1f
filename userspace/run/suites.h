/*
 * suites.h - one run: the scenarios of the suites against one target, one
 * after the other, then the reports of the mesh and the matrix of every
 * mesh run into the same output directory. Everything a run is given is
 * checked before the target is touched: an input error creates nothing
 * and tears nothing down.
 */
#ifndef SMIW_RUN_SUITES_H
#define SMIW_RUN_SUITES_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "run/target.h"
#include "run/traffic.h"
#include "scenario/policy.h"
#include "scenario/scenario.h"

#define RUN_MAX_SCENARIOS 256

/*
 * The scenario files of the suites: a suite is a scenario file, or a
 * directory whose *.yaml files are scenarios (in name order). Appends to
 * files[*n..] (each malloc'd; at most RUN_MAX_SCENARIOS in all). Returns 0
 * or an exit code after printing why.
 */
int run_expand_suites(char *const *suites, size_t n_suites, char **files, size_t *n);

/* A scenario of a run, loaded before anything runs. */
struct run_scenario {
	struct scenario sc;
	struct policy pol;	/* the SMI objects in force at each step */
	char *abs_path;	/* the file's absolute path, which sc was loaded from: reports and replay.sh name it so */
};

/*
 * Loads files[0..n) as scenarios (every field, every manifest, the policy
 * in force at each step) into a new array *out (free with
 * run_scenarios_free), placed in namespace ns when it is not NULL (a
 * cluster run's: scenario_load_in), checks that no two share a name (they
 * would share an output directory) and, when t has a check, that t can run
 * each one. Returns 0, EXIT_USAGE after printing the first problem, or
 * EXIT_ERROR.
 */
int run_load_scenarios(char *const *files, size_t n, const char *ns, struct target *t, struct run_scenario **out);

/* Frees what run_load_scenarios() made. */
void run_scenarios_free(struct run_scenario *s, size_t n);

/*
 * Whether results can be written under OUT/<mesh>/ without creating
 * anything yet: OUT and OUT/<mesh> are directories we may write, or can be
 * created where the nearest existing parent is one. Returns 0 or
 * EXIT_USAGE after printing why (naming --out).
 */
int run_check_out(const char *out, const char *mesh);

struct run_config {
	struct target *target;
	const char *mesh;	/* names the mesh in reports and OUT/<mesh> */
	const int *api;	/* render the SMI objects in these API versions; NULL: as written */
	const int *gw_api;	/* the route kinds' versions (enum gw_version by gw_kind; 0: as written); NULL: all as written */
	enum traffic_proto protocol;	/* what the traffic driver speaks */
	const char *ns;	/* the namespace the scenarios were loaded into; NULL: their own */
	const char *out;	/* OUT */
	bool keep;	/* leave the target as the last scenario left it */
	volatile sig_atomic_t *stop;	/* set on SIGINT / SIGTERM: finish the step, then stop */
};

/*
 * Runs the scenarios s[0..n) against c->target, then has the target put
 * back what it changed (teardown) unless kept, writes the reports to
 * OUT/<mesh>/, prints the verdicts (a table, or JSON under -j) and writes
 * the matrix over every OUT/<mesh>/report.json. Returns the exit status of
 * the verdicts, or EXIT_ERROR when a scenario could not run.
 */
int run_suites(const struct run_config *c, struct run_scenario *s, size_t n);

#endif
