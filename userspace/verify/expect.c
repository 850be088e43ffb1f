/* expect.c - see expect.h */
#include <errno.h>
#include <stdio.h>

#include "verify/expect.h"

int expect_resolve(const struct scenario *sc, const struct sc_step *st, const struct sc_traffic *t,
		   struct sc_expect *out, char *why, size_t len)
{
	(void)sc;
	(void)st;
	*out = t->expect;
	if (t->expect.access == SC_ACCESS_DERIVED || t->expect.split == SC_SPLIT_DERIVED) {
		/* Needs the SMI object model's decision functions. */
		snprintf(why, len, "expectation derived from the applied policy: this build has no SMI model");
		return -ENOTSUP;
	}
	return 0;
}
