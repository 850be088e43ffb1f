/* test_scenario - the scenario loader: defaults, derived fields, and exact error messages. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "verify/scenario.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Loads dir/name with stderr captured into err (the loader's messages). */
static int load(struct scenario *sc, const char *name, char *err, size_t len)
{
	char path[160];
	int saved = dup(STDERR_FILENO), fd, r;
	FILE *tmp = tmpfile();
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fflush(stderr);
	fd = fileno(tmp);
	dup2(fd, STDERR_FILENO);
	r = scenario_load(sc, path);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, len - 1, tmp);
	err[n] = '\0';
	if (n && err[n - 1] == '\n')
		err[n - 1] = '\0';
	fclose(tmp);
	return r;
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
	"  - converge: false\n"
	"    traffic: [{to: app-b}]\n";

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

	/* The spec version: the split applied in step 2, also for step 1. */
	assert_string_equal(scenario_spec_version(&sc, 1), "v1alpha2");
	assert_string_equal(scenario_spec_version(&sc, 3), "v1alpha2");
	assert_string_equal(scenario_spec_group("traffic-specs"), "specs.smi-spec.io");
	assert_null(scenario_spec_group("traffic-spec"));
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
		  "line 3: smispec: not one of traffic-access, traffic-specs, traffic-split, traffic-metrics" },
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
		  "line 9: steps[0].traffic[0].expect: asserts nothing (give access and/or split)" },
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
		{ "version: 1\nname: x\nname: y\nsmispec: traffic-split\nsteps: []\n",
		  "line 3: (top level): field 'name' given twice" },
		{ "version: 1\nname: [x\n", "line 3: did not find expected ',' or ']' while parsing a flow sequence" },
	};
	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		struct scenario sc;
		char err[1024], want[1024], file[32];
		const char *at = strchr(cases[i].want, '@');

		snprintf(file, sizeof(file), "bad%zu.yaml", i);
		write_file(file, cases[i].yaml);
		assert_int_equal(load(&sc, file, err, sizeof(err)), -EINVAL);
		if (at)
			snprintf(want, sizeof(want), "error: cannot load '%s/%s': %.*s%s%s", dir, file,
				 (int)(at - cases[i].want), cases[i].want, dir, at + 1);
		else
			snprintf(want, sizeof(want), "error: cannot load '%s/%s': %s", dir, file, cases[i].want);
		if (strcmp(err, want))
			fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
		scenario_free(&sc);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/smiw-scenario.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
