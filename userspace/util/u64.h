/* u64.h - ordering of 64-bit unsigned values (ids, durations, times). */
#ifndef SMIW_UTIL_U64_H
#define SMIW_UTIL_U64_H

#include <stddef.h>
#include <stdint.h>

/* qsort/bsearch comparator over uint64_t elements: ascending. */
int u64_cmp(const void *a, const void *b);

/* Sorts n values ascending in place (n may be 0, v then may be NULL). */
void u64_sort(uint64_t *v, size_t n);

#endif
