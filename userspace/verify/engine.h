/*
 * engine.h - verifying one scenario against recorded observations: the
 * step-by-step evaluation behind `smi-witness verify` and `smi-witness run`.
 * Deterministic: the same inputs give a byte-identical report.
 */
#ifndef SMIW_VERIFY_ENGINE_H
#define SMIW_VERIFY_ENGINE_H

#include "records/inventory.h"
#include "records/obs.h"
#include "scenario/scenario.h"
#include "smi/smi.h"
#include "verdict/report.h"

struct verify_input {
	const struct scenario *sc;
	const struct obs_set *obs;
	const struct inventory *inv;
	const char *run;		/* run id; NULL: the only one found in the records */
	const char *const *proxy_comms;	/* NULL: default_proxy_comms */
	const char *capture_name;	/* how the report names the observation file */
	/*
	 * API versions the manifests were rendered in for the mesh (0 = as
	 * written); they name the spec version in the reports. NULL: as written.
	 */
	const int *api_versions;
	/* Where the runner recorded the mesh's metrics scrapes (scrapes.h); NULL: none. */
	const char *metrics_dir;
};

/*
 * Parses an --api list ("split=v1alpha2,access=v1alpha2,specs=v1alpha3") into
 * api[], groups not named left at 0. Prints "--api 'ARG': WHY"; returns 0 or -EINVAL.
 */
int verify_parse_api(const char *arg, int api[SMI_GROUP_COUNT]);

/* Writes "split=v1alpha2,access=v1alpha2" for the groups api[] names (NULL or none: ""). */
void verify_api_text(const int *api, char *buf, size_t len);

/*
 * Appends the scenario's assertions, its step summaries and the capture
 * summary to *rep. Returns 0, or -EINVAL when the inputs do not fit together
 * (unknown pods or services, no or several runs), printed as errors.
 */
int verify_scenario(const struct verify_input *in, struct report *rep);

#endif
