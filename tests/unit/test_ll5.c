/* test_ll5 - the learn-layer5 /call body, its metrics entries and the /metrics JSON. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_parse),
		cmocka_unit_test(test_call_body),
		cmocka_unit_test(test_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
