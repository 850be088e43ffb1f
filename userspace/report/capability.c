/* capability.c - see capability.h */
#include <string.h>

#include "report/capability.h"

const char *capability_name(enum capability_level l)
{
	return l == CAP_FULL ? "FULL" : l == CAP_HALF ? "HALF" : "NONE";
}

const struct capability *capability_find(const struct capability *c, size_t n, const char *smispec,
					 const char *specversion)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].smispec, smispec) && !strcmp(c[i].specversion, specversion))
			return &c[i];
	return NULL;
}

size_t capability_compute(const struct report *r, struct capability *out, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < r->n; k++) {
		const struct assertion *a = &r->a[k];
		struct capability *c = (struct capability *)capability_find(out, n, a->smispec, a->specversion);

		if (!c) {
			if (n == max)
				continue;
			c = &out[n++];
			*c = (struct capability){ .mesh = r->mesh, .smispec = a->smispec,
						  .specversion = a->specversion };
		}
		c->total++;
		c->pass += a->verdict == VERDICT_PASS;
		c->fail += a->verdict == VERDICT_FAIL;
		c->inconclusive += a->verdict == VERDICT_INCONCLUSIVE;
	}
	for (size_t i = 0; i < n; i++)
		out[i].level = out[i].pass == out[i].total ? CAP_FULL : out[i].pass ? CAP_HALF : CAP_NONE;
	return n;
}
