/* test_lab_smi - SMI manifests on the default topology, as the mesh policy the lab renders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lab/lab_policy.h"
#include "smi/smi.h"

#define FIX "tests/fixtures/lab/"

/* Policy pods of the default topology: 0 app-a, 1 app-b, 2 app-c, 3 app-d (the mesh pod is not one). */
enum { APP_A, APP_B, APP_C };

static struct topology *topo;

static int setup(void **state)
{
	(void)state;
	topo = topology_load("sample-app/topology/default.yaml");
	return topo ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(topo);
	return 0;
}

/* Builds the policy of one file; returns lab_policy_add_smi()'s result. */
static int policy_of(const char *file, bool access, struct mesh_policy *p)
{
	const char *paths[] = { file };
	struct smi_set *set = smi_load_files(paths, 1, NULL);
	int r;

	assert_non_null(set);
	assert_int_equal(lab_policy_base(topo, access, p), 0);
	r = lab_policy_add_smi(p, topo, set);
	smi_set_free(set);
	return r;
}

static const struct mesh_listener *listener(const struct mesh_policy *p, const char *service)
{
	for (int i = 0; i < p->n_listeners; i++)
		if (!strcmp(p->listeners[i].service, service))
			return &p->listeners[i];
	fail_msg("no listener for %s", service);
	return NULL;
}

static void expect_servers(const struct mesh_server *s, int n, int want_n, const int *pods, const uint32_t *weights)
{
	assert_int_equal(n, want_n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(s[i].pod, pods[i]);
		assert_int_equal(s[i].port, 9091);
		assert_int_equal(s[i].weight, weights[i]);
	}
}

static void test_base(void **state)
{
	struct mesh_policy p;
	const struct mesh_listener *l;

	(void)state;
	assert_int_equal(lab_policy_base(topo, false, &p), 0);
	assert_int_equal(p.n_pods, 4);
	assert_string_equal(p.pods[APP_C].name, "app-c");
	assert_int_equal(p.pods[APP_C].ip, 0xc612000d);
	assert_int_equal(p.mesh_ip, 0xc61201fa);
	assert_int_equal(p.metrics_port, 8405);
	assert_int_equal(p.n_listeners, 6);
	l = listener(&p, "app-svc");
	assert_int_equal(l->ip, 0xc6120101);
	assert_int_equal(l->port, 9091);
	assert_false(l->tcp);
	expect_servers(l->servers, l->n_servers, 2, (int[]){ APP_B, APP_C }, (uint32_t[]){ 1, 1 });
	assert_int_equal(p.n_allows, 0);
	assert_false(p.access_control);
	mesh_policy_free(&p);
}

static void test_splits(void **state)
{
	static const struct {
		const char *file;
		int n;
		int pods[2];
		uint32_t weights[2];
	} cases[] = {
		{ FIX "split-75-25.yaml", 2, { APP_B, APP_C }, { 3, 1 } },
		{ FIX "split-v1alpha1.yaml", 2, { APP_B, APP_C }, { 3, 1 } },
		{ FIX "split-1-0.yaml", 2, { APP_B, APP_C }, { 1, 0 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mesh_policy p;
		const struct mesh_listener *l;

		assert_int_equal(policy_of(cases[i].file, false, &p), 0);
		l = listener(&p, "app-svc");
		expect_servers(l->servers, l->n_servers, cases[i].n, cases[i].pods, cases[i].weights);
		assert_int_equal(l->n_routes, 0);
		/* the backends' own services are untouched */
		l = listener(&p, "app-c");
		expect_servers(l->servers, l->n_servers, 1, (int[]){ APP_C }, (uint32_t[]){ 1 });
		mesh_policy_free(&p);
	}
}

static void test_conditional_split(void **state)
{
	struct mesh_policy p;
	const struct mesh_listener *l;

	(void)state;
	assert_int_equal(policy_of(FIX "split-header.yaml", false, &p), 0);
	l = listener(&p, "app-svc");
	expect_servers(l->servers, l->n_servers, 1, (int[]){ APP_B }, (uint32_t[]){ 1 });
	assert_int_equal(l->n_routes, 1);
	assert_string_equal(l->routes[0].origin, "TrafficSplit default/canary-split");
	expect_servers(l->routes[0].servers, l->routes[0].n_servers, 1, (int[]){ APP_C }, (uint32_t[]){ 1 });
	assert_int_equal(l->routes[0].n_matches, 1);
	assert_int_equal(l->routes[0].matches[0].n_methods, 0);
	assert_null(l->routes[0].matches[0].path_regex);
	assert_int_equal(l->routes[0].matches[0].n_headers, 1);
	assert_string_equal(l->routes[0].matches[0].headers[0].name, "x-canary");
	assert_string_equal(l->routes[0].matches[0].headers[0].regex, "^yes");
	mesh_policy_free(&p);
}

static void test_access_http(void **state)
{
	struct mesh_policy p;
	const struct mesh_allow *a;

	(void)state;
	assert_int_equal(policy_of(FIX "access-get-echo.yaml", true, &p), 0);
	assert_true(p.access_control);
	assert_int_equal(p.n_allows, 1);
	a = &p.allows[0];
	assert_string_equal(a->origin, "default/a-to-b");
	assert_int_equal(a->n_dst, 1);
	assert_int_equal(a->dst_pods[0], APP_B);
	assert_int_equal(a->n_src, 1);
	assert_int_equal(a->src_pods[0], APP_A);
	assert_int_equal(a->dst_port, 0);
	assert_false(a->has_l4);
	assert_true(a->has_http);
	assert_int_equal(a->n_matches, 1);
	assert_int_equal(a->matches[0].n_methods, 1);
	assert_string_equal(a->matches[0].methods[0], "GET");
	assert_string_equal(a->matches[0].path_regex, "/echo");
	assert_int_equal(a->matches[0].n_headers, 0);
	mesh_policy_free(&p);

	assert_int_equal(policy_of(FIX "access-header.yaml", true, &p), 0);
	a = &p.allows[0];
	assert_int_equal(a->n_matches, 1);
	assert_int_equal(a->matches[0].n_methods, 0);	/* "*" */
	assert_string_equal(a->matches[0].path_regex, ".*");
	assert_int_equal(a->matches[0].n_headers, 1);
	assert_string_equal(a->matches[0].headers[0].name, "x-user");
	assert_string_equal(a->matches[0].headers[0].regex, "^alice$");
	mesh_policy_free(&p);
}

static void test_access_tcp(void **state)
{
	struct mesh_policy p;
	const struct mesh_allow *a;

	(void)state;
	assert_int_equal(policy_of(FIX "access-tcp.yaml", true, &p), 0);
	a = &p.allows[0];
	assert_true(a->has_l4);
	assert_true(a->l4_all_ports);
	assert_int_equal(a->n_l4_ports, 0);
	assert_false(a->has_http);
	assert_int_equal(a->dst_pods[0], APP_B);
	assert_int_equal(a->src_pods[0], APP_A);
	mesh_policy_free(&p);
}

static void test_unknown_backend(void **state)
{
	struct mesh_policy p;

	(void)state;
	assert_int_equal(policy_of(FIX "split-unknown-backend.yaml", false, &p), -1);
	mesh_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_splits),
		cmocka_unit_test(test_conditional_split),
		cmocka_unit_test(test_access_http),
		cmocka_unit_test(test_access_tcp),
		cmocka_unit_test(test_unknown_backend),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
