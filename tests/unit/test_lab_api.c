/* test_lab_api - the mesh settings the lab's operations take, from their command-line spelling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lab/api.h"
#include "util/exitcode.h"

static void test_mesh_set_parse(void **state)
{
	static const struct {
		const char *variant, *access;
		int ret;
		bool set_variant, set_access;
		enum mesh_variant v;
		bool access_control;
	} cases[] = {
		{ NULL, NULL, 0, false, false, MESH_REFERENCE, false },
		{ "faulty-weights", NULL, 0, true, false, MESH_FAULTY_WEIGHTS, false },
		{ NULL, "on", 0, false, true, MESH_REFERENCE, true },
		{ NULL, "off", 0, false, true, MESH_REFERENCE, false },
		{ "drop-failures-metrics", "on", 0, true, true, MESH_DROP_FAILURES_METRICS, true },
		{ "bogus", "on", EXIT_USAGE, false, false, MESH_REFERENCE, false },
		{ "reference", "yes", EXIT_USAGE, false, false, MESH_REFERENCE, false },
		{ NULL, "ON", EXIT_USAGE, false, false, MESH_REFERENCE, false },
		{ "", NULL, EXIT_USAGE, false, false, MESH_REFERENCE, false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lab_mesh_set m;

		assert_int_equal(lab_mesh_set_parse(&m, cases[i].variant, cases[i].access), cases[i].ret);
		if (cases[i].ret)
			continue;
		assert_int_equal(m.set_variant, cases[i].set_variant);
		assert_int_equal(m.set_access, cases[i].set_access);
		if (m.set_variant)
			assert_int_equal(m.variant, cases[i].v);
		assert_int_equal(m.access_control, cases[i].access_control);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mesh_set_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
