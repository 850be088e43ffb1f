/* test_scenario - the scenario loader: defaults, derived fields, and exact error messages. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "utest.h"
#include "records/inventory.h"
#include "gateway/gateway.h"
#include "scenario/policy.h"
#include "scenario/scenario.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];

static void write_file(const char *name, const char *text)
{
	assert_int_equal(utest_write(dir, name, text, strlen(text)), 0);
}

struct load_args {
	struct scenario *sc;
	const char *path;
};

static int do_load(void *arg)
{
	struct load_args *a = arg;

	return scenario_load(a->sc, a->path);
}

/* Loads dir/name with stderr captured into err (the loader's messages). */
static int load(struct scenario *sc, const char *name, char *err, size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return utest_stderr(err, len, do_load, &(struct load_args){ sc, path });
}

static const char split_manifest[] =
	"apiVersion: split.smi-spec.io/v1alpha2\n"
	"kind: TrafficSplit\n"
	"metadata: {name: s}\n"
	"spec: {service: app-svc, backends: [{service: app-b, weight: 1}, {service: app-c, weight: 0}]}\n";

static const char access_manifests[] =
	"apiVersion: specs.smi-spec.io/v1alpha4\n"
	"kind: HTTPRouteGroup\n"
	"metadata: {name: rg, namespace: other}\n"
	"---\n"
	"apiVersion: access.smi-spec.io/v1alpha3\n"
	"kind: TrafficTarget\n"
	"metadata: {name: tt}\n";

static const char good[] =
	"version: 1\n"
	"name: good\n"
	"smispec: traffic-split\n"
	"namespace: shop\n"
	"statistics: {alpha: 0.01}\n"
	"defaults:\n"
	"  from: app-a\n"
	"  path: /echo\n"
	"  headers: {x-a: '1'}\n"
	"  count: 100\n"
	"  expect: {access: allow}\n"
	"  converge: {timeout: 10s}\n"
	"steps:\n"
	"  - traffic:\n"
	"      - to: app-b\n"
	"  - name: split\n"
	"    apply: [split.yaml, access.yaml]\n"
	"    converge: {consecutive: 3, interval: 50ms}\n"
	"    traffic:\n"
	"      - name: weighted\n"
	"        from: ops/app-z\n"
	"        to: app-svc\n"
	"        port: 8080\n"
	"        method: POST\n"
	"        headers: {x-b: two}\n"
	"        duration: 2s\n"
	"        concurrency: 4\n"
	"        via: direct\n"
	"        expect: {split: {app-b: 75, app-c: 25}}\n"
	"      - to: app-c\n"
	"        expect: {access: deny, denial: [401, reset]}\n"
	"      - to: app-svc\n"
	"        connections: keep-alive\n"
	"        expect: {split: derived}\n"
	"  - converge: false\n"
	"    traffic: [{to: app-b, connections: new}, {to: app-b, protocol: grpc}]\n";

static void test_good(void **state)
{
	struct scenario sc;
	char err[1024];
	const struct sc_traffic *t;

	(void)state;
	write_file("split.yaml", split_manifest);
	write_file("access.yaml", access_manifests);
	write_file("good.yaml", good);
	assert_int_equal(load(&sc, "good.yaml", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(sc.name, "good");
	assert_string_equal(sc.ns, "shop");
	assert_true(sc.alpha == 0.01 && sc.power == 0.99 && sc.effect == 0.10);
	assert_false(sc.access_control);	/* off by default for traffic-split */
	assert_int_equal(sc.n_steps, 3);

	/* Step 1: defaults throughout; default names. */
	assert_string_equal(sc.steps[0].name, "step-1");
	t = &sc.steps[0].traffic[0];
	assert_string_equal(t->name, "t1");
	assert_string_equal(t->from_ns, "shop");
	assert_string_equal(t->from, "app-a");
	assert_string_equal(t->to, "app-b");
	assert_int_equal(t->port, 9091);
	assert_string_equal(t->method, "GET");
	assert_string_equal(t->path, "/echo");
	assert_int_equal(t->n_headers, 1);
	assert_string_equal(t->headers[0].name, "x-a");
	assert_true(t->count == 100 && t->duration_ns == 0);
	assert_int_equal(t->concurrency, 1);
	assert_int_equal(t->via, SC_VIA_CALL);
	assert_int_equal(t->connections, SC_CONN_KEEP_ALIVE);	/* no split expectation */
	assert_int_equal(t->protocol, SC_PROTO_RUN);	/* not given: the run's */
	assert_int_equal(t->expect.access, SC_ACCESS_ALLOW);
	assert_true(sc.steps[0].converge.enabled);
	assert_true(sc.steps[0].converge.timeout_ns == 10000000000ULL);
	assert_int_equal(sc.steps[0].converge.consecutive, 5);

	/* Step 2: everything overridden; a duration replaces the default count. */
	t = &sc.steps[1].traffic[0];
	assert_string_equal(t->name, "weighted");
	assert_string_equal(t->from_ns, "ops");
	assert_string_equal(t->from, "app-z");
	assert_int_equal(t->port, 8080);
	assert_string_equal(t->method, "POST");
	assert_int_equal(t->n_headers, 1);	/* replaces the default headers */
	assert_string_equal(t->headers[0].value, "two");
	assert_true(t->count == 0 && t->duration_ns == 2000000000ULL);
	assert_int_equal(t->concurrency, 4);
	assert_int_equal(t->via, SC_VIA_DIRECT);
	assert_int_equal(t->connections, SC_CONN_NEW);	/* a split: a connection per request */
	assert_int_equal(t->expect.access, SC_ACCESS_NONE);	/* expect replaces the default */
	assert_int_equal(t->expect.split, SC_SPLIT_EXPLICIT);
	assert_int_equal(t->expect.n_shares, 2);
	assert_string_equal(t->expect.shares[1].service, "app-c");
	assert_true(t->expect.shares[1].weight == 25);
	t = &sc.steps[1].traffic[1];
	assert_string_equal(t->name, "t2");
	assert_int_equal(t->expect.access, SC_ACCESS_DENY);
	assert_int_equal(t->expect.denial, SC_DENY_STATUS | SC_DENY_RESET);
	assert_int_equal(t->expect.n_deny_statuses, 1);
	assert_int_equal(t->expect.deny_statuses[0], 401);
	assert_int_equal(t->connections, SC_CONN_KEEP_ALIVE);
	t = &sc.steps[1].traffic[2];
	assert_int_equal(t->expect.split, SC_SPLIT_DERIVED);
	assert_int_equal(t->connections, SC_CONN_KEEP_ALIVE);	/* asked for, split or not */
	assert_int_equal(sc.steps[1].converge.consecutive, 3);
	assert_true(sc.steps[1].converge.interval_ns == 50000000ULL);
	assert_true(sc.steps[1].converge.timeout_ns == 10000000000ULL);	/* from defaults */
	assert_int_equal(sc.steps[1].n_apply, 2);
	assert_int_equal(sc.steps[1].apply[1].n_objects, 2);
	assert_string_equal(sc.steps[1].apply[1].objects[0].ns, "other");
	assert_string_equal(sc.steps[1].apply[1].objects[1].ns, "shop");
	assert_string_equal(sc.steps[1].apply[1].objects[1].kind, "TrafficTarget");

	/* Step 3: convergence off; a default deny expectation lists every denial form. */
	assert_false(sc.steps[2].converge.enabled);
	assert_int_equal(sc.steps[2].traffic[0].connections, SC_CONN_NEW);
	assert_int_equal(sc.steps[2].n_traffic, 2);
	assert_int_equal(sc.steps[2].traffic[1].protocol, SC_PROTO_GRPC);

	/* The spec version: the split applied in step 2, also for step 1. */
	assert_string_equal(scenario_spec_version(&sc, 1), "v1alpha2");
	assert_string_equal(scenario_spec_version(&sc, 3), "v1alpha2");
	assert_string_equal(scenario_spec_group("traffic-specs"), "specs.smi-spec.io");
	assert_null(scenario_spec_group("traffic-spec"));
	scenario_free(&sc);
}

/*
 * Case i: loading `yaml` as dir/file fails with "cannot load 'dir/file': "
 * and `want`, in which '@' stands for the test directory.
 */
static void expect_error(size_t i, const char *file, const char *yaml, const char *want_text)
{
	struct scenario sc;
	char err[1024], want[1024];
	const char *at = strchr(want_text, '@');

	write_file(file, yaml);
	assert_int_equal(load(&sc, file, err, sizeof(err)), -EINVAL);
	if (at)
		snprintf(want, sizeof(want), "error: cannot load '%s/%s': %.*s%s%s", dir, file,
			 (int)(at - want_text), want_text, dir, at + 1);
	else
		snprintf(want, sizeof(want), "error: cannot load '%s/%s': %s", dir, file, want_text);
	if (strcmp(err, want))
		fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
	scenario_free(&sc);
}

static void test_errors(void **state)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ "version: 2\nname: x\nsmispec: traffic-split\nsteps: []\n",
		  "line 1: version: 2 is out of range [1, 1]" },
		{ "name: x\nsmispec: traffic-split\nsteps: []\n",
		  "line 1: version: missing (this reader knows version 1)" },
		{ "version: 1\nname: x\nsmispec: traffic-spec\nsteps: []\n",
		  "line 3: smispec: not one of traffic-access, traffic-specs, traffic-split, traffic-metrics, mesh-http" },
		{ "version: 1\nname: x y\nsmispec: traffic-split\nsteps: []\n",
		  "line 2: name: 'x y' is not a plain name (letters, digits, '.', '_', '-'; at most 63)" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps: []\n",
		  "line 4: steps: a non-empty list of steps is required" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsurprise: 1\nsteps: []\n",
		  "line 4: (top level): unknown field 'surprise'" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic: [{to: b, count: 1, expect: {access: allow}}]\n",
		  "line 5: steps[0].traffic[0]: no 'from' (the source pod)" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        expect: {access: allow}\n",
		  "line 6: steps[0].traffic[0]: neither 'count' nor 'duration'" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 0\n        expect: {access: allow}\n",
		  "line 8: steps[0].traffic[0].count: 0 is out of range [1, 10000000]" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        port: 70000\n        expect: {access: allow}\n",
		  "line 9: steps[0].traffic[0].port: 70000 is out of range [1, 65535]" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        expect: {access: maybe}\n",
		  "line 9: steps[0].traffic[0].expect.access: not one of allow, deny, derived" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        expect: {split: {b1: 0, b2: 0}}\n",
		  "line 9: steps[0].traffic[0].expect.split: no backend has a weight above 0" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        expect: {split: {b1: x}}\n",
		  "line 9: steps[0].traffic[0].expect.split.b1: not a number" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        expect: {access: allow, denial: [403]}\n",
		  "line 9: steps[0].traffic[0].expect.denial: only meaningful with access: deny or derived" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        expect: {access: deny, denial: [200]}\n",
		  "line 9: steps[0].traffic[0].expect.denial[0]: 200 is out of range [400, 599]" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        expect: {}\n",
		  "line 9: steps[0].traffic[0].expect: asserts nothing (give access and/or split, or route)" },
		{ "version: 1\nname: x\nsmispec: mesh-http\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        expect: {route: allow}\n",
		  "line 9: steps[0].traffic[0].expect.route: not 'derived' (from the HTTPRoutes in force)" },
		{ "version: 1\nname: x\nsmispec: mesh-http\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        expect: {access: allow, route: derived}\n",
		  "line 9: steps[0].traffic[0].expect.route: goes alone: the routes decide access and split" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        method: get\n        expect: {access: allow}\n",
		  "line 9: steps[0].traffic[0].method: 'get' is not an HTTP method (upper case)" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        path: echo\n        expect: {access: allow}\n",
		  "line 9: steps[0].traffic[0].path: not a request path (starts with '/', no blanks)" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - apply: [missing.yaml]\n    traffic: [{from: a, to: b, count: 1, expect: {access: allow}}]\n",
		  "line 5: steps[0].apply[0]: cannot read manifest '@/missing.yaml': No such file or directory" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - converge: {timeout: soon}\n    traffic: [{from: a, to: b, count: 1, expect: {access: allow}}]\n",
		  "line 5: steps[0].converge.timeout: not a duration (e.g. 250ms, 10s, 2m)" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - name: s\n    traffic: [{from: a, to: b, count: 1, expect: {access: allow}}]\n  - name: s\n    traffic: [{from: a, to: b, count: 1, expect: {access: allow}}]\n",
		  "line 7: steps[1].name: 's' used by an earlier step" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - {from: a, to: b, count: 1, expect: {access: allow}}\n      - {from: a, to: b, count: 1, expect: {access: allow}, name: t1}\n",
		  "line 7: steps[0].traffic[1]: name 't1' used twice in this step" },
		{ "version: 1\nname: x\nsmispec: traffic-split\nsteps:\n  - traffic:\n      - from: a\n        to: b\n        count: 5\n        connections: 4\n        expect: {access: allow}\n",
		  "line 9: steps[0].traffic[0].connections: not 'new' (a connection per request) or 'keep-alive'" },
		{ "version: 1\nname: x\nsmispec: traffic-split\ndefaults: {connections: close}\nsteps:\n  - traffic: [{from: a, to: b, count: 1, expect: {access: allow}}]\n",
		  "line 4: defaults.connections: not 'new' (a connection per request) or 'keep-alive'" },
		{ "version: 1\nname: x\nsmispec: traffic-split\ndefaults: {protocol: http3}\nsteps:\n  - traffic: [{from: a, to: b, count: 1, expect: {access: allow}}]\n",
		  "line 4: defaults.protocol: not 'h1', 'h2' or 'grpc'" },
		{ "version: 1\nname: x\nname: y\nsmispec: traffic-split\nsteps: []\n",
		  "line 3: (top level): field 'name' given twice" },
		{ "version: 1\nname: [x\n", "line 3: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence" },
		{ "version: 1\nname: x\nsmispec: traffic-access\naccess_control: maybe\nsteps: []\n",
		  "line 4: access_control: not a boolean (true or false)" },
	};
	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		char file[32];

		snprintf(file, sizeof(file), "bad%zu.yaml", i);
		expect_error(i, file, cases[i].yaml, cases[i].want);
	}
}

static const char local_profile[] =
	"name: local\n"
	"side: server\n"
	"requests:\n"
	"  metric: requests_total\n"
	"  source: {any: true}\n"
	"  destination: {label: dst}\n"
	"  result: {label: code, status: true}\n";

/* A metrics step: the profile found beside the scenario, edges, and entries that only send traffic. */
static void test_metrics(void **state)
{
	static const char scen[] =
		"version: 1\nname: m\nsmispec: traffic-metrics\n"
		"defaults: {from: app-a, to: app-b, count: 5}\n"
		"steps:\n"
		"  - metrics: {profile: haproxy, edges: ['*=default/app-b', '*=app-c']}\n"
		"    traffic:\n"
		"      - {name: ok, expect: {access: allow}}\n"
		"      - {name: fails, method: POST, path: /call, body: '{\"url\": \"http://127.0.0.1:1/\"}'}\n"
		"  - metrics: {profile: haproxy, name: again, scrape: 'http://198.18.1.250:8405/metrics'}\n"
		"    traffic: [{}]\n"
		"  - metrics: {profile: p.yaml}\n"
		"    traffic: [{}]\n";
	struct scenario sc;
	char err[512], path[160];

	(void)state;
	snprintf(path, sizeof(path), "%s/metrics-profiles", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file("metrics-profiles/haproxy.yaml", local_profile);
	write_file("p.yaml", local_profile);
	write_file("metrics.yaml", scen);
	if (load(&sc, "metrics.yaml", err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(sc.steps[0].metrics.enabled);
	snprintf(path, sizeof(path), "%s/metrics-profiles/haproxy.yaml", dir);
	assert_string_equal(sc.steps[0].metrics.profile, path);	/* beside the scenario first */
	assert_string_equal(sc.steps[0].metrics.name, "local");	/* the profile's name */
	assert_string_equal(sc.steps[0].metrics.scrape, "mesh");
	assert_int_equal(sc.steps[0].metrics.n_edges, 2);
	/* An end named without a namespace is in the scenario's, as pods and services are. */
	assert_string_equal(sc.steps[0].metrics.edges[1], "*=default/app-c");
	assert_int_equal(sc.steps[0].metrics.line, 6);
	assert_true(sc_traffic_asserts(&sc.steps[0].traffic[0]));
	assert_false(sc_traffic_asserts(&sc.steps[0].traffic[1]));
	assert_string_equal(sc.steps[0].traffic[1].body, "{\"url\": \"http://127.0.0.1:1/\"}");
	assert_string_equal(sc.steps[0].traffic[0].body, "");
	assert_string_equal(sc.steps[1].metrics.name, "again");
	assert_string_equal(sc.steps[1].metrics.scrape, "http://198.18.1.250:8405/metrics");
	assert_int_equal(sc.steps[1].metrics.n_edges, 0);
	snprintf(path, sizeof(path), "%s/p.yaml", dir);
	assert_string_equal(sc.steps[2].metrics.profile, path);	/* a file, against the scenario's directory */
	/* Nothing of the metrics spec is applied: its one version names the assertions. */
	assert_string_equal(scenario_spec_version(&sc, 1), "v1alpha1");
	scenario_free(&sc);

	/* Placed in another namespace (a cluster run's): its names without one move there, and only those. */
	snprintf(path, sizeof(path), "%s/metrics.yaml", dir);
	assert_int_equal(scenario_load_in(&sc, path, "smiw-x"), 0);
	assert_string_equal(sc.ns, "smiw-x");
	assert_string_equal(sc.steps[0].metrics.edges[0], "*=default/app-b");
	assert_string_equal(sc.steps[0].metrics.edges[1], "*=smiw-x/app-c");
	assert_string_equal(sc.steps[0].traffic[0].from_ns, "smiw-x");
	assert_string_equal(sc.steps[0].traffic[0].to_ns, "smiw-x");
	scenario_free(&sc);
}

static void test_metrics_errors(void **state)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ "  - metrics: {edges: ['*=app-b']}\n    traffic: [{}]\n",
		  "line 6: steps[0].metrics: no 'profile' (how to read the mesh's metrics, e.g. haproxy)" },
		{ "  - metrics: {profile: missing.yaml}\n    traffic: [{}]\n",
		  "line 6: steps[0].metrics.profile: cannot open '@/missing.yaml': No such file or directory" },
		{ "  - metrics: {profile: 'http://198.18.0.1/p.yaml'}\n    traffic: [{}]\n",
		  "line 6: steps[0].metrics.profile: a profile is a name or a file, not a URL" },
		{ "  - metrics: {profile: p.yaml, edges: ['app-a=app-b']}\n    traffic: [{}]\n",
		  "line 6: steps[0].metrics.edges[0]: edge 'app-a=app-b': profile 'local' does not tell sources apart; use '*' there" },
		{ "  - metrics: {profile: p.yaml, edges: ['app-b']}\n    traffic: [{}]\n",
		  "line 6: steps[0].metrics.edges[0]: edge 'app-b': expected SRC=DST" },
		{ "  - metrics: {profile: p.yaml, edges: []}\n    traffic: [{}]\n",
		  "line 6: steps[0].metrics.edges: not a list of edges (\"SRC=DST\", e.g. \"*=default/app-b\")" },
		{ "  - metrics: {profile: p.yaml, scrape: 'ftp://x/metrics'}\n    traffic: [{}]\n",
		  "line 6: steps[0].metrics.scrape: not 'mesh' (the inventory's mesh.metrics_url) or an http(s):// URL" },
		{ "  - metrics: {profile: p.yaml, colour: red}\n    traffic: [{}]\n",
		  "line 6: steps[0].metrics: unknown field 'colour'" },
		{ "  - metrics: {profile: p.yaml, name: 'a b'}\n    traffic: [{}]\n",
		  "line 6: steps[0].metrics.name: 'a b' is not a plain name (letters, digits, '.', '_', '-'; at most 63)" },
		/* Without a metrics assertion an entry must still say what it expects. */
		{ "  - traffic: [{}]\n", "line 6: steps[0].traffic[0]: no 'expect' (what must be observed)" },
		{ "  - metrics: {profile: p.yaml}\n    traffic: [{body: [x]}]\n",
		  "line 7: steps[0].traffic[0].body: not a string" },
	};
	(void)state;
	write_file("p.yaml", local_profile);
	for (size_t i = 0; i < N_OF(cases); i++) {
		char file[32], yaml[512];

		snprintf(file, sizeof(file), "mbad%zu.yaml", i);
		snprintf(yaml, sizeof(yaml), "version: 1\nname: x\nsmispec: traffic-metrics\n"
			 "defaults: {from: a, to: b, count: 1}\nsteps:\n%s", cases[i].yaml);
		expect_error(i, file, yaml, cases[i].want);
	}
}

/* What is in force after each step: applies replace by kind/namespace/name, deletes remove. */
static void test_policy(void **state)
{
	static const char tt[] =
		"apiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\nmetadata: {name: r}\nspec: {matches: {ports: []}}\n"
		"---\napiVersion: access.smi-spec.io/v1alpha3\nkind: TrafficTarget\nmetadata: {name: t}\n"
		"spec:\n  destination: {kind: ServiceAccount, name: b}\n  sources: [{kind: ServiceAccount, name: a}]\n"
		"  rules: [{kind: TCPRoute, name: r}]\n";
	static const char scen[] =
		"version: 1\nname: p\nsmispec: traffic-split\n"
		"defaults: {from: a, to: app-svc, count: 1, expect: {split: derived}}\n"
		"steps:\n"
		"  - {apply: [s5050.yaml], traffic: [{}]}\n"
		"  - {apply: [s7525.yaml, tt.yaml], traffic: [{}]}\n"
		"  - {delete: [tt.yaml], traffic: [{}]}\n"
		"  - {delete: [s5050.yaml], traffic: [{}]}\n";
	struct scenario sc;
	struct policy pol = { 0 };
	struct smi_split_result sr;
	const struct sc_object **v;
	char err[512];
	size_t n;

	(void)state;
	write_file("s5050.yaml", "apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\nmetadata: {name: s}\n"
		   "spec: {service: app-svc, backends: [{service: b, weight: 50}, {service: c, weight: 50}]}\n");
	write_file("s7525.yaml", "apiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\nmetadata: {name: s}\n"
		   "spec: {service: app-svc, backends: [{service: b, weight: 75}, {service: c, weight: 25}]}\n");
	write_file("tt.yaml", tt);
	write_file("policy.yaml", scen);
	assert_int_equal(load(&sc, "policy.yaml", err, sizeof(err)), 0);
	v = policy_objects(&sc, 1, &n);
	assert_int_equal(n, 1);
	free(v);
	v = policy_objects(&sc, 2, &n);	/* the second split replaced the first (same name) */
	assert_int_equal(n, 3);
	assert_string_equal(v[0]->version, "v1alpha2");
	assert_string_equal(v[2]->kind, "TrafficTarget");
	free(v);
	v = policy_objects(&sc, 3, &n);	/* both objects of tt.yaml deleted */
	assert_int_equal(n, 1);
	free(v);
	v = policy_objects(&sc, 4, &n);	/* deleting by a file naming the same split removes it */
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(policy_build(&pol, &sc), 0);
	assert_int_equal(smi_split_lookup(pol.sets[1], "default", "app-svc", NULL, &sr), 0);
	assert_non_null(sr.split);
	assert_true(sr.split->backends[0].share == 0.75);
	assert_int_equal(smi_split_lookup(pol.sets[3], "default", "app-svc", NULL, &sr), 0);
	assert_null(sr.split);
	policy_free(&pol);
	scenario_free(&sc);
}

/*
 * A route in a scenario placed in another namespace (a cluster run's): what
 * names the scenario's own namespace moves, another namespace stays; the
 * routes are written in the version asked for their kind.
 */
static void test_routes_moved(void **state)
{
	static const char route[] =
		"# a comment\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: gamma}\n"
		"spec:\n  parentRefs: [{group: \"\", kind: Service, name: echo, port: 80}]\n"
		"  rules: [{backendRefs: [{name: echo-v1, port: 8080}, {name: far, namespace: other, port: 8080}]}]\n";
	static const char scen[] =
		"version: 1\nname: rm\nsmispec: mesh-http\nnamespace: gamma\n"
		"defaults: {from: client, to: echo, port: 80, count: 1, expect: {route: derived}}\n"
		"steps:\n  - {apply: [route.yaml], traffic: [{}]}\n";
	int gw_api[GW_KIND_COUNT] = { [GW_HTTP_ROUTE] = GW_V1BETA1 };
	const struct sc_object **v;
	struct scenario sc;
	char path[PATH_MAX], *text = NULL;
	size_t n, len = 0;
	FILE *f;

	(void)state;
	write_file("route.yaml", route);
	write_file("routes-moved.yaml", scen);
	snprintf(path, sizeof(path), "%s/routes-moved.yaml", dir);
	assert_int_equal(scenario_load_in(&sc, path, "smiw-x"), 0);
	v = policy_objects(&sc, 1, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0]->ns, "smiw-x");
	assert_int_equal(v[0]->line, 2);
	assert_string_equal(v[0]->text + strspn(v[0]->text, "\n"),
			    "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"HTTPRoute\",\"metadata\":"
			    "{\"name\":\"r\",\"namespace\":\"smiw-x\"},\"spec\":{\"parentRefs\":[{\"group\":\"\","
			    "\"kind\":\"Service\",\"name\":\"echo\",\"port\":80}],\"rules\":[{\"backendRefs\":["
			    "{\"name\":\"echo-v1\",\"port\":8080},{\"name\":\"far\",\"namespace\":\"other\",\"port\":8080}]}]}}\n");
	assert_int_equal(strspn(v[0]->text, "\n"), 1);	/* on the document's line */
	free(v);
	f = open_memstream(&text, &len);
	assert_int_equal(policy_write_routes(&sc, 1, gw_api, f), 1);
	fclose(f);
	assert_non_null(strstr(text, "# "));
	assert_non_null(strstr(text, "route.yaml, line 2\n{\n  \"apiVersion\": \"gateway.networking.k8s.io/v1beta1\","));
	free(text);
	scenario_free(&sc);

	/* In its own namespace the text stays as written. */
	assert_int_equal(scenario_load(&sc, path), 0);
	v = policy_objects(&sc, 1, &n);
	assert_string_equal(v[0]->ns, "gamma");
	assert_non_null(strstr(v[0]->text, "metadata: {name: r, namespace: gamma}"));
	free(v);
	scenario_free(&sc);
}

/* Declared background: names, "*", label selectors, method, whole-path regexes, role; per step too. */
static void test_background(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"name: bg\n"
		"smispec: traffic-access\n"
		"namespace: shop\n"
		"background:\n"
		"  - {pods: app-b, method: GET, path: '/healthz', role: server}\n"
		"  - {pods: [ops/agent, '*'], path: '/metrics(\\?.*)?'}\n"
		"steps:\n"
		"  - background: [{pods: {app: app, version: c}, role: client}]\n"
		"    traffic: [{from: app-a, to: app-b, count: 1, expect: {access: deny}}]\n"
		"  - traffic: [{from: app-a, to: app-b, count: 1, expect: {access: deny}}]\n";
	static const char inv_json[] =
		"{\"version\": 1, \"node\": \"n\", \"pods\": ["
		"{\"namespace\": \"shop\", \"name\": \"app-c\", \"service_account\": \"c\", \"ip\": \"198.18.0.13\","
		" \"labels\": {\"app\": \"app\", \"version\": \"c\"}},"
		"{\"namespace\": \"shop\", \"name\": \"app-d\", \"service_account\": \"d\", \"ip\": \"198.18.0.14\","
		" \"labels\": {\"app\": \"app\", \"version\": \"d\"}}], \"services\": []}\n";
	struct inventory *inv = NULL;
	struct scenario sc;
	char err[512], path[160];
	const struct sc_step *s1, *s2;

	(void)state;
	write_file("bg.yaml", yaml);
	write_file("bg-inv.json", inv_json);
	assert_int_equal(load(&sc, "bg.yaml", err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/bg-inv.json", dir);
	assert_int_equal(inventory_load(path, &inv), 0);
	assert_int_equal(sc.n_background, 2);
	assert_string_equal(sc.background[0].pods[0], "shop/app-b");
	assert_string_equal(sc.background[1].pods[0], "ops/agent");
	assert_string_equal(sc.background[1].pods[1], "*");
	assert_string_equal(sc.background[1].path, "/metrics(\\?.*)?");
	s1 = &sc.steps[0];
	s2 = &sc.steps[1];
	assert_int_equal(s1->n_background, 1);
	assert_int_equal(s2->n_background, 0);
	/* rule 0: server GET of exactly /healthz at shop/app-b */
	assert_true(sc_step_background(&sc, s2, inv, "shop", "app-b", true, "GET", "/healthz"));
	assert_false(sc_step_background(&sc, s2, inv, "shop", "app-b", false, "GET", "/healthz"));
	assert_false(sc_step_background(&sc, s2, inv, "shop", "app-b", true, "POST", "/healthz"));
	assert_false(sc_step_background(&sc, s2, inv, "shop", "app-b", true, "GET", "/healthz/x"));
	assert_false(sc_step_background(&sc, s2, inv, "shop", "app-b", true, "GET", "/x/healthz"));
	assert_false(sc_step_background(&sc, s2, inv, "other", "app-b", true, "GET", "/healthz"));
	/* rule 1: any pod, any method, /metrics with or without a query, not a longer path */
	assert_true(sc_step_background(&sc, s2, inv, "shop", "app-c", true, "PUT", "/metrics"));
	assert_true(sc_step_background(&sc, s2, inv, "x", "y", false, "GET", "/metrics?a=1"));
	assert_false(sc_step_background(&sc, s2, inv, "x", "y", false, "GET", "/metricsx"));
	assert_false(sc_step_background(&sc, s2, inv, "", "", true, "GET", "/metrics"));	/* no pod known */
	/* the step's own rule: client exchanges of pods labelled app=app, version=c, in step 1 only */
	assert_true(sc_step_background(&sc, s1, inv, "shop", "app-c", false, "GET", "/anything"));
	assert_false(sc_step_background(&sc, s1, inv, "shop", "app-d", false, "GET", "/anything"));
	assert_false(sc_step_background(&sc, s1, inv, "shop", "app-c", true, "GET", "/anything"));
	assert_false(sc_step_background(&sc, s2, inv, "shop", "app-c", false, "GET", "/anything"));
	assert_false(sc_step_background(&sc, s1, NULL, "shop", "app-c", false, "GET", "/anything"));
	inventory_free(inv);
	scenario_free(&sc);
}

static void test_background_errors(void **state)
{
	static const char head[] = "version: 1\nname: x\nsmispec: traffic-access\n";
	static const char tail[] = "steps:\n  - traffic: [{from: a, to: b, count: 1, expect: {access: deny}}]\n";
	static const struct {
		const char *bg, *want;
	} cases[] = {
		{ "background: {pods: a}\n", "line 4: background: not a list of rules (pods, method, path, role)" },
		{ "background: []\n", "line 4: background: not a list of rules (pods, method, path, role)" },
		{ "background: [{method: GET}]\n", "line 4: background[0]: no 'pods' (a pod name, \"*\", a list, or a label mapping)" },
		{ "background: [{pods: a, colour: red}]\n", "line 4: background[0]: unknown field 'colour'" },
		{ "background: [{pods: 'a b'}]\n", "line 4: background[0].pods: 'a b' is not a pod name or namespace/name" },
		{ "background: [{pods: []}]\n", "line 4: background[0].pods: a list of 1 to 32 pod names" },
		{ "background: [{pods: {}}]\n", "line 4: background[0].pods: an empty label mapping selects nothing (write \"*\" for any pod)" },
		{ "background: [{pods: a, method: get}]\n", "line 4: background[0].method: 'get' is not an HTTP method (upper case)" },
		{ "background: [{pods: a, path: '/x('}]\n",
		  "line 4: background[0].path: not a valid regular expression (missing closing parenthesis at offset 3)" },
		{ "background: [{pods: a, path: ''}]\n",
		  "line 4: background[0].path: an empty regular expression (leave 'path' out for any path)" },
		{ "background: [{pods: a, role: both}]\n", "line 4: background[0].role: not one of server, client, any" },
		{ "background:\n  - {pods: a}\n  - {pods: [a, 'b/c/d']}\n",
		  "line 6: background[1].pods[1]: 'b/c/d' is not a pod name or namespace/name" },
	};
	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		char file[32], yaml[512];

		snprintf(file, sizeof(file), "bgbad%zu.yaml", i);
		snprintf(yaml, sizeof(yaml), "%s%s%s", head, cases[i].bg, tail);
		expect_error(i, file, yaml, cases[i].want);
	}
	/* a step's own list, named by its path */
	expect_error(99, "bgstep.yaml", "version: 1\nname: x\nsmispec: traffic-access\nsteps:\n"
		     "  - background: [{pods: a, role: x}]\n    traffic: [{from: a, to: b, count: 1, expect: {access: deny}}]\n",
		     "line 5: steps[0].background[0].role: not one of server, client, any");
}

static int setup(void **state)
{
	(void)state;
	return utest_tmpdir(dir, sizeof(dir), "scenario");
}

static int teardown(void **state)
{
	(void)state;
	return utest_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_metrics_errors),
		cmocka_unit_test(test_routes_moved),
		cmocka_unit_test(test_background),
		cmocka_unit_test(test_background_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
