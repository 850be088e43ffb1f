/* test_run_traffic - the traffic driver's command line a target runs for a job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "run/traffic.h"

static void assert_argv(char *const *got, const char *const *want)
{
	size_t i = 0;

	for (; want[i]; i++) {
		assert_non_null(got[i]);
		assert_string_equal(got[i], want[i]);
	}
	assert_null(got[i]);
}

/* A count through /call on a new connection per request, with a body and headers. */
static void test_count_via_call(void **state)
{
	struct sc_header h[] = { { "x-canary", "1" }, { "user-agent", "probe" } };
	struct sc_traffic t = { .from_ns = "default", .from = "app-a", .to_ns = "default", .to = "app-svc",
				.port = 9091, .method = "POST", .path = "/echo?x=1", .body = "hi", .headers = h,
				.n_headers = 2, .via = SC_VIA_CALL, .connections = SC_CONN_NEW };
	struct traffic_job j = { .t = &t, .run_id = "r0011aabb.2.1", .count = 1000, .concurrency = 4,
				 .intent_path = "out/intents/p-0.jsonl", .log_path = "out/drive.log" };
	static const char *const want[] = { "smi-witness", "-j", "drive", "--no-progress", "-n", "1000", "-c", "4",
		"--new-connections", "--run-id", "r0011aabb.2.1", "--intent", "out/intents/p-0.jsonl", "-X", "POST", "-b", "hi",
		"-H", "x-canary: 1", "-H", "user-agent: probe", "--via", "http://127.0.0.1:9091/call",
		"http://app-svc.default:9091/echo?x=1", NULL };
	struct traffic_argv a;

	(void)state;
	traffic_driver_argv(&a, &j);
	assert_argv(a.argv, want);
	assert_int_equal(a.nh, 2);
	traffic_argv_free(&a);
	assert_int_equal(a.nh, 0);
}

/* A duration straight from the pod on keep-alive connections; concurrency 0 means one; no body, no headers. */
static void test_duration_direct(void **state)
{
	struct sc_traffic t = { .from_ns = "ns1", .from = "src", .to_ns = "ns2", .to = "dst", .port = 8080,
				.method = "GET", .path = "/", .body = "", .via = SC_VIA_DIRECT,
				.connections = SC_CONN_KEEP_ALIVE };
	struct traffic_job j = { .t = &t, .run_id = "r1.1.1.c3", .duration_ns = 2500000000ULL,
				 .intent_path = "i.jsonl", .log_path = "d.log" };
	static const char *const want[] = { "smi-witness", "-j", "drive", "--no-progress", "-d", "2500ms", "-c", "1",
		"--run-id", "r1.1.1.c3", "--intent", "i.jsonl", "-X", "GET", "http://dst.ns2:8080/", NULL };
	struct traffic_argv a;

	(void)state;
	traffic_driver_argv(&a, &j);
	assert_argv(a.argv, want);
	traffic_argv_free(&a);
}

/* HTTP/2 and gRPC: straight from the pod even when the entry says /call; gRPC sends no method or body. */
static void test_h2_grpc(void **state)
{
	struct sc_header h[] = { { "x-canary", "1" } };
	struct sc_traffic t = { .from_ns = "default", .from = "app-a", .to_ns = "default", .to = "app-svc",
				.port = 9091, .method = "POST", .path = "/smiw.echo.Echo/Echo", .body = "hi",
				.headers = h, .n_headers = 1, .via = SC_VIA_CALL };
	struct traffic_job j = { .t = &t, .run_id = "r0011aabb.2.1", .count = 1000, .concurrency = 4,
				 .intent_path = "i.jsonl", .log_path = "d.log", .protocol = TRAFFIC_H2 };
	static const char *const want_h2[] = { "smi-witness", "-j", "drive", "--no-progress", "-n", "1000", "-c", "4",
		"--run-id", "r0011aabb.2.1", "--intent", "i.jsonl", "-X", "POST", "-b", "hi", "-H", "x-canary: 1",
		"--http2", "--streams", "4", "http://app-svc.default:9091/smiw.echo.Echo/Echo", NULL };
	static const char *const want_grpc[] = { "smi-witness", "-j", "drive", "--no-progress", "-n", "1000", "-c",
		"4", "--run-id", "r0011aabb.2.1", "--intent", "i.jsonl", "-H", "x-canary: 1", "--grpc", "--streams",
		"4", "http://app-svc.default:9091/smiw.echo.Echo/Echo", NULL };
	struct traffic_argv a;

	(void)state;
	traffic_driver_argv(&a, &j);
	assert_argv(a.argv, want_h2);
	traffic_argv_free(&a);
	j.protocol = TRAFFIC_GRPC;
	traffic_driver_argv(&a, &j);
	assert_argv(a.argv, want_grpc);
	traffic_argv_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_via_call),
		cmocka_unit_test(test_duration_direct),
		cmocka_unit_test(test_h2_grpc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
