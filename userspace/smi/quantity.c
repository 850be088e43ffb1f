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

int quantity_parse(const char *s, int64_t *milli, double *value)
{
	__int128 mant = 0, r;
	int frac = 0, digits = 0, exp10, exp2, e, err;
	bool neg = false, any = false, dot = false;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; (*s >= '0' && *s <= '9') || (*s == '.' && !dot); s++) {
		if (*s == '.') {
			dot = true;
			continue;
		}
		any = true;
		if (mant == 0 && *s == '0') {
			if (dot)
				frac++;
			continue;
		}
		if (++digits > MAX_DIGITS)
			return -ERANGE;
		mant = mant * 10 + (*s - '0');
		if (dot)
			frac++;
	}
	if (!any)
		return -EINVAL;
	err = suffix_scale(s, &exp10, &exp2);
	if (err)
		return err;
	/* value = mant * 2^exp2 * 10^(exp10 - frac); thousandths: exponent + 3. */
	*value = (neg ? -1.0 : 1.0) * ldexp((double)mant, exp2) * pow(10.0, exp10 - frac);
	if (!isfinite(*value))
		return -ERANGE;
	r = mant << exp2;
	e = exp10 + 3 - frac;
	if (r == 0) {
		*milli = 0;
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
	*milli = neg ? -(int64_t)r : (int64_t)r;
	return 0;
}
