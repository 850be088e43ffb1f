/* u64.h - ordering of 64-bit unsigned values (ids, durations, times), and their decimal digits. */
#ifndef SMIW_UTIL_U64_H
#define SMIW_UTIL_U64_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* qsort/bsearch comparator over uint64_t elements: ascending. */
int u64_cmp(const void *a, const void *b);

/* Sorts n values ascending in place (n may be 0, v then may be NULL). */
void u64_sort(uint64_t *v, size_t n);

/* Writes v in decimal at p (up to 20 digits, no NUL); returns the end. */
static inline __attribute__((always_inline)) char *u64_digits(char *p, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
		1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
		100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull,
	};
	/* Digits from the bit length (log10(2) ~ 1233 / 4096), corrected by one comparison. */
	int t = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;
	char *end = p + t + (v >= pow10[t]) + !v;

	for (p = end; v >= 100; v /= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (v % 100), 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	return end;
}

#endif
