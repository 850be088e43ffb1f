/*
 * capability.h - Meshery's capability designation per SMI spec and version:
 * FULL when every assertion of that spec version passed, NONE when none
 * did, HALF otherwise. An INCONCLUSIVE assertion is not a pass: nothing
 * was shown about it.
 */
#ifndef SMIW_REPORT_CAPABILITY_H
#define SMIW_REPORT_CAPABILITY_H

#include <stddef.h>

#include "verdict/report.h"

#define CAPABILITY_MAX 64

enum capability_level { CAP_NONE, CAP_HALF, CAP_FULL };

struct capability {
	const char *mesh, *smispec, *specversion;	/* borrowed from the report */
	size_t total, pass, fail, inconclusive;
	enum capability_level level;
};

/* Groups the report's assertions by (smispec, specversion) in order of appearance; returns the count. */
size_t capability_compute(const struct report *r, struct capability *out, size_t max);

/* The group for a spec and version, or NULL. */
const struct capability *capability_find(const struct capability *c, size_t n, const char *smispec,
					 const char *specversion);

/* "FULL", "HALF", "NONE". */
const char *capability_name(enum capability_level l);

#endif
