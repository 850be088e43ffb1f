/*
 * gamma.h - the Gateway API mesh conformance (GAMMA) side of a report: which
 * assertions belong to it, the upstream tests its scenarios are named after
 * (profile, core or extended, the feature they need, provisional or not),
 * and the upstream ConformanceReport written from the verdicts.
 */
#ifndef SMIW_REPORT_GAMMA_H
#define SMIW_REPORT_GAMMA_H

#include <stdbool.h>
#include <stdio.h>

#include "verdict/report.h"

/* The Gateway API release whose mesh suite the shipped scenarios follow. */
#define GAMMA_API_VERSION "v1.6.1"
#define GAMMA_API_CHANNEL "standard"

/* True when the report holds an assertion of the GAMMA category. */
bool report_has_gamma(const struct report *r);

/* Who ran the tests, as the ConformanceReport's `implementation` says. */
struct gamma_impl {
	const char *organization, *project, *url, *version;
	const char *contact;	/* one entry */
};

/*
 * The ConformanceReport (apiVersion gateway.networking.k8s.io/v1) of the
 * report's GAMMA scenarios, as YAML with the keys in the order upstream's
 * writer gives them (sorted). A scenario named after an upstream test is
 * that test: SUCCEEDED when all its assertions PASS, FAILED with any FAIL,
 * SKIPPED with an INCONCLUSIVE and no FAIL. A profile is written when one
 * of its tests ran; its core tests that did not run are SKIPPED, its
 * extended ones not counted (their features unsupported, as upstream's).
 * `date` is RFC 3339. Returns 0 or -EIO.
 */
int report_write_gamma_conformance(FILE *f, const struct report *r, const struct gamma_impl *impl,
				   const char *date);

/* The lab's implementation fields for a report of mesh variant r->mesh. */
void gamma_impl_of(const struct report *r, struct gamma_impl *impl);

#endif
