/* test_parse - range-checked number and duration parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/parse.h"

static void test_u64(void **state)
{
	static const struct {
		const char *in;
		uint64_t min, max;
		int ret;
		uint64_t want;
	} cases[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "11", 0, 10, -ERANGE, 0 },
		{ "0", 1, 10, -ERANGE, 0 },
		{ "-1", 0, 10, -EINVAL, 0 },
		{ " 1", 0, 10, -EINVAL, 0 },
		{ "1x", 0, 10, -EINVAL, 0 },
		{ "", 0, 10, -EINVAL, 0 },
		{ "18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX },
		{ "18446744073709551616", 0, UINT64_MAX, -ERANGE, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;

		assert_int_equal(parse_u64(cases[i].in, cases[i].min, cases[i].max, &v), cases[i].ret);
		if (!cases[i].ret)
			assert_true(v == cases[i].want);
		else
			assert_true(v == 12345);	/* untouched on error */
	}
}

static void test_double(void **state)
{
	double v = -1;

	(void)state;
	assert_int_equal(parse_double("0.25", 0, 1, &v), 0);
	assert_true(v == 0.25);
	assert_int_equal(parse_double("1.5", 0, 1, &v), -ERANGE);
	assert_int_equal(parse_double("nan", 0, 1, &v), -EINVAL);
	assert_int_equal(parse_double("inf", 0, 1e9, &v), -EINVAL);
	assert_int_equal(parse_double("", 0, 1, &v), -EINVAL);
}

static void test_duration(void **state)
{
	static const struct {
		const char *in;
		int ret;
		uint64_t want;
	} cases[] = {
		{ "10", 0, 10000000000ULL },
		{ "10s", 0, 10000000000ULL },
		{ "250ms", 0, 250000000ULL },
		{ "1.5s", 0, 1500000000ULL },
		{ "2m", 0, 120000000000ULL },
		{ "3us", 0, 3000ULL },
		{ "1h", 0, 3600000000000ULL },
		{ "s", -EINVAL, 0 },
		{ "10x", -EINVAL, 0 },
		{ "-1s", -ERANGE, 0 },
		{ "100000h", -ERANGE, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;

		assert_int_equal(parse_duration_ns(cases[i].in, 86400ULL * 1000000000ULL, &v), cases[i].ret);
		if (!cases[i].ret)
			assert_true(v == cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
