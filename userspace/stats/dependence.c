/* dependence.c - see dependence.h */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stats/dependence.h"
#include "stats/stats.h"

static double row_total(const uint64_t *row, size_t k)
{
	double m = 0;

	for (size_t c = 0; c < k; c++)
		m += (double)row[c];
	return m;
}

static double row_total_d(const double *row, size_t k)
{
	double m = 0;

	for (size_t c = 0; c < k; c++)
		m += row[c];
	return m;
}

/*
 * Fills col[0..k) with the column totals of counts (groups rows of k) and
 * *cols with how many are nonzero. Returns the smallest nonzero column share
 * of the grand total (1 when there is none).
 */
static double column_shares(const uint64_t *counts, size_t groups, size_t k, double *col, size_t *cols)
{
	double n = 0, pmin = 1;

	for (size_t g = 0; g < groups; g++)
		for (size_t c = 0; c < k; c++) {
			col[c] += (double)counts[g * k + c];
			n += (double)counts[g * k + c];
		}
	*cols = 0;
	for (size_t c = 0; c < k; c++)
		if (col[c] > 0) {
			(*cols)++;
			if (col[c] / n < pmin)
				pmin = col[c] / n;
		}
	return pmin;
}

/*
 * Copies into rows_kept the groups large enough on their own (expected
 * count of the rarest column at least min_expected), then the small ones
 * pooled (summed into pool) when the pool is; *small counts the pooled
 * groups. Returns the number of rows kept.
 */
static size_t keep_rows(const uint64_t *counts, size_t groups, size_t k, double pmin, double min_expected,
			double *rows_kept, double *pool, size_t *small)
{
	size_t rows = 0;

	*small = 0;
	for (size_t g = 0; g < groups; g++) {
		double m = row_total(&counts[g * k], k);

		if (m == 0)
			continue;
		if (m * pmin >= min_expected) {
			for (size_t c = 0; c < k; c++)
				rows_kept[rows * k + c] = (double)counts[g * k + c];
			rows++;
		} else {
			(*small)++;
			for (size_t c = 0; c < k; c++)
				pool[c] += (double)counts[g * k + c];
		}
	}
	if (*small && row_total_d(pool, k) * pmin >= min_expected) {
		memcpy(&rows_kept[rows * k], pool, k * sizeof(*pool));
		rows++;
	}
	return rows;
}

/* Pearson's X^2 of the rows x k table t, expected counts from its own margins; col is k doubles of scratch. */
static double chi2_statistic(const double *t, size_t rows, size_t k, double *col)
{
	double used_n = 0, x2 = 0;

	memset(col, 0, k * sizeof(*col));
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < k; c++) {
			col[c] += t[r * k + c];
			used_n += t[r * k + c];
		}
	for (size_t r = 0; r < rows; r++) {
		double m = row_total_d(&t[r * k], k);

		for (size_t c = 0; c < k; c++) {
			double e = m * col[c] / used_n;

			if (e > 0)
				x2 += (t[r * k + c] - e) * (t[r * k + c] - e) / e;
		}
	}
	return x2;
}

int stats_chi2_homogeneity(const uint64_t *counts, size_t groups, size_t k, double min_expected,
			   struct stats_homogeneity *out)
{
	double *col = calloc(k + 1, sizeof(*col)), *pool = calloc(k + 1, sizeof(*pool)), *rows_kept;
	double pmin;
	size_t cols, rows, small;

	memset(out, 0, sizeof(*out));
	out->p_value = NAN;
	out->statistic = NAN;
	rows_kept = calloc((groups + 1) * (k + 1), sizeof(*rows_kept));
	if (!col || !pool || !rows_kept || !k) {
		free(col);
		free(pool);
		free(rows_kept);
		return k ? -ENOMEM : -EINVAL;
	}
	pmin = column_shares(counts, groups, k, col, &cols);
	/* Rows: groups large enough on their own, then the small ones pooled. */
	rows = keep_rows(counts, groups, k, pmin, min_expected, rows_kept, pool, &small);
	out->pooled = small;
	out->rows = rows;
	if (rows >= 2 && cols >= 2) {
		/* Expected counts from the rows actually tested. */
		out->statistic = chi2_statistic(rows_kept, rows, k, col);
		out->df = (double)(rows - 1) * (double)(cols - 1);
		out->p_value = stats_chi2_sf(out->statistic, out->df);
	}
	free(col);
	free(pool);
	free(rows_kept);
	return 0;
}

/*
 * The between-group (*ssb) and within-group (*ssw) sums of squares of the
 * category shares of counts (groups rows of k), p being the overall shares.
 */
static void sums_of_squares(const uint64_t *counts, size_t groups, size_t k, const double *p, double *ssb,
			    double *ssw)
{
	*ssb = 0;
	*ssw = 0;
	for (size_t g = 0; g < groups; g++) {
		double m = row_total(&counts[g * k], k);

		if (m == 0)
			continue;
		for (size_t c = 0; c < k; c++) {
			double pg = (double)counts[g * k + c] / m;

			*ssb += m * (pg - p[c]) * (pg - p[c]);
			*ssw += m * pg * (1 - pg);
		}
	}
}

int stats_icc_categorical(const uint64_t *counts, size_t groups, size_t k, struct stats_icc *out)
{
	double n = 0, sum_m2 = 0, ssb, ssw, msb, msw, den;
	size_t r = 0, cats = 0, multi = 0;
	double *p = calloc(k + 1, sizeof(*p));

	memset(out, 0, sizeof(*out));
	out->icc = NAN;
	out->deff = 1;
	if (!p || !k) {
		free(p);
		return k ? -ENOMEM : -EINVAL;
	}
	for (size_t g = 0; g < groups; g++) {
		double m = row_total(&counts[g * k], k);

		if (m == 0)
			continue;
		r++;
		n += m;
		sum_m2 += m * m;
		multi += m >= 2;
		for (size_t c = 0; c < k; c++)
			p[c] += (double)counts[g * k + c];
	}
	out->n = n;
	out->n_eff = n;
	out->m_weighted = n > 0 ? sum_m2 / n : 0;
	for (size_t c = 0; c < k; c++) {
		cats += p[c] > 0;
		p[c] = n > 0 ? p[c] / n : 0;
	}
	if (r < 2 || !multi || cats < 2 || n <= (double)r) {
		free(p);
		return 0;
	}
	sums_of_squares(counts, groups, k, p, &ssb, &ssw);
	msb = ssb / (double)(r - 1);
	msw = ssw / (n - (double)r);
	out->m0 = (n - sum_m2 / n) / (double)(r - 1);
	den = msb + (out->m0 - 1) * msw;
	if (den > 0) {
		out->icc = (msb - msw) / den;
		out->deff = 1 + (out->m_weighted - 1) * (out->icc > 0 ? out->icc : 0);
		out->n_eff = n / out->deff;
	}
	free(p);
	return 0;
}

/* log of the binomial coefficient C(a, b), -INFINITY when it is 0. */
static double log_choose(double a, double b)
{
	if (b < 0 || b > a)
		return -INFINITY;
	return lgamma(a + 1) - lgamma(b + 1) - lgamma(a - b + 1);
}

/* log P(R = r) for two categories of n1 and n2 items in random order. */
static double log_runs_pmf(double n1, double n2, uint64_t r)
{
	double base = log_choose(n1 + n2, n1), s;

	if (r % 2 == 0) {
		s = (double)(r / 2);
		return log(2) + log_choose(n1 - 1, s - 1) + log_choose(n2 - 1, s - 1) - base;
	}
	s = (double)(r / 2);
	{
		double a = log_choose(n1 - 1, s) + log_choose(n2 - 1, s - 1);
		double b = log_choose(n1 - 1, s - 1) + log_choose(n2 - 1, s);
		double hi = a > b ? a : b;

		if (hi == -INFINITY)
			return -INFINITY;
		return hi + log(exp(a - hi) + exp(b - hi)) - base;
	}
}

int stats_runs_test(const int *seq, size_t n, int k, struct stats_runs *out)
{
	double *cnt, s2 = 0, s3 = 0, dn = (double)n, var;
	uint64_t runs = n ? 1 : 0;
	int cats = 0;

	memset(out, 0, sizeof(*out));
	out->p_value = NAN;
	if (k < 1 || (n && !seq))
		return -EINVAL;
	cnt = calloc((size_t)k, sizeof(*cnt));
	if (!cnt)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (seq[i] < 0 || seq[i] >= k) {
			free(cnt);
			return -EINVAL;
		}
		cnt[seq[i]]++;
		runs += i && seq[i] != seq[i - 1];
	}
	for (int c = 0; c < k; c++) {
		cats += cnt[c] > 0;
		s2 += cnt[c] * cnt[c];
		s3 += cnt[c] * cnt[c] * cnt[c];
	}
	out->runs = (double)runs;
	if (n < 2 || cats < 2) {
		free(cnt);
		return 0;
	}
	out->expected = dn + 1 - s2 / dn;
	var = (s2 * (s2 + dn * (dn + 1)) - 2 * dn * s3 - dn * dn * dn) / (dn * dn * (dn - 1));
	out->sd = var > 0 ? sqrt(var) : 0;
	if (cats == 2) {
		double n1 = 0, n2 = 0, p = 0;

		for (int c = 0; c < k; c++)
			if (cnt[c] > 0) {
				if (n1 == 0)
					n1 = cnt[c];
				else
					n2 = cnt[c];
			}
		for (uint64_t r = 2; r <= runs; r++)
			p += exp(log_runs_pmf(n1, n2, r));
		out->p_value = p > 1 ? 1 : p;
		out->exact = 1;
	} else if (out->sd > 0) {
		double z = (out->runs - out->expected + 0.5) / out->sd;

		out->p_value = 0.5 * erfc(-z / sqrt(2));
	}
	free(cnt);
	return 0;
}
