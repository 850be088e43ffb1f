/* test_jscan - the fast record reader: values it reads, lines it leaves to the full parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "records/jscan.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const names[] = { "t", "seq", "ok", "headers", "path", "service_account", "unparsed_bytes_x" };

/* Runs the reader on a padded copy of text; vals as it left them. */
static int scan(struct jscan_fields *f, const char *text, struct jv *vals, char **keep)
{
	size_t n = strlen(text);
	char *line = calloc(1, n + JSCAN_PAD + 1);

	assert_non_null(line);
	memcpy(line, text, n);
	*keep = line;
	return jscan_record(f, line, n, vals);
}

static void test_reads(void **state)
{
	static const struct {
		const char *desc, *line;
		const char *t;		/* expected "t", NULL: absent */
		int64_t seq;		/* expected "seq" when has_seq */
		bool has_seq;
		int ok;			/* enum jv_type of "ok" */
		const char *path;
	} cases[] = {
		{ "a capture record", "{\"t\":\"exchange\",\"seq\":12,\"ok\":true,\"path\":\"/echo?a=1\","
		  "\"headers\":{\"host\":\"x\",\"x-request-id\":\"r.1.1-1\"},\"unknown\":[1,{\"a\":null}]}",
		  "exchange", 12, true, JV_TRUE, "/echo?a=1" },
		{ "members in another order, spaces", " { \"path\" : \"/\" , \"ok\" :false,\"t\":\"conn\" }\r",
		  "conn", 0, false, JV_FALSE, "/" },
		{ "simple escapes decoded", "{\"t\":\"a\\\"b\\\\c\\/d\\n\\t\",\"path\":\"\\r\\b\\f\"}",
		  "a\"b\\c/d\n\t", 0, false, JV_NONE, "\r\b\f" },
		{ "negative and zero integers", "{\"t\":\"\",\"seq\":-7,\"ok\":null}", "", -7, true, JV_NULL, NULL },
		{ "zero", "{\"seq\":0}", NULL, 0, true, JV_NONE, NULL },
		{ "18 digits", "{\"seq\":123456789012345678}", NULL, 123456789012345678LL, true, JV_NONE, NULL },
		{ "empty object", "{}", NULL, 0, false, JV_NONE, NULL },
		{ "a member that is an object", "{\"ok\":{}}", NULL, 0, false, JV_OTHER, NULL },
		{ "long member names", "{\"service_account\":\"sa\",\"unparsed_bytes_x\":3}", NULL, 0, false, JV_NONE, NULL },
	};
	struct jscan_fields f;
	struct jv v[N(names)];

	(void)state;
	assert_int_equal(jscan_fields_init(&f, names, N(names)), 0);
	/* Twice: the second round runs on the member order learnt in the first. */
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < N(cases); i++) {
			char *line;

			if (scan(&f, cases[i].line, v, &line))
				fail_msg("%s: declined", cases[i].desc);
			if (cases[i].t) {
				assert_int_equal(v[0].type, JV_STR);
				assert_int_equal(v[0].len, strlen(cases[i].t));
				assert_memory_equal(v[0].s, cases[i].t, v[0].len);
			} else {
				assert_int_equal(v[0].type, JV_NONE);
			}
			assert_int_equal(v[1].type, cases[i].has_seq ? JV_INT : JV_NONE);
			if (cases[i].has_seq)
				assert_true(v[1].i == cases[i].seq);
			assert_int_equal(v[2].type, cases[i].ok);
			if (cases[i].path) {
				assert_int_equal(v[4].len, strlen(cases[i].path));
				assert_memory_equal(v[4].s, cases[i].path, v[4].len);
			}
			free(line);
		}
	{
		char *line;

		assert_int_equal(scan(&f, "{\"service_account\":\"sa\",\"unparsed_bytes_x\":3}", v, &line), 0);
		assert_int_equal(v[5].type, JV_STR);
		assert_true(v[6].type == JV_INT && v[6].i == 3);
		assert_int_equal(v[3].type, JV_NONE);
		free(line);
	}
}

static void test_declines(void **state)
{
	static const struct {
		const char *desc, *line;
	} cases[] = {
		{ "duplicate named member", "{\"t\":\"a\",\"t\":\"b\"}" },
		{ "duplicate other member", "{\"x\":1,\"y\":2,\"x\":3}" },
		{ "duplicate inside a nested object", "{\"headers\":{\"a\":\"1\",\"a\":\"2\"}}" },
		{ "\\u escape", "{\"t\":\"\\u0041\"}" },
		{ "non-ASCII byte", "{\"t\":\"caf\xc3\xa9\"}" },
		{ "control byte in a string", "{\"t\":\"a\tb\"}" },
		{ "unknown escape", "{\"t\":\"\\x\"}" },
		{ "escaped key", "{\"\\t\":1}" },
		{ "fraction", "{\"seq\":1.5}" },
		{ "exponent", "{\"seq\":1e3}" },
		{ "leading zero", "{\"seq\":012}" },
		{ "19 digits", "{\"seq\":1234567890123456789}" },
		{ "bare minus", "{\"seq\":-}" },
		{ "trailing garbage", "{\"t\":\"a\"}x" },
		{ "two objects", "{}{}" },
		{ "missing comma", "{\"t\":\"a\" \"seq\":1}" },
		{ "trailing comma", "{\"t\":\"a\",}" },
		{ "missing colon", "{\"t\" \"a\"}" },
		{ "unterminated string", "{\"t\":\"a}" },
		{ "unterminated object", "{\"t\":\"a\"" },
		{ "bad literal", "{\"ok\":tru}" },
		{ "an array, not an object", "[1,2]" },
		{ "empty line", "" },
		{ "deep nesting", "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}" },
	};
	struct jscan_fields f;
	struct jv v[N(names)];

	(void)state;
	assert_int_equal(jscan_fields_init(&f, names, N(names)), 0);
	for (size_t i = 0; i < N(cases); i++) {
		char *line;

		if (scan(&f, cases[i].line, v, &line) != -1)
			fail_msg("%s: accepted", cases[i].desc);
		/* Declined lines are left as they were, for the full parser. */
		assert_string_equal(line, cases[i].line);
		free(line);
	}
	/* A NUL inside the line ends what a C-string parser would see: declined. */
	{
		char line[32 + JSCAN_PAD] = "{\"t\":\"a\"}";

		line[3] = '\0';
		assert_int_equal(jscan_record(&f, line, 9, v), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_declines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
