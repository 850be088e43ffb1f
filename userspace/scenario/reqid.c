/* reqid.c - see reqid.h */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "scenario/reqid.h"

int reqid_valid_run(const char *run)
{
	size_t n = strlen(run);

	if (n == 0 || n > REQID_RUN_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)run[i]) && run[i] != '_' && run[i] != '-')
			return 0;
	return 1;
}

/*
 * Parses the decimal field [s, end) (digits only, as parse_u64 takes them)
 * into *v within [min, max]. Inline digits: the verifier parses every
 * request id of a capture, a million of them and more.
 */
static int field(const char *s, const char *end, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if ((unsigned char)(*s - '0') > 9 || __builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, (uint64_t)(*s - '0'), &x))
			return -EINVAL;
	}
	if (x < min || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

int reqid_parse(const char *s, struct reqid *out)
{
	const char *dash = strrchr(s, '-'), *d1 = strchr(s, '.'), *d2, *d3;
	uint64_t step, traffic, seq, round = 0;

	if (!dash || !d1 || d1 > dash || (size_t)(d1 - s) > REQID_RUN_MAX)
		return -EINVAL;
	d2 = memchr(d1 + 1, '.', (size_t)(dash - d1 - 1));
	if (!d2)
		return -EINVAL;
	d3 = memchr(d2 + 1, '.', (size_t)(dash - d2 - 1));
	if (field(d1 + 1, d2, 1, 100000, &step) || field(d2 + 1, d3 ? d3 : dash, 1, 100000, &traffic) ||
	    field(dash + 1, dash + strlen(dash), 0, UINT64_MAX, &seq))
		return -EINVAL;
	if (d3 && (d3[1] != 'c' || field(d3 + 2, dash, 0, UINT64_MAX, &round)))
		return -EINVAL;
	memcpy(out->run, s, (size_t)(d1 - s));
	out->run[d1 - s] = '\0';
	if (!reqid_valid_run(out->run))
		return -EINVAL;
	out->step = (unsigned)step;
	out->traffic = (unsigned)traffic;
	out->probe = d3 != NULL;
	out->round = round;
	out->seq = seq;
	return 0;
}

int reqid_prefix(char *buf, size_t len, const char *run, unsigned step, unsigned traffic,
		 bool probe, uint64_t round)
{
	int n;

	if (!reqid_valid_run(run) || !step || !traffic)
		return -EINVAL;
	if (probe)
		n = snprintf(buf, len, "%s.%u.%u.c%" PRIu64, run, step, traffic, round);
	else
		n = snprintf(buf, len, "%s.%u.%u", run, step, traffic);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
