/* smi_release.c - see smi_release.h */
#include <stddef.h>
#include <string.h>

#include "report/smi_release.h"

/*
 * From the SMI release notes: v0.4.0, the first release that pinned the
 * specification to a version, had Traffic Access v1alpha1, Specs v1alpha2,
 * Split v1alpha3 and Metrics v1alpha1; v0.5.0 moved Access to v1alpha2 and
 * Specs to v1alpha3; v0.6.0 (the last release) has Access v1alpha3, Specs
 * v1alpha4, Split v1alpha4, Metrics v1alpha1. Split v1alpha1/v1alpha2 and
 * Specs v1alpha1 predate numbered releases; Access v1alpha4 exists only in
 * the specification's working draft.
 */
static const struct {
	const char *spec, *api, *release;
} releases[] = {
	{ "traffic-access", "v1alpha1", "v0.4.0" },
	{ "traffic-access", "v1alpha2", "v0.5.0" },
	{ "traffic-access", "v1alpha3", "v0.6.0" },
	{ "traffic-access", "v1alpha4", "draft" },
	{ "traffic-specs", "v1alpha1", "unversioned" },
	{ "traffic-specs", "v1alpha2", "v0.4.0" },
	{ "traffic-specs", "v1alpha3", "v0.5.0" },
	{ "traffic-specs", "v1alpha4", "v0.6.0" },
	{ "traffic-split", "v1alpha1", "unversioned" },
	{ "traffic-split", "v1alpha2", "unversioned" },
	{ "traffic-split", "v1alpha3", "v0.5.0" },
	{ "traffic-split", "v1alpha4", "v0.6.0" },
	{ "traffic-metrics", "v1alpha1", "v0.6.0" },
};

const char *smi_release_of(const char *smispec, const char *api)
{
	for (size_t i = 0; i < sizeof(releases) / sizeof(releases[0]); i++)
		if (!strcmp(releases[i].spec, smispec) && !strcmp(releases[i].api, api))
			return releases[i].release;
	return NULL;
}
