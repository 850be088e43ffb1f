/*
 * test_metrics_real - every mapping profile over exposition text the meshes
 * really emitted (tests/fixtures/metrics/real/, sources in each file's
 * header): the edges, counts and latency buckets each profile reads must
 * equal a table derived by hand from the fixture, and what a mesh does not
 * report must come out as not reported (NONE), never as a mismatch.
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
#include "stats/quantile.h"
#include "metrics/reported.h"

#define REAL "tests/fixtures/metrics/real/"
#define OBS "tests/fixtures/metrics/obs-lab.jsonl"

/* One edge as read from a fixture. Latency: samples and the bucket (lo, hi] of p50, p90, p99, in the metric's unit. */
struct want_edge {
	const char *src, *dst;
	double ok, fail;
	double lat_n;
	double q[3][2];
};

struct want {
	const char *fixture, *profile, *scrape_of;
	const char *metric;			/* the request metric read; NULL: none */
	enum mx_presence requests, latency;	/* latency -1: not asserted (the excerpt leaves the histograms out) */
	size_t skipped, unnamed, unrec;
	struct want_edge edges[4];
};

static struct prom_scrape *scrape(const char *path)
{
	struct prom_scrape *sc = NULL;
	char err[512], *text;
	uint64_t mono;
	size_t len;

	if (fetch_document(path, &text, &len, &mono, err, sizeof(err)) ||
	    prom_parse(text, len, path, &sc, err, sizeof(err)))
		fail_msg("%s", err);
	free(text);
	return sc;
}

static struct mx_reported *read_fixture(const char *fixture, const char *profile, const char *scrape_of)
{
	struct mx_endpoint so;
	struct mx_reported *r = NULL;
	struct prom_scrape *sc = scrape(fixture);
	struct profile *p = NULL;
	char err[512];

	if (profile_load(profile, &p, err, sizeof(err)))
		fail_msg("profile %s: %s", profile, err);
	if (scrape_of)
		assert_int_equal(mx_endpoint_parse(scrape_of, &so), 0);
	if (mx_report_from_prom(p, NULL, sc, scrape_of ? &so : NULL, NULL, &r, err, sizeof(err)))
		fail_msg("%s: %s", fixture, err);
	profile_free(p);
	prom_scrape_free(sc);
	return r;
}

/* The bucket (lo, hi] holding the nearest rank of q among the edge's latency samples. */
static void bucket_of(const struct mx_rep_edge *e, double q, double *lo, double *hi)
{
	size_t r = q_rank((size_t)llround(e->lat_count), q), b;

	for (b = 0; b + 1 < e->nbuckets && e->buckets[b].count < (double)r; b++)
		;
	*lo = b ? e->buckets[b - 1].le : 0;
	*hi = e->buckets[b].le;
}

static void expect_edge(const char *fixture, const struct mx_reported *r, const struct want_edge *w)
{
	static const double qs[3] = { 0.5, 0.9, 0.99 };
	struct mx_endpoint s, d;
	const struct mx_rep_edge *e;

	assert_int_equal(mx_endpoint_parse(w->src, &s), 0);
	assert_int_equal(mx_endpoint_parse(w->dst, &d), 0);
	if (!(e = mx_reported_find(r, &s, &d)))
		fail_msg("%s: no edge %s -> %s", fixture, w->src, w->dst);
	if (e->ok != w->ok || e->fail != w->fail || e->lat_count != w->lat_n || e->lat_problem[0])
		fail_msg("%s: %s -> %s: ok %g fail %g latency %g (%s); want %g %g %g", fixture, w->src, w->dst,
			 e->ok, e->fail, e->lat_count, e->lat_problem, w->ok, w->fail, w->lat_n);
	for (int i = 0; w->lat_n > 0 && i < 3; i++) {
		double lo, hi;

		bucket_of(e, qs[i], &lo, &hi);
		if (lo != w->q[i][0] || hi != w->q[i][1])
			fail_msg("%s: %s -> %s: p%g in (%g, %g], want (%g, %g]", fixture, w->src, w->dst, qs[i] * 100,
				 lo, hi, w->q[i][0], w->q[i][1]);
	}
}

#define INF INFINITY
#define NOT_ASSERTED ((enum mx_presence)-1)

/*
 * The tables. Latency buckets are those the nearest rank falls in after the
 * series of an edge are summed (Istio's and Envoy's bounds: 0.5, 1, 5, 10,
 * 25, 50, 100, 250, 500, ... ms; Linkerd's: 1, 2, 3, 4, 5, 10, 20, 30, 40,
 * 50, 100, 200, ... ms).
 */
static const struct want tables[] = {
	/*
	 * Istio 1.7.1, server's count: 6 requests from the ingress gateway
	 * (ranks 3, 6, 6 of 6 in (25,50], (250,500], (250,500]); callers
	 * without a sidecar are "unknown": 2 + 5 (503) from outside, whose
	 * 5 + 2 durations put ranks 4, 7, 7 in (0,0.5], (10,25], (10,25].
	 * The reporter="source" series are the client's count, not read.
	 */
	{ REAL "istio/1.7.1-productpage-sidecar.prom", "istio", NULL, "istio_requests_total",
	  MX_PRESENT, MX_PRESENT, 0, 0, 0, {
		{ "istio-system/istio-ingressgateway", "default/productpage-v1", 6, 0, 6,
		  { { 25, 50 }, { 250, 500 }, { 250, 500 } } },
		{ MX_OUTSIDE, "default/productpage-v1", 2, 5, 7, { { 0, 0.5 }, { 10, 25 }, { 10, 25 } } } } },
	/*
	 * The same sidecar through its Envoy statistics: Istio keeps cluster
	 * counters only for its control plane (xds-grpc), which is the
	 * proxy's own, and no request-time histogram at all.
	 */
	{ REAL "istio/1.7.1-productpage-sidecar.prom", "envoy", "default/productpage-v1", "envoy_cluster_upstream_rq",
	  MX_UNMATCHED, MX_ABSENT, 2, 0, 0, { { 0 } } },
	/* Plain Envoy, default tags: one 2xx to each cluster, 50-100 ms each; short names in the caller's namespace. */
	{ REAL "envoy/default-tags-front-proxy.prom", "envoy", "sandbox/front-envoy", "envoy_cluster_upstream_rq_xx",
	  MX_PRESENT, MX_PRESENT, 0, 0, 0, {
		{ "sandbox/front-envoy", "sandbox/service1", 1, 0, 1, { { 50, 100 }, { 50, 100 }, { 50, 100 } } },
		{ "sandbox/front-envoy", "sandbox/service2", 1, 0, 1, { { 50, 100 }, { 50, 100 }, { 50, 100 } } } } },
	/* Consul's Envoy with no upstream: its two clusters with requests are its own. */
	{ REAL "consul/dataplane-2023-mynginx.prom", "consul", NULL, "envoy_cluster_upstream_rq_xx",
	  MX_UNMATCHED, NOT_ASSERTED, 2, 0, 0, { { 0 } } },
	{ REAL "consul/dataplane-2023-mynginx.prom", "envoy", "default/mynginx", "envoy_cluster_upstream_rq_xx",
	  MX_UNMATCHED, NOT_ASSERTED, 2, 0, 0, { { 0 } } },
	/*
	 * Linkerd, outbound: 16275 successes to the linkerd-prometheus
	 * Deployment (ranks 8138, 14648, 16113 in (20,30], (40,50], (50,100]);
	 * 6 calls without an authority have no destination labels: outside.
	 */
	{ REAL "linkerd/2.x-control-plane-proxy.prom", "linkerd", "linkerd/scraped-proxy", "response_total",
	  MX_PRESENT, MX_PRESENT, 0, 0, 0, {
		{ "linkerd/scraped-proxy", "linkerd/linkerd-prometheus", 16275, 0, 16275,
		  { { 20, 30 }, { 40, 50 }, { 50, 100 } } },
		{ "linkerd/scraped-proxy", MX_OUTSIDE, 6, 0, 0, { { 0 } } } } },
	/*
	 * Linkerd, inbound by identity: 582 from linkerd-web's service account,
	 * whose latency also has the 4 gRPC calls not yet counted as
	 * responses (586: ranks 293, 528, 581 in (50,100], (50,100],
	 * (100,200]); linkerd-grafana has 3 such calls and no response yet;
	 * 851 without mTLS identity come from outside.
	 */
	{ REAL "linkerd/2.x-control-plane-proxy.prom", "linkerd-inbound", "linkerd/scraped-proxy", "response_total",
	  MX_PRESENT, MX_PRESENT, 0, 0, 0, {
		{ "linkerd/linkerd-web", "linkerd/scraped-proxy", 582, 0, 586, { { 50, 100 }, { 50, 100 }, { 100, 200 } } },
		{ "linkerd/linkerd-grafana", "linkerd/scraped-proxy", 0, 0, 3, { { 2, 3 }, { 2, 3 }, { 2, 3 } } },
		{ MX_OUTSIDE, "linkerd/scraped-proxy", 851, 0, 0, { { 0 } } } } },
	/* HAProxy 2.3.10 with frontend and backend families only: no server counters, no server maximum. */
	{ REAL "haproxy/2.3.10-frontend-backend.prom", "haproxy", NULL, NULL, MX_ABSENT, MX_ABSENT, 0, 0, 0,
	  { { 0 } } },
};

static void test_tables(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		const struct want *w = &tables[i];
		struct mx_reported *r = read_fixture(w->fixture, w->profile, w->scrape_of);
		size_t n = 0;

		while (n < 4 && w->edges[n].src)
			n++;
		if (r->n != n || r->requests != w->requests || r->skipped != w->skipped || r->unnamed != w->unnamed ||
		    r->unrec_series != w->unrec || (w->latency != NOT_ASSERTED && r->latency != w->latency))
			fail_msg("%s with %s: %zu edges, requests %d, latency %d, skipped %zu, unnamed %zu, "
				 "unrecognised %zu", w->fixture, w->profile, r->n, r->requests, r->latency, r->skipped,
				 r->unnamed, r->unrec_series);
		assert_string_equal(r->req_metric, w->metric ? w->metric : "");
		for (size_t j = 0; j < n; j++)
			expect_edge(w->fixture, r, &w->edges[j]);
		mx_reported_free(r);
	}
}

/*
 * OSM: a series as OSM's Prometheus stores it, from a bug report that
 * gives its labels but not its value (the value 1 below is ours, so only
 * the names are asserted): the source OSM could not name is "unknown",
 * outside the mesh; the 503 is a failure to the bookstore Deployment.
 */
static void test_osm_series(void **state)
{
	char *text, *expo, err[512], path[] = "/tmp/smiw-test-osm-XXXXXX";
	const struct mx_rep_edge *e;
	struct mx_reported *r;
	uint64_t mono;
	size_t len;
	int fd;

	(void)state;
	assert_int_equal(fetch_document(REAL "osm/v0.x-issue-4254-series.txt", &text, &len, &mono, err, sizeof(err)),
			 0);
	assert_true(asprintf(&expo, "%.*s 1\n", (int)strcspn(strstr(text, "osm_request_total{"), "\n"),
			     strstr(text, "osm_request_total{")) > 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, expo, strlen(expo)) == (ssize_t)strlen(expo));
	close(fd);
	r = read_fixture(path, "osm", NULL);
	unlink(path);
	assert_int_equal(r->n, 1);
	e = &r->edges[0];
	assert_string_equal(e->src.name, MX_OUTSIDE);
	assert_string_equal(e->dst.ns, "sim_run_ec184916_65fc_4a82_afbb_c43f009a801a_bookstore");
	assert_string_equal(e->dst.name, "bookstore");
	assert_true(e->fail == 1 && e->ok == 0);
	mx_reported_free(r);
	free(expo);
	free(text);
}

/* SMI TrafficMetrics from smi-metrics: items without `side`. */
static void test_trafficmetrics(void **state)
{
	static const struct {
		const char *file, *src, *dst;
		bool server_side;
		double success, failure, p50_ns, p90_ns, p99_ns;
	} items[] = {
		/* a resource alone, "from" every caller: read inbound, at the resource */
		{ "smi-metrics-linkerd-2019-06-resource.json", "*", "linkerd/linkerd-web", true, 73.492, 0,
		  162500000, 268750000, 296875000 },
		/* edges: read from the client's outbound series, whichever the direction */
		{ "smi-metrics-linkerd-2019-06-edges.json", "linkerd/linkerd-web", "linkerd/linkerd-controller", false,
		  28.58, 0, 150000000, 240000000, 294000000 },
		{ "smi-metrics-linkerd-2019-06-edges.json", "linkerd/linkerd-controller", "linkerd/linkerd-prometheus",
		  false, 1008.1, 0, 120731000, 247199000, 368000000 },
	};
	char err[512], path[160], s[400], d[400];

	(void)state;
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		struct mx_tm_item *it = NULL;
		json_error_t jerr;
		json_t *doc;
		size_t n;
		bool found = false;

		snprintf(path, sizeof(path), REAL "trafficmetrics/%s", items[i].file);
		doc = json_load_file(path, 0, &jerr);
		assert_non_null(doc);
		assert_int_equal(mx_tm_decode(doc, path, &it, &n, err, sizeof(err)), 0);
		for (size_t j = 0; j < n; j++) {
			if (strcmp(mx_endpoint_str(&it[j].src, s, sizeof(s)), items[i].src) ||
			    strcmp(mx_endpoint_str(&it[j].dst, d, sizeof(d)), items[i].dst))
				continue;
			found = true;
			assert_int_equal(it[j].server_side, items[i].server_side);
			assert_true(fabs(it[j].success - items[i].success) < 1e-9);
			assert_true(it[j].failure == items[i].failure);
			assert_true(it[j].q_ns[0] == items[i].p50_ns && it[j].q_ns[1] == items[i].p90_ns &&
				    it[j].q_ns[2] == items[i].p99_ns);
		}
		if (!found)
			fail_msg("%s: no item %s -> %s", path, items[i].src, items[i].dst);
		free(it);
		json_decref(doc);
	}
}

/* One check of a result edge by name. */
static const struct mx_check *find_check(const struct mx_edge_result *e, const char *name)
{
	for (int i = 0; i < e->nchecks; i++)
		if (!strcmp(e->checks[i].name, name))
			return &e->checks[i];
	fail_msg("no check %s", name);
	return NULL;
}

/*
 * What a mesh does not report is NONE, not a mismatch: the HAProxy exporter
 * without server counters, and an Istio sidecar's Envoy statistics read
 * with the Envoy profile, against traffic that was observed.
 */
static void test_not_reported(void **state)
{
	static const struct {
		const char *after, *profile, *scrape_of, *edge;
		const char *checks[5];
		const char *note;
	} cases[] = {
		{ REAL "haproxy/2.3.10-frontend-backend.prom", "haproxy", NULL, "*=default/app-b",
		  { "success_count", "failure_count", "max_latency" },
		  "the exposition has no haproxy_server_http_responses_total: the mesh does not report requests as "
		  "this profile reads them (checks NONE)" },
		{ REAL "istio/1.7.1-productpage-sidecar.prom", "envoy", "default/app-a", "default/app-a=default/app-svc",
		  { "success_count", "failure_count", "p50_latency", "p90_latency", "p99_latency" },
		  "envoy_cluster_upstream_rq has no series this profile reads (none selected by its match, or only "
		  "the proxy's own): the mesh does not report these requests (checks NONE)" },
	};
	char err[512], summary[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *edges[] = { cases[i].edge };
		struct metrics_check_req req = { .observations = OBS, .after = cases[i].after, .profile = cases[i].profile,
						 .edges = edges, .nedges = 1, .scrape_of = cases[i].scrape_of };
		struct metrics_result *res = NULL;
		bool noted = false;

		if (metrics_check(&req, &res, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(res->nedges, 1);
		for (int j = 0; j < 5 && cases[i].checks[j]; j++) {
			const struct mx_check *c = find_check(&res->edges[0], cases[i].checks[j]);

			assert_true(c->not_reported);
			assert_string_equal(c->reported, "not reported");
		}
		assert_int_equal(res->edges[0].verdict, VERDICT_INCONCLUSIVE);
		assert_int_equal(res->verdict, VERDICT_INCONCLUSIVE);
		for (size_t j = 0; j < res->nnotes; j++)
			noted |= !strcmp(res->notes[j], cases[i].note);
		if (!noted)
			fail_msg("%s: no note '%s'", cases[i].after, cases[i].note);
		metrics_result_summary(res, summary, sizeof(summary));
		assert_non_null(strstr(summary, "the mesh reports none of the metrics this profile reads"));
		metrics_result_free(res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_osm_series),
		cmocka_unit_test(test_trafficmetrics),
		cmocka_unit_test(test_not_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
