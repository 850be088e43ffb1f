/* test_ll5 - the learn-layer5 /call body, its metrics entries and the /metrics JSON. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ll5/batch.h"
#include "ll5/call.h"
#include "ll5/metrics.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_call_parse(void **state)
{
	static const struct {
		const char *in;
		int ret;
		const char *url, *method, *body, *entry;
	} cases[] = {
		{ "{\"url\":\"http://b:9091/echo\",\"method\":\"GET\",\"headers\":{\"X-Request-Id\":\"r-1\",\"A\":\"1\"},\"body\":\"\"}",
		  0, "http://b:9091/echo", "GET", "",
		  "{\"URL\":\"http://b:9091/echo\",\"Method\":\"GET\",\"Headers\":{\"A\":\"1\",\"X-Request-Id\":\"r-1\"}}" },
		{ "{\"url\":\"http://b/\",\"method\":\"POST\",\"headers\":{},\"body\":\"x\\\"y\"}", 0, "http://b/", "POST",
		  "x\"y", "{\"URL\":\"http://b/\",\"Method\":\"POST\",\"Headers\":{}}" },
		{ "{\"url\":\"http://b/\"}", 0, "http://b/", "GET", "",
		  "{\"URL\":\"http://b/\",\"Method\":\"GET\",\"Headers\":null}" },
		{ "{\"url\":\"http://b/\",\"method\":\"\",\"headers\":null,\"body\":null}", 0, "http://b/", "GET", "",
		  "{\"URL\":\"http://b/\",\"Method\":\"GET\",\"Headers\":null}" },
		{ "{\"url\":\"http://b/\\u00e9\",\"method\":\"GET\"}", 0, "http://b/\xc3\xa9", "GET", "",
		  "{\"URL\":\"http://b/\xc3\xa9\",\"Method\":\"GET\",\"Headers\":null}" },	/* UTF-8 kept, as Go does */
		{ .in = "", .ret = -EINVAL },
		{ .in = "[]", .ret = -EINVAL },
		{ .in = "{\"url\":1}", .ret = -EINVAL },
		{ .in = "{\"method\":\"GET\"}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"headers\":{\"A\":1}}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"headers\":[\"A\"]}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"body\":{}}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"method\":7}", .ret = -EINVAL },
		{ .in = "{\"url\":\"a\",\"url\":\"b\"}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\"", .ret = -EINVAL },
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct ll5_call c;
		char *entry;
		int r = ll5_call_parse(&c, cases[i].in, strlen(cases[i].in));

		if (r != cases[i].ret)
			fail_msg("case %zu: got %d", i, r);
		if (r)
			continue;
		assert_string_equal(c.url, cases[i].url);
		assert_string_equal(c.method, cases[i].method);
		assert_string_equal(c.body, cases[i].body);
		entry = ll5_entry_json(&c);
		assert_non_null(entry);
		assert_string_equal(entry, cases[i].entry);
		free(entry);
		ll5_call_free(&c);
	}
}

static void test_call_body(void **state)
{
	struct hc_header h[] = { { "X-Request-Id", "run-7" }, { "Content-Type", "text/plain" } };
	char *s;

	(void)state;
	s = ll5_call_body("http://app-b:9091/echo", "PUT", h, 2, "a\nb");
	assert_string_equal(s, "{\"url\":\"http://app-b:9091/echo\",\"method\":\"PUT\",\"headers\":"
			       "{\"X-Request-Id\":\"run-7\",\"Content-Type\":\"text/plain\"},\"body\":\"a\\nb\"}");
	free(s);
}

static char *metrics_text(const struct metrics *m)
{
	struct buf b = { 0 };

	assert_int_equal(metrics_json(m, &b, 1u << 20), 0);
	assert_int_equal(buf_append(&b, "", 1, 1u << 20), 0);
	return b.p;
}

static void test_metrics(void **state)
{
	struct metrics m = { 0 };
	char *s;

	(void)state;
	s = metrics_text(&m);
	assert_string_equal(s, "{\"ReqReceived\":[],\"RespSucceeded\":[],\"RespFailed\":[]}\n");
	free(s);

	metrics_received(&m, "app-a", 5);
	metrics_received(&m, NULL, 0);
	metrics_received(&m, "app-a", 5);
	metrics_received(&m, "q\"\x01", 3);		/* escaped, not broken JSON */
	metrics_received(&m, "bad\xff", 4);		/* not UTF-8: marked, still one entry */
	metrics_response(&m, 1, "{\"URL\":\"u1\",\"Method\":\"GET\",\"Headers\":null}");
	metrics_response(&m, 0, "{\"URL\":\"u2\",\"Method\":\"GET\",\"Headers\":{}}");
	metrics_response(&m, 1, "{\"URL\":\"u3\",\"Method\":\"POST\",\"Headers\":null}");
	s = metrics_text(&m);
	assert_string_equal(s, "{\"ReqReceived\":[\"app-a\",\"Unidentified\",\"app-a\",\"q\\\"\\u0001\",\"bad?\"],"
			       "\"RespSucceeded\":[{\"URL\":\"u1\",\"Method\":\"GET\",\"Headers\":null},"
			       "{\"URL\":\"u3\",\"Method\":\"POST\",\"Headers\":null}],"
			       "\"RespFailed\":[{\"URL\":\"u2\",\"Method\":\"GET\",\"Headers\":{}}]}\n");
	free(s);
	assert_int_equal(m.nnames, 4);	/* interned */

	/* a too-small output limit fails cleanly */
	struct buf tiny = { 0 };
	assert_int_equal(metrics_json(&m, &tiny, 16), -E2BIG);
	buf_free(&tiny);

	metrics_reset(&m);
	s = metrics_text(&m);
	assert_string_equal(s, "{\"ReqReceived\":[],\"RespSucceeded\":[],\"RespFailed\":[]}\n");
	free(s);

	/* more distinct names than the table holds: counted as dropped, never a crash */
	for (int i = 0; i < METRICS_MAX_NAMES + 5; i++) {
		char name[16];
		int n = snprintf(name, sizeof(name), "svc-%d", i);

		metrics_received(&m, name, (size_t)n);
	}
	assert_int_equal(m.nreceived, METRICS_MAX_NAMES);
	assert_true(m.dropped == 5);
	metrics_free(&m);
}

/* The batch members of /call: what asks for one, what is refused, and the body the runner sends. */
static void test_batch(void **state)
{
	static const struct {
		const char *in;
		int ret;
		uint64_t count, duration_ns, first;
		unsigned concurrency;
	} cases[] = {
		{ .in = "{\"url\":\"http://b/\"}", .ret = 0 },
		{ "{\"url\":\"http://b/\",\"count\":1000,\"concurrency\":4,\"request_id\":\"r1.2.1\",\"first\":7}", 1,
		  1000, 0, 7, 4 },
		{ "{\"url\":\"http://b/\",\"count\":1,\"request_id\":\"r1.2.1.c3\"}", 1, 1, 0, 1, 1 },
		{ "{\"url\":\"http://b/\",\"duration_ms\":1500,\"request_id\":\"r\"}", 1, UINT64_MAX, 1500000000ULL, 1, 1 },
		{ "{\"url\":\"http://b/\",\"count\":100000,\"request_id\":\"r\"}", 1, 100000, 0, 1, 1 },
		{ .in = "{\"url\":\"http://b/\",\"count\":100001,\"request_id\":\"r\"}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"count\":0,\"request_id\":\"r\"}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"count\":\"5\",\"request_id\":\"r\"}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"count\":5}", .ret = -EINVAL },	/* no request_id */
		{ .in = "{\"url\":\"http://b/\",\"count\":5,\"request_id\":\"\"}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"count\":5,\"request_id\":\"a\\r\\nX: y\"}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"count\":5,\"request_id\":\"a\\\"b\"}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"count\":5,\"duration_ms\":5,\"request_id\":\"r\"}", .ret = -EINVAL },
		{ .in = "{\"url\":\"http://b/\",\"count\":5,\"concurrency\":257,\"request_id\":\"r\"}", .ret = -EINVAL },
	};
	struct ll5_batch b = { .count = 5, .concurrency = 2, .first = 11, .request_id = "r9.1.1" };
	json_t *hdrs = json_pack("{s:s}", "x-canary", "1"), *doc;
	struct ll5_batch_result res;
	uint64_t mono, real;
	char *text;

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct ll5_call c;
		struct ll5_batch got = { 0 };

		assert_int_equal(ll5_call_parse(&c, cases[i].in, strlen(cases[i].in)), 0);
		assert_int_equal(ll5_batch_parse(c.doc, &got), cases[i].ret);
		if (cases[i].ret == 1) {
			assert_true(got.count == cases[i].count);
			assert_true(got.duration_ns == cases[i].duration_ns);
			assert_true(got.first == cases[i].first);
			assert_int_equal(got.concurrency, cases[i].concurrency);
		}
		ll5_call_free(&c);
	}
	text = ll5_batch_body("http://app-svc.ns:9091/echo", "GET", hdrs, "", &b);
	assert_string_equal(text, "{\"url\":\"http://app-svc.ns:9091/echo\",\"method\":\"GET\",\"headers\":{\"x-canary\":\"1\"},"
			    "\"body\":\"\",\"concurrency\":2,\"request_id\":\"r9.1.1\",\"first\":11,\"count\":5}");
	free(text);
	json_decref(hdrs);

	doc = json_loads("{\"mono_ns\":100,\"real_ns\":5000,\"requests\":[{\"id\":\"r-1\",\"sent_ns\":10,\"done_ns\":20,"
			 "\"status\":200},{\"id\":\"r-2\",\"sent_ns\":11,\"done_ns\":30,\"status\":0,\"error\":\"refused\"}]}",
			 0, NULL);
	assert_int_equal(ll5_batch_answer(doc, &mono, &real), 2);
	assert_true(mono == 100 && real == 5000);
	ll5_batch_result(doc, 1, &res);
	assert_string_equal(res.id, "r-2");
	assert_true(res.sent_ns == 11 && res.done_ns == 30 && res.status == 0);
	assert_string_equal(res.error, "refused");
	json_decref(doc);
	/* What an older learn-layer5 app answers to the same body: the callee's response, no batch. */
	doc = json_loads("{\"ReqReceived\":[]}", 0, NULL);
	assert_int_equal(ll5_batch_answer(doc, &mono, &real), -EPROTO);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_parse),
		cmocka_unit_test(test_call_body),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
