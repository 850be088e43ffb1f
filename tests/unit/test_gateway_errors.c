/*
 * test_gateway_errors - each validation problem of an HTTPRoute or
 * GRPCRoute, with its exact message, line and field path, as lint lists
 * them; and files that mix SMI and Gateway API objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gateway/gateway.h"
#include "smitest.h"

#define HR "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\nspec:\n"
#define GR "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata:\n  name: g\nspec:\n"
#define PARENT "  parentRefs:\n  - {group: \"\", kind: Service, name: echo}\n"
/* line 8 is the first line after HR PARENT "  rules:\n" */
#define RULES HR PARENT "  rules:\n"
#define GRULES GR PARENT "  rules:\n"

static const struct {
	const char *what, *text, *problems;
} cases[] = {
	{ "a valid route", RULES "  - backendRefs: [{name: b, port: 80}]\n", "" },
	{ "a version that does not serve the kind",
	  "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: GRPCRoute\nmetadata: {name: g}\nspec: {}\n",
	  "E 1 apiVersion: GRPCRoute is not served in 'gateway.networking.k8s.io/v1beta1' (v1 or v1alpha2)" },
	{ "an unknown version",
	  "apiVersion: gateway.networking.k8s.io/v2\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {}\n",
	  "E 1 apiVersion: HTTPRoute is not served in 'gateway.networking.k8s.io/v2' (v1, v1beta1 or v1alpha2)" },
	{ "other kinds of the group are not read",
	  "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\n",
	  "W 1 kind: Gateway of gateway.networking.k8s.io is not read (the mesh model reads HTTPRoute and GRPCRoute)" },
	{ "no name, no spec", "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {}\n",
	  "E 3 metadata.name: required field missing\nE 1 spec: required field missing" },
	{ "a Service parent in the default group",
	  HR "  parentRefs:\n  - {kind: Service, name: echo}\n",
	  "W 7 spec.parentRefs[0]: kind Service in group 'gateway.networking.k8s.io' names no Service (a Service parent needs group \"\")" },
	{ "parent port out of range, parent twice",
	  HR "  parentRefs:\n  - {group: \"\", kind: Service, name: echo, port: 0}\n  - {group: \"\", kind: Service, name: echo}\n",
	  "E 7 spec.parentRefs[0].port: out of range (1-65535)\n"
	  "E 8 spec.parentRefs[1]: same parent as spec.parentRefs[0] (distinguish them by sectionName or port)" },
	{ "path type and value",
	  RULES "  - matches:\n    - path: {type: Prefix, value: /a}\n    - path: {value: a}\n"
	  "    - path: {type: Exact, value: /a//b}\n    - path: {type: RegularExpression, value: \"/a(\"}\n",
	  "E 10 spec.rules[0].matches[0].path.type: 'Prefix' is not one of Exact, PathPrefix or RegularExpression\n"
	  "E 11 spec.rules[0].matches[1].path.value: 'a' must start with '/'\n"
	  "E 12 spec.rules[0].matches[2].path.value: '/a//b' must not contain '//'\n"
	  "E 13 spec.rules[0].matches[3].path.value: invalid regex: missing closing parenthesis at offset 3" },
	{ "path ends with /.., has a space",
	  RULES "  - matches:\n    - path: {value: /a/..}\n    - path: {value: \"/a b\"}\n",
	  "E 10 spec.rules[0].matches[0].path.value: '/a/..' must not end with '/.' or '/..'\n"
	  "E 11 spec.rules[0].matches[1].path.value: '/a b' has a character a URI path cannot carry (' ')" },
	{ "header matches: name, value, type, repeated name",
	  RULES "  - matches:\n    - headers:\n      - {name: \"x a\", value: v}\n      - {name: x-b}\n"
	  "      - {name: x-c, value: v, type: Prefix}\n      - {name: x-d, value: \"[\", type: RegularExpression}\n"
	  "      - {name: X-E, value: v}\n      - {name: x-e, value: w}\n",
	  "E 11 spec.rules[0].matches[0].headers[0].name: 'x a' is not a valid header name\n"
	  "E 12 spec.rules[0].matches[0].headers[1].value: required field missing\n"
	  "E 13 spec.rules[0].matches[0].headers[2].type: 'Prefix' is not one of Exact or RegularExpression\n"
	  "E 14 spec.rules[0].matches[0].headers[3].value: invalid regex: missing terminating ] for character class at offset 1\n"
	  "W 16 spec.rules[0].matches[0].headers[5]: 'x-e' is matched already: only the first entry of a name counts" },
	{ "query parameters: the name is case-sensitive, a value is required",
	  RULES "  - matches:\n    - queryParams:\n      - {name: a, value: \"\"}\n      - {name: A, value: x}\n",
	  "E 11 spec.rules[0].matches[0].queryParams[0].value: a value has 1 to 4096 characters" },
	{ "method outside the enum",
	  RULES "  - matches:\n    - method: get\n",
	  "E 10 spec.rules[0].matches[0].method: 'get' is not one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE or PATCH" },
	{ "more than 16 header matches",
	  RULES "  - matches:\n    - headers: [{name: a, value: v}, {name: b, value: v}, {name: c, value: v}, {name: d, value: v},"
	  " {name: e, value: v}, {name: f, value: v}, {name: g, value: v}, {name: h, value: v}, {name: i, value: v},"
	  " {name: j, value: v}, {name: k, value: v}, {name: l, value: v}, {name: m, value: v}, {name: n1, value: v},"
	  " {name: o, value: v}, {name: p, value: v}, {name: q, value: v}]\n",
	  "E 10 spec.rules[0].matches[0].headers: 17 items, at most 16 allowed" },
	{ "rule names: an RFC 1123 label, unique",
	  RULES "  - name: Rule_1\n  - name: a\n  - name: a\n",
	  "E 9 spec.rules[0].name: 'Rule_1' is not a valid rule name (an RFC 1123 label)\n"
	  "E 11 spec.rules[2].name: rule name 'a' also names spec.rules[1]" },
	{ "backendRefs: a Service needs a port; weight range",
	  RULES "  - backendRefs:\n    - {name: a}\n    - {name: b, port: 80, weight: -1}\n    - {name: c, kind: Pod, group: x}\n",
	  "E 10 spec.rules[0].backendRefs[0].port: required for a Service reference\n"
	  "E 11 spec.rules[0].backendRefs[1].weight: out of range (0-1000000)" },
	{ "a filter's configuration must be the one its type names",
	  RULES "  - filters:\n    - type: RequestHeaderModifier\n      urlRewrite: {hostname: a}\n    - type: Nope\n    - {}\n",
	  "E 10 spec.rules[0].filters[0].requestHeaderModifier: required when type is RequestHeaderModifier\n"
	  "E 11 spec.rules[0].filters[0].urlRewrite: must not be set when type is RequestHeaderModifier\n"
	  "E 12 spec.rules[0].filters[1].type: 'Nope' is not one of RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror or ExtensionRef\n"
	  "E 13 spec.rules[0].filters[2].type: required field missing" },
	{ "header modifiers: names listed twice, bad names, too long values",
	  RULES "  - filters:\n    - type: RequestHeaderModifier\n      requestHeaderModifier:\n"
	  "        set: [{name: a, value: v1}, {name: a, value: v2}]\n        add: [{name: \"b:\", value: x}]\n"
	  "        remove: [c, 5]\n",
	  "E 12 spec.rules[0].filters[0].requestHeaderModifier.set[1].name: 'a' is listed twice\n"
	  "E 13 spec.rules[0].filters[0].requestHeaderModifier.add[0].name: 'b:' is not a valid header name\n"
	  "E 14 spec.rules[0].filters[0].requestHeaderModifier.remove[1]: expected a string, got an integer" },
	{ "redirect: scheme, status, port, path type, and no backends",
	  RULES "  - filters:\n    - type: RequestRedirect\n      requestRedirect:\n        scheme: ftp\n        statusCode: 304\n"
	  "        port: 70000\n        path: {type: ReplaceFullPath, replacePrefixMatch: /a}\n"
	  "    backendRefs: [{name: b, port: 80}]\n",
	  "E 12 spec.rules[0].filters[0].requestRedirect.scheme: 'ftp' is not one of http or https\n"
	  "E 15 spec.rules[0].filters[0].requestRedirect.path.replaceFullPath: required field missing\n"
	  "E 15 spec.rules[0].filters[0].requestRedirect.path.replacePrefixMatch: must not be set when type is ReplaceFullPath\n"
	  "E 14 spec.rules[0].filters[0].requestRedirect.port: out of range (1-65535)\n"
	  "E 13 spec.rules[0].filters[0].requestRedirect.statusCode: 304 is not one of 301, 302, 303, 307 or 308\n"
	  "E 16 spec.rules[0].backendRefs: a rule with a RequestRedirect filter has no backendRefs" },
	{ "ReplacePrefixMatch needs exactly one PathPrefix match",
	  RULES "  - matches:\n    - path: {type: Exact, value: /a}\n    filters:\n    - type: URLRewrite\n"
	  "      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}\n"
	  "    backendRefs: [{name: b, port: 80}]\n",
	  "E 12 spec.rules[0].filters[0]: ReplacePrefixMatch needs exactly one match, of type PathPrefix" },
	{ "redirect and rewrite together, a modifier twice",
	  RULES "  - filters:\n    - {type: RequestRedirect, requestRedirect: {hostname: a}}\n"
	  "    - {type: URLRewrite, urlRewrite: {hostname: b}}\n"
	  "    - {type: ResponseHeaderModifier, responseHeaderModifier: {remove: [x]}}\n"
	  "    - {type: ResponseHeaderModifier, responseHeaderModifier: {remove: [z]}}\n",
	  "E 13 spec.rules[0].filters[3]: ResponseHeaderModifier may appear once in a filters list\n"
	  "E 9 spec.rules[0].filters: RequestRedirect and URLRewrite cannot be used together" },
	{ "RequestMirror needs a backendRef; percent and fraction exclude each other",
	  RULES "  - filters:\n    - type: RequestMirror\n      requestMirror: {percent: 50, fraction: {numerator: 1}}\n"
	  "    - type: RequestMirror\n      requestMirror: {percent: 101, backendRef: {name: m}}\n",
	  "E 11 spec.rules[0].filters[0].requestMirror.backendRef: required field missing\n"
	  "E 11 spec.rules[0].filters[0].requestMirror.fraction: percent and fraction are exclusive\n"
	  "E 13 spec.rules[0].filters[1].requestMirror.backendRef.port: required for a Service reference\n"
	  "E 13 spec.rules[0].filters[1].requestMirror.percent: out of range (0-100)" },
	{ "backend-level filters are checked as rule-level ones",
	  RULES "  - backendRefs:\n    - name: b\n      port: 80\n      filters:\n      - {type: RequestHeaderModifier}\n",
	  "E 13 spec.rules[0].backendRefs[0].filters[0].requestHeaderModifier: required when type is RequestHeaderModifier" },
	{ "GRPCRoute: method needs a service or a method, names checked, no redirect",
	  GRULES "  - matches:\n    - method: {type: Exact}\n    - method: {service: \"a..b\", method: \"1x\"}\n"
	  "    filters:\n    - {type: URLRewrite, urlRewrite: {}}\n",
	  "E 10 spec.rules[0].matches[0].method: one or both of 'service' or 'method' must be specified\n"
	  "E 11 spec.rules[0].matches[1].method.service: 'a..b' is not a gRPC service name\n"
	  "E 11 spec.rules[0].matches[1].method.method: '1x' is not a gRPC method name\n"
	  "E 13 spec.rules[0].filters[0].type: 'URLRewrite' is not one of RequestHeaderModifier, ResponseHeaderModifier, RequestMirror or ExtensionRef" },
	{ "GRPCRoute: a regex method",
	  GRULES "  - matches:\n    - method: {type: RegularExpression, service: \"grpc\\\\..*\", method: \"(\"}\n",
	  "E 10 spec.rules[0].matches[0].method.method: invalid regex: missing closing parenthesis at offset 1" },
	{ "fields the schema lacks are dropped by Kubernetes",
	  RULES "  - backendRefs: [{name: b, port: 80, wieght: 2}]\n    timeout: 1s\n",
	  "W 9 spec.rules[0].backendRefs[0].wieght: field not defined in gateway.networking.k8s.io/v1 HTTPRoute; Kubernetes drops it\n"
	  "W 10 spec.rules[0].timeout: field not defined in gateway.networking.k8s.io/v1 HTTPRoute; Kubernetes drops it" },
	{ "too many rules",
	  RULES "  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n"
	  "  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n",
	  "E 8 spec.rules: 17 items, at most 16 allowed" },
	{ "a duplicate route, next to SMI objects of the same file",
	  RULES "  - {}\n---\napiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\nmetadata: {name: s}\n"
	  "spec: {service: a, backends: [{service: b, weight: 1}]}\n---\n" RULES "  - {}\n",
	  "E 19 metadata.name: duplicate HTTPRoute 'default/r' (first in 'inline.yaml' at line 1)" },
	{ "a YAML 1.1 boolean is no string",
	  "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: n}\nspec: {}\n",
	  "E 3 metadata.namespace: expected a string, got a boolean" },
};

static struct smi_set *load_text(const char *text, struct gw_set **gw)
{
	struct smi_load_opts o = { 0 };
	struct smi_set *set;

	*gw = gw_set_new();
	assert_non_null(*gw);
	gw_attach(*gw, &o);
	set = smi_set_new(&o);
	assert_non_null(set);
	smi_set_load_buffer(set, "inline.yaml", text, strlen(text));
	smi_set_finish(set);
	gw_set_finish(*gw, set);
	return set;
}

/* Every row is checked and every mismatch printed before the test fails. */
static void test_problems(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gw_set *gw;
		struct smi_set *set = load_text(cases[i].text, &gw);
		const char *got = smit_problems(set);

		if (strcmp(got, cases[i].problems)) {
			print_error("%s:\n  got:  %s\n  want: %s\n", cases[i].what, got, cases[i].problems);
			failed++;
		}
		smi_set_free(set);
		gw_set_free(gw);
	}
	assert_int_equal(failed, 0);
}

/* An invalid route is left out; the valid ones and the SMI objects stay. */
static void test_invalid_left_out(void **state)
{
	struct gw_set *gw;
	struct smi_set *set = load_text(RULES "  - backendRefs: [{name: a}]\n---\n"
					"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ok}\n"
					"spec: {}\n---\napiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\n"
					"metadata: {name: s}\nspec: {service: a, backends: [{service: b, weight: 1}]}\n", &gw);

	(void)state;
	assert_int_equal(set->diags.n_errors, 1);
	assert_int_equal(gw->n_routes, 1);
	assert_string_equal(gw->routes[0]->name, "ok");
	/* a route without rules has the default one: every path, no backend */
	assert_int_equal(gw->routes[0]->n_rules, 1);
	assert_int_equal(gw->routes[0]->rules[0].http[0].path_type, GW_PATH_PREFIX);
	assert_string_equal(gw->routes[0]->rules[0].http[0].path, "/");
	assert_int_equal(set->n_splits, 1);
	assert_int_equal(set->n_skipped, 0);
	smi_set_free(set);
	gw_set_free(gw);
}

/* Without the hook (commands that read SMI only), routes are other documents. */
static void test_without_hook(void **state)
{
	struct smi_set *set = smit_load_text(RULES "  - {}\n", NULL);

	(void)state;
	assert_string_equal(smit_problems(set), "");
	assert_int_equal(set->n_skipped, 1);
	smi_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_invalid_left_out),
		cmocka_unit_test(test_without_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
