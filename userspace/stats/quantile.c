/* quantile.c - see quantile.h */
#include <math.h>
#include <stdlib.h>

#include "stats/quantile.h"

size_t q_rank(size_t n, double q)
{
	double r = ceil(q * (double)n - 1e-9);	/* 0.9 * 10 must be rank 9, not 10 */

	if (r < 1)
		return 1;
	return r > (double)n ? n : (size_t)r;
}

uint64_t q_nearest(const uint64_t *v, size_t n, double q)
{
	return v[q_rank(n, q) - 1];
}

/* k-th smallest (1-based) of the union of sorted a[0..na) and b[0..nb); k <= na + nb. */
static uint64_t kth_of_two(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, size_t k)
{
	/* Take i from a and k - i from b with a[i-1] <= b[k-i] and b[k-i-1] <= a[i]. */
	size_t lo = k > nb ? k - nb : 0, hi = k < na ? k : na;

	while (lo < hi) {
		size_t i = (lo + hi) / 2, j = k - i;

		if (j > 0 && i < na && b[j - 1] > a[i])
			lo = i + 1;
		else
			hi = i;
	}
	{
		size_t i = lo, j = k - lo;
		uint64_t x = i ? a[i - 1] : 0, y = j ? b[j - 1] : 0;

		if (!i)
			return y;
		if (!j)
			return x;
		return x > y ? x : y;
	}
}

/*
 * With k of the uncertain values included, the quantile is lowest when they
 * are the k smallest and highest when they are the k largest; every k is
 * tried because adding values also moves the rank.
 */
uint64_t q_lowest(const uint64_t *c, size_t nc, const uint64_t *s, size_t ns, double q)
{
	uint64_t best = UINT64_MAX;

	for (size_t k = 0; k <= ns; k++) {
		uint64_t v;

		if (nc + k == 0)
			continue;
		v = kth_of_two(c, nc, s, k, q_rank(nc + k, q));
		if (v < best)
			best = v;
	}
	return best;
}

uint64_t q_highest(const uint64_t *c, size_t nc, const uint64_t *s, size_t ns, double q)
{
	uint64_t best = 0;

	for (size_t k = 0; k <= ns; k++) {
		uint64_t v;

		if (nc + k == 0)
			continue;
		/* s may be NULL when ns is 0: NULL + 0 is undefined in C, so no arithmetic on it. */
		v = kth_of_two(c, nc, k ? s + ns - k : s, k, q_rank(nc + k, q));
		if (v > best)
			best = v;
	}
	return best;
}
