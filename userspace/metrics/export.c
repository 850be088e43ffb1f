/* export.c - see export.h */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/export.h"
#include "metrics/prom.h"
#include "metrics/reported.h"
#include "stats/quantile.h"
#include "util/clock.h"
#include "util/u64.h"

static const struct outcome_rule rule_5xx = { .failure_classes = 1u << 5, .no_response_failure = true };

/* Bucket bounds of the exported histograms, in nanoseconds (exact). */
static const uint64_t bounds_ns[] = {
	500000, 1000000, 2500000, 5000000, 10000000, 25000000, 50000000, 100000000,
	250000000, 500000000, 1000000000, 2500000000ULL, 5000000000ULL, 10000000000ULL,
};

static struct mx_observed *observe(const struct obs_set *obs, const struct mx_meshinfo *mesh,
				   bool server_side, enum ep_kind kind)
{
	struct ep_spec ep = { .label = "x", .ns_label = "x", .kind = kind };
	struct mx_obs_params p = { .view = { server_side, &ep, &ep }, .outcome = &rule_5xx, .mesh = mesh };
	struct mx_observed *o = NULL;

	return mx_observe(obs, &p, &o) ? NULL : o;
}

/* A label value; "?" (an endpoint not attributed) is written as "unknown". */
static void label_value(struct buf *b, const char *v)
{
	prom_escape_label(b, strcmp(v, "?") ? v : "unknown");
}

static void edge_labels(struct buf *b, const char *side, const struct mx_obs_edge *e)
{
	buf_printf(b, BUF_NO_LIMIT, "side=\"%s\",source_namespace=\"", side);
	label_value(b, e->src.ns);
	buf_puts(b, "\",source_workload=\"", BUF_NO_LIMIT);
	label_value(b, e->src.name);
	buf_puts(b, "\",destination_namespace=\"", BUF_NO_LIMIT);
	label_value(b, e->dst.ns);
	buf_puts(b, "\",destination_workload=\"", BUF_NO_LIMIT);
	label_value(b, e->dst.name);
	buf_putc(b, '"', BUF_NO_LIMIT);
}

static void render_counts(struct buf *b, const char *side, const struct mx_observed *o)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct mx_obs_edge *e = &o->edges[i];

		buf_puts(b, "smiw_requests_total{", BUF_NO_LIMIT);
		edge_labels(b, side, e);
		buf_printf(b, BUF_NO_LIMIT, ",classification=\"success\"} %llu\n", (unsigned long long)(e->ok + e->ok_edge));
		buf_puts(b, "smiw_requests_total{", BUF_NO_LIMIT);
		edge_labels(b, side, e);
		buf_printf(b, BUF_NO_LIMIT, ",classification=\"failure\"} %llu\n", (unsigned long long)(e->fail + e->fail_edge));
	}
}

static void render_histograms(struct buf *b, const char *side, const struct mx_observed *o)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct mx_obs_edge *e = &o->edges[i];
		const struct u64vec *parts[] = { &e->side, &e->e_side };
		size_t cum = 0, at[2] = { 0, 0 };
		double sum = 0;

		for (int p = 0; p < 2; p++)
			for (size_t k = 0; k < parts[p]->n; k++)
				sum += (double)parts[p]->v[k] / 1e9;
		for (size_t k = 0; k <= sizeof(bounds_ns) / sizeof(bounds_ns[0]); k++) {
			bool inf = k == sizeof(bounds_ns) / sizeof(bounds_ns[0]);

			/* both parts are sorted: advance each past the bound */
			for (int p = 0; p < 2; p++)
				while (at[p] < parts[p]->n && (inf || parts[p]->v[at[p]] <= bounds_ns[k])) {
					at[p]++;
					cum++;
				}
			buf_puts(b, "smiw_request_duration_seconds_bucket{", BUF_NO_LIMIT);
			edge_labels(b, side, e);
			if (inf)
				buf_printf(b, BUF_NO_LIMIT, ",le=\"+Inf\"} %zu\n", cum);
			else
				buf_printf(b, BUF_NO_LIMIT, ",le=\"%g\"} %zu\n", (double)bounds_ns[k] / 1e9, cum);
		}
		buf_puts(b, "smiw_request_duration_seconds_sum{", BUF_NO_LIMIT);
		edge_labels(b, side, e);
		buf_printf(b, BUF_NO_LIMIT, "} %.9f\n", sum);
		buf_puts(b, "smiw_request_duration_seconds_count{", BUF_NO_LIMIT);
		edge_labels(b, side, e);
		buf_printf(b, BUF_NO_LIMIT, "} %zu\n", cum);
	}
}

char *mx_export_prometheus(const struct obs_set *obs, const struct mx_meshinfo *mesh, unsigned flags)
{
	struct mx_observed *cl = observe(obs, mesh, false, EP_WORKLOAD);
	struct mx_observed *sv = observe(obs, mesh, true, EP_WORKLOAD);
	struct obs_counters k = mx_obs_counters(obs);
	struct buf b = { 0 };

	if (!cl || !sv) {
		mx_observed_free(cl);
		mx_observed_free(sv);
		return NULL;
	}
	buf_puts(&b, "# HELP smiw_requests_total HTTP exchanges observed in the kernel, by the side "
		    "that saw them, edge and outcome (failure: 5xx or no response).\n"
		    "# TYPE smiw_requests_total counter\n", BUF_NO_LIMIT);
	render_counts(&b, "client", cl);
	render_counts(&b, "server", sv);
	buf_puts(&b, "# HELP smiw_request_duration_seconds Time from the first request byte to the "
		    "last response byte, as the observing process saw it.\n"
		    "# TYPE smiw_request_duration_seconds histogram\n", BUF_NO_LIMIT);
	render_histograms(&b, "client", cl);
	render_histograms(&b, "server", sv);
	if (flags & MX_EXPORT_CAPTURE_COUNTERS)
		buf_printf(&b, BUF_NO_LIMIT, "# HELP smiw_capture_kernel_drops_total Events the kernel could not queue.\n"
			      "# TYPE smiw_capture_kernel_drops_total counter\n"
			      "smiw_capture_kernel_drops_total %llu\n"
			      "# HELP smiw_capture_user_drops_total Events the agent discarded.\n"
			      "# TYPE smiw_capture_user_drops_total counter\n"
			      "smiw_capture_user_drops_total %llu\n"
			      "# HELP smiw_capture_gaps_total Stream gaps (bytes never seen).\n"
			      "# TYPE smiw_capture_gaps_total counter\n"
			      "smiw_capture_gaps_total %llu\n",
			      (unsigned long long)k.kernel_drops, (unsigned long long)k.user_drops,
			      (unsigned long long)k.gaps);
	mx_observed_free(cl);
	mx_observed_free(sv);
	return buf_detach(&b);
}

static void rfc3339(int64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09lldZ", base, (long long)(ns % 1000000000LL));
}

/* "0.1613s": seconds with the trailing zeros of the nanoseconds dropped. */
static void go_duration(uint64_t ns, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%llu.%09llu", (unsigned long long)(ns / 1000000000ULL),
		 (unsigned long long)(ns % 1000000000ULL));
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[--n] = '\0';
	snprintf(buf + n, len - n, "s");
}

static json_t *ref(const struct mx_endpoint *e)
{
	return json_pack("{s:s, s:s, s:s}", "kind", "Pod", "namespace", e->ns, "name", e->name);
}

/* A quantity of `nano` billionths: durations in ns are seconds, counts times 1e9 are counts. */
static json_t *quantity(uint64_t nano)
{
	char buf[48];

	mx_quantity_format_nano(nano, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *item(const struct mx_obs_edge *e, bool server_side, const char *ts, const char *window)
{
	static const char *const qn[MX_TM_NQ] = { "p99_response_latency", "p90_response_latency",
						  "p50_response_latency" };
	const struct mx_endpoint *self = server_side ? &e->dst : &e->src;
	const struct mx_endpoint *other = server_side ? &e->src : &e->dst;
	json_t *metrics = json_array();
	uint64_t *all;
	size_t n = e->side.n + e->e_side.n;

	all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		return NULL;
	/* An empty array may be NULL, and memcpy from NULL is undefined even for 0 bytes. */
	if (e->side.n)
		memcpy(all, e->side.v, e->side.n * sizeof(*all));
	if (e->e_side.n)
		memcpy(all + e->side.n, e->e_side.v, e->e_side.n * sizeof(*all));
	u64_sort(all, n);
	for (int i = 0; i < MX_TM_NQ && n; i++)
		json_array_append_new(metrics, json_pack("{s:s, s:s, s:o}", "name", qn[i], "unit", "seconds",
			"value", quantity(q_nearest(all, n, mx_tm_quantiles[MX_TM_NQ - 1 - i]))));
	free(all);
	json_array_append_new(metrics, json_pack("{s:s, s:o}", "name", "success_count",
						 "value", quantity((e->ok + e->ok_edge) * 1000000000ULL)));
	json_array_append_new(metrics, json_pack("{s:s, s:o}", "name", "failure_count",
						 "value", quantity((e->fail + e->fail_edge) * 1000000000ULL)));
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:o, s:{s:s, s:s, s:o}, s:o}",
		"kind", "TrafficMetrics", "apiVersion", "metrics.smi-spec.io/v1alpha1",
		"metadata", "name", self->name, "namespace", self->ns, "creationTimestamp", ts,
		"timestamp", ts, "window", window, "resource", ref(self),
		"edge", "direction", server_side ? "from" : "to", "side", server_side ? "server" : "client",
		"resource", ref(other), "metrics", metrics);
}

static int add_items(json_t *items, const struct mx_observed *o, bool server_side, const char *ts,
		     const char *window)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct mx_obs_edge *e = &o->edges[i];
		json_t *it;

		if (!strcmp(e->src.name, "?") || !strcmp(e->dst.name, "?"))
			continue;
		if (!(it = item(e, server_side, ts, window)))
			return -1;
		json_array_append_new(items, it);
	}
	return 0;
}

json_t *mx_export_trafficmetrics(const struct obs_set *obs, const struct mx_meshinfo *mesh)
{
	struct mx_observed *cl = observe(obs, mesh, false, EP_POD);
	struct mx_observed *sv = observe(obs, mesh, true, EP_POD);
	uint64_t first = UINT64_MAX, last = 0;
	char ts[48], window[48];
	json_t *items = json_array(), *doc = NULL;
	int64_t off;

	if (!cl || !sv || !items)
		goto out;
	for (size_t i = 0; i < obs->n_ex; i++) {
		if (obs->ex[i].start_ns < first)
			first = obs->ex[i].start_ns;
		if (obs->ex[i].end_ns > last)
			last = obs->ex[i].end_ns;
	}
	if (!obs->n_ex)
		first = 0;
	if (obs->have_meta && obs->meta.real_ns) {
		off = (int64_t)obs->meta.real_ns - (int64_t)obs->meta.mono_ns;
	} else {
		off = (int64_t)real_ns() - (int64_t)last;
	}
	rfc3339((int64_t)last + off, ts, sizeof(ts));
	go_duration(last - first, window, sizeof(window));
	if (add_items(items, cl, false, ts, window) || add_items(items, sv, true, ts, window))
		goto out;
	doc = json_pack("{s:s, s:s, s:{s:s}, s:O}", "kind", "TrafficMetricsList",
			"apiVersion", "metrics.smi-spec.io/v1alpha1", "resource", "kind", "Pod", "items", items);
out:
	json_decref(items);
	mx_observed_free(cl);
	mx_observed_free(sv);
	return doc;
}
