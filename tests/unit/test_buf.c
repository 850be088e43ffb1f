/* test_buf - the growable byte buffer and the growable array: limits, failures, text building. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/array.h"
#include "util/buf.h"

/* Appends within the limit land; one byte over it is refused whole and leaves the content as it was. */
static void test_limit(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_append(&b, "0123456789", 10, 16), 0);
	assert_int_equal(buf_append(&b, "abcdef", 6, 16), 0);
	assert_int_equal(b.len, 16);
	assert_int_equal(b.cap, 16);	/* growth stops at the limit */
	assert_false(b.failed);
	assert_int_equal(buf_append(&b, "x", 1, 16), -E2BIG);
	assert_int_equal(buf_puts(&b, "yz", 17), -E2BIG);
	assert_int_equal(b.len, 16);
	assert_memory_equal(b.p, "0123456789abcdef", 16);
	assert_true(b.failed);
	/* A size that wraps around is refused, not truncated. */
	assert_int_equal(buf_reserve(&b, SIZE_MAX - 4, BUF_NO_LIMIT), -E2BIG);
	assert_int_equal(b.len, 16);
	buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len + b.cap, 0);
	assert_false(b.failed);
}

/* buf_printf needs a byte for its NUL under the limit but does not count it. */
static void test_printf(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_printf(&b, 8, "%d-%s", 42, "ab"), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.p, "42-ab", 6);
	assert_int_equal(buf_printf(&b, 8, "%s", "xyz"), -E2BIG);	/* 5 + 3 + NUL > 8 */
	assert_int_equal(buf_printf(&b, 8, "%s", "xy"), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.p, "42-abxy", 7);
	buf_free(&b);
}

/* Growth doubles from 1 KiB and keeps every byte across reallocations. */
static void test_growth(void **state)
{
	struct buf b = { 0 };
	char chunk[100];

	(void)state;
	for (int i = 0; i < 100; i++) {
		memset(chunk, 'a' + i % 26, sizeof(chunk));
		assert_int_equal(buf_append(&b, chunk, sizeof(chunk), BUF_NO_LIMIT), 0);
	}
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.cap, 16384);
	for (int i = 0; i < 100; i++)
		assert_int_equal(b.p[i * 100 + 99], 'a' + i % 26);
	buf_free(&b);
}

/* Text building: the string comes out whole, or not at all after a failed append. */
static void test_detach(void **state)
{
	struct buf b = { 0 };
	char *s;

	(void)state;
	s = buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
	buf_puts(&b, "name{", BUF_NO_LIMIT);
	buf_printf(&b, BUF_NO_LIMIT, "%s=\"%u\"", "le", 5u);
	buf_putc(&b, '}', BUF_NO_LIMIT);
	s = buf_detach(&b);
	assert_string_equal(s, "name{le=\"5\"}");
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	free(s);

	buf_puts(&b, "abc", 4);
	buf_puts(&b, "def", 4);	/* does not fit: a hole */
	buf_putc(&b, 'g', 4);	/* fits, but the text is already wrong */
	assert_int_equal(b.len, 4);
	assert_true(b.failed);
	assert_null(buf_detach(&b));
	assert_null(b.p);
	assert_false(b.failed);	/* reusable */
	buf_puts(&b, "ok", BUF_NO_LIMIT);
	s = buf_detach(&b);
	assert_string_equal(s, "ok");
	free(s);
}

static void test_consume_trim(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_append(&b, "GET / HTTP/1.1\r\n\r\nrest", 22, BUF_NO_LIMIT), 0);
	buf_consume(&b, 18);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.p, "rest", 4);
	buf_trim(&b, 0);	/* not empty: kept */
	assert_non_null(b.p);
	buf_consume(&b, 100);	/* more than held: empties */
	assert_int_equal(b.len, 0);
	buf_trim(&b, 4096);	/* empty but small: kept */
	assert_non_null(b.p);
	buf_trim(&b, 0);
	assert_null(b.p);
	assert_int_equal(b.cap, 0);
}

struct pair {
	uint64_t a, b;
};

static void test_array(void **state)
{
	struct pair *v = NULL;
	size_t cap = 0, n = 0;

	(void)state;
	for (uint64_t i = 0; i < 1000; i++) {
		assert_int_equal(array_reserve(&v, &cap, n, sizeof(*v), 16), 0);
		assert_true(n < cap);
		v[n++] = (struct pair){ i, i * i };
		/* capacity: the first allocation, then doubling */
		assert_int_equal(cap, n <= 16 ? 16 : n <= 32 ? 32 : n <= 64 ? 64 : n <= 128 ? 128 :
				 n <= 256 ? 256 : n <= 512 ? 512 : 1024);
	}
	for (uint64_t i = 0; i < 1000; i++)
		assert_int_equal(v[i].b, i * i);
	/* Sizes that overflow fail and leave the array as it was. */
	assert_int_equal(array_reserve(&v, &cap, SIZE_MAX / sizeof(*v), sizeof(*v), 16), -ENOMEM);
	assert_int_equal(array_reserve(&v, &cap, SIZE_MAX - 1, sizeof(*v), 16), -ENOMEM);
	assert_int_equal(cap, 1024);
	assert_int_equal(v[999].a, 999);
	free(v);

	v = NULL;
	cap = 0;
	assert_int_equal(array_reserve(&v, &cap, 0, sizeof(*v), 0), 0);	/* first 0 means one */
	assert_int_equal(cap, 1);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_consume_trim),
		cmocka_unit_test(test_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
