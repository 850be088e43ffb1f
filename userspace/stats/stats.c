/* stats.c - see stats.h */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>

#include "stats/stats.h"

#define EPS	1e-15		/* relative accuracy of the series and fractions */
#define TINY	1e-300		/* keeps Lentz's method away from division by zero */
#define MAX_IT	1000000		/* enough for a, b up to ~1e10; never reached in practice */
#define TIE_TOL	(1 + 1e-7)	/* outcomes this close in probability count as equally likely */

/* --- incomplete gamma ------------------------------------------------------ */

/* log of x^a e^-x / Gamma(a): the common factor of both gamma expansions. */
static double gamma_front(double a, double x)
{
	return a * log(x) - x - lgamma(a);
}

/* P(a, x) by its power series; converges fast for x < a + 1. */
static double gamma_series(double a, double x)
{
	double term = 1 / a, sum = term;

	for (int n = 1; n < MAX_IT; n++) {
		term *= x / (a + n);
		sum += term;
		if (fabs(term) < fabs(sum) * EPS)
			break;
	}
	return sum * exp(gamma_front(a, x));
}

/*
 * One step of the modified Lentz method for a continued fraction with
 * partial numerator a and denominator b: updates c and d, returns the
 * factor the running value is multiplied by.
 */
static double lentz(double *c, double *d, double a, double b)
{
	*d = b + a * *d;
	if (fabs(*d) < TINY)
		*d = TINY;
	*c = b + a / *c;
	if (fabs(*c) < TINY)
		*c = TINY;
	*d = 1 / *d;
	return *d * *c;
}

/* Q(a, x) by its continued fraction; converges fast for x >= a + 1. */
static double gamma_fraction(double a, double x)
{
	double b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;

	for (int i = 1; i < MAX_IT; i++) {
		double del;

		b += 2;
		del = lentz(&c, &d, -i * (i - a), b);
		h *= del;
		if (fabs(del - 1) < EPS)
			break;
	}
	return exp(gamma_front(a, x)) * h;
}

/* P(a, x), or Q(a, x) when `upper`: each from the expansion that converges, never 1 - tiny. */
static double gamma_pq(double a, double x, bool upper)
{
	double p;

	if (!(a > 0) || !(x >= 0) || isinf(a))
		return NAN;
	if (x == 0 || isinf(x))
		return (x == 0) == upper;
	if (x < a + 1) {
		p = gamma_series(a, x);
		return upper ? 1 - p : p;
	}
	p = gamma_fraction(a, x);
	return upper ? p : 1 - p;
}

double stats_gamma_p(double a, double x)
{
	return gamma_pq(a, x, false);
}

double stats_gamma_q(double a, double x)
{
	return gamma_pq(a, x, true);
}

/* --- incomplete beta ------------------------------------------------------- */

/* The continued fraction of I_x(a, b); converges for x < (a+1)/(a+b+2). */
static double beta_fraction(double a, double b, double x)
{
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < TINY)
		d = TINY;
	d = 1 / d;
	h = d;
	for (int m = 1; m < MAX_IT; m++) {
		int m2 = 2 * m;
		double del;

		/* the even and the odd step of the fraction */
		h *= lentz(&c, &d, m * (b - m) * x / ((a - 1 + m2) * (a + m2)), 1);
		del = lentz(&c, &d, -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2)), 1);
		h *= del;
		if (fabs(del - 1) < EPS)
			break;
	}
	return h;
}

double stats_beta_i(double a, double b, double x)
{
	double front;

	if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1) || isinf(a) || isinf(b))
		return NAN;
	if (x == 0 || x == 1)
		return x;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	/* The fraction converges only left of the mean; use I_x(a,b) = 1 - I_1-x(b,a) beyond. */
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(a, b, x) / a;
	return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

double stats_beta_i_inv(double a, double b, double p)
{
	double lo = 0, hi = 1;

	if (!(a > 0) || !(b > 0) || !(p >= 0 && p <= 1))
		return NAN;
	if (p == 0 || p == 1)
		return p;
	/* Bisection: I_x is monotone in x, and 200 halvings exhaust double precision. */
	for (int i = 0; i < 200 && hi - lo > DBL_EPSILON * hi; i++) {
		double mid = (lo + hi) / 2;

		if (stats_beta_i(a, b, mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* --- binomial -------------------------------------------------------------- */

static bool bad_prob(double p)
{
	return !(p >= 0 && p <= 1);
}

double stats_binom_pmf(uint64_t k, uint64_t n, double p)
{
	double dn = (double)n, dk = (double)k;

	if (bad_prob(p))
		return NAN;
	if (k > n)
		return 0;
	if (p == 0)
		return k == 0;
	if (p == 1)
		return k == n;
	return exp(lgamma(dn + 1) - lgamma(dk + 1) - lgamma(dn - dk + 1) +
		   dk * log(p) + (dn - dk) * log1p(-p));
}

double stats_binom_cdf(uint64_t k, uint64_t n, double p)
{
	if (bad_prob(p))
		return NAN;
	if (k >= n)
		return 1;
	/* P(X <= k) = I_{1-p}(n - k, k + 1) */
	return stats_beta_i((double)(n - k), (double)k + 1, 1 - p);
}

/* P(X > k) without the cancellation of 1 - cdf. */
static double binom_sf(uint64_t k, uint64_t n, double p)
{
	if (k >= n)
		return 0;
	return stats_beta_i((double)k + 1, (double)(n - k), p);
}

/*
 * Outcomes on the far side of the mean no more likely than `thr`. The pmf is
 * monotone on each side of the mean (it peaks at floor((n+1)p), which lies
 * between floor(np) and ceil(np)), so a binary search finds the boundary.
 * upper: count of i in [ceil(np), n] with pmf(i) <= thr (a suffix);
 * lower: count of i in [0, floor(np)] with pmf(i) <= thr (a prefix).
 */
static uint64_t far_tail_count(uint64_t n, double p, double thr, bool upper)
{
	double m = n * p;
	uint64_t lo, hi;

	if (upper) {
		lo = (uint64_t)ceil(m);
		hi = n + 1;	/* first index with pmf <= thr lies in [lo, hi] */
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;

			if (stats_binom_pmf(mid, n, p) <= thr)
				hi = mid;
			else
				lo = mid + 1;
		}
		return n + 1 - lo;
	}
	lo = 0;
	hi = (uint64_t)floor(m) + 1;	/* count of leading indices with pmf <= thr */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (stats_binom_pmf(mid, n, p) <= thr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double stats_binom_test(uint64_t k, uint64_t n, double p0)
{
	double m = n * p0, thr, pv;
	uint64_t y;

	if (bad_prob(p0) || k > n)
		return NAN;
	if (n == 0 || (double)k == m)
		return 1;
	thr = stats_binom_pmf(k, n, p0) * TIE_TOL;
	if ((double)k < m) {
		y = far_tail_count(n, p0, thr, true);
		pv = stats_binom_cdf(k, n, p0) + (y ? binom_sf(n - y, n, p0) : 0);
	} else {
		y = far_tail_count(n, p0, thr, false);
		pv = (y ? stats_binom_cdf(y - 1, n, p0) : 0) + binom_sf(k - 1, n, p0);
	}
	return pv > 1 ? 1 : pv;
}

int stats_binom_reject_region(uint64_t n, double p0, double alpha, int64_t *lo, int64_t *hi)
{
	double m = n * p0;
	uint64_t a, b;

	if (bad_prob(p0) || !(alpha > 0 && alpha < 1))
		return -EINVAL;
	/* Lower tail: p-values rise towards the mean, so the rejected k form a prefix. */
	*lo = -1;
	if (m > 0) {
		a = 0;
		b = (uint64_t)ceil(m);	/* candidates k < m: [0, b) */
		while (a < b) {
			uint64_t mid = a + (b - a) / 2;

			if (stats_binom_test(mid, n, p0) <= alpha)
				a = mid + 1;
			else
				b = mid;
		}
		*lo = (int64_t)a - 1;
	}
	/* Upper tail: a suffix of k > m. */
	*hi = (int64_t)n + 1;
	if (m < (double)n) {
		a = (uint64_t)floor(m) + 1;
		b = n + 1;
		while (a < b) {
			uint64_t mid = a + (b - a) / 2;

			if (stats_binom_test(mid, n, p0) <= alpha)
				b = mid;
			else
				a = mid + 1;
		}
		*hi = (int64_t)a;
	}
	return 0;
}

double stats_binom_power(uint64_t n, double p0, double p1, double alpha)
{
	int64_t lo, hi;
	double pw = 0;

	if (bad_prob(p1) || stats_binom_reject_region(n, p0, alpha, &lo, &hi))
		return NAN;
	if (lo >= 0)
		pw += stats_binom_cdf((uint64_t)lo, n, p1);
	if (hi <= (int64_t)n)
		pw += hi == 0 ? 1 : binom_sf((uint64_t)hi - 1, n, p1);
	return pw > 1 ? 1 : pw;
}

/* --- chi-square ------------------------------------------------------------ */

double stats_chi2_sf(double x, double df)
{
	if (!(df > 0) || isnan(x))
		return NAN;
	if (x <= 0)
		return 1;
	return stats_gamma_q(df / 2, x / 2);
}

double stats_chi2_crit(double df, double alpha)
{
	double lo = 0, hi = df > 1 ? df : 1;

	if (!(df > 0) || !(alpha > 0 && alpha < 1))
		return NAN;
	while (stats_chi2_sf(hi, df) > alpha)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > DBL_EPSILON * hi; i++) {
		double mid = (lo + hi) / 2;

		if (stats_chi2_sf(mid, df) > alpha)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/*
 * The noncentral chi-square is a Poisson(lambda/2) mixture of central ones
 * with df + 2j degrees of freedom. Summing outwards from the Poisson mode
 * keeps every weight representable even for a large lambda.
 */
double stats_ncchi2_sf(double x, double df, double lambda)
{
	double mu = lambda / 2, w0, w, sum;
	uint64_t j0;

	if (!(df > 0) || !(lambda >= 0) || isinf(lambda) || isnan(x))
		return NAN;
	if (x <= 0)
		return 1;
	if (lambda == 0)
		return stats_chi2_sf(x, df);
	j0 = (uint64_t)floor(mu);
	w0 = exp(-mu + (double)j0 * log(mu) - lgamma((double)j0 + 1));
	sum = w0 * stats_gamma_q(df / 2 + (double)j0, x / 2);
	w = w0;
	for (uint64_t j = j0 + 1; j < j0 + MAX_IT; j++) {
		w *= mu / (double)j;
		sum += w * stats_gamma_q(df / 2 + (double)j, x / 2);
		if (w < 1e-20)
			break;
	}
	w = w0;
	for (uint64_t j = j0; j > 0; j--) {
		w *= (double)j / mu;
		sum += w * stats_gamma_q(df / 2 + (double)j - 1, x / 2);
		if (w < 1e-20)
			break;
	}
	return sum > 1 ? 1 : sum;
}

int stats_chi2_gof(const uint64_t *obs, const double *p, int k, struct stats_gof *out)
{
	double n = 0, total = 0, x2 = 0;

	if (k < 2 || k > STATS_MAX_K)
		return -EINVAL;
	for (int i = 0; i < k; i++) {
		if (!(p[i] > 0 && p[i] <= 1))
			return -EINVAL;
		total += p[i];
		n += (double)obs[i];
	}
	if (fabs(total - 1) > 1e-9)
		return -EINVAL;
	for (int i = 0; i < k && n > 0; i++) {
		double e = n * p[i], d = (double)obs[i] - e;

		x2 += d * d / e;
	}
	out->statistic = x2;
	out->df = k - 1;
	out->p_value = n > 0 ? stats_chi2_sf(x2, k - 1) : 1;
	return 0;
}

/* --- split power ----------------------------------------------------------- */

/* Copies p0 normalised to sum 1 into q; false when a share is not positive. */
static bool normalise(const double *p0, int k, double *q)
{
	double total = 0;

	if (k < 1 || k > STATS_MAX_K)
		return false;
	for (int i = 0; i < k; i++) {
		if (!(p0[i] > 0) || isinf(p0[i]))
			return false;
		total += p0[i];
	}
	for (int i = 0; i < k; i++)
		q[i] = p0[i] / total;
	return true;
}

/* Noncentrality per request of the least detectable shift of `effect` between two backends. */
static double least_lambda_per_n(const double *q, int k, double effect)
{
	double best = INFINITY;

	for (int i = 0; i < k; i++) {
		if (q[i] + 1e-12 < effect)	/* backend i cannot give up `effect` */
			continue;
		for (int j = 0; j < k; j++) {
			double l;

			if (j == i || q[j] + effect > 1 + 1e-12)
				continue;
			l = effect * effect * (1 / q[i] + 1 / q[j]);
			if (l < best)
				best = l;
		}
	}
	return best;
}

double stats_split_power(const double *p0, int k, uint64_t n, double alpha, double effect)
{
	double q[STATS_MAX_K], pw = INFINITY;

	if (!normalise(p0, k, q) || !(alpha > 0 && alpha < 1) || !(effect > 0 && effect < 1))
		return NAN;
	if (k == 1)
		return -expm1((double)n * log1p(-effect));
	if (k == 2) {
		/* The weaker of the two sides that are possible at all. */
		for (int s = -1; s <= 1; s += 2) {
			double p1 = q[0] + s * effect;

			if (p1 < -1e-12 || p1 > 1 + 1e-12)
				continue;
			p1 = p1 < 0 ? 0 : p1 > 1 ? 1 : p1;
			double v = stats_binom_power(n, q[0], p1, alpha);

			if (v < pw)
				pw = v;
		}
		return isinf(pw) ? NAN : pw;
	}
	double lpn = least_lambda_per_n(q, k, effect);

	if (isinf(lpn))
		return NAN;
	return stats_ncchi2_sf(stats_chi2_crit(k - 1, alpha), k - 1, lpn * (double)n);
}

uint64_t stats_split_required_n(const double *p0, int k, double alpha, double effect,
				double target, uint64_t max_n)
{
	uint64_t n, first = 0, last_below = 0, lo, hi;

	if (!(target > 0 && target < 1) || max_n < 1)
		return 0;
	if (k == 2) {
		/* Saw-tooth: walk to the first crossing, then look for dips up to twice it. */
		for (n = 1; n <= max_n; n++) {
			double pw = stats_split_power(p0, k, n, alpha, effect);

			if (isnan(pw))
				return 0;
			if (pw >= target) {
				if (!first)
					first = n;
			} else if (first) {
				last_below = n;
			}
			if (first && n >= 2 * first)
				break;
		}
		if (!first)
			return 0;
		return last_below > first ? last_below + 1 : first;
	}
	/* Power grows with n for k == 1 and k > 2: double, then bisect. */
	lo = 1;
	for (hi = 1; ; ) {
		double pw = stats_split_power(p0, k, hi, alpha, effect);

		if (isnan(pw))
			return 0;
		if (pw >= target)
			break;
		if (hi >= max_n)
			return 0;
		lo = hi + 1;
		hi = hi > max_n / 2 ? max_n : hi * 2;
	}
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (stats_split_power(p0, k, mid, alpha, effect) >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return hi;
}

int stats_clopper_pearson(uint64_t k, uint64_t n, double level, double *lo, double *hi)
{
	double a;

	if (k > n || !(level > 0 && level < 1))
		return -EINVAL;
	a = (1 - level) / 2;
	*lo = k == 0 ? 0 : stats_beta_i_inv((double)k, (double)(n - k) + 1, a);
	*hi = k == n ? 1 : stats_beta_i_inv((double)k + 1, (double)(n - k), 1 - a);
	return 0;
}
