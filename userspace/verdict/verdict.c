/* verdict.c - see verdict.h */
#include <errno.h>
#include <string.h>

#include "util/exitcode.h"
#include "verdict/verdict.h"

static const char *const verdict_names[] = {
	[VERDICT_PASS] = "PASS", [VERDICT_INCONCLUSIVE] = "INCONCLUSIVE", [VERDICT_FAIL] = "FAIL",
};

const char *verdict_name(enum verdict v)
{
	return verdict_names[v];
}

int verdict_parse(const char *s, enum verdict *v)
{
	for (int i = VERDICT_PASS; i <= VERDICT_FAIL; i++)
		if (s && !strcmp(s, verdict_names[i])) {
			*v = (enum verdict)i;
			return 0;
		}
	return -EINVAL;
}

enum verdict verdict_worst(enum verdict a, enum verdict b)
{
	return a > b ? a : b;
}

int verdict_exit_code(enum verdict v)
{
	return v == VERDICT_PASS ? EXIT_OK : v == VERDICT_FAIL ? EXIT_FAILED : EXIT_INCONCLUSIVE;
}
