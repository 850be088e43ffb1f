/*
 * test_stats - the statistics behind split verdicts, checked against values
 * that do not come from the code under test: closed forms, published
 * critical values, R's documented examples, and brute-force sums.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "stats/dependence.h"
#include "stats/stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void assert_close(double got, double want, double rel)
{
	double tol = rel * (fabs(want) > 1e-300 ? fabs(want) : 1);

	if (!(fabs(got - want) <= tol))
		fail_msg("got %.17g, want %.17g (tolerance %.3g)", got, want, tol);
}

/* C(n, k) p^k (1-p)^(n-k) by multiplying factors, not via lgamma. */
static double pmf_naive(int k, int n, double p)
{
	double v = 1;

	for (int i = 0; i < k; i++)
		v *= (double)(n - i) / (k - i) * p;
	for (int i = 0; i < n - k; i++)
		v *= 1 - p;
	return v;
}

/* Two-sided minimum-likelihood p-value by summing every outcome. */
static double binom_test_naive(int k, int n, double p)
{
	double d = pmf_naive(k, n, p) * (1 + 1e-7), s = 0;

	for (int i = 0; i <= n; i++)
		if (pmf_naive(i, n, p) <= d)
			s += pmf_naive(i, n, p);
	return s > 1 ? 1 : s;
}

static void test_gamma_closed_forms(void **state)
{
	static const double xs[] = { 0.001, 0.1, 0.5, 1, 2, 3.5, 10, 40 };

	(void)state;
	for (size_t i = 0; i < N_OF(xs); i++) {
		double x = xs[i];

		assert_close(stats_gamma_p(1, x), -expm1(-x), 1e-13);	/* exponential */
		assert_close(stats_gamma_p(0.5, x), erf(sqrt(x)), 1e-13);	/* chi2, 1 df */
		assert_close(stats_gamma_p(2.5, x) + stats_gamma_q(2.5, x), 1, 1e-14);
		/* Q(n, x) is the Poisson(x) probability of fewer than n events. */
		double pois = 0, term = exp(-x);

		for (int j = 0; j < 5; j++) {
			pois += term;
			term *= x / (j + 1);
		}
		assert_close(stats_gamma_q(5, x), pois, 1e-12);
	}
	assert_int_equal(stats_gamma_p(3, 0), 0);
	assert_true(isnan(stats_gamma_p(0, 1)));
	assert_true(isnan(stats_gamma_q(1, -1)));
}

static void test_beta_closed_forms(void **state)
{
	static const double xs[] = { 0.01, 0.2, 0.5, 0.77, 0.99 };

	(void)state;
	for (size_t i = 0; i < N_OF(xs); i++) {
		double x = xs[i];

		assert_close(stats_beta_i(1, 1, x), x, 1e-14);
		assert_close(stats_beta_i(3.5, 1, x), pow(x, 3.5), 1e-13);
		assert_close(stats_beta_i(1, 4, x), 1 - pow(1 - x, 4), 1e-13);
		assert_close(stats_beta_i(2.5, 7, x), 1 - stats_beta_i(7, 2.5, 1 - x), 1e-13);
		/* The inverse lands back on the same probability (x itself is ill-conditioned near 1). */
		double p = stats_beta_i(2.5, 7, x);

		assert_close(stats_beta_i(2.5, 7, stats_beta_i_inv(2.5, 7, p)), p, 1e-12);
	}
	assert_int_equal(stats_beta_i(2, 3, 0), 0);
	assert_int_equal(stats_beta_i(2, 3, 1), 1);
	assert_true(isnan(stats_beta_i(2, 3, 1.5)));
}

static void test_binom_cdf_matches_sums(void **state)
{
	static const struct { int n; double p; } cases[] = {
		{ 1, 0.5 }, { 10, 0.3 }, { 25, 0.75 }, { 60, 0.1 }, { 60, 0.99 },
	};

	(void)state;
	for (size_t c = 0; c < N_OF(cases); c++) {
		double sum = 0;

		for (int k = 0; k <= cases[c].n; k++) {
			sum += pmf_naive(k, cases[c].n, cases[c].p);
			assert_close(stats_binom_pmf(k, cases[c].n, cases[c].p),
				     pmf_naive(k, cases[c].n, cases[c].p), 1e-10);
			assert_close(stats_binom_cdf(k, cases[c].n, cases[c].p), sum, 1e-10);
		}
	}
	assert_int_equal(stats_binom_pmf(0, 5, 0), 1);
	assert_int_equal(stats_binom_pmf(5, 5, 1), 1);
	assert_int_equal(stats_binom_pmf(6, 5, 0.5), 0);
}

static void test_binom_test(void **state)
{
	static const struct { int k, n; double p; } cases[] = {
		{ 0, 10, 0.5 }, { 3, 10, 0.5 }, { 7, 10, 0.5 }, { 10, 10, 0.5 },
		{ 2, 20, 0.3 }, { 12, 20, 0.3 }, { 15, 40, 0.75 }, { 39, 40, 0.75 },
		{ 30, 40, 0.75 }, { 0, 50, 0.02 }, { 5, 50, 0.02 }, { 44, 60, 0.9 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++)
		assert_close(stats_binom_test(cases[i].k, cases[i].n, cases[i].p),
			     binom_test_naive(cases[i].k, cases[i].n, cases[i].p), 1e-9);
	/* R's documented examples: binom.test(c(682, 243), p = 3/4) and binom.test(7, 10). */
	assert_close(stats_binom_test(682, 925, 0.75), 0.3824916, 1e-5);
	assert_close(stats_binom_test(7, 10, 0.5), 0.34375, 1e-12);
	/* 64/36 against a 70/30 policy over 1000 requests is far outside alpha = 0.001. */
	assert_true(stats_binom_test(640, 1000, 0.7) < 1e-4);
	assert_close(stats_binom_test(700, 1000, 0.7), 1, 0);
}

static void test_binom_region_and_power(void **state)
{
	static const struct { int n; double p0, p1, alpha; } cases[] = {
		{ 30, 0.5, 0.4, 0.05 }, { 40, 0.75, 0.65, 0.01 }, { 60, 0.3, 0.4, 0.001 },
		{ 50, 0.9, 0.8, 0.001 }, { 45, 0.95, 0.85, 0.05 },
	};

	(void)state;
	for (size_t c = 0; c < N_OF(cases); c++) {
		int n = cases[c].n;
		int64_t lo, hi;
		double power = 0;

		assert_int_equal(stats_binom_reject_region(n, cases[c].p0, cases[c].alpha, &lo, &hi), 0);
		for (int k = 0; k <= n; k++) {
			int rejected = binom_test_naive(k, n, cases[c].p0) <= cases[c].alpha;

			assert_int_equal(rejected, k <= lo || k >= hi);
			if (rejected)
				power += pmf_naive(k, n, cases[c].p1);
		}
		assert_close(stats_binom_power(n, cases[c].p0, cases[c].p1, cases[c].alpha), power, 1e-9);
	}
}

static void test_chi2_known_values(void **state)
{
	/* Published upper critical values of the chi-square distribution (3 decimals). */
	static const struct { double df, alpha, crit; } cases[] = {
		{ 1, 0.001, 10.828 }, { 2, 0.001, 13.816 }, { 3, 0.001, 16.266 },
		{ 4, 0.001, 18.467 }, { 1, 0.05, 3.841 }, { 2, 0.05, 5.991 }, { 10, 0.01, 23.209 },
	};
	struct stats_gof g;

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		assert_true(fabs(stats_chi2_crit(cases[i].df, cases[i].alpha) - cases[i].crit) <= 0.0005);
		assert_close(stats_chi2_sf(stats_chi2_crit(cases[i].df, cases[i].alpha), cases[i].df),
			     cases[i].alpha, 1e-9);
	}
	/* With 2 df the survival function is exp(-x/2). */
	assert_close(stats_chi2_sf(7.3, 2), exp(-3.65), 1e-13);

	/* 30/20/50 against 25/25/50: X2 = 1 + 1 + 0 = 2, p = exp(-1). */
	assert_int_equal(stats_chi2_gof((uint64_t[]){ 30, 20, 50 }, (double[]){ 0.25, 0.25, 0.5 }, 3, &g), 0);
	assert_close(g.statistic, 2, 1e-14);
	assert_close(g.df, 2, 0);
	assert_close(g.p_value, exp(-1), 1e-13);
	assert_int_equal(stats_chi2_gof((uint64_t[]){ 1, 2 }, (double[]){ 0.5, 0.6 }, 2, &g), -EINVAL);
	assert_int_equal(stats_chi2_gof((uint64_t[]){ 1 }, (double[]){ 1 }, 1, &g), -EINVAL);
}

static void test_noncentral_chi2(void **state)
{
	static const double lambdas[] = { 0.5, 5, 31.5, 200, 3000 };
	double c = stats_chi2_crit(1, 0.001), prev = 0;

	(void)state;
	for (size_t i = 0; i < N_OF(lambdas); i++) {
		double l = lambdas[i];
		/* 1 df: X = (Z + sqrt(lambda))^2, so P(X > c) has a closed form. */
		double want = 0.5 * erfc((sqrt(c) + sqrt(l)) / M_SQRT2) +
			      0.5 * erfc((sqrt(c) - sqrt(l)) / M_SQRT2);
		double got = stats_ncchi2_sf(c, 1, l);

		assert_close(got, want, 1e-10);
		assert_true(got > prev);	/* power grows with the noncentrality */
		prev = got;
	}
	assert_close(stats_ncchi2_sf(9.5, 3, 0), stats_chi2_sf(9.5, 3), 0);
	/* Mean of a noncentral chi-square is df + lambda: its median sits near it. */
	assert_close(stats_ncchi2_sf(3 + 400, 3, 400), 0.5, 0.05);
}

static void test_split_power_properties(void **state)
{
	double s75[] = { 75, 25 }, s25[] = { 25, 75 }, s5[] = { 0.5, 0.5 }, three[] = { 1, 1, 1 };
	double one[] = { 1 };

	(void)state;
	/* Symmetric in which backend is named first. */
	for (uint64_t n = 50; n <= 1000; n += 190)
		assert_close(stats_split_power(s75, 2, n, 0.001, 0.1),
			     stats_split_power(s25, 2, n, 0.001, 0.1), 1e-12);
	/* Weights are relative: 1:1 is 50:50. */
	assert_close(stats_split_power((double[]){ 1, 1 }, 2, 400, 0.001, 0.1),
		     stats_split_power(s5, 2, 400, 0.001, 0.1), 0);
	/* 20 requests cannot see a 10-point deviation at alpha = 0.001. */
	assert_true(stats_split_power((double[]){ 70, 30 }, 2, 20, 0.001, 0.1) < 0.01);
	/* One backend: P(at least one of n strays) = 1 - 0.9^n. */
	assert_close(stats_split_power(one, 1, 44, 0.001, 0.1), 1 - pow(0.9, 44), 1e-12);
	/* k > 2 grows with n. */
	double prev = 0;

	for (uint64_t n = 100; n <= 1000; n += 100) {
		double pw = stats_split_power(three, 3, n, 0.001, 0.1);

		assert_true(pw > prev);
		prev = pw;
	}
	assert_true(isnan(stats_split_power((double[]){ 1, 0 }, 2, 10, 0.001, 0.1)));
}

/* Independent of the search: n reaches the target, n - 1 does not, and (k == 2) no dip up to 2n. */
static void check_required(const double *p, int k, uint64_t want)
{
	uint64_t n = stats_split_required_n(p, k, 0.001, 0.1, 0.99, 1000000);

	assert_int_equal(n, want);
	assert_true(stats_split_power(p, k, n, 0.001, 0.1) >= 0.99);
	assert_true(stats_split_power(p, k, n - 1, 0.001, 0.1) < 0.99);
	if (k == 2)
		for (uint64_t m = n; m <= 2 * n; m++)
			assert_true(stats_split_power(p, k, m, 0.001, 0.1) >= 0.99);
}

static void test_required_n(void **state)
{
	(void)state;
	/* These are the numbers docs/verdicts.md publishes. */
	check_required((double[]){ 50, 50 }, 2, 792);
	check_required((double[]){ 75, 25 }, 2, 663);
	check_required((double[]){ 70, 30 }, 2, 726);
	check_required((double[]){ 90, 10 }, 2, 387);
	check_required((double[]){ 95, 5 }, 2, 255);
	check_required((double[]){ 1, 1, 1 }, 3, 588);
	check_required((double[]){ 50, 30, 20 }, 3, 661);
	check_required((double[]){ 1, 1, 1, 1 }, 4, 475);
	/* One backend: ceil(ln 0.01 / ln 0.9) = 44. */
	assert_int_equal(stats_split_required_n((double[]){ 1 }, 1, 0.001, 0.1, 0.99, 1000000),
			 (uint64_t)ceil(log(0.01) / log(0.9)));
	/* A normal approximation lands within 5% for 50/50. */
	double z = 3.2905267314919255, zb = 2.3263478740408408;
	double approx = pow((z * 0.5 + zb * sqrt(0.4 * 0.6)) / 0.1, 2);

	assert_true(fabs(792 - approx) / approx < 0.05);
	/* Too small a cap: no answer. */
	assert_int_equal(stats_split_required_n((double[]){ 1, 1 }, 2, 0.001, 0.1, 0.99, 100), 0);
}

static void test_clopper_pearson(void **state)
{
	double lo, hi;

	(void)state;
	/* R: binom.test(682, 925)$conf.int = 0.7076683 0.7654066 */
	assert_int_equal(stats_clopper_pearson(682, 925, 0.95, &lo, &hi), 0);
	assert_close(lo, 0.7076683, 1e-6);
	assert_close(hi, 0.7654066, 1e-6);
	/* Edges have closed forms: k = 0 -> [0, 1 - (a/2)^(1/n)], k = n -> [(a/2)^(1/n), 1]. */
	assert_int_equal(stats_clopper_pearson(0, 20, 0.999, &lo, &hi), 0);
	assert_close(lo, 0, 0);
	assert_close(hi, 1 - pow(0.0005, 1.0 / 20), 1e-10);
	assert_int_equal(stats_clopper_pearson(20, 20, 0.999, &lo, &hi), 0);
	assert_close(lo, pow(0.0005, 1.0 / 20), 1e-10);
	assert_close(hi, 1, 0);
	/* Symmetry: the interval of n - k is the mirror image. */
	double lo2, hi2;

	assert_int_equal(stats_clopper_pearson(30, 100, 0.999, &lo, &hi), 0);
	assert_int_equal(stats_clopper_pearson(70, 100, 0.999, &lo2, &hi2), 0);
	assert_close(lo, 1 - hi2, 1e-12);
	assert_close(hi, 1 - lo2, 1e-12);
	assert_int_equal(stats_clopper_pearson(5, 4, 0.95, &lo, &hi), -EINVAL);
}

/*
 * Homogeneity over groups: a 2x2 table by hand (expected 15 in every cell,
 * chi-square 4 * 25 / 15 on 1 df); small groups pooled, and the pooled row
 * left out when it is still small.
 */
static void test_homogeneity(void **state)
{
	static const uint64_t t[] = { 10, 20, 20, 10 };
	static const uint64_t pooled[] = { 1, 0, 0, 1, 1, 1, 30, 30, 30, 30 };
	static const uint64_t pure[] = { 250, 0, 250, 0, 250, 0, 0, 250 };
	struct stats_homogeneity h;

	(void)state;
	assert_int_equal(stats_chi2_homogeneity(t, 2, 2, 5, &h), 0);
	assert_close(h.statistic, 100.0 / 15, 1e-13);
	assert_close(h.df, 1, 0);
	assert_close(h.p_value, erfc(sqrt(100.0 / 30)), 1e-12);
	assert_int_equal(h.rows, 2);
	assert_int_equal(h.pooled, 0);
	/* rows of 1, 1 and 2 requests pool into 2/2, still below 5 expected per backend: left out */
	assert_int_equal(stats_chi2_homogeneity(pooled, 5, 2, 5, &h), 0);
	assert_int_equal(h.rows, 2);
	assert_int_equal(h.pooled, 3);
	assert_close(h.statistic, 0, 0);
	assert_close(h.p_value, 1, 0);
	/* per-connection balancing: four connections, each all one backend (3 df, closed form) */
	assert_int_equal(stats_chi2_homogeneity(pure, 4, 2, 5, &h), 0);
	assert_close(h.statistic, 1000, 1e-12);
	assert_close(h.df, 3, 0);
	assert_true(h.p_value < 1e-200);
	/* one group: nothing to compare */
	assert_int_equal(stats_chi2_homogeneity(t, 1, 2, 5, &h), 0);
	assert_true(isnan(h.p_value));
	assert_int_equal(stats_chi2_homogeneity(t, 2, 0, 5, &h), -EINVAL);
}

/*
 * The ANOVA intraclass correlation: pure groups (rho 1: the groups are the
 * independent choices), identical groups (rho = -MSW / ((m0 - 1) MSW) =
 * -1/9), and groups of one (nothing to estimate).
 */
static void test_icc(void **state)
{
	static const uint64_t pure[] = { 10, 0, 0, 10 };
	static const uint64_t same[] = { 5, 5, 5, 5 };
	static const uint64_t single[] = { 1, 0, 0, 1, 1, 0 };
	static const uint64_t uneven[] = { 3, 1, 0, 2 };
	struct stats_icc c;

	(void)state;
	assert_int_equal(stats_icc_categorical(pure, 2, 2, &c), 0);
	assert_close(c.icc, 1, 1e-14);
	assert_close(c.m_weighted, 10, 0);
	assert_close(c.deff, 10, 1e-13);
	assert_close(c.n_eff, 2, 1e-13);
	assert_int_equal(stats_icc_categorical(same, 2, 2, &c), 0);
	assert_close(c.icc, -1.0 / 9, 1e-13);
	assert_close(c.m0, 10, 0);
	assert_close(c.deff, 1, 0);
	assert_close(c.n_eff, 20, 0);
	assert_int_equal(stats_icc_categorical(single, 3, 2, &c), 0);
	assert_true(isnan(c.icc));
	assert_close(c.deff, 1, 0);
	assert_close(c.n_eff, 3, 0);
	/*
	 * Groups of 4 (3 / 1) and 2 (0 / 2): p = 1/2; SSB = 2 * (4 * 1/16 + 2 * 1/4) = 1.5,
	 * SSW = 2 * (4 * 3/16 + 0) = 1.5; MSB = 1.5, MSW = 1.5 / 4; m0 = (6 - 20/6) / 1 = 8/3;
	 * rho = (1.5 - 0.375) / (1.5 + 5/3 * 0.375) = 9/17; deff = 1 + (20/6 - 1) * 9/17.
	 */
	assert_int_equal(stats_icc_categorical(uneven, 2, 2, &c), 0);
	assert_close(c.icc, 9.0 / 17, 1e-13);
	assert_close(c.deff, 1 + (20.0 / 6 - 1) * 9 / 17, 1e-13);
	assert_close(c.n_eff, 6 / (1 + (20.0 / 6 - 1) * 9 / 17), 1e-13);
}

/*
 * The runs test: two categories by the exact distribution (P(R = 2) for
 * 000111 is 2 / C(6, 3)), three by the normal approximation with the
 * Barton-David moments (checked by enumerating all 90 orders of 001122:
 * mean 5, variance 0.8).
 */
static void test_runs(void **state)
{
	static const int blocks[] = { 0, 0, 0, 1, 1, 1 };
	static const int alternating[] = { 0, 1, 0, 1, 0, 1 };
	static const int three[] = { 0, 0, 1, 1, 2, 2 };
	static const int bad[] = { 0, 3 };
	struct stats_runs r;
	int long_blocks[200];

	(void)state;
	assert_int_equal(stats_runs_test(blocks, 6, 2, &r), 0);
	assert_close(r.runs, 2, 0);
	assert_close(r.expected, 4, 1e-14);
	assert_close(r.p_value, 0.1, 1e-12);
	assert_int_equal(r.exact, 1);
	assert_int_equal(stats_runs_test(alternating, 6, 2, &r), 0);
	assert_close(r.runs, 6, 0);
	assert_close(r.p_value, 1, 1e-12);
	assert_int_equal(stats_runs_test(three, 6, 3, &r), 0);
	assert_close(r.runs, 3, 0);
	assert_close(r.expected, 5, 1e-14);
	assert_close(r.sd, sqrt(0.8), 1e-14);
	assert_close(r.p_value, 0.5 * erfc(1.5 / sqrt(0.8) / sqrt(2)), 1e-12);
	assert_int_equal(r.exact, 0);
	/* blocks of 10 (three of backend 0, one of 1, repeated): 10 runs where 76 are expected */
	for (int i = 0; i < 200; i++)
		long_blocks[i] = i / 10 % 4 == 3;
	assert_int_equal(stats_runs_test(long_blocks, 200, 2, &r), 0);
	assert_close(r.runs, 10, 0);
	assert_close(r.expected, 76, 1e-12);
	assert_true(r.p_value < 1e-15);
	assert_int_equal(stats_runs_test(blocks, 1, 2, &r), 0);
	assert_true(isnan(r.p_value));
	assert_int_equal(stats_runs_test(bad, 2, 2, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gamma_closed_forms),
		cmocka_unit_test(test_homogeneity),
		cmocka_unit_test(test_icc),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_beta_closed_forms),
		cmocka_unit_test(test_binom_cdf_matches_sums),
		cmocka_unit_test(test_binom_test),
		cmocka_unit_test(test_binom_region_and_power),
		cmocka_unit_test(test_chi2_known_values),
		cmocka_unit_test(test_noncentral_chi2),
		cmocka_unit_test(test_split_power_properties),
		cmocka_unit_test(test_required_n),
		cmocka_unit_test(test_clopper_pearson),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
