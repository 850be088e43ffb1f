/* test_metrics_profile - mapping profiles: every shipped one loads as documented; bad ones fail clearly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics/profile.h"

static struct profile *load(const char *name)
{
	struct profile *p = NULL;
	char err[512];

	if (profile_load(name, &p, err, sizeof(err)))
		fail_msg("profile %s: %s", name, err);
	return p;
}

static void test_shipped_profiles(void **state)
{
	static const struct {
		const char *name;
		bool server_side, proxy;
		const char *req_metric, *src_label, *dst_label, *result_label;
		bool src_any, status;
		enum lat_type lat;
		const char *lat_metric;
		double unit_ns;
	} cases[] = {
		{ "haproxy", true, true, "haproxy_server_http_responses_total", NULL, "server", "code",
		  true, true, LAT_MAX, "haproxy_server_max_response_time_seconds", 1e9 },
		{ "linkerd", false, false, "response_total", "deployment", "dst_deployment", "classification",
		  false, false, LAT_HISTOGRAM, "response_latency_ms", 1e6 },
		{ "istio", true, false, "istio_requests_total", "source_workload", "destination_workload",
		  "response_code", false, true, LAT_HISTOGRAM, "istio_request_duration_milliseconds", 1e6 },
		{ "osm", false, false, "osm_request_total", "source_name", "destination_name", "response_code",
		  false, true, LAT_HISTOGRAM, "osm_request_duration_ms", 1e6 },
		{ "envoy", false, false, "envoy_cluster_upstream_rq_xx", NULL, "envoy_cluster_name",
		  "envoy_response_code_class", false, true, LAT_HISTOGRAM, "envoy_cluster_upstream_rq_time", 1e6 },
		{ "smi-witness", false, false, "smiw_requests_total", "source_workload", "destination_workload",
		  "classification", false, false, LAT_HISTOGRAM, "smiw_request_duration_seconds", 1e9 },
		{ "consul", false, false, "envoy_cluster_upstream_rq_xx", "consul_source_service",
		  "consul_destination_service", "envoy_response_code_class", false, true, LAT_HISTOGRAM,
		  "envoy_cluster_upstream_rq_time", 1e6 },
		{ "linkerd-inbound", true, false, "response_total", "client_id", "deployment", "classification",
		  false, false, LAT_HISTOGRAM, "response_latency_ms", 1e6 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct profile *p = load(cases[i].name);

		assert_string_equal(p->name, cases[i].name);
		assert_int_equal(p->server_side, cases[i].server_side);
		assert_int_equal(p->standalone_proxy, cases[i].proxy);
		assert_string_equal(p->req_metric, cases[i].req_metric);
		if (cases[i].src_label)
			assert_string_equal(p->src.label, cases[i].src_label);
		else
			assert_null(p->src.label);
		assert_string_equal(p->dst.label, cases[i].dst_label);
		assert_string_equal(p->result.label, cases[i].result_label);
		assert_int_equal(p->src.any, cases[i].src_any);
		assert_int_equal(p->result.status, cases[i].status);
		assert_int_equal(p->lat.type, cases[i].lat);
		assert_string_equal(p->lat.metric, cases[i].lat_metric);
		assert_true(p->lat.unit_ns == cases[i].unit_ns);
		/* latency ends default to the request ends */
		assert_int_equal(p->lat.dst.kind, p->dst.kind);
		assert_int_equal(p->lat.src.any, p->src.any);
		profile_free(p);
	}
}

static void test_profile_details(void **state)
{
	struct profile *p;

	(void)state;
	p = load("haproxy");
	assert_false(p->outcome.no_response_failure);
	assert_int_equal(p->dst.kind, EP_POD);
	assert_int_equal(p->dst.nre, 1);
	assert_int_equal(p->req_match.n, 1);
	assert_non_null(p->req_match.res[0]);
	assert_true(p->lat.resolution == 0.001);
	assert_string_equal(p->restart_metric, "haproxy_process_start_time_seconds");
	profile_free(p);
	p = load("linkerd");
	assert_true(p->src.fallback_scrape);
	assert_int_equal(p->lat.nbuckets, 25);
	assert_true(p->lat.buckets[0] == 1 && p->lat.buckets[24] == 50000);
	assert_int_equal(p->result.nsuccess, 1);
	assert_string_equal(p->result.failure[0], "failure");
	assert_string_equal(p->req_match.values[0], "outbound");
	assert_null(p->req_match.res[0]);
	profile_free(p);
	p = load("osm");
	assert_true(p->src.underscores && p->dst.underscores);
	/* the flattened names OSM's Envoys write: the total and the three histogram parts */
	assert_int_equal(p->nrelabel, 2);
	assert_string_equal(p->relabel[1].name, "osm_request_duration_ms_${part}");
	assert_string_equal(p->src.outside[0], "unknown");
	profile_free(p);
	p = load("specs/metrics-profiles/envoy.yaml");
	assert_int_equal(p->dst.kind, EP_SERVICE);
	assert_true(p->src.fallback_scrape);
	/* Envoy's default tags first, Istio's after; Istio, Consul and plain cluster names */
	assert_int_equal(p->nreq_metrics, 2);
	assert_string_equal(p->req_metrics[1], "envoy_cluster_upstream_rq");
	assert_int_equal(p->dst.nlabels, 2);
	assert_string_equal(p->dst.labels[1], "cluster_name");
	assert_int_equal(p->result.nlabels, 2);
	assert_int_equal(p->dst.nre, 4);
	assert_int_equal(p->nskip, 2);
	assert_int_equal(p->lat.dst.nre, 4);	/* copied to the latency ends */
	profile_free(p);
	p = load("istio");
	assert_int_equal(p->src.noutside, 1);
	assert_string_equal(p->dst.outside[0], "unknown");
	profile_free(p);
	p = load("linkerd");
	/* every workload kind Linkerd labels a destination with, then the pod */
	assert_int_equal(p->dst.nlabels, 7);
	assert_string_equal(p->dst.labels[1], "dst_statefulset");
	assert_string_equal(p->dst.pod_label, "dst_pod");
	assert_true(p->dst.absent_outside);
	assert_false(p->src.absent_outside);
	profile_free(p);
	p = load("linkerd-inbound");
	assert_int_equal(p->src.kind, EP_SERVICE_ACCOUNT);
	assert_true(p->src.absent_outside);
	assert_true(p->dst.fallback_scrape);
	profile_free(p);
	p = load("consul");
	assert_true(p->dst.absent_outside);
	assert_int_equal(p->nskip, 1);
	profile_free(p);
}

static void test_bad_profiles(void **state)
{
	static const struct {
		const char *yaml;
		const char *want;
	} cases[] = {
		{ "name: x\nside: client\n", "'bad.yaml': line 1: requests: missing" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n"
		  "  destination: {label: d}\n", "'bad.yaml': line 4: requests.result: missing" },
		{ "name: x\nsides: client\n", "'bad.yaml': line 2: profile: unknown key 'sides'" },
		{ "name: x\nside: middle\n", "'bad.yaml': line 2: profile: 'side' cannot be 'middle'" },
		{ "name: x\nrequests:\n  metric: m\n  source: {any: true}\n  destination: {label: d}\n"
		  "  result: {label: c, status: true}\n",
		  "'bad.yaml': line 1: side: missing (client or server: where the mesh measures)" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {}\n  destination: {label: d}\n"
		  "  result: {label: c, status: true}\n",
		  "'bad.yaml': line 5: requests.source: needs 'label', 'pod_label', 'fallback: scrape' or 'any: true'" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true, label: s}\n"
		  "  destination: {label: d}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 5: requests.source: 'any' excludes 'label', 'pod_label' and 'fallback'" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n"
		  "  destination: {label: d, absent: maybe}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 6: requests.destination: 'absent' cannot be 'maybe'" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n"
		  "  destination: {label: [d, '']}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 6: requests.destination: list items must be non-empty strings" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  skip: [a]\n  source: {any: true}\n"
		  "  destination: {label: d}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 5: requests.skip: must be a mapping" },
		{ "name: x\nside: client\nrelabel: [{pattern: '^a(', name: b}]\nrequests:\n  metric: m\n"
		  "  source: {any: true}\n  destination: {label: d}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 3: relabel.pattern: regex: missing closing parenthesis at offset 3" },
		{ "name: x\nside: client\nrelabel: [{pattern: '^a', label: b}]\nrequests:\n  metric: m\n"
		  "  source: {any: true}\n  destination: {label: d}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 3: relabel: unknown key 'label'" },
		{ "name: x\nside: client\nrequests:\n  metric: []\n  source: {any: true}\n"
		  "  destination: {label: d}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 4: requests.metric: missing" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n"
		  "  destination: {label: d, regex: '(unclosed'}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 6: requests.destination: regex: missing closing parenthesis at offset 9" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n"
		  "  destination: {label: d, regex: '(.*)'}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 6: requests.destination: regex needs a named group (?<name>...)" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n  destination: {label: d}\n"
		  "  result: {label: c}\n",
		  "'bad.yaml': line 7: requests.result: needs 'status: true' or both success and failure values" },
		{ "name: x\nside: client\noutcome: {failure: [6xx]}\nrequests:\n  metric: m\n  source: {any: true}\n"
		  "  destination: {label: d}\n  result: {label: c, status: true}\n",
		  "'bad.yaml': line 3: outcome.failure: '6xx' is not a status code or class like 5xx" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n  destination: {label: d}\n"
		  "  result: {label: c, status: true}\nlatency:\n  type: histogram\n  metric: l\n  unit: minutes\n",
		  "'bad.yaml': line 11: latency.unit: 'minutes' is not s, ms, us or ns" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n  destination: {label: d}\n"
		  "  result: {label: c, status: true}\nlatency:\n  type: max\n  metric: l\n  unit: s\n",
		  "'bad.yaml': line 9: latency.resolution: missing (the step of the gauge, in its unit)" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n  destination: {label: d}\n"
		  "  result: {label: c, status: true}\nlatency:\n  type: summary\n  metric: l\n  unit: s\n"
		  "  objectives: {0.5: 0.7}\n",
		  "'bad.yaml': line 12: latency.objectives: 0.7 out of range [0, 0.5]" },
		{ "name: x\nside: client\nrequests:\n  metric: m\n  source: {any: true}\n  destination: {label: d}\n"
		  "  result: {label: c, status: true}\nlatency:\n  type: histogram\n  metric: l\n  unit: ms\n"
		  "  buckets: [1, 5, 2]\n",
		  "'bad.yaml': line 12: latency.buckets: bounds must increase" },
		{ "name: [x\n", "'bad.yaml': line 2: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct profile *p = NULL;
		char err[512] = "";

		if (profile_parse(cases[i].yaml, strlen(cases[i].yaml), "bad.yaml", &p, err, sizeof(err)) != -EINVAL)
			fail_msg("case %zu accepted", i);
		assert_null(p);
		if (strcmp(err, cases[i].want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, cases[i].want);
	}
}

static void test_lookup_errors(void **state)
{
	struct profile *p = NULL;
	char err[512];

	(void)state;
	assert_int_equal(profile_load("no-such-mesh", &p, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no profile named 'no-such-mesh'"));
	assert_int_equal(profile_load("../etc", &p, err, sizeof(err)), -ENOENT);
	assert_int_equal(profile_load("bad name!", &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'bad name!' is not a profile name or a .yaml path");
}

static void test_outcome_rules(void **state)
{
	static const struct {
		const char *label;
		int status;
		int ret;
	} statuses[] = {
		{ "200", 200, 0 }, { "503", 503, 0 }, { "5xx", 500, 0 }, { "2XX", 200, 0 }, { "4", 400, 0 },
		{ "other", 0, 0 }, { "0", 0, 0 }, { "", 0, 0 }, { "6", 0, -EINVAL }, { "20", 0, -EINVAL },
		{ "2x", 0, -EINVAL }, { "success", 0, -EINVAL }, { "099", 0, -EINVAL },
	};
	struct outcome_rule r = { .failure_classes = 1u << 5, .failure_codes = { 429 }, .nfailure_codes = 1,
				  .no_response_failure = true };
	bool counted;

	(void)state;
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		int st = -1;

		assert_int_equal(outcome_parse_status(statuses[i].label, &st), statuses[i].ret);
		if (!statuses[i].ret)
			assert_int_equal(st, statuses[i].status);
	}
	assert_false(outcome_is_failure(&r, 200, &counted));
	assert_true(counted);
	assert_false(outcome_is_failure(&r, 404, &counted));
	assert_true(outcome_is_failure(&r, 429, &counted));
	assert_true(outcome_is_failure(&r, 500, &counted));
	assert_true(outcome_is_failure(&r, 0, &counted));
	assert_true(counted);
	r.no_response_failure = false;
	assert_false(outcome_is_failure(&r, 0, &counted));
	assert_false(counted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_profiles),
		cmocka_unit_test(test_profile_details),
		cmocka_unit_test(test_bad_profiles),
		cmocka_unit_test(test_lookup_errors),
		cmocka_unit_test(test_outcome_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
