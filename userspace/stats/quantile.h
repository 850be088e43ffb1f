/* quantile.h - exact order statistics over observed durations. */
#ifndef SMIW_STATS_QUANTILE_H
#define SMIW_STATS_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

/* The nearest rank of quantile q among n values: ceil(q*n), at least 1, at most n. */
size_t q_rank(size_t n, double q);

/* Nearest-rank q-quantile (the ceil(q*n)-th smallest, at least the first) of sorted v; n > 0. */
uint64_t q_nearest(const uint64_t *v, size_t n, double q);

/*
 * Lowest possible nearest-rank q-quantile of `c` plus any subset of `s`
 * (both sorted): the values in `s` are exchanges that may or may not be
 * inside the window. nc + ns > 0. Returns the value.
 */
uint64_t q_lowest(const uint64_t *c, size_t nc, const uint64_t *s, size_t ns, double q);

/* Highest possible nearest-rank q-quantile, as q_lowest. */
uint64_t q_highest(const uint64_t *c, size_t nc, const uint64_t *s, size_t ns, double q);

#endif
