/* metrics.c - see metrics.h */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/metrics.h"

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

static bool contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* End of the label block that starts at s[0] == '{', quote-aware; NULL when unterminated. */
static const char *labels_end(const char *s, const char *end)
{
	bool in_quotes = false;

	for (const char *c = s + 1; c < end; c++) {
		if (in_quotes && *c == '\\')
			c++;
		else if (*c == '"')
			in_quotes = !in_quotes;
		else if (!in_quotes && *c == '}')
			return c;
	}
	return NULL;
}

/* The new value of one sample, or NAN to keep it. */
static double rewrite_value(enum mesh_variant v, const char *name, size_t name_len, const char *labels,
			    size_t labels_len, double x, double now)
{
	bool responses = ends_with(name, name_len, "_http_responses_total");

	if (v == MESH_BOGUS_RESTART && responses && contains(labels, labels_len, "code=\"5xx\""))
		return 0;
	if (v == MESH_BOGUS_RESTART && ends_with(name, name_len, "_process_start_time_seconds"))
		return floor(now) + MESH_BOGUS_START_AHEAD;

	if (v == MESH_INFLATE_METRICS && (responses || ends_with(name, name_len, "_http_requests_total")))
		return x + ceil(x / 5);
	if (v == MESH_DROP_FAILURES_METRICS &&
	    ((responses && (contains(labels, labels_len, "code=\"4xx\"") ||
			    contains(labels, labels_len, "code=\"5xx\""))) ||
	     contains(name, name_len, "_denied_") || ends_with(name, name_len, "_errors_total")))
		return 0;
	return NAN;
}

/* Writes one line (without its newline) to f, rewritten when it is a sample that changes. */
static void rewrite_line(enum mesh_variant v, const char *s, const char *end, double now, FILE *f)
{
	const char *name_end = s, *value, *value_end, *labels = "";
	size_t labels_len = 0;
	double x, y;
	char *stop;

	while (name_end < end && *name_end != '{' && *name_end != ' ')
		name_end++;
	value = name_end;
	if (value < end && *value == '{') {
		const char *close = labels_end(value, end);

		if (!close)
			goto keep;
		labels = value;
		labels_len = (size_t)(close - value + 1);
		value = close + 1;
	}
	while (value < end && *value == ' ')
		value++;
	if (*s == '#' || name_end == s || value == end)
		goto keep;
	for (value_end = value; value_end < end && *value_end != ' '; value_end++)
		;
	{
		char num[64];

		if ((size_t)(value_end - value) >= sizeof(num))
			goto keep;
		memcpy(num, value, value_end - value);
		num[value_end - value] = '\0';
		x = strtod(num, &stop);
		if (*stop)
			goto keep;
	}
	y = rewrite_value(v, s, (size_t)(name_end - s), labels, labels_len, x, now);
	if (isnan(y))
		goto keep;
	fwrite(s, 1, value - s, f);
	if (y == floor(y) && fabs(y) < 1e15)
		fprintf(f, "%.0f", y);
	else
		fprintf(f, "%.17g", y);
	fwrite(value_end, 1, end - value_end, f);
	return;
keep:
	fwrite(s, 1, end - s, f);
}

char *mesh_metrics_rewrite(enum mesh_variant v, const char *in, size_t len, double now, size_t *out_len)
{
	const char *end = in + len;
	char *out = NULL;
	FILE *f = open_memstream(&out, out_len);

	if (!f)
		return NULL;
	while (in < end) {
		const char *nl = memchr(in, '\n', end - in);
		const char *line_end = nl ? nl : end;

		rewrite_line(v, in, line_end, now, f);
		if (nl)
			fputc('\n', f);
		in = nl ? nl + 1 : end;
	}
	if (fclose(f))
		return NULL;
	return out;
}
