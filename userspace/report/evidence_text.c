/* evidence_text.c - see evidence_text.h */
#include <string.h>

#include "report/evidence_text.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static double real(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* " (TrafficSplit default/x, match m)", " (SMI policy: deny-source, ...)", " (as the scenario states)". */
static void origin(FILE *f, json_t *how)
{
	const char *from = str(how, "from");

	if (!strcmp(from, "scenario")) {
		fputs(" (as the scenario states)", f);
		return;
	}
	if (strcmp(from, "policy"))
		return;
	if (json_object_get(how, "decision")) {
		fprintf(f, " (SMI policy for %s -> %s port %lld: %s", str(how, "source"), str(how, "destination"),
			num(how, "port"), str(how, "decision"));
		if (*str(how, "traffic_target"))
			fprintf(f, ", TrafficTarget %s", str(how, "traffic_target"));
		if (*str(how, "rule"))
			fprintf(f, ", rule %s", str(how, "rule"));
		if (*str(how, "match"))
			fprintf(f, ", match %s", str(how, "match"));
		fputc(')', f);
	} else if (json_is_string(json_object_get(how, "split"))) {
		fprintf(f, " (TrafficSplit %s", str(how, "split"));
		if (*str(how, "split_match"))
			fprintf(f, ", match %s", str(how, "split_match"));
		fputc(')', f);
	} else if (json_object_get(how, "split")) {
		fputs(" (no TrafficSplit applies: the service itself)", f);
	}
}

/* "403 x100, reset x2" from an outcome -> count object. */
static void outcomes(FILE *f, json_t *counts)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach(counts, k, v) {
		fprintf(f, "%s%s x%lld", first ? "" : ", ", k, (long long)json_integer_value(v));
		first = 0;
	}
	if (first)
		fputs("nothing", f);
}

static void request_line(FILE *f, json_t *it)
{
	fprintf(f, "  %s  %s:", str(it, "request_id"), str(it, "what"));
	if (*str(it, "method"))
		fprintf(f, " %s %s", str(it, "method"), str(it, "path"));
	if (*str(it, "served_by"))
		fprintf(f, " served by %s -> %lld", str(it, "served_by"), num(it, "server_status"));
	fprintf(f, "; client %s", str(it, "client"));
	if (*str(it, "client_pod"))
		fprintf(f, " at %s", str(it, "client_pod"));
	if (*str(it, "time"))
		fprintf(f, "; %s", str(it, "time"));
	if (*str(it, "capture_problem"))
		fprintf(f, "; capture: %s", str(it, "capture_problem"));
	fputc('\n', f);
}

/* A capped request list {"total", "items"}: a count line, then its first items. */
static void request_list(FILE *f, json_t *ev, const char *key, const char *label, size_t max)
{
	json_t *list = json_object_get(ev, key), *items = json_object_get(list, "items");
	long long total = num(list, "total");
	size_t shown = json_array_size(items) < max ? json_array_size(items) : max;

	if (total <= 0)
		return;
	fprintf(f, "%s: %lld", label, total);
	if ((long long)shown < total)
		fprintf(f, " (first %zu)", shown);
	fputs(":\n", f);
	for (size_t i = 0; i < shown; i++)
		request_line(f, json_array_get(items, i));
}

static void access_text(FILE *f, json_t *ev)
{
	fprintf(f, "expected: %s to %s", str(ev, "expected"), str(ev, "destination"));
	origin(f, json_object_get(ev, "expectation"));
	fprintf(f, "\nobserved: %lld of %lld requests, %lld conforming, %lld missing; client saw ",
		num(ev, "requests"), num(ev, "expected_requests"), num(ev, "conforming"), num(ev, "missing"));
	outcomes(f, json_object_get(ev, "client_outcomes"));
	fputc('\n', f);
}

static void split_text(FILE *f, json_t *ev)
{
	json_t *backends = json_object_get(ev, "backends"), *b;
	size_t i;

	fputs("expected:", f);
	json_array_foreach(backends, i, b)
		fprintf(f, "%s %s %.1f%%", i ? "," : "", str(b, "service"), 100 * real(b, "expected"));
	origin(f, json_object_get(ev, "expectation"));
	fputs("\nobserved:", f);
	json_array_foreach(backends, i, b)
		fprintf(f, "%s %s %lld", i ? "," : "", str(b, "service"), num(b, "observed"));
	fprintf(f, " (%lld counted, %lld delivered of %lld requests, %lld client failures; client saw ",
		num(ev, "counted"), num(ev, "delivered"), num(ev, "requests"), num(ev, "client_failures"));
	outcomes(f, json_object_get(ev, "client_outcomes"));
	fprintf(f, ")\ntest: %s", str(ev, "test"));
	if (json_is_number(json_object_get(ev, "p_value")))
		fprintf(f, ", p = %.3g (alpha %g)", real(ev, "p_value"), real(ev, "alpha"));
	fprintf(f, ", power %.4f (target %g) to see a %.0f-point deviation; %lld requests needed\n",
		real(ev, "power"), real(ev, "power_target"), 100 * real(ev, "effect"), num(ev, "required_n"));
}

static void zero_text(FILE *f, json_t *ev)
{
	fprintf(f, "expected: no request served by %s (weight 0)", str(ev, "backends"));
	origin(f, json_object_get(ev, "expectation"));
	fprintf(f, "\nobserved: %lld of %lld delivered requests (of %lld sent) served by %s; power %.4f "
		"(target %g), %lld requests needed\n", num(ev, "served_by_zero_weight"), num(ev, "delivered"),
		num(ev, "requests"), str(ev, "backends"), real(ev, "power"), real(ev, "power_target"),
		num(ev, "required_n"));
}

static void scrape_text(FILE *f, json_t *s, const char *when)
{
	if (!s)
		return;
	if (*str(s, "error"))
		fprintf(f, "; %s: %s", when, str(s, "error"));
	else
		fprintf(f, "; %s at %s", when, str(s, "time"));
}

static void metrics_text(FILE *f, json_t *ev)
{
	json_t *how = json_object_get(ev, "expectation"), *sc = json_object_get(ev, "scrapes");
	json_t *edges = json_object_get(json_object_get(ev, "metrics"), "edges"), *e, *c;
	size_t i, j;

	fprintf(f, "expected: the mesh's metrics (profile %s) agree with the exchanges observed\n",
		str(how, "profile"));
	if (sc) {
		fprintf(f, "scrapes: %s from %s", str(sc, "url"), str(sc, "pod"));
		scrape_text(f, json_object_get(sc, "before"), "before");
		scrape_text(f, json_object_get(sc, "after"), "after");
		fputc('\n', f);
	}
	json_array_foreach(edges, i, e) {
		fprintf(f, "edge %s -> %s (%s side): %s%s%s\n", str(e, "source"), str(e, "destination"),
			str(e, "side"), str(e, "verdict"), *str(e, "note") ? "; " : "", str(e, "note"));
		json_array_foreach(json_object_get(e, "checks"), j, c)
			fprintf(f, "  %s: %s, reported %s, observed %s (%s)%s%s\n", str(c, "name"), str(c, "verdict"),
				str(c, "reported_text"), str(c, "observed_text"), str(c, "resolution"),
				*str(c, "note") ? "; " : "", str(c, "note"));
	}
}

void evidence_write_text(FILE *f, const struct assertion *a, size_t max_items)
{
	json_t *ev = a->evidence, *un = json_object_get(ev, "unadjusted");

	if (!json_object_size(ev))
		return;
	if (!strcmp(a->kind, "access") && json_object_get(ev, "expected"))
		access_text(f, ev);
	else if (!strcmp(a->kind, "split") && json_object_get(ev, "backends"))
		split_text(f, ev);
	else if (!strcmp(a->kind, "zero-weight") && json_object_get(ev, "backends"))
		zero_text(f, ev);
	else if (!strcmp(a->kind, "metrics"))
		metrics_text(f, ev);
	request_list(f, ev, "violations", "not conforming", max_items);
	request_list(f, ev, "zero_weight_violations", "served by a weight-0 backend", max_items);
	request_list(f, ev, "elsewhere", "served outside the split", max_items);
	request_list(f, ev, "undelivered", "not delivered", max_items);
	request_list(f, ev, "unobserved", "not observed", max_items);
	if (un)
		fprintf(f, "before the step's conditions: %s: %s\n", str(un, "verdict"), str(un, "reason"));
	if (*str(ev, "request_id_prefix"))
		fprintf(f, "request ids: %s* in the observations\n", str(ev, "request_id_prefix"));
}
