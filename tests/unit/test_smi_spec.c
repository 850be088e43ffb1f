/*
 * test_smi_spec - every complete SMI object in the YAML examples of the SMI
 * documents (tests/fixtures/smi/spec/, extracted unchanged) loads and
 * normalises to the expected values, or fails with the exact problem where
 * the document's own example is malformed.
 *
 * Most examples have no apiVersion: each row loads them as the versions of
 * the document they come from, plus the specs version it says it is
 * "compatible with". Objects are compared as "Kind ns/name: summary", where
 * the summary shows the normalised fields (shares, methods, regexes, rules).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "smitest.h"

#define A1 "access=v1alpha1,specs=v1alpha1"
#define A2 "access=v1alpha2,specs=v1alpha3"
#define A3 "access=v1alpha3,specs=v1alpha4"
#define A4 "access=v1alpha4,specs=v1alpha4"
/* The objects of access-v1alpha4-bindings.yaml, written for these tests. */
#define BINDINGS \
	"IdentityBinding default/service-a: serviceAccount service-a\n" \
	"IdentityBinding default/prometheus: serviceAccount prometheus; spiffe cluster.local/ns/monitoring/sa/prometheus\n" \
	"IdentityBinding default/api-service: serviceAccount api-service\n" \
	"IdentityBinding default/website-service: serviceAccount website-service\n" \
	"IdentityBinding default/payments-service: pods app=payments\n" \
	"IdentityBinding default/server: serviceAccount server\n" \
	"IdentityBinding default/client: serviceAccount client"
#define S3 "split=v1alpha3,specs=v1alpha3"
#define S4 "split=v1alpha4,specs=v1alpha4"

static const struct {
	const char *files, *assume, *objects, *problems;
} cases[] = {
	/* traffic-access v1alpha1 */
	{ "spec/access-v1alpha1-01-the-routes.yaml", A1,
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; everything: * .*", "" },
	{ "spec/access-v1alpha1-01-the-routes.yaml spec/access-v1alpha1-02-path-specific.yaml", A1,
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; everything: * .*\n"
	  "TrafficTarget default/path-specific: ServiceAccount default/prometheus -> ServiceAccount default/service-a:8080 via HTTPRouteGroup the-routes[metrics]", "" },
	{ "spec/access-v1alpha1-02-path-specific.yaml", A1, "",
	  "E 13 specs[0].name: HTTPRouteGroup 'the-routes' not found in namespace 'default'" },
	{ "spec/access-v1alpha1-03-api-service-routes.yaml", A1,
	  "HTTPRouteGroup default/api-service-routes: api: * /api; metrics: GET /metrics\n"
	  "TrafficTarget default/api-service-metrics: ServiceAccount default/prometheus -> ServiceAccount default/api-service via HTTPRouteGroup api-service-routes[metrics]\n"
	  "TrafficTarget default/api-service-api: ServiceAccount default/website-service, ServiceAccount default/payments-service -> ServiceAccount default/api-service:8080 via HTTPRouteGroup api-service-routes[api]",
	  "W 18 destination.port: not set: all ports (the v1alpha1 CRD schema requires it)" },
	/* traffic-access v1alpha2 */
	{ "spec/access-v1alpha2-01-the-routes.yaml spec/access-v1alpha2-02-path-specific.yaml", A2,
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; everything: * .*\n"
	  "TrafficTarget default/path-specific: ServiceAccount default/prometheus -> ServiceAccount default/service-a:8080 via HTTPRouteGroup the-routes[metrics]", "" },
	{ "spec/access-v1alpha2-03-api-service-routes.yaml", A2,
	  "HTTPRouteGroup default/api-service-routes: api: * /api; metrics: GET /metrics\n"
	  "TrafficTarget default/api-service-metrics: ServiceAccount default/prometheus -> ServiceAccount default/api-service via HTTPRouteGroup api-service-routes[metrics]\n"
	  "TrafficTarget default/api-service-api: ServiceAccount default/website-service, ServiceAccount default/payments-service -> ServiceAccount default/api-service:8080 via HTTPRouteGroup api-service-routes[api]", "" },
	/* traffic-access v1alpha3 */
	{ "spec/access-v1alpha3-01-the-routes.yaml spec/access-v1alpha3-02-path-specific.yaml", A3,
	  "TCPRoute default/the-routes: ports 8080\n"
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; everything: * .*\n"
	  "TrafficTarget default/path-specific: ServiceAccount default/prometheus -> ServiceAccount default/service-a via TCPRoute the-routes, HTTPRouteGroup the-routes[metrics]", "" },
	{ "spec/access-v1alpha3-03-api-service-port.yaml", A3,
	  "TCPRoute default/api-service-port: ports 8080\n"
	  "HTTPRouteGroup default/api-service-routes: api: * /api; metrics: GET /metrics\n"
	  "TrafficTarget default/api-service-metrics: ServiceAccount default/prometheus -> ServiceAccount default/api-service via TCPRoute api-service-port, HTTPRouteGroup api-service-routes[metrics]\n"
	  "TrafficTarget default/api-service-api: ServiceAccount default/website-service, ServiceAccount default/payments-service -> ServiceAccount default/api-service via TCPRoute api-service-port, HTTPRouteGroup api-service-routes[api]", "" },
	{ "spec/access-v1alpha3-04-tcp-ports.yaml", A3,
	  "TCPRoute default/tcp-ports: ports 8301,8302,8300\n"
	  "UDPRoute default/udp-ports: ports 8301,8302\n"
	  "TrafficTarget default/protocal-specific: ServiceAccount default/client -> ServiceAccount default/server via TCPRoute tcp-ports, UDPRoute udp-ports", "" },
	/* traffic-access v1alpha4: its only IdentityBinding names two exclusive schemes */
	{ "spec/access-v1alpha4-01-service-a.yaml", A4, "",
	  "E 8 spec.schemes: podLabelSelector and serviceAccount are mutually exclusive" },
	{ "spec/access-v1alpha4-02-the-routes.yaml spec/access-v1alpha4-03-path-specific.yaml access-v1alpha4-bindings.yaml", A4,
	  "TCPRoute default/the-routes: ports 8080\n"
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; everything: * .*\n"
	  "TrafficTarget default/path-specific: IdentityBinding default/prometheus -> IdentityBinding default/service-a via TCPRoute the-routes, HTTPRouteGroup the-routes[metrics]\n"
	BINDINGS, "" },
	{ "spec/access-v1alpha4-04-api-service-port.yaml access-v1alpha4-bindings.yaml", A4,
	  "TCPRoute default/api-service-port: ports 8080\n"
	  "HTTPRouteGroup default/api-service-routes: api: * /api; metrics: GET /metrics\n"
	  "TrafficTarget default/api-service-metrics: IdentityBinding default/prometheus -> IdentityBinding default/api-service via TCPRoute api-service-port, HTTPRouteGroup api-service-routes[metrics]\n"
	  "TrafficTarget default/api-service-api: IdentityBinding default/website-service, IdentityBinding default/payments-service -> IdentityBinding default/api-service via TCPRoute api-service-port, HTTPRouteGroup api-service-routes[api]\n"
	BINDINGS, "" },
	{ "spec/access-v1alpha4-05-tcp-ports.yaml access-v1alpha4-bindings.yaml", A4,
	  "TCPRoute default/tcp-ports: ports 8301,8302,8300\n"
	  "UDPRoute default/udp-ports: ports 8301,8302\n"
	  "TrafficTarget default/protocal-specific: IdentityBinding default/client -> IdentityBinding default/server via TCPRoute tcp-ports, UDPRoute udp-ports\n"
	BINDINGS, "" },
	{ "spec/access-v1alpha4-01-service-a.yaml spec/access-v1alpha4-02-the-routes.yaml spec/access-v1alpha4-03-path-specific.yaml", A4,
	  "TCPRoute default/the-routes: ports 8080\n"
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; everything: * .*",
	  "E 8 spec.schemes: podLabelSelector and serviceAccount are mutually exclusive\n"
	  "E 9 spec.destination: IdentityBinding 'default/service-a' is invalid (see its errors)\n"
	  "E 21 spec.sources[0]: IdentityBinding 'prometheus' not found in namespace 'default'" },
	/* traffic-specs */
	{ "spec/specs-v1alpha1-01-the-routes.yaml", "specs=v1alpha1",
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; health: * /ping", "" },
	{ "spec/specs-v1alpha1-02-the-routes.yaml", "specs=v1alpha1", "",
	  "E 2 apiVersion: unknown apiVersion 'v1alpha1' for HTTPRouteGroup (expected specs.smi-spec.io/v1alphaN)" },
	{ "spec/specs-v1alpha1-03-tcp-route.yaml", "specs=v1alpha1", "TCPRoute default/tcp-route: all ports", "" },
	{ "spec/specs-v1alpha2-01-the-routes.yaml", "specs=v1alpha2",
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; health: * /ping", "" },
	{ "spec/specs-v1alpha2-02-the-routes.yaml", "specs=v1alpha2", "HTTPRouteGroup default/the-routes: everything: * .*", "" },
	{ "spec/specs-v1alpha2-03-the-routes.yaml", "specs=v1alpha2",
	  "HTTPRouteGroup default/the-routes: android-insiders: * (any path) user-agent~.*Android.* cookie~^(.*?;)?(type=insider)(;.*)?$", "" },
	{ "spec/specs-v1alpha2-04-the-routes.yaml", "specs=v1alpha2",
	  "HTTPRouteGroup default/the-routes: android-insiders: * (any path) user-agent~.*Android.* cookie~^(.*?;)?(type=insider)(;.*)?$; firefox-users: * (any path) user-agent~.*Firefox.*", "" },
	{ "spec/specs-v1alpha2-05-the-routes.yaml", "specs=v1alpha2",
	  "HTTPRouteGroup default/the-routes: iphone-users: GET,HEAD /api/.* user-agent~.*iPhone.*", "" },
	{ "spec/specs-v1alpha2-06-tcp-route.yaml", "specs=v1alpha2", "TCPRoute default/tcp-route: all ports", "" },
	{ "spec/specs-v1alpha3-01-the-routes.yaml", "specs=v1alpha3",
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; health: * /ping", "" },
	{ "spec/specs-v1alpha3-02-the-routes.yaml", "specs=v1alpha3", "HTTPRouteGroup default/the-routes: everything: * .*", "" },
	{ "spec/specs-v1alpha3-03-the-routes.yaml", "specs=v1alpha3",
	  "HTTPRouteGroup default/the-routes: android-insiders: * (any path) user-agent~.*Android.* cookie~^(.*?;)?(type=insider)(;.*)?$", "" },
	{ "spec/specs-v1alpha3-04-the-routes.yaml", "specs=v1alpha3",
	  "HTTPRouteGroup default/the-routes: android-insiders: * (any path) user-agent~.*Android.* cookie~^(.*?;)?(type=insider)(;.*)?$; firefox-users: * (any path) user-agent~.*Firefox.*", "" },
	{ "spec/specs-v1alpha3-05-the-routes.yaml", "specs=v1alpha3",
	  "HTTPRouteGroup default/the-routes: iphone-users: GET,HEAD /api/.* user-agent~.*iPhone.*", "" },
	{ "spec/specs-v1alpha3-06-tcp-route.yaml", "specs=v1alpha3", "TCPRoute default/tcp-route: all ports", "" },
	{ "spec/specs-v1alpha4-01-the-routes.yaml", "specs=v1alpha4",
	  "HTTPRouteGroup default/the-routes: metrics: GET /metrics; health: * /ping", "" },
	{ "spec/specs-v1alpha4-02-the-routes.yaml", "specs=v1alpha4", "HTTPRouteGroup default/the-routes: everything: * .*", "" },
	{ "spec/specs-v1alpha4-03-the-routes.yaml", "specs=v1alpha4",
	  "HTTPRouteGroup default/the-routes: android-insiders: * (any path) user-agent~.*Android.* cookie~^(.*?;)?(type=insider)(;.*)?$", "" },
	{ "spec/specs-v1alpha4-04-the-routes.yaml", "specs=v1alpha4",
	  "HTTPRouteGroup default/the-routes: android-insiders: * (any path) user-agent~.*Android.* cookie~^(.*?;)?(type=insider)(;.*)?$; firefox-users: * (any path) user-agent~.*Firefox.*", "" },
	{ "spec/specs-v1alpha4-05-the-routes.yaml", "specs=v1alpha4",
	  "HTTPRouteGroup default/the-routes: iphone-users: GET,HEAD /api/.* user-agent~.*iPhone.*", "" },
	{ "spec/specs-v1alpha4-06-the-routes.yaml", "specs=v1alpha4", "TCPRoute default/the-routes: ports 3306,6446", "" },
	{ "spec/specs-v1alpha4-07-the-routes.yaml", "specs=v1alpha4", "TCPRoute default/the-routes: all ports", "" },
	{ "spec/specs-v1alpha4-08-the-routes.yaml", "specs=v1alpha4", "UDPRoute default/the-routes: ports 989,990", "" },
	{ "spec/specs-v1alpha4-09-the-routes.yaml", "specs=v1alpha4", "UDPRoute default/the-routes: all ports", "" },
	/* traffic-split v1alpha1: quantities */
	{ "spec/split-v1alpha1-01-my-weights.yaml", "split=v1alpha1",
	  "TrafficSplit default/my-weights: numbers -> one 0.6%, two 6.2%, three 93.2%", "" },
	{ "spec/split-v1alpha1-02-foobar-rollout.yaml", "split=v1alpha1",
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v1 100.0%, foobar-v2 0.0%", "" },
	{ "spec/split-v1alpha1-03-foobar-rollout.yaml", "split=v1alpha1",
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v1 66.7%, foobar-v2 33.3%", "" },
	{ "spec/split-v1alpha1-04-foobar-rollout.yaml", "split=v1alpha1",
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v2 100.0%", "" },
	{ "spec/split-v1alpha1-05-my-split.yaml", "split=v1alpha1",
	  "TrafficSplit default/my-split: foobar -> foobar-next 10.0%, foobar 90.0%",
	  "W 12 spec.backends[1].service: the apex service is also a backend (the spec says TrafficSplits cannot be self-referential)" },
	{ "spec/split-v1alpha1-06-my-canary.yaml", "split=v1alpha1",
	  "TrafficSplit default/my-canary: web -> web-next 10.0%, web-current 90.0%", "" },
	/* traffic-split v1alpha2..v1alpha4: integers */
	{ "spec/split-v1alpha2-01-my-trafficsplit.yaml", "split=v1alpha2",
	  "TrafficSplit default/my-trafficsplit: my-website -> my-website-v1 50.0%, my-website-v2 50.0%", "" },
	{ "spec/split-v1alpha2-02-foobar-rollout.yaml", "split=v1alpha2",
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v1 100.0%, foobar-v2 0.0%", "" },
	{ "spec/split-v1alpha2-03-foobar-rollout.yaml", "split=v1alpha2",
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v1 66.7%, foobar-v2 33.3%", "" },
	{ "spec/split-v1alpha2-04-foobar-rollout.yaml", "split=v1alpha2",
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v2 100.0%", "" },
	{ "spec/split-v1alpha2-05-my-split.yaml", "split=v1alpha2",
	  "TrafficSplit default/my-split: foobar -> foobar-next 10.0%, foobar 90.0%",
	  "W 12 spec.backends[1].service: the apex service is also a backend (the spec says TrafficSplits cannot be self-referential)" },
	{ "spec/split-v1alpha2-06-my-canary.yaml", "split=v1alpha2",
	  "TrafficSplit default/my-canary: web -> web-next 10.0%, web-current 90.0%", "" },
	{ "spec/split-v1alpha3-01-canary.yaml", S3,
	  "TrafficSplit default/canary: website -> website-v1 90.0%, website-v2 10.0%", "" },
	/* The A/B example writes its HTTPRouteGroup in the v1alpha2 shape (matches outside spec). */
	{ "spec/split-v1alpha3-02-ab-test.yaml", S3, "",
	  "E 8 spec.matches[0].name: HTTPRouteGroup 'default/ab-test' is invalid (see its errors)\n"
	  "E 16 spec: required field missing\n"
	  "W 19 matches: field not defined in specs.smi-spec.io/v1alpha3 HTTPRouteGroup; Kubernetes drops it (in this version it belongs under spec)" },
	{ "spec/split-v1alpha3-02-ab-test.yaml", "split=v1alpha3,specs=v1alpha2",
	  "TrafficSplit default/ab-test: website -> website-v1 0.0%, website-v2 100.0% when HTTPRouteGroup ab-test\n"
	  "HTTPRouteGroup default/ab-test: firefox-users: * (any path) user-agent~.*Firefox.*", "" },
	{ "spec/split-v1alpha3-03-foobar-rollout.yaml", S3,
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v1 100.0%, foobar-v2 0.0%", "" },
	{ "spec/split-v1alpha3-04-foobar-rollout.yaml", S3,
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v1 66.7%, foobar-v2 33.3%", "" },
	{ "spec/split-v1alpha3-05-foobar-rollout.yaml", S3,
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v2 100.0%", "" },
	{ "spec/split-v1alpha3-06-my-split.yaml", S3,
	  "TrafficSplit default/my-split: foobar -> foobar-next 10.0%, foobar 90.0%",
	  "W 11 spec.backends[1].service: the apex service is also a backend (the spec says TrafficSplits cannot be self-referential)" },
	{ "spec/split-v1alpha3-07-my-canary.yaml", S3,
	  "TrafficSplit default/my-canary: web -> web-next 10.0%, web-current 90.0%", "" },
	{ "spec/split-v1alpha4-01-canary.yaml", S4,
	  "TrafficSplit default/canary: website -> website-v1 90.0%, website-v2 10.0%", "" },
	{ "spec/split-v1alpha4-02-ab-test.yaml", S4, "",
	  "E 8 spec.matches[0].name: HTTPRouteGroup 'default/ab-test' is invalid (see its errors)\n"
	  "E 16 spec: required field missing\n"
	  "W 19 matches: field not defined in specs.smi-spec.io/v1alpha4 HTTPRouteGroup; Kubernetes drops it (in this version it belongs under spec)" },
	{ "spec/split-v1alpha4-03-foobar-rollout.yaml", S4,
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v1 100.0%, foobar-v2 0.0%", "" },
	{ "spec/split-v1alpha4-04-foobar-rollout.yaml", S4,
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v1 66.7%, foobar-v2 33.3%", "" },
	{ "spec/split-v1alpha4-05-foobar-rollout.yaml", S4,
	  "TrafficSplit default/foobar-rollout: foobar -> foobar-v2 100.0%", "" },
	{ "spec/split-v1alpha4-06-my-split.yaml", S4,
	  "TrafficSplit default/my-split: foobar -> foobar-next 10.0%, foobar 90.0%",
	  "W 11 spec.backends[1].service: the apex service is also a backend (the spec says TrafficSplits cannot be self-referential)" },
	{ "spec/split-v1alpha4-07-my-canary.yaml", S4,
	  "TrafficSplit default/my-canary: web -> web-next 10.0%, web-current 90.0%", "" },
	/* traffic-metrics */
	{ "spec/metrics-v1alpha1-01-foo-775b9cbd88-ntxsl.yaml", "metrics=v1alpha1",
	  "TrafficMetrics foobar/foo-775b9cbd88-ntxsl: Pod foo-775b9cbd88-ntxsl to baz-577db7d977-lsk2q (client side): p99_response_latency=10m, p90_response_latency=10m, p50_response_latency=10m, success_count=100, failure_count=100", "" },
	{ "spec/metrics-v1alpha1-02-list-by-kind.yaml", "metrics=v1alpha1", "TrafficMetricsList default/Pod: 0 items", "" },
	{ "spec/metrics-v1alpha1-03-list-by-selector.yaml", "metrics=v1alpha1", "TrafficMetricsList default/Pod: 0 items", "" },
	{ "spec/metrics-v1alpha1-04-list-edges.yaml", "metrics=v1alpha1",
	  "TrafficMetricsList foobar/foo-775b9cbd88-ntxsl: 0 items", "" },
	{ "spec/metrics-v1alpha1-05-my-traffic-split.yaml", "metrics=v1alpha1",
	  "TrafficMetrics foobar/my-traffic-split: TrafficSplit my-traffic-split from * (client side): p99_response_latency=10m, p90_response_latency=10m, p50_response_latency=10m, success_count=100, failure_count=100", "" },
};

static void test_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct smi_set *set = smit_load(cases[i].files, cases[i].assume);

		print_message("%s\n", cases[i].files);
		assert_string_equal(smit_objects(set), cases[i].objects);
		assert_string_equal(smit_problems(set), cases[i].problems);
		smi_set_free(set);
	}
}

/* Every fixture file is in the table above: a new example cannot go untested. */
static void test_every_fixture_listed(void **state)
{
	static const char *const files[] = {
#include "spec_fixture_list.h"
	};
	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		bool found = false;

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) && !found; i++)
			found = strstr(cases[i].files, files[f]) != NULL;
		if (!found)
			fail_msg("fixture %s is not tested", files[f]);
	}
}

/* The exact numbers behind the shares: quantities in thousandths. */
static void test_weights(void **state)
{
	struct smi_set *set;
	const struct smi_traffic_split *ts;

	(void)state;
	set = smit_load("spec/split-v1alpha1-01-my-weights.yaml", "split=v1alpha1");
	assert_int_equal(set->n_splits, 1);
	ts = set->splits[0];
	assert_string_equal(ts->service, "numbers");
	assert_int_equal(ts->n_backends, 3);
	assert_int_equal(ts->backends[0].weight_milli, 10);
	assert_int_equal(ts->backends[1].weight_milli, 100);
	assert_int_equal(ts->backends[2].weight_milli, 1500);
	assert_true(ts->backends[0].share == 10.0 / 1610.0);
	assert_true(ts->backends[2].share == 1500.0 / 1610.0);
	smi_set_free(set);

	set = smit_load("spec/split-v1alpha2-03-foobar-rollout.yaml", "split=v1alpha2");
	ts = set->splits[0];
	assert_int_equal(ts->backends[0].weight_milli, 1000000);
	assert_int_equal(ts->backends[1].weight_milli, 500000);
	assert_true(ts->backends[1].share == 1.0 / 3.0);
	smi_set_free(set);

	set = smit_load("spec/metrics-v1alpha1-01-foo-775b9cbd88-ntxsl.yaml", "metrics=v1alpha1");
	assert_int_equal(set->n_metrics, 1);
	assert_int_equal(set->metrics[0]->n_metrics, 5);
	assert_true(set->metrics[0]->metrics[0].value == 0.01);
	assert_string_equal(set->metrics[0]->metrics[0].unit, "seconds");
	assert_true(set->metrics[0]->metrics[3].value == 100);
	assert_true(set->metrics[0]->window_ns == 30000000000ULL);
	assert_string_equal(set->metrics[0]->edge_direction, "to");
	assert_string_equal(set->metrics[0]->edge_side, "client");
	smi_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_every_fixture_listed),
		cmocka_unit_test(test_weights),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
