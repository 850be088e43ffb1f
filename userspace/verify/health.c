/* health.c - see health.h */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "verify/health.h"

static void __attribute__((format(printf, 2, 3))) cause(struct step_health *h, const char *fmt, ...)
{
	size_t used = strlen(h->causes);
	va_list ap;

	snprintf(h->causes + used, sizeof(h->causes) - used, "%s", used ? ", " : "");
	used = strlen(h->causes);
	va_start(ap, fmt);
	vsnprintf(h->causes + used, sizeof(h->causes) - used, fmt, ap);
	va_end(ap);
}

void health_check(const struct obs_set *obs, uint64_t t0, uint64_t t1, size_t request_problems,
		  struct step_health *h)
{
	static const struct obs_counters zero;
	const struct obs_counters *before = &zero, *after = NULL;

	memset(h, 0, sizeof(*h));
	h->request_problems = request_problems;
	for (size_t i = 0; i < obs->n_stats; i++) {
		const struct obs_counters *c = &obs->stats[i];

		if (c->ts_ns <= t0 && c->ts_ns >= before->ts_ns)
			before = c;
		if (c->ts_ns >= t1 && (!after || c->ts_ns < after->ts_ns))
			after = c;
	}
	h->covered = after != NULL;
	if (after) {
		/* Counters only grow; a smaller value means a restarted writer, not negative loss. */
		h->kernel_drops = after->kernel_drops > before->kernel_drops ?
			after->kernel_drops - before->kernel_drops : 0;
		h->user_drops = after->user_drops > before->user_drops ?
			after->user_drops - before->user_drops : 0;
		h->gaps = after->gaps > before->gaps ? after->gaps - before->gaps : 0;
	}
	if (h->kernel_drops)
		cause(h, "%" PRIu64 " kernel drop%s", h->kernel_drops, h->kernel_drops == 1 ? "" : "s");
	if (h->user_drops)
		cause(h, "%" PRIu64 " user-space drop%s", h->user_drops, h->user_drops == 1 ? "" : "s");
	if (h->gaps)
		cause(h, "%" PRIu64 " stream gap%s", h->gaps, h->gaps == 1 ? "" : "s");
	if (request_problems)
		cause(h, "%zu request%s with incompletely captured exchanges", request_problems,
		      request_problems == 1 ? "" : "s");
	if (!h->covered) {
		if (obs->torn)
			cause(h, "capture cut short (torn last line %u, no end record) before the step ended",
			      obs->torn_line);
		else if (!obs->have_end)
			cause(h, "capture cut short (no end record) before the step ended");
		else
			cause(h, "no counters recorded after the step ended");
	}
}

json_t *health_json(const struct step_health *h)
{
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:s}", "covered", h->covered,
		"kernel_drops", (json_int_t)h->kernel_drops, "user_drops", (json_int_t)h->user_drops,
		"gaps", (json_int_t)h->gaps, "request_problems", (json_int_t)h->request_problems,
		"causes", h->causes);
}
