/* test_util_file - path formatting and copying files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/file.h"

static void test_path_fmt(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(path_fmt(buf, sizeof(buf), "%s/%d", "ab", 12), 0);
	assert_string_equal(buf, "ab/12");
	assert_int_equal(path_fmt(buf, sizeof(buf), "%s", "1234567"), 0);	/* 7 + NUL fits */
	assert_string_equal(buf, "1234567");
	assert_int_equal(path_fmt(buf, sizeof(buf), "%s", "12345678"), -ENAMETOOLONG);
	assert_string_equal(buf, "1234567");	/* truncated, still terminated */
}

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len;

	assert_int_equal(file_read_all(path, 1 << 20, &text, &len), 0);
	return text;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_copy_and_append(void **state)
{
	char dir[] = "/tmp/test_util_file.XXXXXX", a[64], b[64], c[64], *text;
	FILE *out;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(c, sizeof(c), "%s/missing", dir);
	put(a, "first\n");
	put(b, "old text, longer than the copy\n");
	assert_int_equal(file_copy(a, b), 0);	/* truncates what was there */
	text = slurp(b);
	assert_string_equal(text, "first\n");
	free(text);
	out = fopen(b, "a");
	assert_non_null(out);
	assert_int_equal(file_append(out, a), 0);
	assert_int_equal(file_append(out, c), -ENOENT);	/* nothing appended */
	assert_int_equal(fclose(out), 0);
	text = slurp(b);
	assert_string_equal(text, "first\nfirst\n");
	free(text);
	assert_int_equal(file_copy(c, a), -ENOENT);
	unlink(a);
	unlink(b);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_fmt),
		cmocka_unit_test(test_copy_and_append),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
