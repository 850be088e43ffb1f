/* test_grpc_b64 - the gRPC echo message encoded and decoded by hand, and base64url encoding. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/grpc.h"
#include "util/b64.h"

/* The bytes protoc's encoding of EchoMessage{message: "r-1"} has, behind the 5-byte gRPC prefix. */
static void test_encode(void **state)
{
	static const unsigned char want[] = { 0, 0, 0, 0, 5, 0x0a, 3, 'r', '-', '1' };
	struct buf b = { 0 };
	char big[300];

	(void)state;
	assert_int_equal(grpc_echo_encode(&b, "r-1", 3, 1024), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.p, want, sizeof(want));
	/* 300 bytes: a two-byte length varint (0xac 0x02), 303 bytes of protobuf */
	memset(big, 'x', sizeof(big));
	b.len = 0;
	assert_int_equal(grpc_echo_encode(&b, big, sizeof(big), 1024), 0);
	assert_int_equal(b.len, 5 + 3 + 300);
	assert_memory_equal(b.p, "\0\0\0\x01\x2f\x0a\xac\x02", 8);
	/* an empty message is one tag and a zero length */
	b.len = 0;
	assert_int_equal(grpc_echo_encode(&b, "", 0, 1024), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.p, "\0\0\0\0\x02\x0a\x00", 7);
	/* over the limit: refused */
	b.len = 0;
	assert_int_equal(grpc_echo_encode(&b, big, sizeof(big), 100), -E2BIG);
	buf_free(&b);
}

static void test_decode(void **state)
{
	const char *m;
	size_t n;

	(void)state;
	assert_int_equal(grpc_echo_decode("\0\0\0\0\x05\x0a\x03r-1", 10, &m, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(m, "r-1", 3);
	/* unknown fields of every wire type skipped; the last field 1 wins */
	assert_int_equal(grpc_echo_decode("\0\0\0\0\x17" "\x0a\x01" "a" "\x10\x96\x01" "\x19" "12345678" "\x25" "abcd"
					  "\x0a\x01" "b", 28, &m, &n), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(m, "b", 1);
	/* no field at all: the empty message */
	assert_int_equal(grpc_echo_decode("\0\0\0\0\0", 5, &m, &n), 0);
	assert_int_equal(n, 0);
	/* compressed */
	assert_int_equal(grpc_echo_decode("\x01\0\0\0\x05\x0a\x03r-1", 10, &m, &n), -ENOTSUP);
	/* length prefix not matching the bytes, cut prefix, bad flag */
	assert_int_equal(grpc_echo_decode("\0\0\0\0\x06\x0a\x03r-1", 10, &m, &n), -EINVAL);
	assert_int_equal(grpc_echo_decode("\0\0\0\0", 4, &m, &n), -EINVAL);
	assert_int_equal(grpc_echo_decode("\x02\0\0\0\x05\x0a\x03r-1", 10, &m, &n), -EINVAL);
	/* string longer than the message, cut varint, field number 0, group wire type */
	assert_int_equal(grpc_echo_decode("\0\0\0\0\x05\x0a\x04r-1", 10, &m, &n), -EINVAL);
	assert_int_equal(grpc_echo_decode("\0\0\0\0\x02\x10\x96", 7, &m, &n), -EINVAL);
	assert_int_equal(grpc_echo_decode("\0\0\0\0\x02\x02\x00", 7, &m, &n), -EINVAL);
	assert_int_equal(grpc_echo_decode("\0\0\0\0\x01\x0b", 6, &m, &n), -EINVAL);
}

/* RFC 4648 section 10 test vectors, in the URL alphabet without padding. */
static void test_b64url(void **state)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const out[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
	char buf[16], *dec;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(b64url_encode(in[i], strlen(in[i]), buf, sizeof(buf)), strlen(out[i]));
		assert_string_equal(buf, out[i]);
		dec = b64_decode(buf, strlen(buf), &n);
		assert_non_null(dec);
		assert_int_equal(n, strlen(in[i]));
		assert_memory_equal(dec, in[i], n);
		free(dec);
	}
	/* the URL alphabet: 0xfb 0xff -> "-_8" */
	assert_int_equal(b64url_encode("\xfb\xff", 2, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "-_8");
	/* too small an output: nothing written but the terminator */
	assert_int_equal(b64url_encode("foobar", 6, buf, 8), 0);
	assert_string_equal(buf, "");
	assert_int_equal(b64url_encode("foobar", 6, buf, 9), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_b64url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
