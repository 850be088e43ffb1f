/* reqid.c - see reqid.h */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/parse.h"
#include "verify/reqid.h"

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

/* Parses the decimal field [s, end) into *v within [min, max]. */
static int field(const char *s, const char *end, uint64_t min, uint64_t max, uint64_t *v)
{
	char buf[24];
	size_t n = (size_t)(end - s);

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return parse_u64(buf, min, max, v) ? -EINVAL : 0;
}

int reqid_parse(const char *s, struct reqid *out)
{
	const char *d1 = strchr(s, '.'), *d2, *d3;
	uint64_t step, traffic, seq;
	bool probe;

	if (!d1 || (size_t)(d1 - s) > REQID_RUN_MAX)
		return -EINVAL;
	d2 = strchr(d1 + 1, '.');
	d3 = d2 ? strchr(d2 + 1, '.') : NULL;
	if (!d3 || strchr(d3 + 1, '.'))
		return -EINVAL;
	probe = d3[1] == 'c';
	if (field(d1 + 1, d2, 1, 100000, &step) || field(d2 + 1, d3, 1, 100000, &traffic) ||
	    field(d3 + 1 + probe, d3 + strlen(d3), 0, UINT64_MAX, &seq))
		return -EINVAL;
	memcpy(out->run, s, (size_t)(d1 - s));
	out->run[d1 - s] = '\0';
	if (!reqid_valid_run(out->run))
		return -EINVAL;
	out->step = (unsigned)step;
	out->traffic = (unsigned)traffic;
	out->probe = probe;
	out->seq = seq;
	return 0;
}

int reqid_format(char *buf, size_t len, const char *run, unsigned step, unsigned traffic,
		 bool probe, uint64_t seq)
{
	int n;

	if (!reqid_valid_run(run) || !step || !traffic)
		return -EINVAL;
	n = snprintf(buf, len, "%s.%u.%u.%s%" PRIu64, run, step, traffic, probe ? "c" : "", seq);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
