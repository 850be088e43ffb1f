/* array.c - see array.h */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "util/array.h"

/* Blocks from this size on are advised (array_huge): two huge pages, so that one at least fits whole. */
#define HUGE_FROM (4u << 20)

void array_huge(void *p, size_t len)
{
	uintptr_t page = 4096, start = (uintptr_t)p & ~(page - 1), end = ((uintptr_t)p + len + page - 1) & ~(page - 1);

	/*
	 * Every page the block touches, so that a block with a mapping of its
	 * own is advised whole: advice on part of a mapping splits it, and
	 * realloc cannot grow a split mapping in place (mremap).
	 */
	if (p && len >= HUGE_FROM)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);	/* advice: a refusal changes nothing */
}

void *array_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	array_huge(p, n * size);
	return p;
}

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
	array_huge(q, c * size);
	return 0;
}
