/*
 * dependence.h - whether the backend a split chose depends on something
 * other than chance: the client connection a request came on (a table of
 * groups by categories), or the choice before it (runs in request order).
 * And how many independent choices clustered data are worth: the design
 * effect from the intraclass correlation (docs/verdicts.md, "Honest sample
 * size"). libm only, like stats.h.
 */
#ifndef SMIW_STATS_DEPENDENCE_H
#define SMIW_STATS_DEPENDENCE_H

#include <stddef.h>
#include <stdint.h>

/* Pearson's chi-square test of homogeneity over the groups it could use. */
struct stats_homogeneity {
	double statistic, df, p_value;	/* p_value NaN when there was nothing to test */
	size_t rows;		/* rows tested (groups large enough, and the pooled small ones as one) */
	size_t pooled;		/* small groups pooled into one row (or left out when even pooled too small) */
};

/*
 * Tests whether the category shares are the same in every group of the
 * table counts[g * k + c] (g < groups, c < k). A group whose expected count
 * falls below min_expected in some category is pooled with the other small
 * ones into one row (valid under the null: every request of a small group
 * is drawn the same way), and that row is left out when it is still small.
 * Returns 0, or -EINVAL for bad arguments.
 */
int stats_chi2_homogeneity(const uint64_t *counts, size_t groups, size_t k, double min_expected,
			   struct stats_homogeneity *out);

/* The one-way ANOVA intraclass correlation of categorical outcomes, and the design effect. */
struct stats_icc {
	double icc;		/* estimate, may be negative; NaN when not estimable */
	double m0;		/* the ANOVA's average group size */
	double m_weighted;	/* sum of squared group sizes / n: the size a request's group has on average */
	double deff;		/* 1 + (m_weighted - 1) * max(icc, 0); 1 when not estimable */
	double n, n_eff;	/* requests, and n / deff */
};

/*
 * ICC of the table counts[g * k + c] as in stats_chi2_homogeneity: the
 * between- and within-group sums of squares summed over the categories'
 * indicators (each category a 0/1 outcome), rho = (MSB - MSW) / (MSB +
 * (m0 - 1) MSW). Not estimable (NaN, deff 1) with fewer than two groups,
 * no group of two or more, or one category only. Returns 0 or -EINVAL.
 */
int stats_icc_categorical(const uint64_t *counts, size_t groups, size_t k, struct stats_icc *out);

/* The runs test: are there too few runs of equal consecutive categories? */
struct stats_runs {
	double runs, expected, sd;
	double p_value;		/* one-sided (too few runs); NaN when not testable */
	int exact;		/* 1: exact distribution (two categories), 0: normal approximation */
};

/*
 * Runs test of seq[0..n) over categories 0..k-1 against the null that every
 * order of the same counts is equally likely. Two categories: the exact
 * distribution of the number of runs; more: the normal approximation with
 * the moments of Barton and David, with a continuity correction. Returns 0
 * or -EINVAL / -ENOMEM.
 */
int stats_runs_test(const int *seq, size_t n, int k, struct stats_runs *out);

#endif
