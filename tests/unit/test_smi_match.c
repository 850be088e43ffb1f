/*
 * test_smi_match - route matching truth tables and the decisions the
 * verifier relies on: access (HTTP and L4) and traffic split selection.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "smitest.h"

#define ROUTES \
	"apiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\nmetadata:\n  name: r\nspec:\n  matches:\n" \
	"  - name: metrics\n    pathRegex: /metrics\n    methods: [GET]\n" \
	"  - name: any\n    methods: [\"*\"]\n" \
	"  - name: insiders\n    headers:\n      user-agent: \".*Android.*\"\n      cookie: \"^(.*?;)?(type=insider)(;.*)?$\"\n" \
	"  - name: api-read\n    pathRegex: \"/api/.*\"\n    methods: [GET, HEAD]\n" \
	"  - name: alt\n    pathRegex: \"/a|/b\"\n"

static const struct {
	const char *match, *method, *path, *h1, *v1, *h2, *v2;
	bool want;
} table[] = {
	/* pathRegex is anchored at the start of the URI, never at the end */
	{ "metrics", "GET", "/metrics", NULL, NULL, NULL, NULL, true },
	{ "metrics", "GET", "/metrics/x", NULL, NULL, NULL, NULL, true },
	{ "metrics", "GET", "/metricsx", NULL, NULL, NULL, NULL, true },
	{ "metrics", "GET", "/api/metrics", NULL, NULL, NULL, NULL, false },
	{ "metrics", "GET", "/Metrics", NULL, NULL, NULL, NULL, false },
	{ "metrics", "GET", "/metrics?format=json", NULL, NULL, NULL, NULL, true },
	{ "metrics", "GET", "/x?next=/metrics", NULL, NULL, NULL, NULL, false },
	{ "metrics", "GET", "", NULL, NULL, NULL, NULL, false },
	{ "alt", "GET", "/b/c", NULL, NULL, NULL, NULL, true },	/* anchoring covers every alternative */
	{ "alt", "GET", "/x/b", NULL, NULL, NULL, NULL, false },
	/* methods: a list, or * */
	{ "metrics", "POST", "/metrics", NULL, NULL, NULL, NULL, false },
	{ "metrics", "get", "/metrics", NULL, NULL, NULL, NULL, false },
	{ "api-read", "HEAD", "/api/x", NULL, NULL, NULL, NULL, true },
	{ "api-read", "GET", "/api", NULL, NULL, NULL, NULL, false },
	{ "api-read", "PUT", "/api/x", NULL, NULL, NULL, NULL, false },
	{ "any", "PROPFIND", "/anything", NULL, NULL, NULL, NULL, true },
	{ "any", "DELETE", "/", NULL, NULL, NULL, NULL, true },
	/* headers: AND within a match; names ignore case, values do not */
	{ "insiders", "GET", "/", "user-agent", "Mozilla (Linux; Android 14)", "cookie", "type=insider", true },
	{ "insiders", "POST", "/x", "User-Agent", "Android", "Cookie", "a=1;type=insider;b=2", true },
	{ "insiders", "GET", "/", "USER-AGENT", "Android", "COOKIE", "a=1;type=insider", true },
	{ "insiders", "GET", "/", "user-agent", "android", "cookie", "type=insider", false },
	{ "insiders", "GET", "/", "user-agent", "Android", "cookie", "type=Insider", false },
	{ "insiders", "GET", "/", "user-agent", "Android", NULL, NULL, false },
	{ "insiders", "GET", "/", "cookie", "type=insider", NULL, NULL, false },
	{ "insiders", "GET", "/", "user-agent", "Android", "cookie", "a=1; type=insider", false },	/* the regex has no space */
	{ "insiders", "GET", "/", "user-agent", "Android", "cookie", "type=insiders", false },
	{ "insiders", "GET", "/", "x-user-agent", "Android", "cookie", "type=insider", false },
};

static const struct smi_http_match *match_named(const struct smi_http_route_group *g, const char *name)
{
	for (size_t i = 0; i < g->n_matches; i++)
		if (!strcmp(g->matches[i].name, name))
			return &g->matches[i];
	fail_msg("no match %s", name);
	return NULL;
}

static void test_http_truth_table(void **state)
{
	struct smi_set *set = smit_load_text(ROUTES, NULL);

	(void)state;
	assert_string_equal(smit_problems(set), "");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct smi_header h[2] = { { table[i].h1, table[i].v1 }, { table[i].h2, table[i].v2 } };
		struct smi_http_request req = { table[i].method, table[i].path, table[i].h2 ? 2 : table[i].h1 ? 1 : 0, h };
		bool got = smi_http_match_request(match_named(set->http_routes[0], table[i].match), &req);

		if (got != table[i].want)
			fail_msg("row %zu: %s %s %s: got %d", i, table[i].match, table[i].method, table[i].path, got);
	}
	smi_set_free(set);
}

static void test_ports(void **state)
{
	struct smi_set *set = smit_load("spec/access-v1alpha3-04-tcp-ports.yaml spec/specs-v1alpha4-07-the-routes.yaml", "access=v1alpha3,specs=v1alpha4");
	const struct smi_port_route *tcp = (const void *)smi_set_find(set, SMI_TCP_ROUTE, "default", "tcp-ports");
	const struct smi_port_route *all = (const void *)smi_set_find(set, SMI_TCP_ROUTE, "default", "the-routes");

	(void)state;
	assert_non_null(tcp);
	assert_non_null(all);
	assert_true(smi_port_route_covers(tcp, 8300));
	assert_false(smi_port_route_covers(tcp, 8303));
	assert_true(smi_port_route_covers(all, 1));
	assert_true(smi_port_route_covers(all, 65535));
	smi_set_free(set);
}

static struct smi_peer sa(const char *name)
{
	return (struct smi_peer){ .service_account = name, .namespace = "default" };
}

struct access_case {
	const char *src, *dst, *method, *path;
	uint16_t port;
	enum smi_access_verdict want;
	const char *target, *match;	/* expected allowing target and match */
};

static void check_access(const struct smi_set *set, const struct access_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct smi_peer src = sa(c[i].src), dst = sa(c[i].dst);
		struct smi_http_request req = { c[i].method, c[i].path, 0, NULL };
		struct smi_access_result r;

		assert_int_equal(smi_access_http(set, &src, &dst, c[i].port, &req, &r), 0);
		if (r.verdict != c[i].want)
			fail_msg("row %zu (%s -> %s %s %s:%u): %s, want %s", i, c[i].src, c[i].dst, c[i].method,
				 c[i].path, c[i].port, smi_access_verdict_name(r.verdict),
				 smi_access_verdict_name(c[i].want));
		if (c[i].want == SMI_ALLOW) {
			assert_string_equal(r.target->meta.name, c[i].target);
			if (c[i].match)
				assert_string_equal(r.match->name, c[i].match);
			else
				assert_null(r.match);
		}
	}
}

/* The table the traffic-access documents give for their example, in every version. */
static void test_access_spec_table(void **state)
{
	static const struct access_case rows_v1[] = {
		{ "website-service", "api-service", "POST", "/api", 8080, SMI_ALLOW, "api-service-api", "api" },
		{ "payments-service", "api-service", "DELETE", "/api/x", 8080, SMI_ALLOW, "api-service-api", "api" },
		{ "prometheus", "api-service", "GET", "/metrics", 9090, SMI_ALLOW, "api-service-metrics", "metrics" },
		{ "prometheus", "api-service", "POST", "/metrics", 8080, SMI_DENY_ROUTE, NULL, NULL },
		{ "prometheus", "api-service", "GET", "/api", 8080, SMI_DENY_ROUTE, NULL, NULL },
		{ "website-service", "api-service", "GET", "/api", 9090, SMI_DENY_PORT, NULL, NULL },
		{ "website-service", "api-service", "GET", "/metrics", 8080, SMI_DENY_ROUTE, NULL, NULL },
		{ "intruder", "api-service", "GET", "/api", 8080, SMI_DENY_SOURCE, NULL, NULL },
		{ "website-service", "payments-service", "GET", "/api", 8080, SMI_DENY_NO_TARGET, NULL, NULL },
	};
	/* v1alpha3: the TCPRoute (8080) limits both targets' ports. */
	static const struct access_case rows_v3[] = {
		{ "website-service", "api-service", "POST", "/api", 8080, SMI_ALLOW, "api-service-api", "api" },
		{ "prometheus", "api-service", "GET", "/metrics", 8080, SMI_ALLOW, "api-service-metrics", "metrics" },
		{ "prometheus", "api-service", "GET", "/metrics", 9090, SMI_DENY_PORT, NULL, NULL },
		{ "prometheus", "api-service", "GET", "/api", 8080, SMI_DENY_ROUTE, NULL, NULL },
		{ "website-service", "api-service", "GET", "/api", 9090, SMI_DENY_PORT, NULL, NULL },
		{ "intruder", "api-service", "GET", "/api", 8080, SMI_DENY_SOURCE, NULL, NULL },
	};
	struct smi_set *set;

	(void)state;
	set = smit_load("spec/access-v1alpha1-03-api-service-routes.yaml", "access=v1alpha1,specs=v1alpha1");
	check_access(set, rows_v1, sizeof(rows_v1) / sizeof(rows_v1[0]));
	smi_set_free(set);
	set = smit_load("spec/access-v1alpha2-03-api-service-routes.yaml", "access=v1alpha2,specs=v1alpha3");
	check_access(set, rows_v1, sizeof(rows_v1) / sizeof(rows_v1[0]));
	smi_set_free(set);
	set = smit_load("spec/access-v1alpha3-03-api-service-port.yaml", "access=v1alpha3,specs=v1alpha4");
	check_access(set, rows_v3, sizeof(rows_v3) / sizeof(rows_v3[0]));
	smi_set_free(set);
	set = smit_load("spec/access-v1alpha4-04-api-service-port.yaml access-v1alpha4-bindings.yaml",
			"access=v1alpha4,specs=v1alpha4");
	check_access(set, rows_v3, sizeof(rows_v3) / sizeof(rows_v3[0]));
	smi_set_free(set);
}

/* "will allow TCP and UDP traffic to both 8301 and 8302 ports, but will block UDP traffic to 8300" */
static void test_access_l4(void **state)
{
	static const struct { uint16_t port; enum smi_proto proto; enum smi_access_verdict want; } rows[] = {
		{ 8301, SMI_PROTO_TCP, SMI_ALLOW }, { 8302, SMI_PROTO_TCP, SMI_ALLOW },
		{ 8300, SMI_PROTO_TCP, SMI_ALLOW }, { 8301, SMI_PROTO_UDP, SMI_ALLOW },
		{ 8302, SMI_PROTO_UDP, SMI_ALLOW }, { 8300, SMI_PROTO_UDP, SMI_DENY_PORT },
		{ 9000, SMI_PROTO_TCP, SMI_DENY_PORT },
	};
	struct smi_set *set = smit_load("spec/access-v1alpha3-04-tcp-ports.yaml", "access=v1alpha3,specs=v1alpha4");
	struct smi_peer client = sa("client"), server = sa("server"), other = sa("other");
	struct smi_access_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(smi_access_l4(set, &client, &server, rows[i].port, rows[i].proto, &r), 0);
		if (r.verdict != rows[i].want)
			fail_msg("row %zu: %s", i, smi_access_verdict_name(r.verdict));
	}
	smi_access_l4(set, &other, &server, 8301, SMI_PROTO_TCP, &r);
	assert_int_equal(r.verdict, SMI_DENY_SOURCE);
	/* An L7-only target allows no raw TCP. */
	smi_set_free(set);
	set = smit_load("spec/access-v1alpha2-03-api-service-routes.yaml", "access=v1alpha2,specs=v1alpha3");
	client = sa("website-service");
	server = sa("api-service");
	smi_access_l4(set, &client, &server, 8080, SMI_PROTO_TCP, &r);
	assert_int_equal(r.verdict, SMI_DENY_ROUTE);
	smi_set_free(set);
}

/* The Meshery steps: default deny, allow a->b over a TCPRoute of all ports, path and method rules. */
static void test_access_meshery(void **state)
{
	struct smi_peer a = { "service-a", "<NAMESPACE>", NULL, 0, NULL };
	struct smi_peer b = { "service-b", "<NAMESPACE>", NULL, 0, NULL };
	struct smi_peer c = { "service-c", "<NAMESPACE>", NULL, 0, NULL };
	struct smi_http_request echo = { "GET", "/echo", 0, NULL }, post = { "POST", "/call", 0, NULL };
	struct smi_access_result r;
	struct smi_set *set;

	(void)state;
	set = smit_load_text("", NULL);	/* step 03 and 07: nothing applied */
	smi_access_http(set, &a, &b, 9091, &echo, &r);
	assert_int_equal(r.verdict, SMI_DENY_NO_TARGET);
	smi_set_free(set);
	set = smit_load("meshery/traffic-access/04-install.yaml", NULL);
	smi_access_http(set, &a, &b, 9091, &post, &r);
	assert_int_equal(r.verdict, SMI_ALLOW);
	assert_string_equal(r.rule->name, "service-tcp-route");
	assert_null(r.match);
	smi_access_http(set, &c, &b, 9091, &echo, &r);
	assert_int_equal(r.verdict, SMI_DENY_SOURCE);
	smi_access_http(set, &a, &c, 9091, &echo, &r);
	assert_int_equal(r.verdict, SMI_DENY_NO_TARGET);
	smi_set_free(set);
	set = smit_load("meshery/traffic-spec/05-install.yaml", NULL);
	smi_access_http(set, &a, &b, 9091, &echo, &r);
	assert_int_equal(r.verdict, SMI_ALLOW);
	assert_string_equal(r.match->name, "testMatch");
	smi_access_http(set, &a, &b, 9091, &post, &r);
	assert_int_equal(r.verdict, SMI_DENY_ROUTE);
	smi_set_free(set);
}

/* IdentityBinding schemes: service account, pod labels, SPIFFE ID, each OR'd. */
static void test_identity_bindings(void **state)
{
	struct smi_set *set = smit_load("spec/access-v1alpha4-04-api-service-port.yaml access-v1alpha4-bindings.yaml",
					"access=v1alpha4,specs=v1alpha4");
	struct smi_label pay_labels[] = { { "tier", "web" }, { "app", "payments" } };
	struct smi_label other_labels[] = { { "app", "grafana" } };
	struct smi_peer api = sa("api-service");
	struct smi_peer by_label = { "any-sa", "default", NULL, 2, pay_labels };
	struct smi_peer label_other_ns = { "any-sa", "shop", NULL, 2, pay_labels };
	struct smi_peer by_spiffe = { "prom", "monitoring", "spiffe://cluster.local/ns/monitoring/sa/prometheus", 0, NULL };
	struct smi_peer nobody = { "any-sa", "default", NULL, 1, other_labels };
	struct smi_http_request api_req = { "PUT", "/api/v1", 0, NULL }, metrics = { "GET", "/metrics", 0, NULL };
	struct smi_access_result r;

	(void)state;
	assert_string_equal(smit_problems(set), "");
	smi_access_http(set, &by_label, &api, 8080, &api_req, &r);
	assert_int_equal(r.verdict, SMI_ALLOW);
	assert_string_equal(r.target->meta.name, "api-service-api");
	smi_access_http(set, &label_other_ns, &api, 8080, &api_req, &r);
	assert_int_equal(r.verdict, SMI_DENY_SOURCE);
	smi_access_http(set, &nobody, &api, 8080, &api_req, &r);
	assert_int_equal(r.verdict, SMI_DENY_SOURCE);
	smi_access_http(set, &by_spiffe, &api, 8080, &metrics, &r);
	assert_int_equal(r.verdict, SMI_ALLOW);
	assert_string_equal(r.target->meta.name, "api-service-metrics");
	by_spiffe.spiffe_id = "spiffe://cluster.local/ns/monitoring/sa/other";
	smi_access_http(set, &by_spiffe, &api, 8080, &metrics, &r);
	assert_int_equal(r.verdict, SMI_DENY_SOURCE);
	smi_set_free(set);
}

static void test_split_lookup(void **state)
{
	struct smi_header ff = { "User-Agent", "Mozilla/5.0 Firefox/120.0" }, chrome = { "user-agent", "Chrome/120" };
	struct smi_http_request req_ff = { "GET", "/", 1, &ff }, req_chrome = { "GET", "/", 1, &chrome };
	struct smi_split_result r;
	struct smi_set *set;

	(void)state;
	/* The A/B example, its HTTPRouteGroup read in the shape it is written in (specs v1alpha2). */
	set = smit_load("spec/split-v1alpha3-02-ab-test.yaml", "split=v1alpha3,specs=v1alpha2");
	assert_int_equal(smi_split_lookup(set, "default", "website", &req_ff, &r), 0);
	assert_non_null(r.split);
	assert_string_equal(r.split->meta.name, "ab-test");
	assert_string_equal(r.match->name, "firefox-users");
	assert_true(r.split->backends[1].share == 1.0);
	smi_split_lookup(set, "default", "website", &req_chrome, &r);
	assert_null(r.split);	/* the apex service itself */
	smi_split_lookup(set, "default", "website", NULL, &r);
	assert_null(r.split);
	smi_split_lookup(set, "other", "website", &req_ff, &r);
	assert_null(r.split);
	smi_set_free(set);
	/* With an unconditional split too: that one for everyone else. */
	set = smit_load("spec/split-v1alpha3-02-ab-test.yaml spec/split-v1alpha3-01-canary.yaml",
			"split=v1alpha3,specs=v1alpha2");
	smi_split_lookup(set, "default", "website", &req_chrome, &r);
	assert_string_equal(r.split->meta.name, "canary");
	assert_null(r.match);
	assert_true(r.split->backends[0].share == 0.9);
	smi_split_lookup(set, "default", "website", &req_ff, &r);
	assert_string_equal(r.split->meta.name, "ab-test");
	smi_set_free(set);
}

static void test_bad_arguments(void **state)
{
	struct smi_set *set = smit_load_text("", NULL);
	struct smi_peer p = sa("x");
	struct smi_access_result r;
	struct smi_split_result s;

	(void)state;
	assert_int_equal(smi_access_http(set, &p, &p, 80, NULL, &r), -EINVAL);
	assert_int_equal(smi_access_l4(set, NULL, &p, 80, SMI_PROTO_TCP, &r), -EINVAL);
	assert_int_equal(smi_split_lookup(set, NULL, "x", NULL, &s), -EINVAL);
	smi_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_truth_table),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_access_spec_table),
		cmocka_unit_test(test_access_l4),
		cmocka_unit_test(test_access_meshery),
		cmocka_unit_test(test_identity_bindings),
		cmocka_unit_test(test_split_lookup),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
