/* test_jsonw - JSON line writing: escaping, UTF-8 repair, numbers, whole records, gzip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "util/jsonw.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Reads a whole file (gzip-aware: gzread passes plain files through). */
static char *slurp(const char *path)
{
	gzFile f = gzopen(path, "rb");
	char *buf = calloc(1, 1 << 16);
	int n;

	assert_non_null(f);
	n = gzread(f, buf, (1 << 16) - 1);
	assert_true(n >= 0);
	gzclose(f);
	return buf;
}

static void test_strings(void **state)
{
	static const struct {
		const char *desc;
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "plain", "GET /echo", 9, "\"GET /echo\"" },
		{ "quote and backslash", "a\"b\\c", 5, "\"a\\\"b\\\\c\"" },
		{ "control characters", "\r\n\t\x01\x7f", 5, "\"\\u000d\\u000a\\u0009\\u0001\x7f\"" },
		{ "NUL inside", "a\0b", 3, "\"a\\u0000b\"" },
		{ "valid UTF-8 kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		{ "stray continuation byte", "a\x80z", 3, "\"a\\ufffdz\"" },
		{ "truncated sequence at the end", "ab\xe2\x82", 4, "\"ab\\ufffd\\ufffd\"" },
		{ "overlong encoding", "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },
		{ "surrogate", "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "Latin-1 byte", "\xe9t\xe9", 3, "\"\\ufffdt\\ufffd\"" },
	};
	char path[] = "/tmp/smiw-test-jsonw-XXXXXX";
	int fd = mkstemp(path);
	struct jsonw w;
	char *got, *line;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(jsonw_open(&w, path), 0);
	for (size_t i = 0; i < N(cases); i++) {
		jsonw_begin(&w);
		jsonw_strn(&w, "s", cases[i].in, cases[i].len);
		jsonw_end(&w);
	}
	assert_int_equal(jsonw_close(&w), 0);
	got = slurp(path);
	line = strtok(got, "\n");
	for (size_t i = 0; i < N(cases); i++, line = strtok(NULL, "\n")) {
		char want[256];

		snprintf(want, sizeof(want), "{\"s\":%s}", cases[i].want);
		assert_non_null(line);
		if (strcmp(line, want))
			fail_msg("%s: got %s, want %s", cases[i].desc, line, want);
	}
	free(got);
	unlink(path);
}

/* What plain_run must return: the bytes before the first one that needs escaping, one at a time. */
static size_t plain_run_bytewise(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

/*
 * The word-at-a-time scan against the bytewise rule: every length to 40, one
 * special byte (or two, the second later) at every position, each kind of
 * byte at the edges of the classes, and random strings: blocks of eight and
 * the bytes after the last block alike.
 */
static void test_plain_run(void **state)
{
	static const unsigned char kinds[] = { 0x00, 0x01, 0x1f, '"', '\\', 0x7f, 0x80, 0xc3, 0xff, 0x20, 0x21, 0x5b, 0x5d,
					       0x7e };
	unsigned char s[48];

	(void)state;
	for (size_t n = 0; n <= 40; n++)
		for (size_t k = 0; k < N(kinds); k++)
			for (size_t at = 0; at <= n; at++)
				for (size_t at2 = at; at2 <= n; at2 += 3) {
					memset(s, 'a', sizeof(s));
					if (at < n)
						s[at] = kinds[k];
					if (at2 < n && at2 > at)
						s[at2] = kinds[(k + 3) % N(kinds)];
					if (jsonw__plain_run(s, n) != plain_run_bytewise(s, n))
						fail_msg("n %zu, byte 0x%02x at %zu (and 0x%02x at %zu): got %zu, want %zu", n,
							 kinds[k], at, kinds[(k + 3) % N(kinds)], at2, jsonw__plain_run(s, n),
							 plain_run_bytewise(s, n));
				}
	srandom(7);
	for (int r = 0; r < 200000; r++) {
		size_t n = (size_t)random() % 41;

		for (size_t i = 0; i < n; i++)
			s[i] = random() % 8 ? (unsigned char)(0x20 + random() % 0x60) : (unsigned char)random();
		assert_int_equal(jsonw__plain_run(s, n), plain_run_bytewise(s, n));
	}
}

static void test_members_and_gzip(void **state)
{
	static const uint32_t ids[] = { 7, 4294967295u };
	char path[] = "/tmp/smiw-test-jsonw-XXXXXX.gz";
	int fd = mkstemps(path, 3);
	struct jsonw w;
	char *got;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(jsonw_open(&w, path), 0);
	jsonw_begin(&w);
	jsonw_str(&w, "t", "x");
	jsonw_u64(&w, "zero", 0);
	jsonw_u64(&w, "max", UINT64_MAX);
	jsonw_i64(&w, "neg", INT64_MIN);
	jsonw_i64(&w, "pos", 42);
	jsonw_bool(&w, "yes", true);
	jsonw_bool(&w, "no", false);
	jsonw_obj(&w, "o");
	jsonw_str(&w, "a", "1");
	jsonw_obj(&w, "empty");
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	jsonw_arr(&w, "ids");
	for (size_t i = 0; i < N(ids); i++)
		jsonw_elem_u64(&w, ids[i]);
	jsonw_arr_end(&w);
	jsonw_str(&w, "null", NULL);
	jsonw_end(&w);
	/* A record still being built is not written by a flush. */
	jsonw_begin(&w);
	jsonw_str(&w, "t", "half");
	assert_int_equal(jsonw_flush(&w, true), 0);
	got = slurp(path);
	assert_string_equal(got, "{\"t\":\"x\",\"zero\":0,\"max\":18446744073709551615,"
			    "\"neg\":-9223372036854775808,\"pos\":42,\"yes\":true,\"no\":false,"
			    "\"o\":{\"a\":\"1\",\"empty\":{}},\"ids\":[7,4294967295],\"null\":\"\"}\n");
	free(got);
	jsonw_end(&w);
	assert_int_equal(jsonw_close(&w), 0);
	got = slurp(path);
	assert_non_null(strstr(got, "}\n{\"t\":\"half\"}\n"));
	free(got);
	unlink(path);
}

/* Every digit count: 10^k - 1 and 10^k for each k, and the extremes, as printf writes them. */
static void test_numbers(void **state)
{
	char path[] = "/tmp/smiw-test-jsonw-XXXXXX", want[64], *got, *line;
	int fd = mkstemp(path);
	uint64_t p = 1;
	struct jsonw w;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(jsonw_open(&w, path), 0);
	for (int k = 0; k <= 20; k++) {
		jsonw_begin(&w);
		jsonw_u64(&w, "a", p - 1);
		jsonw_u64(&w, "b", k < 20 ? p : UINT64_MAX);
		jsonw_end(&w);
		p *= 10;
	}
	assert_int_equal(jsonw_close(&w), 0);
	got = slurp(path);
	line = got;
	p = 1;
	for (int k = 0; k <= 20; k++) {
		snprintf(want, sizeof(want), "{\"a\":%llu,\"b\":%llu}\n", (unsigned long long)(p - 1),
			 (unsigned long long)(k < 20 ? p : UINT64_MAX));
		assert_memory_equal(line, want, strlen(want));
		line += strlen(want);
		p *= 10;
	}
	assert_int_equal(*line, '\0');
	free(got);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_plain_run),
		cmocka_unit_test(test_members_and_gzip),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
