/* parse.c - see parse.h */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" and leading blanks; a count from a user must not. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || !isfinite(v))
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_duration_ns(const char *s, uint64_t max_ns, uint64_t *out)
{
	static const struct { const char *suffix; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 }, { "", 1e9 },
	};
	char num[64];
	size_t n, len;
	double v;
	int r;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		n = strlen(units[i].suffix);
		if (len <= n || len - n >= sizeof(num) || strcmp(s + len - n, units[i].suffix))
			continue;
		memcpy(num, s, len - n);
		num[len - n] = '\0';
		/* "5m" must not be read as 5 with suffix "" failing on 'm': only digits/dot remain. */
		if (!isdigit((unsigned char)num[len - n - 1]) && num[len - n - 1] != '.')
			continue;
		r = parse_double(num, 0, (double)max_ns / units[i].ns, &v);
		if (r)
			return r;
		*out = (uint64_t)llround(v * units[i].ns);
		return 0;
	}
	return -EINVAL;
}
