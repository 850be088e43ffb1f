/*
 * test_metrics_check - the cross-check end to end on fixture observations:
 * PASS on honest metrics, FAIL on inflated / dropped counts and misplaced
 * latency, counter resets, window edges, histogram bucket logic, SMI
 * TrafficMetrics, exports checked against their own observations.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "metrics/check.h"
#include "metrics/fetch.h"
#include "metrics/export.h"
#include "metrics/observed.h"
#include "metrics/reported.h"
#include "records/obs.h"
#include "stats/quantile.h"
#include "util/u64.h"

#define FIX "tests/fixtures/metrics/"
#define T0 1000000000000ULL	/* meta mono_ns of obs-lab.jsonl */
#define MS 1000000ULL

static const char *const mesh_pod[] = { "default/mesh" };

struct run {
	const char *obs, *before, *after, *profile;
	const char *edges[4];
	struct mx_window window;
	const char *scrape_of;
};

static struct metrics_result *check(const struct run *r)
{
	struct metrics_check_req req = {
		.observations = r->obs ? r->obs : FIX "obs-lab.jsonl", .profile = r->profile,
		.before = r->before, .after = r->after, .edges = r->edges, .window = r->window,
		.mesh_pods = mesh_pod, .nmesh_pods = 1, .scrape_of = r->scrape_of,
	};
	struct metrics_result *res = NULL;
	char err[1024];

	while (req.nedges < 4 && r->edges[req.nedges])
		req.nedges++;
	if (metrics_check(&req, &res, err, sizeof(err)))
		fail_msg("metrics_check: %s", err);
	return res;
}

static const struct mx_edge_result *edge(const struct metrics_result *res, const char *src, const char *dst,
					 bool server_side)
{
	char s[400], d[400];

	for (size_t i = 0; i < res->nedges; i++)
		if (!strcmp(mx_endpoint_str(&res->edges[i].src, s, sizeof(s)), src) &&
		    !strcmp(mx_endpoint_str(&res->edges[i].dst, d, sizeof(d)), dst) &&
		    res->edges[i].server_side == server_side)
			return &res->edges[i];
	fail_msg("no edge %s -> %s", src, dst);
	return NULL;
}

/* Asserts one check: its verdict and both numbers as printed side by side. */
static void expect(const struct mx_edge_result *e, const char *name, enum verdict v,
		   const char *reported, const char *observed)
{
	for (int i = 0; i < e->nchecks; i++) {
		const struct mx_check *c = &e->checks[i];

		if (strcmp(c->name, name))
			continue;
		if (c->verdict != v || (reported && strcmp(c->reported, reported)) ||
		    (observed && strcmp(c->observed, observed)))
			fail_msg("%s: got %s reported '%s' observed '%s' (%s); want %s '%s' '%s'", name,
				 verdict_name(c->verdict), c->reported, c->observed, c->note,
				 verdict_name(v), reported ? reported : "*", observed ? observed : "*");
		return;
	}
	fail_msg("no check %s", name);
}

static void test_haproxy_reference_passes(void **state)
{
	struct run r = { .before = FIX "haproxy-before.prom", .after = FIX "haproxy-after.prom",
			 .profile = "haproxy" };
	struct metrics_result *res = check(&r);
	const struct mx_edge_result *b, *c;

	(void)state;
	assert_int_equal(res->verdict, VERDICT_PASS);
	assert_int_equal(res->nedges, 2);
	b = edge(res, "*", "default/app-b", true);
	expect(b, "success_count", VERDICT_PASS, "8", "8");
	expect(b, "failure_count", VERDICT_PASS, "2", "2");
	expect(b, "max_latency", VERDICT_PASS, "2ms (before 1ms)", "[2.4ms..2.7ms]");
	c = edge(res, "*", "default/app-c", true);
	expect(c, "success_count", VERDICT_PASS, "5", "5");
	expect(c, "failure_count", VERDICT_PASS, "0", "0");
	expect(c, "max_latency", VERDICT_PASS, "1ms (before 1ms)", "[1.3ms..1.6ms]");
	/* the mesh pod's own exchange and the call that bypassed the proxy are not the mesh's to count */
	assert_int_equal(res->nnotes, 2);
	assert_string_equal(res->notes[0], "1 exchange(s) observed inside the mesh pod were left out");
	assert_string_equal(res->notes[1], "1 exchange(s) did not go through the proxy and were left out");
	metrics_result_free(res);
}

/* One check of edge * -> default/app-b as printed: verdict, both numbers, the note (NULL: any). */
struct want {
	const char *check;
	enum verdict v;
	const char *reported, *observed, *note;
};

static void expect_want(const struct mx_edge_result *e, const struct want *w)
{
	expect(e, w->check, w->v, w->reported, w->observed);
	for (int i = 0; w->note && i < e->nchecks; i++)
		if (!strcmp(e->checks[i].name, w->check))
			assert_string_equal(e->checks[i].note, w->note);
}

/* Whether the result has exactly this note. */
static bool has_note(const struct metrics_result *res, const char *want)
{
	for (size_t i = 0; i < res->nnotes; i++)
		if (!strcmp(res->notes[i], want))
			return true;
	for (size_t i = 0; i < res->nnotes; i++)
		print_message("note: %s\n", res->notes[i]);
	return false;
}

/*
 * The same observations against the reference exporter's numbers and against
 * what each faulty variant, counter reset and restart makes of them. The
 * observations span 2023-11-14T22:13:20.009Z to .171Z (no window given: that
 * span stands for the scrapes' times); the earlier scrape says the exporter
 * started at 22:13:20.000Z.
 */
static void test_haproxy_variants(void **state)
{
	static const struct {
		const char *before, *after;
		enum verdict verdict;
		struct want w[3];
		const char *note;
	} cases[] = {
		{ "haproxy-before-inflate.prom", "haproxy-after-inflate.prom", VERDICT_FAIL, {
			{ "success_count", VERDICT_FAIL, "10", "8", "the mesh reports 2 more than happened" },
			{ "failure_count", VERDICT_FAIL, "3", "2", "the mesh reports 1 more than happened" },
			{ "max_latency", VERDICT_PASS, "2ms (before 1ms)", "[2.4ms..2.7ms]", NULL } }, NULL },
		{ "haproxy-before.prom", "haproxy-after-dropfail.prom", VERDICT_FAIL, {
			{ "success_count", VERDICT_PASS, "8", "8", NULL },
			{ "failure_count", VERDICT_FAIL, "0", "2", "the mesh reports 2 fewer than happened" },
			{ "max_latency", VERDICT_PASS, "2ms (before 1ms)", NULL, NULL } }, NULL },
		{ "haproxy-before.prom", "haproxy-after-slowmax.prom", VERDICT_FAIL, {
			{ "success_count", VERDICT_PASS, "8", "8", NULL },
			{ "failure_count", VERDICT_PASS, "2", "2", NULL },
			{ "max_latency", VERDICT_FAIL, "9ms (before 1ms)", "[2.4ms..2.7ms]",
			  "the maximum rose in the window, but no exchange took that long" } }, NULL },
		/*
		 * The start time moved to 22:13:20.005Z, before the traffic: every
		 * counter restarted (2xx 3 -> 8 did not go down, the 8 are all new),
		 * deltas are the values after.
		 */
		{ "haproxy-before.prom", "haproxy-after-restart.prom", VERDICT_PASS, {
			{ "success_count", VERDICT_PASS, "8", "8", NULL },
			{ "failure_count", VERDICT_PASS, "2", "2", NULL },
			{ "max_latency", VERDICT_PASS, "2ms (before -)", NULL, NULL } },
		  "the exporter restarted between the scrapes ('haproxy_process_start_time_seconds' moved from "
		  "2023-11-14T22:13:20.000Z to 2023-11-14T22:13:20.005Z, between 2023-11-14T22:13:20.009Z and "
		  "2023-11-14T22:13:20.171Z): counts before the restart are lost" },
		/* one counter went down (3 -> 2) without a restart signal: fewer cannot be a FAIL */
		{ "haproxy-before.prom", "haproxy-after-reset.prom", VERDICT_INCONCLUSIVE, {
			{ "success_count", VERDICT_INCONCLUSIVE, "2", "8", "6 fewer than observed, but the counter was "
			  "reset in the window (counts before the reset are lost)" },
			{ "failure_count", VERDICT_PASS, "2", "2", NULL },
			{ "max_latency", VERDICT_PASS, NULL, NULL, NULL } }, NULL },
		/*
		 * Failures dropped, and a start time after the second scrape: no
		 * restart can explain the missing counts.
		 */
		{ "haproxy-before.prom", "haproxy-after-bogus-late.prom", VERDICT_FAIL, {
			{ "success_count", VERDICT_PASS, "8", "8", NULL },
			{ "failure_count", VERDICT_FAIL, "0", "2", "the mesh reports 2 fewer than happened" },
			{ "max_latency", VERDICT_PASS, "2ms (before 1ms)", NULL, NULL } },
		  "impossible start time: the exporter says it started at 2023-11-14T22:30:00.000Z "
		  "('haproxy_process_start_time_seconds'), after the scrapes (2023-11-14T22:13:20.009Z and "
		  "2023-11-14T22:13:20.171Z): not a restart, counts compared as they are" },
		/*
		 * Failures dropped, and a start time between the scrapes, but the
		 * counters hold far more than happened after it: not a restart.
		 */
		{ "haproxy-before.prom", "haproxy-after-bogus-now.prom", VERDICT_FAIL, {
			{ "success_count", VERDICT_PASS, "8", "8", NULL },
			{ "failure_count", VERDICT_FAIL, "0", "2", "the mesh reports 2 fewer than happened" },
			{ "max_latency", VERDICT_PASS, "2ms (before 1ms)", NULL, NULL } },
		  "impossible start time: the exporter says it started at 2023-11-14T22:13:20.150Z "
		  "('haproxy_process_start_time_seconds', between the scrapes), yet its counters hold 11 responses "
		  "on * -> default/app-b and only 0 happened after that: not a restart, counts compared as they "
		  "are" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char before[128], after[128];
		struct run r = { .before = before, .after = after, .profile = "haproxy",
				 .edges = { "*=default/app-b" } };
		struct metrics_result *res;

		snprintf(before, sizeof(before), FIX "%s", cases[i].before);
		snprintf(after, sizeof(after), FIX "%s", cases[i].after);
		res = check(&r);
		assert_int_equal(res->nedges, 1);
		for (int j = 0; j < 3; j++)
			expect_want(edge(res, "*", "default/app-b", true), &cases[i].w[j]);
		if (res->verdict != cases[i].verdict)
			fail_msg("%s: verdict %s", cases[i].after, verdict_name(res->verdict));
		if (cases[i].note && !has_note(res, cases[i].note))
			fail_msg("%s: no note '%s'", cases[i].after, cases[i].note);
		metrics_result_free(res);
	}
}

/*
 * The window's edges: r1 (app-b, 200) runs from T0+10ms to T0+11.4ms at the
 * client. A window starting inside it makes it uncertain (the mesh may have
 * counted it before the first scrape), one starting after it excludes it.
 */
static void test_window_edges(void **state)
{
	struct run r = { .before = FIX "haproxy-before.prom", .after = FIX "haproxy-after.prom",
			 .profile = "haproxy", .edges = { "*=default/app-b" },
			 .window = { true, T0 + 10 * MS + 500000, T0 + 1000 * MS } };
	struct metrics_result *res;
	const struct mx_edge_result *b;

	(void)state;
	res = check(&r);
	b = edge(res, "*", "default/app-b", true);
	expect(b, "success_count", VERDICT_PASS, "8", "7..8");
	expect(b, "failure_count", VERDICT_PASS, "2", "2");
	assert_string_equal(b->checks[0].note, "1 exchange(s) straddle the window edges");
	assert_int_equal(res->verdict, VERDICT_PASS);
	metrics_result_free(res);

	r.window.start_ns = T0 + 12 * MS;	/* r1 is wholly before: the mesh's 8 are one too many */
	res = check(&r);
	b = edge(res, "*", "default/app-b", true);
	expect(b, "success_count", VERDICT_FAIL, "8", "7");
	assert_string_equal(res->notes[2], "1 exchange(s) outside the window were left out");
	metrics_result_free(res);
}

static void test_histogram_buckets(void **state)
{
	struct run ok = { .before = FIX "linkerd-before.prom", .after = FIX "linkerd-after.prom", .profile = "linkerd" };
	struct run fast = { .before = FIX "linkerd-before.prom", .after = FIX "linkerd-after-fastlat.prom",
			    .profile = "linkerd" };
	struct metrics_result *res;
	const struct mx_edge_result *b;

	(void)state;
	res = check(&ok);
	assert_int_equal(res->verdict, VERDICT_PASS);
	b = edge(res, "default/app-a", "default/app-b", false);
	expect(b, "success_count", VERDICT_PASS, "9", "9");
	expect(b, "failure_count", VERDICT_PASS, "2", "2");
	/* client side: p50 is the 6th of 11 (1.8ms); the server side gives the lower end (1.5ms) */
	expect(b, "p50_latency", VERDICT_PASS, "~1.688ms", "1.8ms [1.5ms..1.8ms]");
	expect(b, "p90_latency", VERDICT_PASS, "~2.633ms", "2.2ms [1.9ms..2.2ms]");
	expect(b, "p99_latency", VERDICT_PASS, "~2.963ms", "2.7ms [2.4ms..2.7ms]");
	assert_string_equal(b->checks[2].resolution, "bucket (1ms, 2ms]");
	assert_string_equal(b->checks[3].resolution, "bucket (2ms, 3ms]");
	expect(edge(res, "default/app-a", "default/app-c", false), "p99_latency", VERDICT_PASS, "~1.99ms", NULL);
	metrics_result_free(res);

	res = check(&fast);
	assert_int_equal(res->verdict, VERDICT_FAIL);
	b = edge(res, "default/app-a", "default/app-b", false);
	expect(b, "success_count", VERDICT_PASS, "9", "9");
	expect(b, "p50_latency", VERDICT_FAIL, "~500us", "1.8ms [1.5ms..1.8ms]");
	expect(b, "p99_latency", VERDICT_FAIL, "~990us", NULL);
	assert_string_equal(b->checks[2].resolution, "bucket (0ns, 1ms]");
	metrics_result_free(res);
}

/* Histograms a mesh gets wrong, fed as text: counts that are not cumulative, mixed bounds. */
static void test_broken_histograms(void **state)
{
	static const char *const bad[] = {
		"# TYPE response_latency_ms histogram\n"
		"response_latency_ms_bucket{direction=\"outbound\",deployment=\"app-a\",namespace=\"default\","
		"dst_deployment=\"app-b\",dst_namespace=\"default\",le=\"1\"} 5\n"
		"response_latency_ms_bucket{direction=\"outbound\",deployment=\"app-a\",namespace=\"default\","
		"dst_deployment=\"app-b\",dst_namespace=\"default\",le=\"2\"} 3\n"
		"response_latency_ms_bucket{direction=\"outbound\",deployment=\"app-a\",namespace=\"default\","
		"dst_deployment=\"app-b\",dst_namespace=\"default\",le=\"+Inf\"} 11\n",
		"# TYPE response_latency_ms histogram\n"
		"response_latency_ms_bucket{direction=\"outbound\",deployment=\"app-a\",namespace=\"default\","
		"dst_deployment=\"app-b\",dst_namespace=\"default\",status_code=\"200\",le=\"1\"} 0\n"
		"response_latency_ms_bucket{direction=\"outbound\",deployment=\"app-a\",namespace=\"default\","
		"dst_deployment=\"app-b\",dst_namespace=\"default\",status_code=\"200\",le=\"+Inf\"} 9\n"
		"response_latency_ms_bucket{direction=\"outbound\",deployment=\"app-a\",namespace=\"default\","
		"dst_deployment=\"app-b\",dst_namespace=\"default\",status_code=\"500\",le=\"5\"} 2\n"
		"response_latency_ms_bucket{direction=\"outbound\",deployment=\"app-a\",namespace=\"default\","
		"dst_deployment=\"app-b\",dst_namespace=\"default\",status_code=\"500\",le=\"+Inf\"} 2\n",
	};
	static const struct { enum verdict v; const char *note; } want[] = {
		{ VERDICT_FAIL, "bucket counts are not cumulative: le=1 has 5, le=2 has 3" },
		{ VERDICT_INCONCLUSIVE, "series of this edge have different bucket bounds (le=1)" },
	};
	char path[] = "/tmp/smiw-test-hist-XXXXXX";
	struct run r = { .after = path, .profile = "linkerd", .edges = { "default/app-a=default/app-b" } };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		int fd = mkstemp(path);
		struct metrics_result *res;
		const struct mx_edge_result *b;

		assert_true(fd >= 0);
		assert_true(write(fd, bad[i], strlen(bad[i])) == (ssize_t)strlen(bad[i]));
		close(fd);
		res = check(&r);
		unlink(path);
		b = edge(res, "default/app-a", "default/app-b", false);
		expect(b, "p50_latency", want[i].v, "unusable", NULL);
		assert_string_equal(b->checks[2].note, want[i].note);
		metrics_result_free(res);
		strcpy(path, "/tmp/smiw-test-hist-XXXXXX");
	}
}

static void test_other_profiles(void **state)
{
	struct run istio = { .after = FIX "istio-after.prom", .profile = "istio" };
	struct run osm = { .after = FIX "osm-after.prom", .profile = "osm" };
	struct run envoy = { .after = FIX "envoy-after.prom", .profile = "envoy", .scrape_of = "default/app-a" };
	struct metrics_result *res;
	const struct mx_edge_result *e;

	(void)state;
	res = check(&istio);	/* server side: app-b saw 9 + 2 (one call came straight from app-a) */
	assert_int_equal(res->verdict, VERDICT_PASS);
	e = edge(res, "default/app-a", "default/app-b", true);
	expect(e, "success_count", VERDICT_PASS, "9", "9");
	expect(e, "p50_latency", VERDICT_PASS, "~2.8ms", "1.5ms [1.5ms..1.8ms]");
	assert_string_equal(e->checks[2].resolution, "bucket (1ms, 5ms]");
	metrics_result_free(res);

	res = check(&osm);	/* names as Envoy writes them: '-' became '_' */
	assert_int_equal(res->verdict, VERDICT_PASS);
	expect(edge(res, "default/app_a", "default/app_b", false), "failure_count", VERDICT_PASS, "2", "2");
	expect(edge(res, "default/app_a", "default/app_c", false), "success_count", VERDICT_PASS, "5", "5");
	metrics_result_free(res);

	res = check(&envoy);	/* the destination is the service the client addressed */
	assert_int_equal(res->verdict, VERDICT_PASS);
	assert_int_equal(res->nedges, 1);
	e = edge(res, "default/app-a", "default/app-svc", false);
	expect(e, "success_count", VERDICT_PASS, "13", "13");
	expect(e, "failure_count", VERDICT_PASS, "2", "2");
	/* the proxy's own control-plane cluster is no edge */
	assert_string_equal(res->notes[2], "1 series of the proxy's own traffic (control plane, statistics, "
			    "inbound clusters) were left out");
	metrics_result_free(res);
}

static void test_trafficmetrics(void **state)
{
	struct run ok = { .after = FIX "tm-linkerd.json", .profile = "linkerd" };
	struct run bad = { .after = FIX "tm-linkerd-fail.json", .profile = "linkerd" };
	struct run extra = { .after = FIX "tm-extrapolated.json", .profile = "linkerd" };
	struct metrics_result *res;
	const struct mx_edge_result *e;

	(void)state;
	res = check(&ok);
	assert_true(res->trafficmetrics);
	assert_int_equal(res->verdict, VERDICT_PASS);
	e = edge(res, "default/app-a", "default/app-b", false);
	expect(e, "success_count", VERDICT_PASS, "9", "9");
	expect(e, "p50_latency", VERDICT_PASS, "1.687ms", "1.8ms [1.5ms..1.8ms]");
	assert_string_equal(e->checks[2].resolution, "bucket (1ms, 2ms]");
	metrics_result_free(res);

	res = check(&bad);
	assert_int_equal(res->verdict, VERDICT_FAIL);
	e = edge(res, "default/app-a", "default/app-b", false);
	expect(e, "failure_count", VERDICT_FAIL, "0", "2");
	expect(e, "p99_latency", VERDICT_FAIL, "4.5ms", "2.7ms [2.4ms..2.7ms]");
	assert_string_equal(e->checks[4].resolution, "bucket (4ms, 5ms]");
	metrics_result_free(res);

	res = check(&extra);	/* 9500m requests: an extrapolation, not a count */
	assert_int_equal(res->verdict, VERDICT_INCONCLUSIVE);
	expect(edge(res, "default/app-a", "default/app-b", false), "success_count", VERDICT_INCONCLUSIVE, "9.5", "9");
	metrics_result_free(res);
}

static char *write_temp(const char *text, const char *suffix)
{
	char *path;
	int fd;

	assert_true(asprintf(&path, "/tmp/smiw-test-XXXXXX%s", suffix) > 0);
	fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* What smi-witness exports about some observations must pass against those observations. */
static void test_exports_check_against_themselves(void **state)
{
	struct mx_meshinfo mesh = { 0 };
	struct obs_set *obs;
	struct metrics_result *res;
	char *prom, *tm, *p1, *p2;
	json_t *doc;

	(void)state;
	assert_int_equal(mx_obs_open(FIX "obs-lab.jsonl", &obs), 0);
	assert_int_equal(mx_meshinfo_add_pod(&mesh, "default/mesh"), 0);
	prom = mx_export_prometheus(obs, &mesh, 0);
	doc = mx_export_trafficmetrics(obs, &mesh);
	assert_non_null(prom);
	assert_non_null(doc);
	assert_non_null(strstr(prom, "smiw_requests_total{side=\"server\",source_namespace=\"default\","
			       "source_workload=\"app-a\",destination_namespace=\"default\","
			       "destination_workload=\"app-b\",classification=\"failure\"} 2\n"));
	assert_null(strstr(prom, "smiw_capture_"));
	assert_int_equal(json_array_size(json_object_get(doc, "items")), 4);
	tm = json_dumps(doc, 0);
	p1 = write_temp(prom, ".prom");
	p2 = write_temp(tm, ".json");
	{
		struct run r1 = { .after = p1, .profile = "smi-witness" }, r2 = { .after = p2 };

		res = check(&r1);
		assert_int_equal(res->verdict, VERDICT_PASS);
		assert_int_equal(res->nedges, 2);
		expect(edge(res, "default/app-a", "default/app-b", false), "p99_latency", VERDICT_PASS, NULL,
		       "2.7ms [2.4ms..2.7ms]");
		metrics_result_free(res);
		res = check(&r2);
		assert_int_equal(res->verdict, VERDICT_PASS);
		assert_int_equal(res->nedges, 4);
		expect(edge(res, "default/app-a", "default/app-b", true), "p50_latency", VERDICT_PASS, "1.5ms", NULL);
		metrics_result_free(res);
	}
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
	free(tm);
	free(prom);
	json_decref(doc);
	mx_meshinfo_release(&mesh);
	mx_obs_close(obs);
}

/* Observations that lost data can never give a PASS, and a count above them is not a FAIL. */
static void test_losses(void **state)
{
	char *text = NULL, *path;
	struct obs_set *obs;
	size_t len;
	FILE *f, *in = fopen(FIX "obs-lab.jsonl", "r");
	char line[4096];

	(void)state;
	assert_non_null(in);
	f = open_memstream(&text, &len);
	while (fgets(line, sizeof(line), in))
		fputs(strstr(line, "\"t\":\"end\"") ? "{\"t\":\"end\",\"kernel_drops\":3,\"gaps\":0}\n" : line, f);
	fclose(in);
	fclose(f);
	path = write_temp(text, ".jsonl");
	{
		struct run ok = { .obs = path, .before = FIX "haproxy-before.prom", .after = FIX "haproxy-after.prom",
				  .profile = "haproxy" };
		struct run inflate = { .obs = path, .before = FIX "haproxy-before-inflate.prom",
				       .after = FIX "haproxy-after-inflate.prom", .profile = "haproxy" };
		struct metrics_result *res = check(&ok);
		const struct mx_edge_result *b;

		assert_int_equal(res->verdict, VERDICT_INCONCLUSIVE);
		expect(edge(res, "*", "default/app-b", true), "success_count", VERDICT_INCONCLUSIVE, "8", "8");
		metrics_result_free(res);
		res = check(&inflate);
		b = edge(res, "*", "default/app-b", true);
		expect(b, "success_count", VERDICT_INCONCLUSIVE, "10", "8");
		assert_string_equal(b->checks[0].note, "2 more than observed, but observation lost data");
		metrics_result_free(res);
	}
	assert_int_equal(mx_obs_open(path, &obs), 0);
	assert_true(mx_obs_counters(obs).kernel_drops == 3);
	mx_obs_close(obs);
	unlink(path);
	free(path);
	free(text);
}

/* obs-lab.jsonl without request ids: client and server exchanges cannot be paired. */
static char *unpaired_observations(void)
{
	FILE *in = fopen(FIX "obs-lab.jsonl", "r"), *f;
	char line[4096], *text = NULL, *path;
	size_t len;

	assert_non_null(in);
	f = open_memstream(&text, &len);
	while (fgets(line, sizeof(line), in)) {
		char *id = strstr(line, "\"request_id\":\"");

		if (id) {	/* "request_id":"r12" -> "request_id":"" */
			char *end = strchr(id + 14, '"');

			memmove(id + 14, end, strlen(end) + 1);
		}
		fputs(line, f);
	}
	fclose(in);
	fclose(f);
	path = write_temp(text, ".jsonl");
	free(text);
	return path;
}

/*
 * The mesh's time lies between the server's and the client's view. With only
 * the server's view, a reported value above it cannot be ruled out (the
 * request may have queued before the server read it): INCONCLUSIVE; below it
 * is impossible: FAIL.
 */
static void test_unpaired_bounds(void **state)
{
	static const char profile[] =
		"name: server-any\nside: server\ntopology: proxy\n"
		"requests:\n  metric: req_total\n  source: {any: true}\n"
		"  destination: {label: dst, namespace_label: ns, kind: pod}\n"
		"  result: {label: code, status: true}\n"
		"latency: {type: histogram, metric: lat_ms, unit: ms}\n";
	static const char *const expo[] = {	/* 11 responses from app-b, all slower / all faster than seen */
		"req_total{ns=\"default\",dst=\"app-b\",code=\"200\"} 8\n"
		"req_total{ns=\"default\",dst=\"app-b\",code=\"500\"} 2\n"
		"# TYPE lat_ms histogram\n"
		"lat_ms_bucket{ns=\"default\",dst=\"app-b\",le=\"5\"} 0\n"
		"lat_ms_bucket{ns=\"default\",dst=\"app-b\",le=\"10\"} 10\n"
		"lat_ms_bucket{ns=\"default\",dst=\"app-b\",le=\"+Inf\"} 10\n",
		"req_total{ns=\"default\",dst=\"app-b\",code=\"200\"} 8\n"
		"req_total{ns=\"default\",dst=\"app-b\",code=\"500\"} 2\n"
		"# TYPE lat_ms histogram\n"
		"lat_ms_bucket{ns=\"default\",dst=\"app-b\",le=\"0.5\"} 10\n"
		"lat_ms_bucket{ns=\"default\",dst=\"app-b\",le=\"+Inf\"} 10\n",
	};
	char *obs = unpaired_observations(), *prof = write_temp(profile, ".yaml");
	struct run slow = { .obs = obs, .before = FIX "haproxy-before.prom", .after = FIX "haproxy-after-slowmax.prom",
			    .profile = "haproxy", .edges = { "*=default/app-b" } };
	struct metrics_result *res;
	const struct mx_edge_result *b;

	(void)state;
	res = check(&slow);
	b = edge(res, "*", "default/app-b", true);
	expect(b, "success_count", VERDICT_PASS, "8", "8");
	expect(b, "max_latency", VERDICT_INCONCLUSIVE, "9ms (before 1ms)", "[2.4ms..?]");
	metrics_result_free(res);
	for (int i = 0; i < 2; i++) {
		char *after = write_temp(expo[i], ".prom");
		struct run r = { .obs = obs, .after = after, .profile = prof, .edges = { "*=default/app-b" } };

		res = check(&r);
		b = edge(res, "*", "default/app-b", true);
		expect(b, "p50_latency", i ? VERDICT_FAIL : VERDICT_INCONCLUSIVE, i ? "~250us" : "~7.5ms", "1.5ms [1.5ms..?]");
		assert_int_equal(res->verdict, i ? VERDICT_FAIL : VERDICT_INCONCLUSIVE);
		metrics_result_free(res);
		unlink(after);
		free(after);
	}
	unlink(obs);
	unlink(prof);
	free(obs);
	free(prof);
}

/*
 * The same exchanges without request ids, tied to their requests by a
 * verifier that followed them (request_of): the client side is found again.
 * Known to the request, the bounds are those of the paired file; known to
 * the entry only, a server exchange takes the longest client exchange of
 * the entry that encloses it (a looser upper bound, never a false one).
 */
static void test_followed_pairs(void **state)
{
	static const char *const want[] = { "[2.4ms..2.7ms]", "[2.4ms..2.7ms]" };
	char *path = unpaired_observations();
	struct obs_set paired = { 0 }, bare = { 0 };

	(void)state;
	assert_int_equal(obs_read(&paired, FIX "obs-lab.jsonl"), 0);
	assert_int_equal(obs_read(&bare, path), 0);
	assert_int_equal(paired.n_ex, bare.n_ex);
	for (int any = 0; any < 2; any++) {
		uint64_t *of = calloc(2 * bare.n_ex, sizeof(*of));
		struct metrics_check_req req = {
			.obs = &bare, .profile = "haproxy", .before = FIX "haproxy-before.prom",
			.after = FIX "haproxy-after-slowmax.prom", .edges = (const char *const[]){ "*=default/app-b" },
			.nedges = 1, .mesh_pods = mesh_pod, .nmesh_pods = 1, .request_of = of,
		};
		struct metrics_result *res = NULL;
		char err[1024];

		for (size_t i = 0; i < bare.n_ex; i++) {
			const struct obs_exchange *e = &paired.ex[i];

			if (!*e->request_id)
				continue;
			of[2 * i] = 7;	/* one entry */
			of[2 * i + 1] = any && e->role == OBS_ROLE_SERVER ? MX_ANY_REQUEST : strtoull(e->request_id + 1, NULL, 10);
		}
		if (metrics_check(&req, &res, err, sizeof(err)))
			fail_msg("metrics_check: %s", err);
		expect(edge(res, "*", "default/app-b", true), "success_count", VERDICT_PASS, "8", "8");
		expect(edge(res, "*", "default/app-b", true), "max_latency", VERDICT_FAIL, "9ms (before 1ms)", want[any]);
		metrics_result_free(res);
		free(of);
	}
	obs_free(&paired);
	obs_free(&bare);
	unlink(path);
	free(path);
}

/*
 * Summaries: app-b's server side saw p45..p55 = 1.5..1.6ms, the clients
 * 1.7..1.9ms; the reported median must lie in [1.5ms, 1.9ms].
 */
static void test_summary(void **state)
{
	static const char profile[] =
		"name: summary\nside: server\ntopology: proxy\n"
		"requests:\n  metric: req_total\n  source: {any: true}\n"
		"  destination: {label: dst, namespace_label: ns, kind: pod}\n"
		"  result: {label: code, status: true}\n"
		"latency: {type: summary, metric: lat_ms, unit: ms, objectives: {0.5: 0.05}}\n";
	static const struct { const char *median; enum verdict v; const char *note; } cases[] = {
		{ "1.55", VERDICT_PASS, "a summary covers its own time span, not only this window" },
		{ "1.8", VERDICT_PASS, "in it only between the client's and the server's view, where the mesh measures" },
		{ "3", VERDICT_FAIL, "outside the observed range for the quantiles within its rank error" },
		{ "1.0", VERDICT_FAIL, "outside the observed range for the quantiles within its rank error" },
	};
	char *prof = write_temp(profile, ".yaml");

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512], *after;
		struct metrics_result *res;
		struct want w = { "p50_latency", cases[i].v, NULL, "1.5ms [1.5ms..1.9ms]", cases[i].note };

		snprintf(text, sizeof(text), "req_total{ns=\"default\",dst=\"app-b\",code=\"2xx\"} 8\n"
			 "req_total{ns=\"default\",dst=\"app-b\",code=\"5xx\"} 2\n# TYPE lat_ms summary\n"
			 "lat_ms{ns=\"default\",dst=\"app-b\",quantile=\"0.5\"} %s\n"
			 "lat_ms_count{ns=\"default\",dst=\"app-b\"} 10\n", cases[i].median);
		after = write_temp(text, ".prom");
		{
			struct run r = { .after = after, .profile = prof, .edges = { "*=default/app-b" } };

			res = check(&r);
		}
		expect_want(edge(res, "*", "default/app-b", true), &w);
		assert_int_equal(res->verdict, cases[i].v);
		metrics_result_free(res);
		unlink(after);
		free(after);
	}
	unlink(prof);
	free(prof);
}

static uint64_t brute_quantile(const uint64_t *c, size_t nc, const uint64_t *s, size_t ns, unsigned mask,
			       double q)
{
	uint64_t v[64];
	size_t n = 0;

	for (size_t i = 0; i < nc; i++)
		v[n++] = c[i];
	for (size_t i = 0; i < ns; i++)
		if (mask & (1u << i))
			v[n++] = s[i];
	u64_sort(v, n);
	return q_nearest(v, n, q);
}

/* The bounds over every subset of the straddling values, against brute force. */
static void test_quantile_bounds(void **state)
{
	static const double qs[] = { 0.01, 0.5, 0.9, 0.99, 1 };

	(void)state;
	srand(7);
	for (int round = 0; round < 300; round++) {
		uint64_t c[20], s[8];
		size_t nc = (size_t)(rand() % 20), ns = (size_t)(rand() % 8);

		if (!nc && !ns)
			continue;
		for (size_t i = 0; i < nc; i++)
			c[i] = (uint64_t)(rand() % 50);
		for (size_t i = 0; i < ns; i++)
			s[i] = (uint64_t)(rand() % 50);
		u64_sort(c, nc);
		u64_sort(s, ns);
		for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
			uint64_t lo = UINT64_MAX, hi = 0;

			for (unsigned m = 0; m < (1u << ns); m++) {
				uint64_t v;

				if (!nc && !m)
					continue;
				v = brute_quantile(c, nc, s, ns, m, qs[k]);
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
			assert_true(q_lowest(c, nc, s, ns, qs[k]) == lo);
			assert_true(q_highest(c, nc, s, ns, qs[k]) == hi);
		}
	}
	assert_int_equal(q_rank(10, 0.9), 9);
	assert_int_equal(q_rank(11, 0.5), 6);
	assert_int_equal(q_rank(3, 0), 1);
}

static void test_names_and_values(void **state)
{
	static const struct { const char *pod, *workload; } pods[] = {
		{ "web-5d9c8b7f6d-x2x7q", "web" }, { "app-b", "app-b" }, { "node-exporter-7mz4k", "node-exporter" },
		{ "db-0", "db-0" }, { "proxy", "proxy" }, { "svc-abcde", "svc-abcde" },
		{ "a-b-c-6f7d9b8c4-zz2kq", "a-b-c" },
	};
	static const struct { const char *host, *name, *ns; } hosts[] = {
		{ "app-svc:9091", "app-svc", "" }, { "app-svc.prod.svc.cluster.local:80", "app-svc", "prod" },
		{ "198.18.0.12:9091", "?", "" }, { "", "?", "" }, { "[::1]:80", "?", "" },
	};
	static const struct { const char *q; double v; int ret; } quantities[] = {
		{ "10m", 0.01, 0 }, { "100", 100, 0 }, { "1.5k", 1500, 0 }, { "250u", 0.00025, 0 }, { "1e3", 1000, 0 },
		{ "2Ki", 2048, 0 }, { "73492m", 73.492, 0 }, { "-2", -2, 0 }, { "5x", 0, -EINVAL }, { "", 0, -EINVAL },
		{ "1.2.3", 0, -EINVAL },
	};
	char buf[64];
	uint64_t ns;
	int64_t t;
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(pods) / sizeof(pods[0]); i++) {
		mx_workload_of_pod(pods[i].pod, buf, sizeof(buf));
		assert_string_equal(buf, pods[i].workload);
	}
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct mx_endpoint e;

		mx_service_of_host(hosts[i].host, &e);
		assert_string_equal(e.name, hosts[i].name);
		assert_string_equal(e.ns, hosts[i].ns);
	}
	for (size_t i = 0; i < sizeof(quantities) / sizeof(quantities[0]); i++) {
		assert_int_equal(mx_quantity_parse(quantities[i].q, &v), quantities[i].ret);
		if (!quantities[i].ret)
			assert_true(fabs(v - quantities[i].v) < 1e-12 * (fabs(v) + 1));
	}
	mx_quantity_format_nano(2700000, buf, sizeof(buf));
	assert_string_equal(buf, "2700u");
	mx_quantity_format_nano(2699999, buf, sizeof(buf));
	assert_string_equal(buf, "2699999n");
	mx_quantity_format_nano(9000000000ULL, buf, sizeof(buf));
	assert_string_equal(buf, "9");
	assert_int_equal(mx_go_duration_parse("1m30s", &ns), 0);
	assert_true(ns == 90000000000ULL);
	assert_int_equal(mx_go_duration_parse("0.1613s", &ns), 0);
	assert_true(ns == 161300000ULL);
	assert_int_equal(mx_go_duration_parse("30", &ns), -EINVAL);
	assert_int_equal(mx_rfc3339_parse("2023-11-14T22:13:20Z", &t), 0);
	assert_true(t == 1700000000000000000LL);
	assert_int_equal(mx_rfc3339_parse("2023-11-14T23:13:20.5+01:00", &t), 0);
	assert_true(t == 1700000000500000000LL);
	assert_int_equal(mx_rfc3339_parse("2023-11-14 22:13:20", &t), -EINVAL);
}

/* Reads exposition text with a shipped profile (no earlier scrape). */
static struct mx_reported *report_text(const char *profile, const char *text, const char *scrape_of)
{
	struct prom_scrape *sc = NULL;
	struct mx_reported *r = NULL;
	struct profile *p = NULL;
	struct mx_endpoint so;
	char err[512];

	if (profile_load(profile, &p, err, sizeof(err)) || prom_parse(text, strlen(text), "text", &sc, err, sizeof(err)))
		fail_msg("%s", err);
	if (scrape_of)
		assert_int_equal(mx_endpoint_parse(scrape_of, &so), 0);
	if (mx_report_from_prom(p, NULL, sc, scrape_of ? &so : NULL, NULL, &r, err, sizeof(err)))
		fail_msg("%s", err);
	profile_free(p);
	prom_scrape_free(sc);
	return r;
}

/* The ok / fail counts of edge src -> dst ("ns/name"), which must exist. */
static void expect_rep(const struct mx_reported *r, const char *src, const char *dst, double ok, double fail)
{
	struct mx_endpoint s, d;
	const struct mx_rep_edge *e;

	assert_int_equal(mx_endpoint_parse(src, &s), 0);
	assert_int_equal(mx_endpoint_parse(dst, &d), 0);
	if (!(e = mx_reported_find(r, &s, &d)))
		fail_msg("no reported edge %s -> %s", src, dst);
	if (e->ok != ok || e->fail != fail)
		fail_msg("%s -> %s: %g / %g, want %g / %g", src, dst, e->ok, e->fail, ok, fail);
}

/*
 * Forms no real sample was found of, written from the meshes' documentation
 * and their own tests: OSM's flattened names, Linkerd destinations of every
 * workload kind (Linkerd's integration test of a StatefulSet destination
 * expects dst_statefulset with dst_pod and no dst_deployment), Consul's
 * upstream tags, and cluster names the Envoy profile does not recognise.
 */
static void test_profile_forms(void **state)
{
	static const char linkerd[] =
		"response_total{direction=\"outbound\",dst_namespace=\"data\",dst_pod=\"db-0\",dst_statefulset=\"db\","
		"classification=\"success\"} 4\n"
		"response_total{direction=\"outbound\",dst_namespace=\"kube\",dst_pod=\"agent-x2x7q\","
		"dst_daemonset=\"agent\",classification=\"failure\"} 1\n"
		"response_total{direction=\"outbound\",dst_namespace=\"default\",dst_pod=\"web-5d9c8b7f6d-x2x7q\","
		"classification=\"success\"} 2\n"
		"response_total{direction=\"outbound\",dst_namespace=\"default\",dst_pod=\"solo\","
		"classification=\"success\"} 3\n"
		"response_total{direction=\"outbound\",authority=\"198.51.100.7:80\",classification=\"success\"} 5\n"
		"response_total{direction=\"inbound\",classification=\"success\"} 7\n";
	static const char envoy[] =
		"envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"2\","
		"envoy_cluster_name=\"db.default.dc1.internal.11111111-2222-3333-4444-555555555555.consul\"} 3\n"
		"envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"5\","
		"envoy_cluster_name=\"canary1.web.default.dc1.internal.11111111-2222-3333-4444-555555555555.consul\"} 1\n"
		"envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"2\",envoy_cluster_name=\"inbound|9080||\"} 8\n"
		"envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"2\",envoy_cluster_name=\"PassthroughCluster\"} 2\n"
		"envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"2\",envoy_cluster_name=\"Weird_Name\"} 6\n"
		"envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"4\",envoy_cluster_name=\"Weird_Name\"} 1\n";
	static const char consul[] =
		"envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"2\",local_cluster=\"web\","
		"consul_source_service=\"web\",consul_destination_service=\"api\",envoy_cluster_name=\"api\"} 12\n"
		"envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"2\",local_cluster=\"web\","
		"consul_source_service=\"web\",envoy_cluster_name=\"original-destination\"} 2\n"
		"envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"2\",local_cluster=\"web\","
		"consul_source_service=\"web\",envoy_cluster_name=\"local_app\"} 30\n";
	struct run flat = { .after = FIX "osm-flat-after.prom", .profile = "osm" };
	struct metrics_result *res;
	struct mx_reported *r;

	(void)state;
	/* OSM's flattened names read as its Prometheus relabels them: the same verdicts as osm-after.prom */
	res = check(&flat);
	assert_int_equal(res->verdict, VERDICT_PASS);
	expect(edge(res, "default/app_a", "default/app_b", false), "failure_count", VERDICT_PASS, "2", "2");
	expect(edge(res, "default/app_a", "default/app_b", false), "p50_latency", VERDICT_PASS, "~1.688ms", NULL);
	expect(edge(res, "default/app_a", "default/app_c", false), "success_count", VERDICT_PASS, "5", "5");
	metrics_result_free(res);

	r = report_text("linkerd", linkerd, "default/client");
	assert_int_equal(r->n, 5);
	expect_rep(r, "default/client", "data/db", 4, 0);
	expect_rep(r, "default/client", "kube/agent", 0, 1);
	expect_rep(r, "default/client", "default/web", 2, 0);	/* dst_pod alone: its workload */
	expect_rep(r, "default/client", "default/solo", 3, 0);
	expect_rep(r, "default/client", MX_OUTSIDE, 5, 0);	/* no destination labels */
	mx_reported_free(r);

	r = report_text("envoy", envoy, "default/client");
	assert_int_equal(r->n, 3);
	expect_rep(r, "default/client", "default/db", 3, 0);	/* Consul's namespace is not Kubernetes' */
	expect_rep(r, "default/client", "default/web", 0, 1);
	expect_rep(r, "default/client", MX_OUTSIDE, 2, 0);
	assert_int_equal(r->skipped, 1);			/* Istio's inbound cluster */
	assert_int_equal(r->unrec_series, 2);
	assert_int_equal(r->nunrec, 1);
	assert_string_equal(r->unrec[0].label, "envoy_cluster_name");
	assert_string_equal(r->unrec[0].value, "Weird_Name");
	assert_int_equal(r->unrec[0].nseries, 2);
	mx_reported_free(r);

	r = report_text("consul", consul, NULL);
	assert_int_equal(r->n, 2);
	expect_rep(r, "web", "api", 12, 0);
	expect_rep(r, "web", MX_OUTSIDE, 2, 0);
	assert_int_equal(r->skipped, 1);
	mx_reported_free(r);
}

/*
 * Istio names a caller without a sidecar "unknown": the server's count of
 * app-a's requests lands on an end outside the mesh. That end is never a
 * workload, and it keeps app-a -> app-b from failing: the mesh may have
 * counted them there.
 */
static void test_outside_slack(void **state)
{
	static const char expo[] =
		"istio_requests_total{reporter=\"destination\",source_workload=\"unknown\",source_workload_namespace="
		"\"unknown\",destination_workload=\"app-b\",destination_workload_namespace=\"default\","
		"response_code=\"200\"} 9\n"
		"istio_requests_total{reporter=\"destination\",source_workload=\"unknown\",source_workload_namespace="
		"\"unknown\",destination_workload=\"app-b\",destination_workload_namespace=\"default\","
		"response_code=\"500\"} 2\n";
	char *after = write_temp(expo, ".prom");
	struct run r = { .after = after, .profile = "istio", .edges = { "default/app-a=default/app-b" } };
	struct metrics_result *res = check(&r);
	const struct mx_edge_result *e = edge(res, "default/app-a", "default/app-b", true);

	(void)state;
	expect_want(e, &(struct want){ "success_count", VERDICT_INCONCLUSIVE, "-", "9", "the mesh reports nothing for this "
		"edge, but counts 9 at this end against an end it places outside itself: they may be these" });
	expect(e, "failure_count", VERDICT_INCONCLUSIVE, "-", "2");
	/* no latency family in the exposition: the mesh does not report it */
	expect(e, "p50_latency", VERDICT_PASS, "not reported", "1.5ms [1.5ms..1.8ms]");
	assert_true(e->checks[2].not_reported);
	assert_int_equal(res->nedges, 1);
	assert_true(has_note(res, "the exposition has no istio_request_duration_milliseconds: the mesh does "
			     "not report latency (checks NONE)"));
	assert_true(has_note(res, "reported against ends outside the mesh (not compared): (outside) -> "
			     "default/app-b: 9 successes, 2 failures"));
	metrics_result_free(res);
	unlink(after);
	free(after);
}

static void test_bad_requests(void **state)
{
	struct metrics_check_req req = { .observations = FIX "obs-lab.jsonl", .after = FIX "haproxy-after.prom",
					 .profile = "haproxy" };
	const char *edges[] = { "default/app-a=default/app-b" };
	struct metrics_result *res = NULL;
	char err[512];

	(void)state;
	req.edges = edges;
	req.nedges = 1;
	assert_int_equal(metrics_check(&req, &res, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "edge 'default/app-a=default/app-b': profile 'haproxy' does not tell sources "
			    "apart; use '*' there");
	edges[0] = "app-b";
	assert_int_equal(metrics_check(&req, &res, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "edge 'app-b': expected SRC=DST");
	req.nedges = 0;
	req.profile = NULL;
	assert_int_equal(metrics_check(&req, &res, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Prometheus metrics need a mapping profile");
	req.before = FIX "tm-linkerd.json";
	req.after = FIX "tm-linkerd.json";
	assert_int_equal(metrics_check(&req, &res, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "TrafficMetrics carry their own window: give only one document, without a "
			    "before scrape");
	assert_null(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_haproxy_reference_passes),
		cmocka_unit_test(test_haproxy_variants),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_histogram_buckets),
		cmocka_unit_test(test_broken_histograms),
		cmocka_unit_test(test_other_profiles),
		cmocka_unit_test(test_trafficmetrics),
		cmocka_unit_test(test_exports_check_against_themselves),
		cmocka_unit_test(test_losses),
		cmocka_unit_test(test_unpaired_bounds),
		cmocka_unit_test(test_followed_pairs),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_quantile_bounds),
		cmocka_unit_test(test_names_and_values),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_profile_forms),
		cmocka_unit_test(test_outside_slack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
