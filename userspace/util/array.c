/* array.c - see array.h */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/array.h"

int array_reserve(void *arr, size_t *cap, size_t n, size_t size, size_t first)
{
	void **p = arr, *q;
	size_t c = *cap ? *cap : first ? first : 1;

	if (n < *cap)
		return 0;
	while (c <= n) {
		if (c > SIZE_MAX / 2)
			return -ENOMEM;
		c *= 2;
	}
	if (size && c > SIZE_MAX / size)
		return -ENOMEM;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}
