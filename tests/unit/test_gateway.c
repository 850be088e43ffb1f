/*
 * test_gateway - the Gateway API route model: which rule takes a request
 * (the spec's precedence, with the mesh conformance cases as tables), path,
 * header and query semantics, producer and consumer routes, and the same
 * route read from every version that serves it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "gateway/gateway.h"
#include "smitest.h"

#define GW_FIXTURES "tests/fixtures/gateway/"

struct loaded {
	struct smi_set *set;
	struct gw_set *gw;
};

/* Loads fixture files (space-separated) or, with files NULL, an inline text; both sets finished. */
static void load(struct loaded *l, const char *files, const char *text)
{
	struct smi_load_opts o = { 0 };
	char *copy, *save = NULL;

	l->gw = gw_set_new();
	assert_non_null(l->gw);
	gw_attach(l->gw, &o);
	l->set = smi_set_new(&o);
	assert_non_null(l->set);
	if (text)
		smi_set_load_buffer(l->set, "inline.yaml", text, strlen(text));
	copy = files ? strdup(files) : NULL;
	for (char *f = copy ? strtok_r(copy, " ", &save) : NULL; f; f = strtok_r(NULL, " ", &save)) {
		char path[512];

		snprintf(path, sizeof(path), GW_FIXTURES "%s", f);
		smi_set_load_file(l->set, path);
	}
	free(copy);
	smi_set_finish(l->set);
	gw_set_finish(l->gw, l->set);
}

static void unload(struct loaded *l)
{
	smi_set_free(l->set);
	gw_set_free(l->gw);
}

static const struct gw_route *route_named(const struct gw_set *gw, const char *name)
{
	for (size_t i = 0; i < gw->n_routes; i++)
		if (!strcmp(gw->routes[i]->name, name))
			return gw->routes[i];
	fail_msg("no route '%s'", name);
	return NULL;
}

/* The backend a single-backend rule sends to, "404" when no rule takes the request. */
static const char *http_outcome(const struct gw_route *r, const char *method, const char *path,
				const char *hname, const char *hvalue)
{
	struct gw_header h = { hname, hvalue };
	struct gw_http_request req = { method, path, hname ? 1 : 0, &h };
	struct gw_pick p;

	if (!gw_http_pick(&r, 1, &req, &p))
		return "404";
	return p.rule->n_backends ? p.rule->backends[0].name : "(none)";
}

static const struct {
	const char *route, *path, *hname, *hvalue, *want;
} precedence[] = {
	/* MeshHTTPRouteMatching: the longer prefix wins; at equal prefixes, more header matches */
	{ "mesh-matching", "/", NULL, NULL, "echo-v1" },
	{ "mesh-matching", "/example", NULL, NULL, "echo-v1" },
	{ "mesh-matching", "/", "Version", "one", "echo-v1" },
	{ "mesh-matching", "/v2", NULL, NULL, "echo-v2" },
	{ "mesh-matching", "/v2/example", NULL, NULL, "echo-v2" },
	{ "mesh-matching", "/", "Version", "two", "echo-v2" },
	{ "mesh-matching", "/v2/", NULL, NULL, "echo-v2" },
	{ "mesh-matching", "/v2example", NULL, NULL, "echo-v1" },	/* a prefix is whole segments */
	{ "mesh-matching", "/foo/v2/example", NULL, NULL, "echo-v1" },
	{ "mesh-matching", "/V2", NULL, NULL, "echo-v1" },	/* case-sensitive */
	{ "mesh-matching", "/", "version", "Two", "echo-v1" },	/* values are case-sensitive */
	/* MeshHTTPRouteQueryParamMatching */
	{ "mesh-query-param-matching", "/?animal=whale", NULL, NULL, "echo-v1" },
	{ "mesh-query-param-matching", "/?animal=dolphin", NULL, NULL, "echo-v2" },
	{ "mesh-query-param-matching", "/?animal=whale&otherparam=irrelevant", NULL, NULL, "echo-v1" },
	{ "mesh-query-param-matching", "/?animal=dolphin&color=yellow", NULL, NULL, "echo-v2" },
	{ "mesh-query-param-matching", "/?color=blue", NULL, NULL, "404" },
	{ "mesh-query-param-matching", "/?animal=dog", NULL, NULL, "404" },
	{ "mesh-query-param-matching", "/?animal=whaledolphin", NULL, NULL, "404" },
	{ "mesh-query-param-matching", "/", NULL, NULL, "404" },
	{ "mesh-query-param-matching", "/path1?animal=whale", NULL, NULL, "echo-v1" },
	{ "mesh-query-param-matching", "/?animal=whale", "version", "one", "echo-v2" },
	{ "mesh-query-param-matching", "/path3?animal=shark", NULL, NULL, "echo-v1" },
	{ "mesh-query-param-matching", "/path4?animal=kraken", "version", "three", "echo-v1" },
	{ "mesh-query-param-matching", "/?animal=shark", NULL, NULL, "404" },
	{ "mesh-query-param-matching", "/path4?animal=kraken", NULL, NULL, "404" },
	{ "mesh-query-param-matching", "/path5?animal=hydra", NULL, NULL, "echo-v1" },	/* prefix length first */
	/* the first value of a repeated parameter counts; names are case-sensitive */
	{ "mesh-query-param-matching", "/?animal=dolphin&animal=whale", NULL, NULL, "echo-v2" },
	{ "mesh-query-param-matching", "/?Animal=whale", NULL, NULL, "404" },
	{ "mesh-query-param-matching", "/?animal=whale#frag", NULL, NULL, "echo-v1" },
	/* MeshTrafficSplit: Exact paths; the regex and the method-bearing prefix of the third rule */
	{ "mesh-split", "/v1", NULL, NULL, "echo-v1" },
	{ "mesh-split", "/v2", NULL, NULL, "echo-v2" },
	{ "mesh-split", "/v1/", NULL, NULL, "echo-v1" },	/* the regex rule: its first backend */
	{ "mesh-split", "/v3", NULL, NULL, "404" },
	{ "mesh-split", "/v2?x=1", NULL, NULL, "echo-v2" },	/* the query is not the path */
};

static void test_precedence(void **state)
{
	struct loaded l;
	int failed = 0;

	(void)state;
	load(&l, "matching.yaml split.yaml", NULL);
	assert_string_equal(smit_problems(l.set), "");
	for (size_t i = 0; i < sizeof(precedence) / sizeof(precedence[0]); i++) {
		const char *got = http_outcome(route_named(l.gw, precedence[i].route), "GET", precedence[i].path,
					       precedence[i].hname, precedence[i].hvalue);

		if (strcmp(got, precedence[i].want)) {
			print_error("%s %s [%s: %s]: got %s, want %s\n", precedence[i].route, precedence[i].path,
				    precedence[i].hname ? precedence[i].hname : "", precedence[i].hvalue ? precedence[i].hvalue : "",
				    got, precedence[i].want);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
	unload(&l);
}

/* A header sent twice: its first field line is the one matched (as the lab renders it). */
static void test_repeated_header(void **state)
{
	struct gw_header h[2] = { { "Version", "one" }, { "version", "two" } };
	struct gw_http_request req = { "GET", "/", 2, h };
	const struct gw_route *r;
	struct gw_pick p;
	struct loaded l;

	(void)state;
	load(&l, "matching.yaml", NULL);
	r = route_named(l.gw, "mesh-matching");
	assert_true(gw_http_pick(&r, 1, &req, &p));
	assert_int_equal(p.rule_index, 0);
	h[0].value = "two";
	assert_true(gw_http_pick(&r, 1, &req, &p));
	assert_int_equal(p.rule_index, 1);
	unload(&l);
}

/* The order a data plane tries matches in gives what gw_http_pick() picks, for every table row. */
static void test_order_agrees(void **state)
{
	struct gw_match_ref order[64];
	struct loaded l;

	(void)state;
	load(&l, "matching.yaml split.yaml", NULL);
	for (size_t i = 0; i < sizeof(precedence) / sizeof(precedence[0]); i++) {
		const struct gw_route *r = route_named(l.gw, precedence[i].route);
		struct gw_header h = { precedence[i].hname, precedence[i].hvalue };
		struct gw_http_request req = { "GET", precedence[i].path, h.name ? 1 : 0, &h };
		size_t n = gw_http_order(&r, 1, order, 64), k;
		struct gw_pick p;
		bool picked = gw_http_pick(&r, 1, &req, &p);

		for (k = 0; k < n && !gw_http_match_request(&r->rules[order[k].rule].http[order[k].match], &req); k++)
			;
		assert_int_equal(k < n, picked);
		if (picked) {
			assert_int_equal(order[k].rule, p.rule_index);
			assert_int_equal(order[k].match, p.match_index);
		}
	}
	unload(&l);
}

/* Which rule and match won, for the rules whose backends are the same. */
static void test_pick_indices(void **state)
{
	const struct gw_route *r;
	struct gw_http_request req = { "POST", "/api/x", 0, NULL };
	struct gw_pick p;
	struct loaded l;

	(void)state;
	load(&l, "split.yaml", NULL);
	r = route_named(l.gw, "mesh-split");
	assert_true(gw_http_pick(&r, 1, &req, &p));
	assert_int_equal(p.rule_index, 2);
	assert_int_equal(p.match_index, 1);
	assert_int_equal(p.rule->backends[0].weight, 70);
	assert_true(p.rule->backends[0].share == 0.7);
	assert_true(p.rule->backends[1].share == 0.3);
	req.method = "GET";	/* the method is part of the match */
	assert_false(gw_http_pick(&r, 1, &req, &p));
	assert_null(p.route);
	req.path = "/v1";
	assert_true(gw_http_pick(&r, 1, &req, &p));
	assert_string_equal(p.rule->name, "to-v1");
	unload(&l);
}

#define ROUTE_AT(name, created, prefix, backend) \
	"---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: " name "\n" \
	"  namespace: ns\n" created "spec:\n  parentRefs: [{group: \"\", kind: Service, name: s}]\n" \
	"  rules:\n  - matches: [{path: {type: PathPrefix, value: " prefix "}}]\n" \
	"    backendRefs: [{name: " backend ", port: 80}]\n"

/* Across routes: precedence first, then the older route, then namespace/name. */
static void test_pick_across_routes(void **state)
{
	struct gw_http_request req = { "GET", "/a/b", 0, NULL };
	const struct gw_route *rs[3];
	struct gw_pick p;
	struct loaded l;

	(void)state;
	load(&l, NULL, ROUTE_AT("b-young", "  creationTimestamp: \"2026-02-01T00:00:00Z\"\n", "/a", "young")
		       ROUTE_AT("c-old", "  creationTimestamp: \"2026-01-01T00:00:00Z\"\n", "/a", "old")
		       ROUTE_AT("a-undated", "", "/a/b", "longest"));
	assert_string_equal(smit_problems(l.set), "");
	rs[0] = route_named(l.gw, "b-young");
	rs[1] = route_named(l.gw, "c-old");
	rs[2] = route_named(l.gw, "a-undated");
	assert_true(gw_http_pick(rs, 3, &req, &p));
	assert_string_equal(p.rule->backends[0].name, "longest");
	req.path = "/a";
	assert_true(gw_http_pick(rs, 3, &req, &p));
	assert_string_equal(p.rule->backends[0].name, "old");
	/* without ages, the name decides */
	assert_true(gw_http_pick(rs, 2, &req, &p));
	assert_string_equal(p.route->name, "c-old");
	unload(&l);
}

/* Producer and consumer routes, ports. */
static void test_routes_for(void **state)
{
	const struct gw_route *out[4];
	struct loaded l;

	(void)state;
	load(&l, "consumer.yaml", NULL);
	assert_string_equal(smit_problems(l.set), "");
	/* a client of the consumer namespace: its consumer route only */
	assert_int_equal(gw_routes_for(l.gw, GW_HTTP_ROUTE, "mesh", "echo-v1", 80, "mesh-consumer", out, 4), 1);
	assert_string_equal(out[0]->name, "mesh-echo-add-header");
	assert_true(gw_route_is_consumer(out[0], "mesh"));
	/* the Service's own namespace and any other: the producer route */
	assert_int_equal(gw_routes_for(l.gw, GW_HTTP_ROUTE, "mesh", "echo-v1", 80, "mesh", out, 4), 1);
	assert_string_equal(out[0]->name, "producer");
	assert_false(gw_route_is_consumer(out[0], "mesh"));
	assert_int_equal(gw_routes_for(l.gw, GW_HTTP_ROUTE, "mesh", "echo-v1", 8080, "elsewhere", out, 4), 1);
	assert_string_equal(out[0]->name, "producer");
	/* a parentRef port binds that port only */
	assert_int_equal(gw_routes_for(l.gw, GW_HTTP_ROUTE, "mesh", "echo-v2", 80, "mesh", out, 4), 1);
	assert_int_equal(gw_routes_for(l.gw, GW_HTTP_ROUTE, "mesh", "echo-v2", 8080, "mesh", out, 4), 0);
	assert_int_equal(gw_routes_for(l.gw, GW_GRPC_ROUTE, "mesh", "echo-v1", 80, "mesh", out, 4), 0);
	assert_int_equal(out[0]->rules[0].n_filters, 0);
	unload(&l);
}

/* Filters as the model holds them. */
static void test_filters(void **state)
{
	const struct gw_route *r;
	const struct gw_filter *f;
	struct loaded l;

	(void)state;
	load(&l, NULL, "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: f}\nspec:\n"
		       "  parentRefs: [{group: \"\", kind: Service, name: echo, port: 80}]\n  rules:\n"
		       "  - matches: [{path: {type: PathPrefix, value: /p}}]\n    filters:\n"
		       "    - type: RequestRedirect\n      requestRedirect: {scheme: https, hostname: example.org, port: 8443,"
		       " statusCode: 301, path: {type: ReplacePrefixMatch, replacePrefixMatch: /q}}\n"
		       "  - matches: [{path: {type: PathPrefix, value: /r}}]\n    filters:\n"
		       "    - type: URLRewrite\n      urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /one}}\n"
		       "    backendRefs:\n    - name: echo-v1\n      port: 80\n      filters:\n"
		       "      - type: RequestHeaderModifier\n        requestHeaderModifier:\n"
		       "          set: [{name: X-A, value: a}]\n          add: [{name: X-B, value: b}]\n"
		       "          remove: [X-C, X-D]\n");
	assert_string_equal(smit_problems(l.set), "");
	r = route_named(l.gw, "f");
	f = &r->rules[0].filters[0];
	assert_int_equal(f->type, GW_REQUEST_REDIRECT);
	assert_string_equal(f->redirect.scheme, "https");
	assert_string_equal(f->redirect.hostname, "example.org");
	assert_int_equal(f->redirect.port, 8443);
	assert_int_equal(f->redirect.status, 301);
	assert_int_equal(f->redirect.path.type, GW_PREFIX_PATH);
	assert_string_equal(f->redirect.path.value, "/q");
	f = &r->rules[1].filters[0];
	assert_int_equal(f->type, GW_URL_REWRITE);
	assert_null(f->rewrite.hostname);
	assert_int_equal(f->rewrite.path.type, GW_FULL_PATH);
	assert_int_equal(r->rules[1].backends[0].n_filters, 1);
	f = &r->rules[1].backends[0].filters[0];
	assert_int_equal(f->headers.n_set, 1);
	assert_string_equal(f->headers.add[0].name, "X-B");
	assert_int_equal(f->headers.n_remove, 2);
	assert_string_equal(f->headers.remove[1], "X-D");
	unload(&l);
}

/* v1beta1 and v1alpha2 objects read as the same model as v1; a List mixes them. */
static void test_versions(void **state)
{
	const struct gw_route *r, *g;
	struct gw_header h = { "X-A", "1" };
	struct gw_http_request req = { "GET", "/a/x", 1, &h };
	struct gw_grpc_request call = { "grpc.Echo", "Echo", 0, NULL };
	struct gw_pick p;
	struct loaded l;

	(void)state;
	load(&l, "versions.yaml", NULL);
	assert_string_equal(smit_problems(l.set), "");
	assert_int_equal(l.gw->n_routes, 2);
	r = route_named(l.gw, "r");
	g = route_named(l.gw, "g");
	assert_int_equal(r->version, GW_V1BETA1);
	assert_int_equal(g->version, GW_V1ALPHA2);
	assert_int_equal(g->kind, GW_GRPC_ROUTE);
	assert_string_equal(r->created, "2026-01-02T03:04:05Z");
	assert_true(gw_http_pick(&r, 1, &req, &p));
	assert_true(gw_grpc_pick(&g, 1, &call, &p));
	call.method = "Other";
	assert_false(gw_grpc_pick(&g, 1, &call, &p));
	assert_int_equal(l.set->n_skipped, 0);
	unload(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_pick_indices),
		cmocka_unit_test(test_repeated_header),
		cmocka_unit_test(test_order_agrees),
		cmocka_unit_test(test_pick_across_routes),
		cmocka_unit_test(test_routes_for),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
