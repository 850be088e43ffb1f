/* u64.c - see u64.h */
#include <stdlib.h>

#include "util/u64.h"

int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void u64_sort(uint64_t *v, size_t n)
{
	/* n > 1: qsort with a NULL base is undefined even for n == 0 */
	if (n > 1)
		qsort(v, n, sizeof(*v), u64_cmp);
}
