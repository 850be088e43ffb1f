/*
 * quantity.c - Kubernetes resource quantities ("500m", "1", "1.5k", "2Ki",
 * "1e3"), as split v1alpha1 weights and TrafficMetrics values are written.
 *
 * Grammar (k8s.io/apimachinery resource.Quantity):
 *   [+-] (digits | digits.digits | digits. | .digits) suffix
 *   suffix: Ki Mi Gi Ti Pi Ei | m "" k M G T P E | e<signed int> | E<signed int>
 * Thousandths are computed exactly and rounded up, as Quantity.MilliValue().
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "smi/internal.h"

#define MAX_DIGITS 18

static int suffix_scale(const char *s, int *exp10, int *exp2)
{
	static const struct { const char *s; int e10, e2; } suffixes[] = {
		{ "", 0, 0 }, { "m", -3, 0 }, { "k", 3, 0 }, { "M", 6, 0 }, { "G", 9, 0 },
		{ "T", 12, 0 }, { "P", 15, 0 }, { "E", 18, 0 }, { "Ki", 0, 10 }, { "Mi", 0, 20 },
		{ "Gi", 0, 30 }, { "Ti", 0, 40 }, { "Pi", 0, 50 }, { "Ei", 0, 60 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (!strcmp(s, suffixes[i].s)) {
			*exp10 = suffixes[i].e10;
			*exp2 = suffixes[i].e2;
			return 0;
		}
	if (s[0] == 'e' || s[0] == 'E') {
		const char *p = s + 1;
		int sign = 1, v = 0;

		if (*p == '+' || *p == '-')
			sign = *p++ == '-' ? -1 : 1;
		if (!*p)
			return -EINVAL;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			if (v > 1000)
				return -ERANGE;
			v = v * 10 + (*p - '0');
		}
		*exp10 = sign * v;
		*exp2 = 0;
		return 0;
	}
	return -EINVAL;
}

/*
 * Reads the decimal number at the start of *s (sign, digits, one point) into
 * *mant with *frac digits after the point, and moves *s past it. Leading zeros
 * do not count against MAX_DIGITS. Returns 0, -EINVAL (no digit) or -ERANGE.
 */
static int parse_decimal(const char **s, bool *neg, __int128 *mant, int *frac)
{
	const char *p = *s;
	int digits = 0;
	bool any = false, dot = false;

	*neg = false;
	*mant = 0;
	*frac = 0;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	for (; (*p >= '0' && *p <= '9') || (*p == '.' && !dot); p++) {
		if (*p == '.') {
			dot = true;
			continue;
		}
		any = true;
		if (*mant == 0 && *p == '0') {
			if (dot)
				(*frac)++;
			continue;
		}
		if (++digits > MAX_DIGITS)
			return -ERANGE;
		*mant = *mant * 10 + (*p - '0');
		if (dot)
			(*frac)++;
	}
	*s = p;
	return any ? 0 : -EINVAL;
}

/* r * 10^e rounded away from zero, or -ERANGE above INT64_MAX. */
static int scale_pow10(__int128 r, int e, int64_t *out)
{
	if (r == 0) {
		*out = 0;
		return 0;
	}
	if (e > 0) {
		for (; e > 0; e--) {
			r *= 10;
			if (r > INT64_MAX)
				return -ERANGE;
		}
	} else if (e < 0) {
		__int128 div = 1;
		bool tiny = false;

		for (; e < 0 && !tiny; e++) {
			div *= 10;
			tiny = div > r;
		}
		/* Round away from zero, as MilliValue() rounds up in magnitude. */
		r = tiny ? 1 : (r + div - 1) / div;
	}
	if (r > INT64_MAX)
		return -ERANGE;
	*out = (int64_t)r;
	return 0;
}

int quantity_parse(const char *s, int64_t *milli, double *value)
{
	__int128 mant;
	int frac, exp10, exp2, err;
	int64_t m;
	bool neg;

	err = parse_decimal(&s, &neg, &mant, &frac);
	if (err)
		return err;
	err = suffix_scale(s, &exp10, &exp2);
	if (err)
		return err;
	/* value = mant * 2^exp2 * 10^(exp10 - frac); thousandths: exponent + 3. */
	*value = (neg ? -1.0 : 1.0) * ldexp((double)mant, exp2) * pow(10.0, exp10 - frac);
	if (!isfinite(*value))
		return -ERANGE;
	err = scale_pow10(mant << exp2, exp10 + 3 - frac, &m);
	if (err)
		return err;
	*milli = neg ? -m : m;
	return 0;
}
