/* test_url - http:// URL parsing, request building and the growable buffer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/client.h"
#include "http/url.h"
#include "util/buf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_url_parse(void **state)
{
	static const struct {
		const char *in;
		int ret;
		const char *host, *authority;
		unsigned port;
		const char *path;
	} cases[] = {
		{ "http://app-b:9091/echo", 0, "app-b", "app-b:9091", 9091, "/echo" },
		{ "HTTP://x", 0, "x", "x", 80, "/" },
		{ "http://x?a=1", 0, "x", "x", 80, "/?a=1" },
		{ "http://198.18.0.2:8080/a/b?c=d#frag", 0, "198.18.0.2", "198.18.0.2:8080", 8080, "/a/b?c=d" },
		{ "http://[::1]:9091/e", 0, "::1", "[::1]:9091", 9091, "/e" },
		{ "http://[fe80::1]/", 0, "fe80::1", "[fe80::1]", 80, "/" },
		{ .in = "https://x/", .ret = -EPROTONOSUPPORT },
		{ .in = "ftp://x/", .ret = -EPROTONOSUPPORT },
		{ .in = "x/echo", .ret = -EINVAL },
		{ .in = "http://", .ret = -EINVAL },
		{ .in = "http:///p", .ret = -EINVAL },
		{ .in = "http://u:p@x/", .ret = -EINVAL },
		{ .in = "http://x:0/", .ret = -EINVAL },
		{ .in = "http://x:65536/", .ret = -EINVAL },
		{ .in = "http://x:9a/", .ret = -EINVAL },
		{ .in = "http://x:/", .ret = -EINVAL },
		{ .in = "http://[::1/", .ret = -EINVAL },
		{ .in = "http://[::1]x/", .ret = -EINVAL },
		{ .in = "http://x/a b", .ret = -EINVAL },
		{ .in = "http://x/a\r\nHost: y", .ret = -EINVAL },
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct http_url u;
		int r = http_url_parse(cases[i].in, &u);

		if (r != cases[i].ret)
			fail_msg("'%s': got %d, want %d", cases[i].in, r, cases[i].ret);
		if (r)
			continue;
		assert_string_equal(u.host, cases[i].host);
		assert_string_equal(u.authority, cases[i].authority);
		assert_int_equal(u.port, cases[i].port);
		assert_string_equal(u.path, cases[i].path);
	}
}

static void test_build_request(void **state)
{
	struct hc_header ok[] = { { "X-Request-Id", "r-1" }, { "ServiceName", "app-a" } };
	struct hc_header crlf[] = { { "X", "a\r\nInjected: 1" } };
	struct hc_header badname[] = { { "X Y", "1" } };
	struct buf b = { 0 };
	struct http_url u;

	(void)state;
	assert_int_equal(http_url_parse("http://app-b:9091/echo?x", &u), 0);
	assert_int_equal(hc_build_request(&b, "GET", &u, ok, 2, NULL, 0), 0);
	assert_int_equal(buf_append(&b, "", 1, 4096), 0);
	assert_string_equal(b.p, "GET /echo?x HTTP/1.1\r\nHost: app-b:9091\r\nX-Request-Id: r-1\r\n"
				 "ServiceName: app-a\r\n\r\n");
	b.len = 0;
	assert_int_equal(hc_build_request(&b, "POST", &u, NULL, 0, NULL, 0), 0);
	assert_int_equal(buf_append(&b, "", 1, 4096), 0);
	assert_string_equal(b.p, "POST /echo?x HTTP/1.1\r\nHost: app-b:9091\r\nContent-Length: 0\r\n\r\n");
	b.len = 0;
	assert_int_equal(hc_build_request(&b, "PUT", &u, NULL, 0, "abc", 3), 0);
	assert_int_equal(buf_append(&b, "", 1, 4096), 0);
	assert_string_equal(b.p, "PUT /echo?x HTTP/1.1\r\nHost: app-b:9091\r\nContent-Length: 3\r\n\r\nabc");
	b.len = 0;
	assert_int_equal(hc_build_request(&b, "GET", &u, crlf, 1, NULL, 0), -EINVAL);
	assert_int_equal(hc_build_request(&b, "GET", &u, badname, 1, NULL, 0), -EINVAL);
	assert_int_equal(hc_build_request(&b, "G(T", &u, NULL, 0, NULL, 0), -EINVAL);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	assert_string_equal(hc_error_name(HC_REFUSED), "refused");
	assert_string_equal(hc_error_name(HC_TIMEOUT), "timeout");
	assert_string_equal(hc_error_name(HC_OK), "");
}

static void test_buf(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_append(&b, "hello", 5, 8), 0);
	assert_int_equal(buf_append(&b, "world", 5, 8), -E2BIG);
	assert_int_equal(b.len, 5);
	assert_int_equal(buf_printf(&b, 8, "%d", 123), -E2BIG);	/* formatting needs room for a NUL */
	assert_int_equal(buf_printf(&b, 9, "%d", 123), 0);
	assert_int_equal(b.len, 8);
	buf_consume(&b, 2);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.p, "llo123", 6);
	buf_consume(&b, 100);
	assert_int_equal(b.len, 0);
	buf_trim(&b, 0);
	assert_null(b.p);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_parse),
		cmocka_unit_test(test_build_request),
		cmocka_unit_test(test_buf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
