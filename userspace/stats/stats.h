/*
 * stats.h - the statistics behind split verdicts: special functions, exact
 * binomial and chi-square goodness-of-fit tests, power against a stated
 * effect, required sample sizes and Clopper-Pearson intervals.
 *
 * Everything is computed here from first principles (libm only) so that the
 * numbers in a report can be reproduced from the formulas in docs/verdicts.md.
 * Functions returning double return NaN on invalid arguments.
 */
#ifndef SMIW_STATS_STATS_H
#define SMIW_STATS_STATS_H

#include <stdint.h>

/* The largest number of categories (backends with a non-zero weight) a split test handles. */
#define STATS_MAX_K 64

/* Regularised lower incomplete gamma P(a, x), a > 0, x >= 0. */
double stats_gamma_p(double a, double x);

/* Regularised upper incomplete gamma Q(a, x) = 1 - P(a, x), computed without cancellation. */
double stats_gamma_q(double a, double x);

/* Regularised incomplete beta I_x(a, b), a > 0, b > 0, 0 <= x <= 1. */
double stats_beta_i(double a, double b, double x);

/* The x in [0, 1] with I_x(a, b) = p (bisection to full double precision). */
double stats_beta_i_inv(double a, double b, double p);

/* Binomial probability P(X = k) for X ~ Bin(n, p). */
double stats_binom_pmf(uint64_t k, uint64_t n, double p);

/* Binomial distribution function P(X <= k), via the incomplete beta function. */
double stats_binom_cdf(uint64_t k, uint64_t n, double p);

/*
 * Exact two-sided binomial test of H0: p = p0 having seen k successes in n
 * trials. The p-value sums the probabilities of every outcome no more likely
 * than k under H0 (the "minimum likelihood" rule), with a 1e-7 relative
 * tolerance for ties.
 */
double stats_binom_test(uint64_t k, uint64_t n, double p0);

/*
 * The rejection region of that test at level alpha: H0 is rejected iff
 * k <= *lo or k >= *hi. *lo is -1 when no lower outcome rejects, *hi is
 * n + 1 when no upper one does. Returns 0 or -EINVAL / -ENOMEM.
 */
int stats_binom_reject_region(uint64_t n, double p0, double alpha, int64_t *lo, int64_t *hi);

/* Probability that the exact test at level alpha rejects H0: p = p0 when the truth is p1. */
double stats_binom_power(uint64_t n, double p0, double p1, double alpha);

/* Chi-square survival function P(X > x) with df degrees of freedom. */
double stats_chi2_sf(double x, double df);

/* The critical value c with P(X > c) = alpha for a chi-square with df degrees of freedom. */
double stats_chi2_crit(double df, double alpha);

/* Noncentral chi-square survival function P(X > x), noncentrality lambda >= 0. */
double stats_ncchi2_sf(double x, double df, double lambda);

/* Result of Pearson's chi-square goodness-of-fit test. */
struct stats_gof {
	double statistic;	/* sum of (observed - expected)^2 / expected */
	double df;		/* k - 1 */
	double p_value;
};

/*
 * Pearson chi-square goodness of fit of counts obs[0..k-1] to shares
 * p[0..k-1] (each > 0, summing to 1 within 1e-9). Returns 0 or -EINVAL.
 */
int stats_chi2_gof(const uint64_t *obs, const double *p, int k, struct stats_gof *out);

/*
 * Power of the split test that smi-witness runs on n requests against the
 * expected shares p0[0..k-1] (all > 0), for a deviation of `effect` (0.10 =
 * ten percentage points):
 *  - k == 1: every request must reach the one backend; power is the chance
 *    that at least one of n requests strays when a share `effect` does;
 *  - k == 2: exact binomial test, power at p0 - effect and p0 + effect,
 *    whichever is lower (sides outside [0, 1] are not possible and skipped);
 *  - k > 2: chi-square test, noncentral chi-square power for the least
 *    detectable shift of `effect` from one backend to another.
 */
double stats_split_power(const double *p0, int k, uint64_t n, double alpha, double effect);

/*
 * The smallest n whose split power reaches `target` and stays there (for k == 2
 * the exact test's power saw-tooths in n: the answer is the n after the last
 * dip below target, looking up to twice the first crossing). Returns 0 when
 * no n up to max_n is enough.
 */
uint64_t stats_split_required_n(const double *p0, int k, double alpha, double effect,
				double target, uint64_t max_n);

/*
 * Clopper-Pearson ("exact") interval for a share seen k times in n, at
 * confidence `level` (e.g. 0.999). Returns 0 or -EINVAL.
 */
int stats_clopper_pearson(uint64_t k, uint64_t n, double level, double *lo, double *hi);

#endif
