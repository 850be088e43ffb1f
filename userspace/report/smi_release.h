/*
 * smi_release.h - which SMI specification release an API version of an SMI
 * spec belongs to, as Meshery names a tested spec ("v0.6.0/v1alpha4").
 */
#ifndef SMIW_REPORT_SMI_RELEASE_H
#define SMIW_REPORT_SMI_RELEASE_H

/*
 * The newest SMI release ("v0.6.0") whose specification holds API version
 * `api` of spec `smispec` (traffic-access, traffic-split, traffic-specs,
 * traffic-metrics); "unversioned" for API versions older than the first
 * numbered release, "draft" for one written after the last, NULL for a
 * spec or version SMI never had. Static storage.
 */
const char *smi_release_of(const char *smispec, const char *api);

#endif
