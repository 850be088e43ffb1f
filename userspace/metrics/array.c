/* array.c - see array.h */
#include <errno.h>
#include <stdlib.h>

#include "metrics/array.h"

int array_reserve(void *arr, size_t *cap, size_t n, size_t size, size_t first)
{
	void **p = arr, *q;
	size_t c = *cap ? *cap : first;

	if (n < *cap)
		return 0;
	while (c <= n)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}
