/*
 * test_gamma - the Gateway API mesh tests' pieces without a lab: what a
 * request must come to under the shipped routes (redirect Location, the
 * rewritten path, the headers a backend must receive), reading one header
 * out of a record, and the upstream ConformanceReport written from verdicts,
 * checked against the report's fields as upstream's Go types define them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "gateway/gateway.h"
#include "smitest.h"
#include "records/obs.h"
#include "report/gamma.h"
#include "util/yaml_json.h"

/* The outcome of GET `path` with one optional header, sent with Host echo.gamma:80 to port 80. */
static void outcome(const struct smit_routes *l, const char *path, const struct gw_header *h, size_t nh,
		    struct gw_outcome *o)
{
	struct gw_http_request req = { .method = "GET", .path = path, .n_headers = nh, .headers = h };

	assert_int_equal(gw_http_outcome(l->gw->routes, l->gw->n_routes, &req, "echo.gamma:80", 80, o), 0);
}

static void expect_redirect(const struct smit_routes *l, const char *path, int status, const char *location)
{
	struct gw_outcome *o = calloc(1, sizeof(*o));

	assert_non_null(o);
	outcome(l, path, NULL, 0, o);
	if (o->kind != GW_OUT_REDIRECT || o->status != status || strcmp(o->location, location))
		fail_msg("%s: kind %d, %d %s; want redirect %d %s", path, o->kind, o->status, o->location, status,
			 location);
	free(o);
}

/* The mesh conformance redirect cases, with the Location upstream never compares. */
static void test_redirects(void **state)
{
	struct smit_routes l;

	(void)state;
	smit_routes_load(&l, "specs/gamma/routes/redirect-host-and-status.yaml", NULL);
	expect_redirect(&l, "/hostname-redirect", 302, "http://example.org/hostname-redirect");
	expect_redirect(&l, "/host-and-status", 301, "http://example.org/host-and-status");
	smit_routes_free(&l);
	smit_routes_load(&l, "specs/gamma/routes/redirect-path.yaml", NULL);
	expect_redirect(&l, "/original-prefix/lemon", 302, "http://echo.gamma/replacement-prefix/lemon");
	expect_redirect(&l, "/full/path/original", 302, "http://echo.gamma/full-path-replacement");
	expect_redirect(&l, "/path-and-host", 302, "http://example.org/replacement-prefix");
	expect_redirect(&l, "/path-and-status", 301, "http://echo.gamma/replacement-prefix");
	expect_redirect(&l, "/full-path-and-host", 302, "http://example.org/replacement-full");
	expect_redirect(&l, "/full-path-and-status", 301, "http://echo.gamma/replacement-full");
	expect_redirect(&l, "/original-prefix/lemon?x=1", 302, "http://echo.gamma/replacement-prefix/lemon?x=1");
	smit_routes_free(&l);
	smit_routes_load(&l, "specs/gamma/routes/redirect-port.yaml", NULL);
	expect_redirect(&l, "/port", 302, "http://echo.gamma:8083/port");
	expect_redirect(&l, "/port-and-host", 302, "http://example.org:8083/port-and-host");
	expect_redirect(&l, "/port-and-status", 301, "http://echo.gamma:8083/port-and-status");
	expect_redirect(&l, "/port-and-host-and-status", 302, "http://example.org:8083/port-and-host-and-status");
	smit_routes_free(&l);
	smit_routes_load(&l, "specs/gamma/routes/redirect-scheme.yaml", NULL);
	expect_redirect(&l, "/scheme", 302, "https://echo.gamma/scheme");
	expect_redirect(&l, "/scheme-and-host", 302, "https://example.org/scheme-and-host");
	expect_redirect(&l, "/scheme-and-status", 301, "https://echo.gamma/scheme-and-status");
	smit_routes_free(&l);
	smit_routes_load(&l, "specs/gamma/routes/redirect-307.yaml", NULL);
	expect_redirect(&l, "/temporary", 307, "http://echo.gamma/temporary");
	smit_routes_free(&l);
}

/* A redirect without scheme or port keeps the Service port the request came to (80 left out). */
static void test_redirect_port_8080(void **state)
{
	struct smit_routes l;
	struct gw_outcome *o = calloc(1, sizeof(*o));
	struct gw_http_request req = { .method = "GET", .path = "/x" };

	(void)state;
	assert_non_null(o);
	smit_routes_load(&l, NULL, "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: gamma}\n"
	     "spec:\n  parentRefs: [{group: \"\", kind: Service, name: echo}]\n  rules:\n"
	     "  - filters: [{type: RequestRedirect, requestRedirect: {hostname: h.example}}]\n");
	assert_int_equal(gw_http_outcome(l.gw->routes, l.gw->n_routes, &req, "echo.gamma:8080", 8080, o), 0);
	assert_string_equal(o->location, "http://h.example:8080/x");
	assert_int_equal(gw_http_outcome(l.gw->routes, l.gw->n_routes, &req, "echo.gamma", 80, o), 0);
	assert_string_equal(o->location, "http://h.example/x");
	smit_routes_free(&l);
	free(o);
}

static const char *header(const struct gw_outcome *o, const char *name)
{
	for (size_t i = 0; i < o->n_headers; i++)
		if (!strcasecmp(o->headers[i].name, name))
			return o->headers[i].value ? o->headers[i].value : "(absent)";
	return "(not expected)";
}

/* ReplacePrefixMatch as the spec's table has it, for a replacement and for "/". */
static void test_rewrite_prefix_table(void **state)
{
	static const char *const text =
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: gamma}\n"
		"spec:\n  parentRefs: [{group: \"\", kind: Service, name: echo}]\n  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /foo/}}]\n"
		"    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /xyz/}}}]\n"
		"    backendRefs: [{name: echo-v1, port: 80}]\n"
		"  - matches: [{path: {type: PathPrefix, value: /bar}}]\n"
		"    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]\n"
		"    backendRefs: [{name: echo-v1, port: 80}]\n";
	static const struct { const char *in, *out; } cases[] = {
		{ "/foo/bar", "/xyz/bar" }, { "/foo", "/xyz" }, { "/foo/", "/xyz/" }, { "/foo/bar?q=1", "/xyz/bar?q=1" },
		{ "/bar/baz", "/baz" }, { "/bar", "/" }, { "/bar/", "/" }, { "/bar?q", "/?q" },
	};
	struct gw_outcome *o = calloc(1, sizeof(*o));
	struct smit_routes l;

	(void)state;
	assert_non_null(o);
	smit_routes_load(&l, NULL, text);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		outcome(&l, cases[i].in, NULL, 0, o);
		assert_int_equal(o->kind, GW_OUT_BACKEND);
		if (strcmp(o->path, cases[i].out))
			fail_msg("%s -> %s, want %s", cases[i].in, o->path, cases[i].out);
	}
	smit_routes_free(&l);
	free(o);
}

/* MeshHTTPRouteRewritePath: the paths upstream never compares, and its header sub-cases. */
static void test_rewrite_path(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "/prefix/one/two", "/one/two" }, { "/strip-prefix/three", "/three" }, { "/strip-prefix", "/" },
		{ "/full/one/two", "/one" }, { "/full/rewrite-path-and-modify-headers/test", "/test" },
		{ "/prefix/rewrite-path-and-modify-headers/one", "/prefix/one" },
	};
	const struct gw_header sent[] = {
		{ "X-Header-Remove", "remove-val" }, { "X-Header-Add-Append", "append-val-1" }, { "X-Header-Set", "set-val" },
	};
	struct gw_outcome *o = calloc(1, sizeof(*o));
	struct smit_routes l;

	(void)state;
	assert_non_null(o);
	smit_routes_load(&l, "specs/gamma/routes/rewrite-path.yaml", NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		outcome(&l, cases[i].in, sent, 3, o);
		assert_int_equal(o->kind, GW_OUT_BACKEND);
		assert_int_equal(o->n_backends, 1);
		assert_string_equal(o->backends[0]->name, "echo-v1");
		if (strcmp(o->path, cases[i].out))
			fail_msg("%s -> %s, want %s", cases[i].in, o->path, cases[i].out);
	}
	/* The last: the header modifier too. */
	assert_string_equal(header(o, "x-header-add"), "header-val-1");
	assert_string_equal(header(o, "X-Header-Add-Append"), "append-val-1,header-val-2");
	assert_string_equal(header(o, "X-Header-Set"), "set-overwrites-values");
	assert_string_equal(header(o, "X-Header-Remove"), "(absent)");
	outcome(&l, "/prefix/one/two", sent, 3, o);
	assert_string_equal(header(o, "X-Header-Add-Append"), "append-val-1");	/* sent, untouched */
	smit_routes_free(&l);
	free(o);
}

/* MeshHTTPRouteRequestHeaderModifier's cases, in the rule's filter and in the backendRef's. */
static void test_request_header_modifier(void **state)
{
	const char *files[] = { "specs/gamma/routes/request-header-modifier.yaml",
				"specs/gamma/routes/request-header-modifier-backend.yaml" };
	struct gw_outcome *o = calloc(1, sizeof(*o));

	(void)state;
	assert_non_null(o);
	for (size_t f = 0; f < 2; f++) {
		const struct gw_header set_existing[] = { { "Some-Other-Header", "val" }, { "X-Header-Set", "some-other-value" } };
		const struct gw_header add_existing[] = { { "Some-Other-Header", "val" }, { "X-Header-Add", "some-other-value" } };
		const struct gw_header multiple[] = { { "X-Header-Set-2", "set-val-2" }, { "X-Header-Add-2", "add-val-2" },
						      { "X-Header-Remove-2", "remove-val-2" },
						      { "Another-Header", "another-header-val" } };
		const struct gw_header lower[] = { { "x-header-set", "original-val-set" }, { "x-header-add", "original-val-add" },
						   { "x-header-remove", "original-val-remove" } };
		struct smit_routes l;

		smit_routes_load(&l, files[f], NULL);
		outcome(&l, "/set", set_existing, 2, o);
		assert_string_equal(header(o, "some-other-header"), "val");
		assert_string_equal(header(o, "x-header-set"), "set-overwrites-values");
		outcome(&l, "/add", add_existing, 2, o);
		assert_string_equal(header(o, "x-header-add"), "some-other-value,add-appends-values");
		outcome(&l, "/add", add_existing, 1, o);
		assert_string_equal(header(o, "x-header-add"), "add-appends-values");
		outcome(&l, "/remove", lower + 2, 1, o);
		assert_string_equal(header(o, "X-Header-Remove"), "(absent)");
		outcome(&l, "/multiple", multiple, 4, o);
		assert_string_equal(header(o, "X-Header-Set-1"), "header-set-1");
		assert_string_equal(header(o, "X-Header-Set-2"), "header-set-2");
		assert_string_equal(header(o, "X-Header-Add-1"), "header-add-1");
		assert_string_equal(header(o, "X-Header-Add-2"), "add-val-2,header-add-2");
		assert_string_equal(header(o, "X-Header-Add-3"), "header-add-3");
		assert_string_equal(header(o, "X-Header-Remove-1"), "(absent)");
		assert_string_equal(header(o, "X-Header-Remove-2"), "(absent)");
		assert_string_equal(header(o, "Another-Header"), "another-header-val");
		outcome(&l, "/case-insensitivity", lower, 3, o);
		assert_string_equal(header(o, "X-Header-Set"), "header-set");
		assert_string_equal(header(o, "X-Header-Add"), "original-val-add,header-add");
		assert_string_equal(header(o, "X-Header-Remove"), "(absent)");
		smit_routes_free(&l);
	}
	free(o);
}

/* No rule: 404 from the mesh; a weighted rule: both backends. */
static void test_not_found_and_weights(void **state)
{
	struct gw_outcome *o = calloc(1, sizeof(*o));
	struct smit_routes l;

	(void)state;
	assert_non_null(o);
	smit_routes_load(&l, "specs/gamma/routes/query-param-matching.yaml", NULL);
	outcome(&l, "/?animal=whaledolphin", NULL, 0, o);
	assert_int_equal(o->kind, GW_OUT_NOT_FOUND);
	assert_int_equal(o->status, 404);
	outcome(&l, "/path5?animal=hydra", NULL, 0, o);
	assert_int_equal(o->kind, GW_OUT_BACKEND);
	assert_string_equal(o->backends[0]->name, "echo-v1");
	smit_routes_free(&l);
	smit_routes_load(&l, "specs/gamma/routes/weight.yaml", NULL);
	outcome(&l, "/", NULL, 0, o);
	assert_int_equal(o->n_backends, 2);
	assert_int_equal(o->backends[0]->weight, 70);
	assert_int_equal(o->backends[1]->weight, 30);
	smit_routes_free(&l);
	free(o);
}

/* The gRPC call of the MeshGRPCRouteRequestHeaderModifier case chosen by its x-test-case header. */
static void grpc_outcome(const struct smit_routes *l, const char *path, const struct gw_header *h, size_t nh,
			 struct gw_outcome *o)
{
	assert_int_equal(gw_grpc_outcome(l->gw->routes, l->gw->n_routes, path, nh, h, o), 0);
}

/*
 * GRPCRoutes: the rule a call's service, method and headers pick, the
 * headers after its RequestHeaderModifier, the weighted backends; 404 when
 * no rule takes the call; precedence order agrees with gw_grpc_pick().
 */
static void test_grpc_outcome(void **state)
{
	static const char *const echo = "/smiw.echo.Echo/Echo";
	const struct gw_header set[] = { { "x-test-case", "set" }, { "some-other-header", "this-header-should-be-set" },
					 { "x-header-set", "this-value-should-be-overwritten" } };
	const struct gw_header add[] = { { "x-test-case", "add" }, { "x-header-add", "this-value-should-be-appended" } };
	const struct gw_header remove[] = { { "x-test-case", "remove" }, { "x-header-remove", "this-should-be-removed" } };
	const struct gw_header multi[] = { { "x-test-case", "multi" }, { "x-header-set-2", "set-header-2" },
					   { "x-header-add-2", "add-header-2" },
					   { "x-header-remove-2", "should-be-removed-2" } };
	const struct gw_header other[] = { { "x-test-case", "other" } };
	struct gw_outcome *o = calloc(1, sizeof(*o));
	struct gw_match_ref refs[8];
	struct smit_routes l;

	(void)state;
	assert_non_null(o);
	smit_routes_load(&l, "specs/gamma/routes/grpc-request-header-modifier.yaml", NULL);
	grpc_outcome(&l, echo, set, 3, o);
	assert_int_equal(o->kind, GW_OUT_BACKEND);
	assert_int_equal(o->pick.rule_index, 0);
	assert_string_equal(o->path, echo);
	assert_string_equal(header(o, "x-header-set"), "set-overwrites-values");
	assert_string_equal(header(o, "some-other-header"), "this-header-should-be-set");
	grpc_outcome(&l, echo, add, 2, o);
	assert_string_equal(header(o, "x-header-add"), "this-value-should-be-appended,add-appends-values");
	grpc_outcome(&l, echo, remove, 2, o);
	assert_string_equal(header(o, "x-header-remove"), "(absent)");
	grpc_outcome(&l, echo, multi, 4, o);
	assert_int_equal(o->n_backends, 1);
	assert_string_equal(o->backends[0]->name, "echo-v2");
	assert_string_equal(header(o, "x-header-set-1"), "header-set-1");
	assert_string_equal(header(o, "x-header-set-2"), "header-set-2");
	assert_string_equal(header(o, "x-header-add-1"), "header-add-1");
	assert_string_equal(header(o, "x-header-add-2"), "add-header-2,header-add-2");
	assert_string_equal(header(o, "x-header-remove-1"), "(absent)");
	assert_string_equal(header(o, "x-header-remove-2"), "(absent)");
	grpc_outcome(&l, echo, other, 1, o);
	assert_int_equal(o->kind, GW_OUT_NOT_FOUND);
	assert_int_equal(o->status, 404);
	smit_routes_free(&l);

	smit_routes_load(&l, "specs/gamma/routes/grpc-weight.yaml", NULL);
	grpc_outcome(&l, echo, NULL, 0, o);
	assert_int_equal(o->n_backends, 2);
	assert_int_equal(o->backends[0]->weight, 70);
	assert_int_equal(o->backends[1]->weight, 30);
	smit_routes_free(&l);

	/* Method matches: Exact service and method, a service alone, a method alone, regexes; not a gRPC path. */
	smit_routes_load(&l, "tests/fixtures/lab/grpc-routes.yaml", NULL);
	grpc_outcome(&l, echo, NULL, 0, o);
	assert_int_equal(o->pick.rule_index, 0);
	grpc_outcome(&l, "/smiw.echo.Echo/Other", NULL, 0, o);
	assert_int_equal(o->pick.rule_index, 1);
	grpc_outcome(&l, "/x.Y/Ping", NULL, 0, o);
	assert_int_equal(o->pick.rule_index, 1);
	assert_int_equal(o->pick.match_index, 1);
	assert_string_equal(header(o, "x-backend"), "v2");	/* the one backend's own filter */
	grpc_outcome(&l, echo, (const struct gw_header[]){ { "x-test-case", "re" } }, 1, o);
	assert_int_equal(o->pick.rule_index, 2);
	grpc_outcome(&l, "/smiw.other.X/Eat", (const struct gw_header[]){ { "x-test-case", "re" } }, 1, o);
	assert_int_equal(o->pick.rule_index, 2);
	grpc_outcome(&l, "/smiw.echoX/Eat", (const struct gw_header[]){ { "x-test-case", "re" } }, 1, o);
	assert_int_equal(o->pick.rule_index, 3);
	grpc_outcome(&l, "/not-grpc", NULL, 0, o);
	assert_int_equal(o->pick.rule_index, 3);
	assert_int_equal(gw_grpc_order(l.gw->routes, l.gw->n_routes, refs, 8), 5);
	static const size_t want[][2] = { { 2, 0 }, { 0, 0 }, { 1, 0 }, { 1, 1 }, { 3, 0 } };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(refs[i].rule, want[i][0]);
		assert_int_equal(refs[i].match, want[i][1]);
	}
	assert_int_equal(gw_http_order(l.gw->routes, l.gw->n_routes, refs, 8), 0);
	smit_routes_free(&l);
	free(o);
}

/* RequestMirror: the Services every request is copied to; a mirror of a share of the requests is not listed. */
static void test_mirror_outcome(void **state)
{
	struct gw_outcome *o = calloc(1, sizeof(*o));
	struct smit_routes l;

	(void)state;
	assert_non_null(o);
	smit_routes_load(&l, "specs/gamma/routes/request-mirror.yaml", NULL);
	outcome(&l, "/mirror/x", NULL, 0, o);
	assert_int_equal(o->kind, GW_OUT_BACKEND);
	assert_int_equal(o->n_mirrors, 1);
	assert_string_equal(o->mirrors[0]->name, "echo-v2");
	assert_int_equal(o->mirrors[0]->port, 8080);
	assert_string_equal(o->backends[0]->name, "echo-v1");
	outcome(&l, "/other", NULL, 0, o);
	assert_int_equal(o->kind, GW_OUT_NOT_FOUND);
	assert_int_equal(o->n_mirrors, 0);
	smit_routes_free(&l);
	smit_routes_load(&l, NULL, "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: gamma}\n"
	     "spec:\n  parentRefs: [{group: \"\", kind: Service, name: echo}]\n  rules:\n"
	     "  - filters:\n"
	     "    - {type: RequestMirror, requestMirror: {backendRef: {name: echo-v2, port: 80}, percent: 100}}\n"
	     "    - {type: RequestMirror, requestMirror: {backendRef: {name: echo-v1, port: 80}, fraction: {numerator: 1}}}\n"
	     "    backendRefs: [{name: echo, port: 80}]\n");
	assert_true(l.gw->routes[0]->rules[0].filters[1].mirror_share == 0.01);
	outcome(&l, "/", NULL, 0, o);
	assert_int_equal(o->n_mirrors, 1);
	assert_string_equal(o->mirrors[0]->name, "echo-v2");
	assert_int_equal(o->n_mirrors_partial, 1);
	smit_routes_free(&l);
	free(o);
}

/* One header out of a record's raw headers: repeated names joined in order, names case-insensitive. */
static void test_obs_header(void **state)
{
	const char *raw = "{\"host\":\"echo\",\"x-header-add\":\"a\",\"x-b\":\"caf\\u00e9 \\\"q\\\"\",\"X-Header-Add\":\"b\"}";
	char out[64];

	(void)state;
	assert_int_equal(obs_header(raw, "X-HEADER-ADD", out, sizeof(out)), 2);
	assert_string_equal(out, "a,b");
	assert_int_equal(obs_header(raw, "x-b", out, sizeof(out)), 1);
	assert_string_equal(out, "caf\xc3\xa9 \"q\"");
	assert_int_equal(obs_header(raw, "x-none", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(obs_header("{}", "host", out, sizeof(out)), 0);
	assert_int_equal(obs_header("{\"a\":1}", "a", out, sizeof(out)), -1);
	assert_int_equal(obs_header(NULL, "a", out, sizeof(out)), -1);
	assert_int_equal(obs_header(raw, "x-header-add", out, 3), 2);	/* cut to fit */
	assert_string_equal(out, "a,");
}

static void add(struct report *r, const char *scenario, const char *smispec, enum verdict v)
{
	char id[200];
	struct assertion a = {
		.id = id, .scenario = (char *)scenario, .step = "routes", .traffic = "t1", .kind = "route",
		.smispec = (char *)smispec, .specversion = "v1", .step_index = 1, .verdict = v, .reason = "r",
	};

	snprintf(id, sizeof(id), "%s/routes/t%zu/route", scenario, r->n);
	assert_non_null(report_add(r, &a, NULL));
}

static char *write_report(const struct report *r)
{
	struct gamma_impl impl;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	gamma_impl_of(r, &impl);
	assert_int_equal(report_write_gamma_conformance(f, r, &impl, "2026-12-07T01:00:00Z"), 0);
	fclose(f);
	return buf;
}

/*
 * The fields of upstream's ConformanceReport (conformance/apis/v1: the
 * JSON names of ConformanceReport, Implementation, ProfileReport, Status,
 * ExtendedStatus and the untagged Statistics), written down here: name,
 * JSON type, and whether upstream always writes it.
 */
struct field {
	const char *name;
	json_type type;
	bool always;
};

static const struct field report_fields[] = {
	{ "apiVersion", JSON_STRING, true }, { "kind", JSON_STRING, true },
	{ "implementation", JSON_OBJECT, true }, { "date", JSON_STRING, true },
	{ "gatewayAPIVersion", JSON_STRING, true }, { "mode", JSON_STRING, true },
	{ "gatewayAPIChannel", JSON_STRING, true }, { "profiles", JSON_ARRAY, true },
	{ "succeededProvisionalTests", JSON_ARRAY, false }, { NULL, 0, false },
};
static const struct field impl_fields[] = {
	{ "organization", JSON_STRING, true }, { "project", JSON_STRING, true }, { "url", JSON_STRING, true },
	{ "version", JSON_STRING, true }, { "contact", JSON_ARRAY, true }, { NULL, 0, false },
};
static const struct field profile_fields[] = {
	{ "name", JSON_STRING, true }, { "summary", JSON_STRING, true }, { "core", JSON_OBJECT, true },
	{ "extended", JSON_OBJECT, false }, { NULL, 0, false },
};
static const struct field status_fields[] = {
	{ "result", JSON_STRING, true }, { "statistics", JSON_OBJECT, true },
	{ "skippedTests", JSON_ARRAY, false }, { "failedTests", JSON_ARRAY, false }, { NULL, 0, false },
};
static const struct field extended_fields[] = {
	{ "result", JSON_STRING, true }, { "statistics", JSON_OBJECT, true },
	{ "skippedTests", JSON_ARRAY, false }, { "failedTests", JSON_ARRAY, false },
	{ "supportedFeatures", JSON_ARRAY, false }, { "unsupportedFeatures", JSON_ARRAY, false }, { NULL, 0, false },
};
static const struct field statistics_fields[] = {
	{ "Passed", JSON_INTEGER, true }, { "Skipped", JSON_INTEGER, true }, { "Failed", JSON_INTEGER, true },
	{ NULL, 0, false },
};

/* Every member of o is a field of the table with its type; every `always` field is there. */
static void check_fields(json_t *o, const struct field *fields, const char *where)
{
	const char *key;
	json_t *v;

	assert_true(json_is_object(o));
	json_object_foreach(o, key, v) {
		const struct field *f = fields;

		while (f->name && strcmp(f->name, key))
			f++;
		if (!f->name)
			fail_msg("%s: '%s' is not a field of upstream's type", where, key);
		if (json_typeof(v) != f->type)
			fail_msg("%s.%s: JSON type %d, upstream's is %d", where, key, json_typeof(v), f->type);
	}
	for (const struct field *f = fields; f->name; f++)
		if (f->always && !json_object_get(o, f->name))
			fail_msg("%s: '%s' missing", where, f->name);
}

static void check_status(json_t *s, const struct field *fields, const char *where)
{
	const char *result = json_string_value(json_object_get(s, "result"));

	check_fields(s, fields, where);
	check_fields(json_object_get(s, "statistics"), statistics_fields, where);
	assert_true(!strcmp(result, "success") || !strcmp(result, "partial") || !strcmp(result, "failure"));
}

static void test_conformance_report(void **state)
{
	struct report r;
	json_t *docs, *doc, *p;
	char err[200], *text;
	size_t i;

	(void)state;
	assert_int_equal(report_init(&r, "reference"), 0);
	add(&r, "MeshBasic", "mesh-http", VERDICT_PASS);
	add(&r, "MeshHTTPRouteMatching", "mesh-http", VERDICT_PASS);
	add(&r, "MeshHTTPRouteMatching", "mesh-http", VERDICT_FAIL);
	add(&r, "MeshHTTPRouteMatching", "mesh-http", VERDICT_INCONCLUSIVE);
	add(&r, "MeshHTTPRouteWeight", "mesh-http", VERDICT_PASS);
	add(&r, "MeshHTTPRouteRewritePath", "mesh-http", VERDICT_INCONCLUSIVE);
	add(&r, "MeshHTTPRouteRewritePath", "mesh-http", VERDICT_PASS);
	add(&r, "MeshHTTPRouteNamedRule", "mesh-http", VERDICT_PASS);
	add(&r, "MeshHTTPRoute303Redirect", "mesh-http", VERDICT_PASS);
	add(&r, "MeshHTTPRoute308Redirect", "mesh-http", VERDICT_FAIL);
	add(&r, "traffic-split", "traffic-split", VERDICT_FAIL);	/* SMI: not in it */
	add(&r, "MeshBasic", "traffic-split", VERDICT_FAIL);		/* an SMI scenario of that name: not either */
	text = write_report(&r);
	assert_string_equal(text,
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"date: '2026-12-07T01:00:00Z'\n"
		"gatewayAPIChannel: standard\n"
		"gatewayAPIVersion: v1.6.1\n"
		"implementation:\n"
		"  contact:\n"
		"  - 'https://gateway-api.sigs.k8s.io/contributing/'\n"
		"  organization: 'smi-witness'\n"
		"  project: 'reference'\n"
		"  url: 'https://gateway-api.sigs.k8s.io/mesh/'\n"
		"  version: 'unknown'\n"
		"kind: ConformanceReport\n"
		"mode: default\n"
		"profiles:\n"
		"- core:\n"
		"    result: partial\n"
		"    skippedTests:\n"
		"    - MeshGRPCRouteRequestHeaderModifier\n"
		"    - MeshGRPCRouteWeight\n"
		"    statistics:\n"
		"      Failed: 0\n"
		"      Passed: 1\n"
		"      Skipped: 2\n"
		"  name: MESH-GRPC\n"
		"  summary: Core tests partially succeeded with 2 test skips.\n"
		"- core:\n"
		"    failedTests:\n"
		"    - MeshHTTPRouteMatching\n"
		"    result: failure\n"
		"    skippedTests:\n"
		"    - MeshHTTPRouteRedirectHostAndStatus\n"
		"    - MeshHTTPRouteRequestHeaderModifier\n"
		"    - MeshHTTPRouteSimpleSameNamespace\n"
		"    - MeshTrafficSplit\n"
		"    statistics:\n"
		"      Failed: 1\n"
		"      Passed: 2\n"
		"      Skipped: 4\n"
		"  extended:\n"
		"    result: partial\n"
		"    skippedTests:\n"
		"    - MeshHTTPRouteRewritePath\n"
		"    statistics:\n"
		"      Failed: 0\n"
		"      Passed: 1\n"
		"      Skipped: 1\n"
		"    supportedFeatures:\n"
		"    - MeshHTTPRouteNamedRouteRule\n"
		"    - MeshHTTPRouteRewritePath\n"
		"    unsupportedFeatures:\n"
		"    - MeshClusterIPMatching\n"
		"    - MeshConsumerRoute\n"
		"    - MeshHTTPRouteBackendRequestHeaderModification\n"
		"    - MeshHTTPRouteQueryParamMatching\n"
		"    - MeshHTTPRouteRedirectPath\n"
		"    - MeshHTTPRouteRedirectPort\n"
		"    - MeshHTTPRouteSchemeRedirect\n"
		"  name: MESH-HTTP\n"
		"  summary: Core tests failed with 1 test failures. Extended tests partially succeeded with 1 test skips.\n"
		"succeededProvisionalTests:\n"
		"- MeshHTTPRoute303Redirect\n"
		"- MeshHTTPRouteNamedRule\n");
	/* Read back as YAML: every field upstream's, of upstream's type, and what upstream's checks require. */
	docs = yaml_json_load_buffer(text, strlen(text), err, sizeof(err));
	if (!docs)
		fail_msg("not YAML: %s", err);
	assert_int_equal(json_array_size(docs), 1);
	doc = json_array_get(docs, 0);
	check_fields(doc, report_fields, "report");
	check_fields(json_object_get(doc, "implementation"), impl_fields, "implementation");
	assert_true(json_array_size(json_object_get(json_object_get(doc, "implementation"), "contact")) >= 1);
	assert_int_equal(strncmp(json_string_value(json_object_get(json_object_get(doc, "implementation"), "url")),
				 "https://", 8), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "apiVersion")), "gateway.networking.k8s.io/v1");
	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "ConformanceReport");
	assert_string_equal(json_string_value(json_object_get(doc, "gatewayAPIChannel")), "standard");
	assert_true(*json_string_value(json_object_get(doc, "mode")));
	json_array_foreach(json_object_get(doc, "profiles"), i, p) {
		check_fields(p, profile_fields, "profiles[]");
		check_status(json_object_get(p, "core"), status_fields, "core");
		if (json_object_get(p, "extended"))
			check_status(json_object_get(p, "extended"), extended_fields, "extended");
	}
	json_decref(docs);
	free(text);
	report_free(&r);
}

/* Without a test counted in a profile, profiles is an empty list (upstream: never omitted). */
static void test_conformance_report_empty(void **state)
{
	struct report r;
	char *text;

	(void)state;
	assert_int_equal(report_init(&r, "x"), 0);
	add(&r, "MeshHTTPRoute307Redirect", "mesh-http", VERDICT_PASS);
	text = write_report(&r);
	assert_non_null(strstr(text, "\nprofiles: []\nsucceededProvisionalTests:\n- MeshHTTPRoute307Redirect\n"));
	assert_true(report_has_gamma(&r));
	free(text);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_redirect_port_8080),
		cmocka_unit_test(test_rewrite_prefix_table),
		cmocka_unit_test(test_rewrite_path),
		cmocka_unit_test(test_request_header_modifier),
		cmocka_unit_test(test_not_found_and_weights),
		cmocka_unit_test(test_grpc_outcome),
		cmocka_unit_test(test_mirror_outcome),
		cmocka_unit_test(test_obs_header),
		cmocka_unit_test(test_conformance_report),
		cmocka_unit_test(test_conformance_report_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
