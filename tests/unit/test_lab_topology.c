/* test_lab_topology - the default topology as loaded, and every refusal with its exact message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab/flaky.h"
#include "lab/topology.h"

/* Runs topology_load_string() with stderr captured into msg. */
static struct topology *load_capturing(const char *text, char *msg, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	struct topology *t;
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	t = topology_load_string("case", text, strlen(text));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(msg, 1, len - 1, tmp);
	msg[n] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	fclose(tmp);
	return t;
}

static void test_default(void **state)
{
	struct topology *t = topology_load("sample-app/topology/default.yaml");
	char ip[16];

	(void)state;
	assert_non_null(t);
	assert_string_equal(t->node, "lab");
	assert_int_equal(t->net, 0xc6120000);
	assert_int_equal(t->prefix, 16);
	assert_int_equal(t->n_pods, 5);
	assert_int_equal(t->mesh, 4);
	assert_int_equal(t->metrics_port, 8405);
	static const struct {
		const char *name, *sa, *ip;
	} pods[] = {
		{ "app-a", "service-a", "198.18.0.11" },
		{ "app-b", "service-b", "198.18.0.12" },
		{ "app-c", "service-c", "198.18.0.13" },
		{ "app-d", "service-d", "198.18.0.14" },
		{ "mesh", "mesh", "198.18.1.250" },
	};
	for (int i = 0; i < 5; i++) {
		assert_string_equal(t->pods[i].name, pods[i].name);
		assert_string_equal(t->pods[i].namespace, "default");
		assert_string_equal(t->pods[i].service_account, pods[i].sa);
		assert_string_equal(topo_ip_str(t->pods[i].ip, ip), pods[i].ip);
		assert_int_equal(t->pods[i].is_mesh, i == 4);
	}
	assert_int_equal(t->pods[0].n_args, 1);
	assert_string_equal(t->pods[0].args[0], "sample-app");
	assert_int_equal(t->pods[1].n_env, 2);
	assert_string_equal(t->pods[1].env[0].name, "SERVICE_NAME");
	assert_string_equal(t->pods[1].env[0].value, "app-b");
	assert_string_equal(t->pods[1].env[1].name, "PORT");
	assert_string_equal(t->pods[1].env[1].value, "9091");
	assert_int_equal(t->pods[1].n_labels, 3);
	assert_string_equal(t->pods[1].labels[1].key, "version");
	assert_string_equal(t->pods[1].labels[1].value, "b");

	static const struct {
		const char *name, *ip;
		int n_endpoints, e0, e1;
	} svcs[] = {
		{ "app-svc", "198.18.1.1", 2, 1, 2 },
		{ "app-a", "198.18.1.2", 1, 0, -1 },
		{ "app-b", "198.18.1.3", 1, 1, -1 },
		{ "app-c", "198.18.1.4", 1, 2, -1 },
		{ "app-d", "198.18.1.5", 1, 3, -1 },
		{ "app-svc3", "198.18.1.6", 3, 1, 2 },
	};
	assert_int_equal(t->n_services, 6);
	for (int i = 0; i < 6; i++) {
		assert_string_equal(t->services[i].name, svcs[i].name);
		assert_string_equal(topo_ip_str(t->services[i].ip, ip), svcs[i].ip);
		assert_int_equal(t->services[i].n_ports, 1);
		assert_int_equal(t->services[i].ports[0].port, 9091);
		assert_int_equal(t->services[i].ports[0].target_port, 9091);
		assert_int_equal(t->services[i].ports[0].proto, TOPO_HTTP);
		assert_int_equal(t->services[i].n_endpoints, svcs[i].n_endpoints);
		assert_int_equal(t->services[i].endpoints[0], svcs[i].e0);
		if (svcs[i].n_endpoints > 1)
			assert_int_equal(t->services[i].endpoints[1], svcs[i].e1);
	}
	assert_int_equal(topology_pod(t, "default", "app-c"), 2);
	assert_int_equal(topology_pod(t, "other", "app-c"), -1);
	assert_int_equal(topology_service(t, "default", "app-svc"), 0);
	assert_int_equal(topology_pod_by_ip(t, 0xc61201fa), 4);
	assert_int_equal(t->services[5].endpoints[2], 3);
	free(t);
}

static void test_explicit(void **state)
{
	static const char text[] =
		"network: 198.19.4.0/22\n"
		"mesh: {pod: proxy, namespace: infra, ip: 198.19.7.1, metrics_port: 9000}\n"
		"pods:\n"
		"  - {name: c1, namespace: ns1, ip: 198.19.4.40, ports: [], command: [sleep, infinity]}\n"
		"  - {name: s1, namespace: ns1, labels: {app: s}, ports: [8080, 9090], env: {PORT: '1'}}\n"
		"services:\n"
		"  - name: s\n"
		"    namespace: ns1\n"
		"    selector: {app: s}\n"
		"    ports: [{port: 80, target_port: 8080}, {port: 5432, target_port: 9090, protocol: tcp}]\n";
	struct topology *t = topology_load_string("explicit", text, sizeof(text) - 1);
	char ip[16];

	(void)state;
	assert_non_null(t);
	assert_string_equal(topo_ip_str(t->pods[0].ip, ip), "198.19.4.40");
	assert_string_equal(topo_ip_str(t->pods[1].ip, ip), "198.19.4.11");
	assert_string_equal(topo_ip_str(t->pods[2].ip, ip), "198.19.7.1");
	assert_string_equal(t->pods[2].name, "proxy");
	assert_string_equal(t->pods[2].namespace, "infra");
	assert_int_equal(t->metrics_port, 9000);
	assert_int_equal(t->pods[0].n_ports, 0);
	assert_int_equal(t->pods[0].n_env, 1);	/* no PORT for a pod without ports */
	assert_int_equal(t->pods[0].n_args, 2);
	assert_string_equal(t->pods[1].env[0].value, "1");	/* PORT as given */
	assert_string_equal(topo_ip_str(t->services[0].ip, ip), "198.19.5.1");
	assert_int_equal(t->services[0].ports[1].proto, TOPO_TCP);
	assert_int_equal(t->services[0].ports[1].target_port, 9090);
	assert_int_equal(t->services[0].n_endpoints, 1);
	assert_int_equal(t->services[0].endpoints[0], 1);
	free(t);
}

static void test_refusals(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "pods: [", "error: cannot load 'case': line 2: invalid YAML: did not find expected node content while parsing a flow node" },
		{ "", "error: cannot load 'case': no YAML document in it" },
		{ "- a\n", "error: cannot load 'case': line 1: (top): not a mapping" },
		{ "colour: red\n", "error: cannot load 'case': line 1: (top): unknown field 'colour'" },
		{ "network: 10.0.0.0/16\n",
		  "error: cannot load 'case': line 1: network: must lie inside 198.18.0.0/15 (the benchmarking range)" },
		{ "network: 198.18.0.1/16\n", "error: cannot load 'case': line 1: network: host bits set in 198.18.0.1/16" },
		{ "network: 198.18.0.0/30\n", "error: cannot load 'case': line 1: network: prefix length must be in [15, 24]" },
		{ "network: 198.18.0.0\n", "error: cannot load 'case': line 1: network: expected ADDRESS/PREFIX" },
		{ "pods: {}\n", "error: cannot load 'case': line 1: pods: not a list" },
		{ "pods:\n  - ip: 198.18.0.5\n", "error: cannot load 'case': line 2: pods[0].name: missing" },
		{ "pods:\n  - {name: App}\n",
		  "error: cannot load 'case': line 2: pods[0].name: 'App' is not a DNS-1123 label (a-z, 0-9, '-')" },
		{ "pods:\n  - {name: router}\n",
		  "error: cannot load 'case': line 2: pods[0]: the pod name 'router' is reserved for the lab switch" },
		{ "pods:\n  - {name: a, ip: 10.1.1.1}\n",
		  "error: cannot load 'case': line 2: pods[0].ip: 10.1.1.1 is outside the lab network" },
		{ "pods:\n  - {name: a, ip: 198.18.255.255}\n",
		  "error: cannot load 'case': line 2: pods[0].ip: 198.18.255.255 is the network or broadcast address" },
		{ "pods:\n  - {name: a, ports: [70000]}\n",
		  "error: cannot load 'case': line 2: pods[0].ports[0]: 70000 is out of range [1, 65535]" },
		{ "pods:\n  - {name: a, ports: [x]}\n", "error: cannot load 'case': line 2: pods[0].ports[0]: not an integer" },
		{ "pods:\n  - {name: a, labels: [x]}\n", "error: cannot load 'case': line 2: pods[0].labels: not a mapping" },
		{ "pods:\n  - {name: a, labels: {'a b': c}}\n",
		  "error: cannot load 'case': line 2: pods[0].labels: invalid label 'a b: c'" },
		{ "pods:\n  - {name: a, env: {1X: y}}\n",
		  "error: cannot load 'case': line 2: pods[0].env: invalid variable name '1X'" },
		{ "pods:\n  - {name: a, command: []}\n",
		  "error: cannot load 'case': line 2: pods[0].command: expected a list of 1 to 16 words" },
		{ "pods:\n  - {name: a}\n  - {name: a, namespace: b}\n",
		  "error: cannot load 'case': pod name 'a' used twice (pod names are unique across namespaces in the lab)" },
		{ "pods:\n  - {name: a, ip: 198.18.0.7}\n  - {name: b, ip: 198.18.0.7}\n",
		  "error: cannot load 'case': pod default/a: address 198.18.0.7 used twice" },
		{ "services:\n  - {name: s, ports: [{port: 80, protocol: udp}]}\n",
		  "error: cannot load 'case': line 2: services[0].ports[0].protocol: expected 'http' or 'tcp'" },
		{ "services:\n  - {name: s, ports: [80, 80]}\n",
		  "error: cannot load 'case': line 2: services[0].ports[1]: port listed twice" },
		{ "services:\n  - {name: s}\n  - {name: s}\n", "error: cannot load 'case': service default/s defined twice" },
		{ "mesh: {pod: m, metrics_port: 0}\n",
		  "error: cannot load 'case': line 1: mesh.metrics_port: 0 is out of range [1, 65535]" },
		{ "network: 198.18.0.0/24\nmesh: {ip: 198.18.1.1}\n",
		  "error: cannot load 'case': line 2: mesh.ip: 198.18.1.1 is outside the lab network" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[512];

		assert_null(load_capturing(cases[i].text, msg, sizeof(msg)));
		if (strcmp(msg, cases[i].msg))
			fail_msg("case %zu:\n got  %s\n want %s", i, msg, cases[i].msg);
	}
}

/*
 * The flaky backend of retry-with-flaky-backend: the last endpoint of the
 * first service with an HTTP port and two endpoints or more.
 */
static void test_flaky_pod(void **state)
{
	static const char text[] =
		"pods:\n"
		"  - {name: a}\n"
		"  - {name: b, labels: {app: x}}\n"
		"  - {name: c, labels: {app: x}}\n"
		"  - {name: d, labels: {app: y}}\n"
		"  - {name: e, labels: {app: y}}\n"
		"services:\n"
		"  - {name: one, selector: {app: x}, ports: [{port: 5432, protocol: tcp}]}\n"
		"  - {name: single, selector: {app: y, version: none}}\n"
		"  - {name: two, selector: {app: y}}\n";
	struct topology *t = topology_load("sample-app/topology/default.yaml");
	char msg[256];

	(void)state;
	assert_non_null(t);
	assert_int_equal(lab_flaky_pod(t), 2);	/* app-c, the second endpoint of app-svc */
	for (int i = 0; i < t->n_pods; i++) {
		assert_int_equal(lab_fail_every(t, MESH_RETRY_FLAKY_BACKEND, i), i == 2 ? 2 : 0);
		assert_int_equal(lab_fail_every(t, MESH_REFERENCE, i), 0);
		assert_int_equal(lab_fail_every(t, MESH_STRIP_ID, i), 0);
	}
	assert_string_equal(t->pods[lab_flaky_pod(t)].name, "app-c");
	free(t);
	/* A TCP-only service and a one-endpoint one do not count. */
	t = load_capturing(text, msg, sizeof(msg));
	if (!t)
		fail_msg("%s", msg);
	assert_string_equal(t->pods[lab_flaky_pod(t)].name, "e");
	free(t);
	t = load_capturing("pods: [{name: a}, {name: b, labels: {app: x}}]\nservices: [{name: s, selector: {app: x}}]\n",
			   msg, sizeof(msg));
	assert_non_null(t);
	assert_int_equal(lab_flaky_pod(t), -1);
	assert_int_equal(lab_fail_every(t, MESH_RETRY_FLAKY_BACKEND, 1), 0);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_explicit),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_flaky_pod),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
