/*
 * capability.h - the compatibility matrix's designation per mesh, SMI spec
 * and version: FULL when every assertion of that spec version passed, NONE
 * when none did, HALF otherwise. An INCONCLUSIVE assertion is not a pass:
 * nothing was shown about it. (meshery.json follows Meshery's own rule
 * over steps instead; docs/report-schema.md.)
 */
#ifndef SMIW_REPORT_CAPABILITY_H
#define SMIW_REPORT_CAPABILITY_H

#include <stddef.h>

enum capability_level { CAP_NONE, CAP_HALF, CAP_FULL };

/* The level of `pass` passed assertions out of `total` (NONE for none at all). */
enum capability_level capability_of(size_t pass, size_t total);

/* "FULL", "HALF", "NONE". */
const char *capability_name(enum capability_level l);

#endif
