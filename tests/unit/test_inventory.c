/* test_inventory - loading the inventory (docs/inventory.md) and the lookups attribution uses. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "inventory/inventory.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define FIX "tests/fixtures/inventory/"

/* Runs inventory_load with stderr captured into msg. */
static int load_quiet(const char *path, struct inventory **inv, char *msg, size_t len)
{
	char tmp[] = "/tmp/smiw-test-inv-XXXXXX";
	int fd = mkstemp(tmp), saved = dup(STDERR_FILENO), r;
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	r = inventory_load(path, inv);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, msg, len - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	close(fd);
	unlink(tmp);
	return r;
}

static void test_lab(void **state)
{
	struct inventory *inv;
	struct inv_addr a;
	uint8_t raw[16] = { 0 };
	char msg[512], buf[64];

	(void)state;
	assert_int_equal(load_quiet(FIX "lab.json", &inv, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_string_equal(inv->node, "lab");
	assert_int_equal(inv->npods, 3);
	assert_int_equal(inv->nservices, 1);
	assert_string_equal(inv->pods[1].ref, "default/app-b");
	assert_string_equal(inv->pods[1].service_account, "service-b");
	assert_string_equal(json_string_value(json_object_get(inv->pods[1].labels, "version")), "v1");
	assert_string_equal(inv->pods[2].service_account, "");
	assert_string_equal(inv->mesh_pod, "mesh/proxy");
	assert_ptr_equal(inventory_pod_by_cgroup(inv, 1235), &inv->pods[1]);
	assert_null(inventory_pod_by_cgroup(inv, 999));
	assert_null(inventory_pod_by_cgroup(inv, 0));

	/* IPv4, IPv4-mapped IPv6 (what a dual-stack socket reports), IPv6. */
	inet_pton(AF_INET, "198.18.0.11", raw);
	inv_addr_from_raw(&a, AF_INET, raw);
	assert_ptr_equal(inventory_pod_by_addr(inv, &a), &inv->pods[0]);
	inet_pton(AF_INET6, "::ffff:198.18.0.12", raw);
	inv_addr_from_raw(&a, AF_INET6, raw);
	assert_ptr_equal(inventory_pod_by_addr(inv, &a), &inv->pods[1]);
	inv_addr_format(buf, sizeof(buf), AF_INET6, raw, 9091);
	assert_string_equal(buf, "198.18.0.12:9091");
	inet_pton(AF_INET6, "2001:db8::7", raw);
	inv_addr_from_raw(&a, AF_INET6, raw);
	assert_ptr_equal(inventory_pod_by_addr(inv, &a), &inv->pods[2]);
	inv_addr_format(buf, sizeof(buf), AF_INET6, raw, 80);
	assert_string_equal(buf, "[2001:db8::7]:80");
	inet_pton(AF_INET, "198.18.1.1", raw);
	inv_addr_from_raw(&a, AF_INET, raw);
	assert_null(inventory_pod_by_addr(inv, &a));
	assert_string_equal(inventory_service_by_addr(inv, &a)->ref, "default/app-svc");
	inventory_free(inv);
}

static void test_errors(void **state)
{
	static const struct {
		const char *file;
		int ret;
		const char *msg;
	} cases[] = {
		{ "bad-version.json", -EINVAL, "version: unsupported (want 1)" },
		{ "missing-name.json", -EINVAL, "pods[1].name: missing" },
		{ "bad-ip.json", -EINVAL, "pods[0].ip: '198.18.0.300' is not an IP address" },
		{ "labels-not-object.json", -EINVAL, "pods[0].labels: not an object" },
		{ "bad-cgroup-id.json", -EINVAL, "pods[0].cgroup_id: not a non-negative integer" },
		{ "not-json.json", -EINVAL, "line 2: unexpected token near '}'" },
		{ "no-such-file.json", -ENOENT, "" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		char path[256], msg[512], want[512];
		struct inventory *inv = NULL;
		int r;

		snprintf(path, sizeof(path), FIX "%s", cases[i].file);
		r = load_quiet(path, &inv, msg, sizeof(msg));
		assert_int_equal(r, cases[i].ret);
		assert_null(inv);
		if (cases[i].ret == -ENOENT)
			snprintf(want, sizeof(want), "error: cannot read '%s': No such file or directory", path);
		else
			snprintf(want, sizeof(want), "error: cannot load '%s': %s", path, cases[i].msg);
		assert_string_equal(msg, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
