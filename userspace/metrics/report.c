/* report.c - printing a metrics check result: a table with both numbers side by side, or JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metrics/check.h"

/* "NONE" for a metric the mesh does not report, else the check's verdict. */
static const char *check_verdict_name(const struct mx_check *c)
{
	return c->not_reported ? "NONE" : verdict_name(c->verdict);
}

static void print_edge(const struct mx_edge_result *e, FILE *f)
{
	char s[400], d[400];

	fprintf(f, "\nEDGE %s -> %s  (measured at the %s)  %s\n", mx_endpoint_str(&e->src, s, sizeof(s)),
		mx_endpoint_str(&e->dst, d, sizeof(d)), e->server_side ? "server" : "client",
		verdict_name(e->verdict));
	if (e->note[0])
		fprintf(f, "  note: %s\n", e->note);
	if (!e->nchecks)
		return;
	fprintf(f, "  %-14s %-22s %-30s %-24s %s\n", "CHECK", "REPORTED", "OBSERVED", "RESOLUTION", "RESULT");
	for (int i = 0; i < e->nchecks; i++) {
		const struct mx_check *c = &e->checks[i];

		fprintf(f, "  %-14s %-22s %-30s %-24s %s%s%s\n", c->name, c->reported, c->observed,
			c->resolution[0] ? c->resolution : "exact", check_verdict_name(c),
			c->note[0] ? "  " : "", c->note);
	}
}

void metrics_result_print(const struct metrics_result *r, FILE *f)
{
	size_t failed = 0, inconclusive = 0;

	fprintf(f, "metrics check: %s%s%s reported by '%s' against exchanges in '%s'\n",
		r->trafficmetrics ? "SMI TrafficMetrics" : "profile ", r->trafficmetrics ? "" : r->profile,
		r->trafficmetrics && r->profile[0] ? " (resolution from the profile)" : "",
		r->reported, r->observations);
	if (r->trafficmetrics)
		fprintf(f, "window: as each TrafficMetrics item states\n");
	else if (r->window.set)
		fprintf(f, "window: %.3fs (CLOCK_MONOTONIC %llu..%llu ns)\n",
			(double)(r->window.end_ns - r->window.start_ns) / 1e9,
			(unsigned long long)r->window.start_ns, (unsigned long long)r->window.end_ns);
	else
		fprintf(f, "window: every exchange in the observation file\n");
	for (size_t i = 0; i < r->nedges; i++) {
		print_edge(&r->edges[i], f);
		failed += r->edges[i].verdict == VERDICT_FAIL;
		inconclusive += r->edges[i].verdict == VERDICT_INCONCLUSIVE;
	}
	if (r->nnotes)
		fprintf(f, "\nnotes:\n");
	for (size_t i = 0; i < r->nnotes; i++)
		fprintf(f, "  - %s\n", r->notes[i]);
	fprintf(f, "\nverdict: %s (%zu edge(s): %zu failed, %zu inconclusive)\n", verdict_name(r->verdict),
		r->nedges, failed, inconclusive);
}

/* Appends printf output to buf at *used, never past len. */
static void __attribute__((format(printf, 4, 5))) put(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	*used = n < 0 ? len : *used + (size_t)n;
}

/*
 * One edge in a reason: of a passing edge its counts ("success_count 50 =
 * 50"), otherwise every check that did not pass, reported beside observed.
 */
static void summarize_edge(const struct mx_edge_result *e, char *buf, size_t len, size_t *used)
{
	char s[400], d[400];
	bool first = true;

	put(buf, len, used, "%s%s -> %s:", *used ? "; " : "", mx_endpoint_str(&e->src, s, sizeof(s)),
	    mx_endpoint_str(&e->dst, d, sizeof(d)));
	for (int i = 0; i < e->nchecks; i++) {
		const struct mx_check *c = &e->checks[i];
		size_t n = strlen(c->name);

		if (c->not_reported)
			continue;
		if (e->verdict == VERDICT_PASS && (n < 6 || strcmp(c->name + n - 6, "_count")))
			continue;
		if (e->verdict != VERDICT_PASS && c->verdict == VERDICT_PASS)
			continue;
		if (c->verdict == VERDICT_PASS)
			put(buf, len, used, "%s %s %s = %s", first ? "" : ",", c->name, c->reported, c->observed);
		else
			put(buf, len, used, "%s %s %s reported, %s observed", first ? "" : ",", c->name, c->reported,
			    c->observed);
		if (c->verdict == VERDICT_INCONCLUSIVE && c->note[0])
			put(buf, len, used, " (%s)", c->note);
		first = false;
	}
	if (first && e->note[0])
		put(buf, len, used, " %s", e->note);
}

void metrics_result_summary(const struct metrics_result *r, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	/* The worst edges first: a reason is one line, and what decided the verdict leads it. */
	for (int v = VERDICT_FAIL; v >= VERDICT_PASS; v--)
		for (size_t i = 0; i < r->nedges; i++)
			if ((int)r->edges[i].verdict == v && (v == (int)r->verdict || r->verdict == VERDICT_PASS))
				summarize_edge(&r->edges[i], buf, len, &used);
	if (!used && r->nnotes)	/* no edge, or every edge passed and losses forbid a PASS */
		put(buf, len, &used, "%s", r->notes[r->nnotes - 1]);
}

static json_t *check_json(const struct mx_check *c)
{
	json_t *o = json_deep_copy(c->detail ? c->detail : json_object());

	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "verdict", json_string(check_verdict_name(c)));
	json_object_set_new(o, "reported_text", json_string(c->reported));
	json_object_set_new(o, "observed_text", json_string(c->observed));
	json_object_set_new(o, "resolution", json_string(c->resolution[0] ? c->resolution : "exact"));
	if (c->note[0])
		json_object_set_new(o, "note", json_string(c->note));
	return o;
}

json_t *metrics_result_json(const struct metrics_result *r)
{
	json_t *edges = json_array(), *notes = json_array(), *o;
	char s[400], d[400];

	for (size_t i = 0; i < r->nedges; i++) {
		const struct mx_edge_result *e = &r->edges[i];
		json_t *checks = json_array();

		for (int j = 0; j < e->nchecks; j++)
			json_array_append_new(checks, check_json(&e->checks[j]));
		json_array_append_new(edges, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}",
			"source", mx_endpoint_str(&e->src, s, sizeof(s)),
			"destination", mx_endpoint_str(&e->dst, d, sizeof(d)),
			"side", e->server_side ? "server" : "client",
			"verdict", verdict_name(e->verdict), "note", e->note, "checks", checks));
	}
	for (size_t i = 0; i < r->nnotes; i++)
		json_array_append_new(notes, json_string(r->notes[i]));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "verdict", verdict_name(r->verdict),
		      "input", r->trafficmetrics ? "trafficmetrics" : "prometheus", "profile", r->profile,
		      "reported", r->reported, "observations", r->observations, "edges", edges, "notes", notes);
	json_object_set_new(o, "window", r->window.set && !r->trafficmetrics
		? json_pack("{s:I, s:I}", "start_ns", (json_int_t)r->window.start_ns,
			    "end_ns", (json_int_t)r->window.end_ns) : json_null());
	return o;
}
