/*
 * engine.h - verifying one scenario against recorded observations: the
 * step-by-step evaluation behind `smi-witness verify` and `smi-witness run`.
 * Deterministic: the same inputs give a byte-identical report.
 */
#ifndef SMIW_VERIFY_ENGINE_H
#define SMIW_VERIFY_ENGINE_H

#include "report/report.h"
#include "verify/obs.h"
#include "verify/scenario.h"
#include "verify/topology.h"

struct verify_input {
	const struct scenario *sc;
	const struct obs_set *obs;
	const struct topology *topo;
	const char *run;		/* run id; NULL: the only one found in the records */
	const char *const *proxy_comms;	/* NULL: default_proxy_comms */
	const char *capture_name;	/* how the report names the observation file */
};

/*
 * Appends the scenario's assertions, its step summaries and the capture
 * summary to *rep. Returns 0, or -EINVAL when the inputs do not fit together
 * (unknown pods or services, no or several runs), printed as errors.
 */
int verify_scenario(const struct verify_input *in, struct report *rep);

#endif
