/*
 * test_lab_gateway - Gateway API routes on the gamma topology, as the mesh
 * policy the lab builds (rules, match order, weighted servers, filters) and
 * the HAProxy configuration it renders, per variant; and what the lab
 * refuses to render, with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "lab/lab_policy.h"
#include "mesh/haproxy.h"

#define FIX "tests/fixtures/lab/"

static struct topology *topo;

static int setup(void **state)
{
	(void)state;
	topo = topology_load("sample-app/topology/gamma.yaml");
	return topo ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(topo);
	return 0;
}

static int policy_of(const char *file, struct mesh_policy *p)
{
	const char *paths[] = { file };

	assert_int_equal(lab_policy_base(topo, false, p), 0);
	return lab_policy_add_files(p, topo, paths, 1);
}

static const struct mesh_listener *listener(const struct mesh_policy *p, const char *svc, uint16_t port)
{
	for (int i = 0; i < p->n_listeners; i++)
		if (!strcmp(p->listeners[i].service, svc) && p->listeners[i].port == port)
			return &p->listeners[i];
	fail_msg("no listener %s:%u", svc, port);
	return NULL;
}

/* The policy: which ports are routed, matches in precedence order, servers, filters. */
static void test_policy(void **state)
{
	const struct mesh_listener *l;
	struct mesh_policy p;

	(void)state;
	assert_int_equal(policy_of(FIX "gamma-routes.yaml", &p), 0);
	l = listener(&p, "echo", 80);
	assert_true(l->routed);
	assert_false(listener(&p, "echo", 8080)->routed);	/* the parentRef names port 80 */
	assert_false(listener(&p, "echo-v2", 80)->routed);
	assert_int_equal(l->n_rules, 4);
	assert_int_equal(l->n_rule_matches, 6);
	/* Exact first; then the longest prefix (/v2 before /w); header matches at "/"; "/" last */
	static const int want_rule[] = { 2, 1, 3, 0, 1, 0 };
	static const enum mesh_path_kind want_kind[] = {
		MESH_PATH_EXACT, MESH_PATH_PREFIX, MESH_PATH_PREFIX, MESH_PATH_ANY, MESH_PATH_ANY, MESH_PATH_ANY,
	};
	for (int i = 0; i < 6; i++) {
		assert_int_equal(l->rule_matches[i].rule, want_rule[i]);
		assert_int_equal(l->rule_matches[i].path_kind, want_kind[i]);
	}
	assert_string_equal(l->rule_matches[2].method, "POST");
	assert_int_equal(l->rule_matches[3].n_headers, 1);
	assert_int_equal(l->rule_matches[5].n_headers, 0);
	assert_int_equal(l->rules[3].n_servers, 2);
	assert_int_equal(l->rules[3].servers[0].weight, 70);
	assert_int_equal(l->rules[3].servers[1].weight, 30);
	assert_int_equal(l->rules[3].servers[0].port, 8080);
	l = listener(&p, "echo-v1", 80);
	assert_int_equal(l->n_rules, 9);
	/* a RegularExpression path ranks after every PathPrefix (the spec leaves it to implementations) */
	assert_int_equal(l->rule_matches[l->n_rule_matches - 1].path_kind, MESH_PATH_REGEX);
	assert_int_equal(l->rule_matches[l->n_rule_matches - 1].rule, 8);
	assert_int_equal(l->rules[0].request.n_add, 1);
	assert_string_equal(l->rules[1].request.add[0].value, "from-backend");	/* a backend's filter */
	assert_true(l->rules[3].redirect);
	assert_int_equal(l->rules[3].redirect_status, 301);
	assert_int_equal(l->rules[3].redirect_port, 0);	/* https without a port: 443, left out */
	assert_int_equal(l->rules[4].redirect_port, 8083);
	assert_int_equal(l->rules[2].redirect_port, 0);	/* http to service port 80 */
	assert_int_equal(l->rules[5].path_edit, MESH_PATH_REPLACE_PREFIX);
	assert_string_equal(l->rules[5].match_prefix, "/prefix/one");
	mesh_policy_free(&p);
}

static char *render(const struct mesh_policy *p, enum mesh_variant v)
{
	struct mesh_render_opts o = { .variant = v, .stats_socket = "/run/smi-witness/lab/haproxy.sock",
				      .generation = 3, .node = "smiw" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_int_equal(mesh_render_haproxy(p, &o, f), 0);
	fclose(f);
	return text;
}

/* The reference rendering, byte for byte (SMIW_UPDATE_FIXTURES=1 rewrites it). */
static void test_render_reference(void **state)
{
	struct mesh_policy p;
	char *text, *want;
	size_t len;
	FILE *f;

	(void)state;
	assert_int_equal(policy_of(FIX "gamma-routes.yaml", &p), 0);
	text = render(&p, MESH_REFERENCE);
	if (getenv("SMIW_UPDATE_FIXTURES")) {
		f = fopen("tests/fixtures/mesh/gamma-reference.cfg", "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	f = fopen("tests/fixtures/mesh/gamma-reference.cfg", "r");
	assert_non_null(f);
	want = calloc(1, 1 << 16);
	len = fread(want, 1, (1 << 16) - 1, f);
	fclose(f);
	want[len] = '\0';
	assert_string_equal(text, want);
	free(want);
	free(text);
	mesh_policy_free(&p);
}

/* Each faulty variant changes exactly its lines of the rendering. */
static void test_render_variants(void **state)
{
	static const struct {
		enum mesh_variant v;
		const char *reference_line, *variant_line;
	} cases[] = {
		{ MESH_ROUTE_LIST_ORDER,
		  "\thttp-request set-var(txn.rule) int(2) if !{ var(txn.rule) -m found } m0.path m0.query0\n",
		  "\thttp-request set-var(txn.rule) int(0) if !{ var(txn.rule) -m found }\n" },
		{ MESH_ROUTE_LOOSE_PREFIX, "\tacl m1.path path -m beg -- '/v2/'\n", "\tacl m1.path path -m beg -- '/v2'\n" },
		{ MESH_ROUTE_ADD_AS_SET, "\thttp-request add-header X-Header-Add 'add-appends-values' if rule0\n",
		  "\thttp-request set-header X-Header-Add 'add-appends-values' if rule0\n" },
		{ MESH_ROUTE_REDIRECT_HOST, "\thttp-request redirect location 'http://example.org%[pathq]' code 302 if rule2\n",
		  "\thttp-request redirect location 'http://%[req.hdr(host),field(1,:)]%[pathq]' code 302 if rule2\n" },
		{ MESH_ROUTE_NO_REWRITE, "\thttp-request replace-path '^/prefix/one(/.*)?$' '/one\\1' if rule5\n", NULL },
		{ MESH_FAULTY_WEIGHTS, "\tserver gamma.echo-v1 127.0.0.1:20000 weight 7 send-proxy-v2\n",
		  "\tserver gamma.echo-v1 127.0.0.1:20000 weight 132 send-proxy-v2\n" },
	};
	struct mesh_policy p;
	char *ref;

	(void)state;
	assert_int_equal(policy_of(FIX "gamma-routes.yaml", &p), 0);
	ref = render(&p, MESH_REFERENCE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = render(&p, cases[i].v);

		if (!strstr(ref, cases[i].reference_line))
			fail_msg("reference lacks: %s", cases[i].reference_line);
		if (strstr(text, cases[i].reference_line))
			fail_msg("%s keeps: %s", mesh_variant_name(cases[i].v), cases[i].reference_line);
		if (cases[i].variant_line && !strstr(text, cases[i].variant_line))
			fail_msg("%s lacks: %s", mesh_variant_name(cases[i].v), cases[i].variant_line);
		free(text);
	}
	free(ref);
	mesh_policy_free(&p);
}

/* The consumer and producer routes of the shipped scenario, rendered (both files, or the consumer's alone). */
static char *render_consumer(bool producer, enum mesh_variant v)
{
	const char *paths[] = { "specs/gamma/routes/consumer-route.yaml", "specs/gamma/routes/producer-route.yaml" };
	struct mesh_policy p;
	char *text;

	assert_int_equal(lab_policy_base(topo, false, &p), 0);
	assert_int_equal(lab_policy_add_files(&p, topo, paths, producer ? 2 : 1), 0);
	text = render(&p, v);
	mesh_policy_free(&p);
	return text;
}

/*
 * Consumer routes: their rules take only their namespace's pods as the
 * source, the producer's everyone else; without a producer route the others
 * are routed as without routes. route-consumer-everywhere drops the first.
 */
static void test_consumer_routes(void **state)
{
	char *both = render_consumer(true, MESH_REFERENCE), *alone = render_consumer(false, MESH_REFERENCE);
	char *bad = render_consumer(true, MESH_ROUTE_CONSUMER_EVERYWHERE);

	(void)state;
	assert_non_null(strstr(both, "\tacl m0.src src 198.18.0.14\n"
				     "\thttp-request set-var(txn.rule) int(0) if !{ var(txn.rule) -m found } m0.src\n"
				     "\tacl m1.src src 198.18.0.14\n"
				     "\thttp-request set-var(txn.rule) int(1) if !{ var(txn.rule) -m found } !m1.src\n"));
	assert_non_null(strstr(both, "\thttp-request set-header X-Consumer 'gamma-consumer' if rule0\n"));
	assert_non_null(strstr(alone, "\thttp-request set-var(txn.rule) int(1) if !{ var(txn.rule) -m found } !m1.src\n"
				      "\thttp-request return status 404 unless { var(txn.rule) -m found }\n"));
	assert_non_null(strstr(alone, "\t# rule1: gamma/echo without a producer route\n"));
	assert_non_null(strstr(bad, "\thttp-request set-var(txn.rule) int(0) if !{ var(txn.rule) -m found }\n"));
	assert_non_null(strstr(bad, "!m1.src\n"));
	free(both);
	free(alone);
	free(bad);
}

/*
 * GRPCRoutes: service and method become one path condition in the spec's
 * precedence, rules keep their filters (a backend's own too), weights as
 * for HTTPRoutes, and HAProxy speaks HTTP/2 to the rules' servers and on
 * from their pod sides, whatever the lab speaks elsewhere.
 */
static void test_grpc_routes(void **state)
{
	static const int want_rule[] = { 2, 0, 1, 1, 3 };
	static const enum mesh_path_kind want_kind[] = {
		MESH_PATH_REGEX, MESH_PATH_EXACT, MESH_PATH_REGEX, MESH_PATH_REGEX, MESH_PATH_ANY,
	};
	static const char *const want_path[] = {
		"/(?:smiw\\.(echo|other)\\..*)/(?:E.*)", "/smiw.echo.Echo/Echo", "/smiw\\.echo\\.Echo/[^/]+",
		"/[^/]+/Ping", "/",
	};
	const struct mesh_listener *l;
	struct mesh_policy p;
	char *text, *bad;

	(void)state;
	assert_int_equal(policy_of(FIX "grpc-routes.yaml", &p), 0);
	l = listener(&p, "echo", 8080);
	assert_true(l->routed);
	assert_false(listener(&p, "echo", 80)->routed);
	assert_int_equal(l->n_rules, 4);
	assert_int_equal(l->n_rule_matches, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(l->rule_matches[i].rule, want_rule[i]);
		assert_int_equal(l->rule_matches[i].path_kind, want_kind[i]);
		assert_string_equal(l->rule_matches[i].path, want_path[i]);
		assert_int_equal(l->rule_matches[i].n_headers, i == 0);
	}
	for (int k = 0; k < 4; k++)
		assert_true(l->rules[k].h2);
	assert_string_equal(l->rules[0].request.set[0].value, "exact");
	assert_string_equal(l->rules[1].request.add[0].name, "x-backend");	/* the backend's own filter */
	assert_string_equal(l->rules[1].request.remove[0], "x-drop");
	assert_int_equal(l->rules[3].n_servers, 2);
	assert_int_equal(l->rules[3].servers[0].weight, 70);
	assert_int_equal(l->rules[3].servers[1].weight, 30);

	text = render(&p, MESH_REFERENCE);
	assert_non_null(strstr(text, "\tacl m0.path path -m reg -- '^(?:/(?:smiw\\.(echo|other)\\..*)/(?:E.*))$'\n"
				     "\tacl m0.header0 req.fhdr(x-test-case,1) -m str -- 're'\n"
				     "\thttp-request set-var(txn.rule) int(2) if !{ var(txn.rule) -m found } m0.path m0.header0\n"
				     "\tacl m1.path path -m str -- '/smiw.echo.Echo/Echo'\n"));
	assert_non_null(strstr(text, "\thttp-request set-header x-rule 'exact' if rule0\n"));
	assert_non_null(strstr(text, "\thttp-request add-header x-backend 'v2' if rule1\n"
				     "\thttp-request del-header x-drop if rule1\n"));
	/* The rules' servers and the pod sides behind them: HTTP/2; echo:80's own backend stays HTTP/1.1. */
	assert_non_null(strstr(text, "backend svc.gamma.echo.8080.rule3\n\tbalance roundrobin\n"
				     "\tserver gamma.echo-v1 127.0.0.1:20000 weight 7 send-proxy-v2 proto h2 pool-max-conn 0\n"
				     "\tserver gamma.echo-v2 127.0.0.1:20001 weight 3 send-proxy-v2 proto h2 pool-max-conn 0\n"));
	assert_non_null(strstr(text, "backend svc.gamma.echo.80\n\tbalance roundrobin\n"
				     "\tserver gamma.echo-v1 127.0.0.1:20000 weight 1 send-proxy-v2\n"));
	assert_non_null(strstr(text, "backend pod.gamma.echo-v1.8080\n"
				     "\tserver gamma.echo-v1 198.18.0.12:8080 proto h2 pool-max-conn 0\n"));
	bad = render(&p, MESH_FAULTY_WEIGHTS);
	assert_non_null(strstr(bad, "\tserver gamma.echo-v1 127.0.0.1:20000 weight 132 send-proxy-v2 proto h2 "
				    "pool-max-conn 0\n"));
	free(bad);
	bad = render(&p, MESH_ROUTE_ADD_AS_SET);
	assert_non_null(strstr(bad, "\thttp-request set-header x-backend 'v2' if rule1\n"));
	free(bad);
	free(text);
	mesh_policy_free(&p);
}

/*
 * RequestMirror: the rule's backend section sends a copy of each answered
 * request to the mirror Service's address with the mirror action, loaded
 * once; route-no-mirror leaves the copies out.
 */
static void test_mirror(void **state)
{
	const char *paths[] = { "specs/gamma/routes/request-mirror.yaml" };
	const struct mesh_listener *l;
	struct mesh_policy p;
	char *text, *bad;

	(void)state;
	assert_int_equal(lab_policy_base(topo, false, &p), 0);
	assert_int_equal(lab_policy_add_files(&p, topo, paths, 1), 0);
	assert_true(mesh_policy_has_mirrors(&p));
	l = listener(&p, "echo", 80);
	assert_int_equal(l->n_rules, 2);
	assert_int_equal(l->rules[1].n_mirrors, 1);
	assert_string_equal(l->rules[1].mirrors[0].origin, "gamma/echo-v2:8080");
	assert_int_equal(l->rules[1].mirrors[0].port, 8080);
	assert_int_equal(l->rules[1].request.n_set, 1);
	text = render(&p, MESH_REFERENCE);
	assert_non_null(strstr(text, "\t# RequestMirror filters: the mirror action\n\tlua-load mirror.lua\n"));
	assert_non_null(strstr(text, "backend svc.gamma.echo.80.rule0\n\t# RequestMirror: a copy of every request\n"
				     "\thttp-request set-var(txn.mirror_method) method\n"
				     "\thttp-request set-var(txn.mirror_target) pathq\n"
				     "\thttp-request set-var(txn.mirror_id) req.fhdr(x-request-id)\n"
				     "\t# to gamma/echo-v2:8080\n\thttp-response lua.mirror 198.18.1.3:8080\n"));
	bad = render(&p, MESH_ROUTE_NO_MIRROR);
	assert_null(strstr(bad, "lua.mirror"));
	assert_non_null(strstr(bad, "\t# route-no-mirror variant: the RequestMirror is left out\n"));
	/* The mirror variant and the filters share one load of the action. */
	free(bad);
	bad = render(&p, MESH_MIRROR_TO_ZERO_WEIGHT);
	assert_non_null(strstr(bad, "lua-load"));
	assert_null(strstr(strstr(bad, "lua-load") + 1, "lua-load"));
	free(bad);
	free(text);
	mesh_policy_free(&p);
}

/* Runs policy_of() on a text with stderr caught; returns what was printed (static). */
static const char *refusal_of(const char *text)
{
	static char out[1024];
	char path[] = "/tmp/test_lab_gateway.XXXXXX", errpath[] = "/tmp/test_lab_gateway.err.XXXXXX";
	int fd = mkstemp(path), efd = mkstemp(errpath), saved = dup(2);
	struct mesh_policy p;
	FILE *f = fdopen(fd, "w");
	ssize_t n;

	assert_non_null(f);
	assert_true(efd >= 0 && saved >= 0);
	fputs(text, f);
	fclose(f);
	fflush(stderr);
	dup2(efd, 2);
	assert_int_equal(policy_of(path, &p), -1);
	mesh_policy_free(&p);	/* the caller's, whatever the result (lab_policy.h) */
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(efd, out, sizeof(out) - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(efd);
	unlink(path);
	unlink(errpath);
	return out;
}

#define HR(name, ns) "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: " name ", namespace: " ns "}\n"
#define ON_ECHO "spec:\n  parentRefs: [{group: \"\", kind: Service, name: echo, port: 80}]\n  rules:\n"

/* What the lab refuses, with the reason. */
static void test_refused(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ HR("h", "gamma") ON_ECHO "  - backendRefs: [{name: echo-v1, port: 80}]\n---\n"
		  "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: g, namespace: gamma}\n"
		  "spec:\n  parentRefs: [{group: \"\", kind: Service, name: echo}]\n",
		  "error: HTTPRoute gamma/h and GRPCRoute gamma/g: the lab renders one kind of route per service port "
		  "(gamma/echo:80)\n" },
		{ HR("m", "gamma") ON_ECHO "  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: echo-v2, port: 80}, percent: 50}}]\n"
		  "    backendRefs: [{name: echo-v1, port: 80}]\n",
		  "error: HTTPRoute gamma/m rule 0: the lab mirrors every request; a RequestMirror of 50% is not rendered\n" },
		{ HR("f", "gamma") ON_ECHO "  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: echo-v2, port: 80}, fraction: {numerator: 1, denominator: 3}}}]\n"
		  "    backendRefs: [{name: echo-v1, port: 80}]\n",
		  "error: HTTPRoute gamma/f rule 0: the lab mirrors every request; a RequestMirror of 33.3333% is not rendered\n" },
		{ "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: gm, namespace: gamma}\n"
		  "spec:\n  parentRefs: [{group: \"\", kind: Service, name: echo, port: 8080}]\n  rules:\n"
		  "  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: echo-v2, port: 8080}}}]\n"
		  "    backendRefs: [{name: echo-v1, port: 8080}]\n",
		  "error: GRPCRoute gamma/gm rule 0: the lab mirrors HTTP/1.1 requests only, not gRPC calls\n" },
		{ HR("u", "gamma") ON_ECHO "  - backendRefs: [{name: echo-v3, port: 80}]\n",
		  "error: HTTPRoute gamma/u rule 0: backendRef gamma/echo-v3 is not a service of the lab topology\n" },
		{ HR("p", "gamma") ON_ECHO "  - backendRefs: [{name: echo-v1, port: 81}]\n",
		  "error: HTTPRoute gamma/p rule 0: service gamma/echo-v1 has no port 81\n" },
		{ HR("b", "gamma") ON_ECHO "  - backendRefs:\n    - {name: echo-v1, port: 80}\n"
		  "    - {name: echo-v2, port: 80, filters: [{type: RequestHeaderModifier, requestHeaderModifier: {remove: [a]}}]}\n",
		  "error: HTTPRoute gamma/b rule 0: the lab renders backendRef filters only for a rule with one backendRef\n" },
		{ HR("bad", "gamma") ON_ECHO "  - backendRefs: [{name: echo-v1}]\n",
		  NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = refusal_of(cases[i].text);

		if (cases[i].error)
			assert_string_equal(got, cases[i].error);
		else	/* an invalid file: the model's one error, with file, line and field */
			assert_non_null(strstr(got, ": line 7: spec.rules[0].backendRefs[0].port: required for a Service reference\n"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_render_reference),
		cmocka_unit_test(test_render_variants),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_consumer_routes),
		cmocka_unit_test(test_grpc_routes),
		cmocka_unit_test(test_mirror),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
