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
#include <cmocka.h>

#include "records/inventory.h"
#include "utest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define FIX "tests/fixtures/inventory/"

/* One reader call, for utest_stderr. */
struct call {
	const char *path;
	struct inventory **inv;
	json_t **doc;
	char *err;
	size_t errlen;
};

static int call_load(void *arg)
{
	struct call *c = arg;

	return inventory_load(c->path, c->inv);
}

static int call_read(void *arg)
{
	struct call *c = arg;

	return inventory_read(c->path, c->inv, c->err, c->errlen);
}

static int call_doc(void *arg)
{
	struct call *c = arg;

	return inventory_load_doc(c->path, c->doc);
}

/* Runs inventory_load with what it prints captured into msg. */
static int load_quiet(const char *path, struct inventory **inv, char *msg, size_t len)
{
	return utest_stderr(msg, len, call_load, &(struct call){ .path = path, .inv = inv });
}

/* Runs inventory_read with what it prints (expected: nothing) captured into msg; the reason goes to err. */
static int read_quiet(const char *path, struct inventory **inv, char *msg, size_t len, char *err, size_t errlen)
{
	return utest_stderr(msg, len, call_read, &(struct call){ .path = path, .inv = inv, .err = err, .errlen = errlen });
}

/* Runs inventory_load_doc with what it prints captured into msg. */
static int doc_quiet(const char *path, json_t **doc, char *msg, size_t len)
{
	return utest_stderr(msg, len, call_doc, &(struct call){ .path = path, .doc = doc });
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
	/* IPv4 is formatted by hand: the extremes, and a buffer too small for the longest. */
	memset(raw, 0, sizeof(raw));
	inv_addr_format(buf, sizeof(buf), AF_INET, raw, 0);
	assert_string_equal(buf, "0.0.0.0:0");
	memset(raw, 255, 4);
	inv_addr_format(buf, sizeof(buf), AF_INET, raw, 65535);
	assert_string_equal(buf, "255.255.255.255:65535");
	inet_pton(AF_INET, "10.0.100.9", raw);
	inv_addr_format(buf, 12, AF_INET, raw, 8080);
	assert_string_equal(buf, "10.0.100.9:");
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
		char path[256], msg[512], want[512], err[512];
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

		/* The quiet reader gives the same reason (without "error: ") and prints nothing. */
		r = read_quiet(path, &inv, msg, sizeof(msg), err, sizeof(err));
		assert_int_equal(r, cases[i].ret);
		assert_null(inv);
		assert_string_equal(msg, "");
		assert_string_equal(err, want + strlen("error: "));
	}
}

/* inventory_load_doc: the document as written (members the structure does not keep too), checked the same way. */
static void test_doc(void **state)
{
	char msg[512];
	json_t *doc = NULL;

	(void)state;
	assert_int_equal(inventory_load_doc(FIX "lab.json", &doc), 0);
	assert_true(json_is_object(doc));
	assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
	assert_int_equal(json_array_size(json_object_get(doc, "pods")), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
		json_object_get(doc, "pods"), 0), "labels"), "app")), "app-a");
	json_decref(doc);

	assert_int_equal(doc_quiet(FIX "bad-ip.json", &doc, msg, sizeof(msg)), -EINVAL);
	assert_null(doc);
	assert_string_equal(msg, "error: cannot load '" FIX "bad-ip.json': pods[0].ip: '198.18.0.300' is not an IP address");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_doc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
