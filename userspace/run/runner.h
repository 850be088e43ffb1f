/*
 * runner.h - running a scenario against a target (run/target.h): bring the
 * target to the scenario's access-control mode, capture, and per step apply
 * the SMI objects in force (rendered in the API versions asked for), wait
 * until the mesh shows their effect, drive the traffic; then verify the
 * recorded observations exactly as `smi-witness verify` would replay them.
 */
#ifndef SMIW_RUN_RUNNER_H
#define SMIW_RUN_RUNNER_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>

#include "run/target.h"
#include "run/traffic.h"
#include "verdict/report.h"
#include "scenario/policy.h"
#include "scenario/scenario.h"
#include "smi/smi.h"

struct runner {
	struct target *target;		/* where the scenarios run */
	const char *mesh;		/* names the mesh in reports and out/ */
	const int *api;			/* rendered API versions, or NULL for as written */
	const int *gw_api;		/* the route kinds' rendered versions (0: as written), or NULL */
	enum traffic_proto protocol;	/* what the traffic driver speaks */
	const char *ns;			/* the namespace the scenarios were placed in (replay.sh), or NULL */
	char out[PATH_MAX];		/* out/<mesh> */
	struct report *all;		/* every scenario's assertions end up here */
	volatile sig_atomic_t *stop;	/* set on SIGINT / SIGTERM: finish the step, then stop */
};

/*
 * Runs scenario sc (loaded, its policy pol built and checked against the
 * target before the run began; the nth of total) and appends its verdicts
 * to r->all. Writes OUT/<scenario>/: observations.jsonl.gz, intent.jsonl,
 * inventory.json, policy/step-N.yaml, the target's log (lab.log),
 * drive.log, replay.sh and the reports. Returns 0, or EXIT_ERROR when the
 * target or the capture failed, after printing why.
 */
int runner_scenario(struct runner *r, const struct scenario *sc, const struct policy *pol, size_t nth,
		    size_t total);

#endif
