/* meshery.c - the Meshery-compatible result (see writers.h, docs/report-schema.md) */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/capability.h"
#include "report/writers.h"

static const char *status_word(enum verdict v)
{
	return v == VERDICT_PASS ? "passing" : v == VERDICT_FAIL ? "failing" : "inconclusive";
}

int report_write_meshery(FILE *f, const struct report *r)
{
	struct capability caps[CAPABILITY_MAX];
	size_t n_caps = capability_compute(r, caps, CAPABILITY_MAX), p, fl, i;
	json_t *details = json_array(), *capj = json_array(), *doc;
	char dur[32];
	int rc;

	for (size_t k = 0; k < r->n; k++) {
		const struct assertion *a = &r->a[k];
		const struct capability *c = capability_find(caps, n_caps, a->smispec, a->specversion);

		snprintf(dur, sizeof(dur), "%.3fs", a->duration_s);
		json_array_append_new(details, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			"smispec", a->smispec, "specversion", a->specversion, "assertion", a->id,
			"duration", dur, "result", a->reason, "verdict", verdict_name(a->verdict),
			"capability", c ? capability_name(c->level) : "NONE",
			"status", status_word(a->verdict)));
	}
	for (size_t k = 0; k < n_caps; k++)
		json_array_append_new(capj, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
			"smispec", caps[k].smispec, "specversion", caps[k].specversion,
			"capability", capability_name(caps[k].level), "assertions", (json_int_t)caps[k].total,
			"passed", (json_int_t)caps[k].pass, "failed", (json_int_t)caps[k].fail,
			"inconclusive", (json_int_t)caps[k].inconclusive));
	report_count(r, &p, &fl, &i);
	doc = json_pack("{s:s, s:s, s:s, s:f, s:I, s:I, s:s, s:o, s:o}", "mesh", r->mesh,
		"tool", r->tool, "generated", r->generated,
		"passpercent", r->n ? round(10000.0 * (double)p / (double)r->n) / 100 : 0.0,
		"casespassed", (json_int_t)p, "cases", (json_int_t)r->n,
		"status", status_word(report_verdict(r)), "capabilities", capj, "details", details);
	if (!doc)
		return -ENOMEM;
	rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(doc);
	return rc ? -EIO : 0;
}
