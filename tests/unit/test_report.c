/* test_report - the verdict model, its JSON round trip, capability, and the writers' exact output. */
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

#include "report/capability.h"
#include "report/matrix.h"
#include "report/writers.h"

static void add(struct report *r, const char *scenario, const char *id, const char *spec, const char *ver,
		enum verdict v, const char *reason)
{
	struct assertion a = {
		.id = (char *)id, .scenario = (char *)scenario, .step = "s", .traffic = "t1",
		.kind = "access", .smispec = (char *)spec, .specversion = (char *)ver, .step_index = 1,
		.verdict = v, .reason = (char *)reason, .duration_s = 1.5,
	};

	assert_non_null(report_add(r, &a, json_pack("{s:i}", "requests", 50)));
}

/* Everything a writer printed, as a malloc'ed string. */
static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

static void table_plain(FILE *f, const void *r) { report_write_table(f, r, &(struct table_opts){ 0 }); }
static void table_color(FILE *f, const void *r) { report_write_table(f, r, &(struct table_opts){ .color = true }); }
static void table_narrow(FILE *f, const void *r)
{
	report_write_table(f, r, &(struct table_opts){ .width = 60 });
}
static void table_failures(FILE *f, const void *r)
{
	report_write_table(f, r, &(struct table_opts){ .failures_only = true });
}
static void junit(FILE *f, const void *r) { report_write_junit(f, r); }
static void meshery(FILE *f, const void *r) { report_write_meshery(f, r); }
static void markdown(FILE *f, const void *m) { matrix_write_markdown(f, m); }

/* The one verdict type: names, parsing, and worst-of for every pair. */
static void test_verdict_type(void **state)
{
	static const struct { enum verdict a, b, worst; } pairs[] = {
		{ VERDICT_PASS, VERDICT_PASS, VERDICT_PASS },
		{ VERDICT_PASS, VERDICT_INCONCLUSIVE, VERDICT_INCONCLUSIVE },
		{ VERDICT_PASS, VERDICT_FAIL, VERDICT_FAIL },
		{ VERDICT_INCONCLUSIVE, VERDICT_PASS, VERDICT_INCONCLUSIVE },
		{ VERDICT_INCONCLUSIVE, VERDICT_INCONCLUSIVE, VERDICT_INCONCLUSIVE },
		{ VERDICT_INCONCLUSIVE, VERDICT_FAIL, VERDICT_FAIL },
		{ VERDICT_FAIL, VERDICT_PASS, VERDICT_FAIL },
		{ VERDICT_FAIL, VERDICT_INCONCLUSIVE, VERDICT_FAIL },
		{ VERDICT_FAIL, VERDICT_FAIL, VERDICT_FAIL },
	};
	enum verdict v = VERDICT_PASS;

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		assert_int_equal(verdict_worst(pairs[i].a, pairs[i].b), pairs[i].worst);
	assert_string_equal(verdict_name(VERDICT_PASS), "PASS");
	assert_string_equal(verdict_name(VERDICT_INCONCLUSIVE), "INCONCLUSIVE");
	assert_string_equal(verdict_name(VERDICT_FAIL), "FAIL");
	assert_int_equal(verdict_exit_code(VERDICT_PASS), 0);
	assert_int_equal(verdict_exit_code(VERDICT_FAIL), 1);
	assert_int_equal(verdict_exit_code(VERDICT_INCONCLUSIVE), 3);
	assert_int_equal(verdict_parse("FAIL", &v), 0);
	assert_int_equal(v, VERDICT_FAIL);
	assert_int_equal(verdict_parse("INCONCLUSIVE", &v), 0);
	assert_int_equal(v, VERDICT_INCONCLUSIVE);
	assert_int_equal(verdict_parse("PASS", &v), 0);
	assert_int_equal(v, VERDICT_PASS);
	assert_int_equal(verdict_parse("pass", &v), -EINVAL);
	assert_int_equal(verdict_parse("", &v), -EINVAL);
	assert_int_equal(verdict_parse(NULL, &v), -EINVAL);
	assert_int_equal(v, VERDICT_PASS);	/* untouched on error */
}

static void test_verdicts_and_exit_codes(void **state)
{
	struct report r;

	(void)state;
	assert_int_equal(report_init(&r, "m"), 0);
	assert_int_equal(report_verdict(&r), VERDICT_INCONCLUSIVE);	/* nothing shown */
	add(&r, "sc", "sc/a", "traffic-access", "v1alpha3", VERDICT_PASS, "ok");
	assert_int_equal(report_exit_code(&r), 0);
	add(&r, "sc", "sc/b", "traffic-access", "v1alpha3", VERDICT_INCONCLUSIVE, "lost");
	assert_int_equal(report_exit_code(&r), 3);
	add(&r, "sc", "sc/c", "traffic-access", "v1alpha3", VERDICT_FAIL, "bad");
	assert_int_equal(report_exit_code(&r), 1);
	report_free(&r);
}

static void test_json_round_trip(void **state)
{
	char path[] = "/tmp/smiw-report.XXXXXX";
	struct report r, back;
	json_t *a, *b;
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(report_init(&r, "mesh-x"), 0);
	add(&r, "sc", "sc/a", "traffic-split", "v1alpha4", VERDICT_PASS, "fine");
	add(&r, "sc", "sc/b", "traffic-split", "v1alpha4", VERDICT_FAIL, "64.0% vs 70.0%");
	json_object_set_new(r.statistics, "alpha", json_real(0.001));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_int_equal(report_write_json(f, &r), 0);
	fclose(f);
	assert_int_equal(report_load(&back, path), 0);
	unlink(path);
	a = report_to_json(&r);
	b = report_to_json(&back);
	assert_true(json_equal(a, b));
	assert_string_equal(json_string_value(json_object_get(a, "schema")), REPORT_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "summary"), "verdict")), "FAIL");
	json_decref(a);
	json_decref(b);
	report_free(&r);
	report_free(&back);
}

static void test_capability(void **state)
{
	static const struct {
		const char *verdicts;	/* P, F, I */
		enum capability_level want;
	} cases[] = {
		{ "PPP", CAP_FULL }, { "PPF", CAP_HALF }, { "PI", CAP_HALF }, { "FFF", CAP_NONE },
		{ "III", CAP_NONE }, { "FI", CAP_NONE }, { "P", CAP_FULL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capability caps[4];
		struct report r;
		char id[16];

		assert_int_equal(report_init(&r, "m"), 0);
		for (const char *v = cases[i].verdicts; *v; v++) {
			snprintf(id, sizeof(id), "sc/%d", (int)(v - cases[i].verdicts));
			add(&r, "sc", id, "traffic-access", "v1alpha2", *v == 'P' ? VERDICT_PASS :
			    *v == 'F' ? VERDICT_FAIL : VERDICT_INCONCLUSIVE, "x");
		}
		add(&r, "sc", "sc/other", "traffic-split", "v1alpha2", VERDICT_PASS, "x");
		assert_int_equal(capability_compute(&r, caps, 4), 2);
		if (caps[0].level != cases[i].want)
			fail_msg("case %s: got %s", cases[i].verdicts, capability_name(caps[0].level));
		assert_int_equal(caps[1].level, CAP_FULL);
		report_free(&r);
	}
}

static void test_table(void **state)
{
	struct report r;
	char *out;

	(void)state;
	assert_int_equal(report_init(&r, "ref"), 0);
	add(&r, "sc", "sc/step/t1/access", "traffic-access", "v1alpha3", VERDICT_PASS, "50/50 denied");
	add(&r, "sc", "sc/x", "traffic-access", "v1alpha3", VERDICT_FAIL, "1 of 50 reached app-b");
	out = capture(table_plain, &r);
	assert_string_equal(out,
		"VERDICT  ASSERTION          REASON\n"
		"PASS     sc/step/t1/access  50/50 denied\n"
		"FAIL     sc/x               1 of 50 reached app-b\n"
		"\n"
		"2 assertions: 1 PASS, 1 FAIL, 0 INCONCLUSIVE -> FAIL for mesh ref\n");
	free(out);
	out = capture(table_color, &r);
	assert_non_null(strstr(out, "\033[32mPASS   \033[0m  sc/step/t1/access"));
	assert_non_null(strstr(out, "-> \033[31mFAIL\033[0m for mesh ref"));
	free(out);
	out = capture(table_failures, &r);
	assert_string_equal(out,
		"VERDICT  ASSERTION  REASON\n"
		"FAIL     sc/x       1 of 50 reached app-b\n"
		"\n"
		"2 assertions: 1 PASS, 1 FAIL, 0 INCONCLUSIVE -> FAIL for mesh ref\n");
	free(out);
	report_free(&r);
}

/* Lines fit the width: reasons wrap at spaces under their column, a long id puts its reason below. */
static void test_table_wraps(void **state)
{
	struct report r;
	char *out;

	(void)state;
	assert_int_equal(report_init(&r, "ref"), 0);
	add(&r, "sc", "sc/a", "traffic-split", "v1alpha4", VERDICT_FAIL,
	    "70.0% / 30.0% vs expected 75.0% / 25.0% (app-b / app-c): p = 0.00034 < alpha = 0.001");
	add(&r, "sc", "sc/a-very-long-assertion-identifier", "traffic-split", "v1alpha4", VERDICT_PASS, "fine");
	out = capture(table_narrow, &r);
	assert_string_equal(out,
		"VERDICT  ASSERTION  REASON\n"
		"FAIL     sc/a       70.0% / 30.0% vs expected 75.0% / 25.0%\n"
		"                    (app-b / app-c): p = 0.00034 < alpha =\n"
		"                    0.001\n"
		"PASS     sc/a-very-long-assertion-identifier\n"
		"                    fine\n"
		"\n"
		"2 assertions: 1 PASS, 1 FAIL, 0 INCONCLUSIVE -> FAIL for mesh ref\n");
	free(out);
	/* An INCONCLUSIVE row widens the verdict column to its name, and every row follows. */
	add(&r, "sc", "sc/b", "traffic-split", "v1alpha4", VERDICT_INCONCLUSIVE, "need 663 requests, have 12");
	out = capture(table_narrow, &r);
	assert_string_equal(out,
		"VERDICT       ASSERTION  REASON\n"
		"FAIL          sc/a       70.0% / 30.0% vs expected 75.0% /\n"
		"                         25.0% (app-b / app-c): p = 0.00034\n"
		"                         < alpha = 0.001\n"
		"PASS          sc/a-very-long-assertion-identifier\n"
		"                         fine\n"
		"INCONCLUSIVE  sc/b       need 663 requests, have 12\n"
		"\n"
		"3 assertions: 1 PASS, 1 FAIL, 1 INCONCLUSIVE -> FAIL for mesh ref\n");
	/* The rows keep to the width; the summary sentence below them is one line whatever the width. */
	for (char *line = out; *line != '\n'; line = strchr(line, '\n') + 1)
		assert_true(strcspn(line, "\n") <= 60);
	free(out);
	out = capture(table_failures, &r);
	for (char *line = out; *line; line = strchr(line, '\n') + 1)
		assert_true(strcspn(line, "\n") <= 100);
	free(out);
	report_free(&r);
}

static void test_junit_escapes(void **state)
{
	struct report r;
	char *out;

	(void)state;
	assert_int_equal(report_init(&r, "m<&>"), 0);
	add(&r, "sc", "sc/a", "traffic-access", "v1alpha3", VERDICT_FAIL, "saw <403> & \"reset\"");
	add(&r, "sc", "sc/b", "traffic-access", "v1alpha3", VERDICT_INCONCLUSIVE, "lost\001data");
	out = capture(junit, &r);
	assert_non_null(strstr(out, "<testsuites name=\"smi-witness\" tests=\"2\" failures=\"1\" errors=\"1\" time=\"3.000\">"));
	assert_non_null(strstr(out, "<failure type=\"FAIL\" message=\"saw &lt;403&gt; &amp; &quot;reset&quot;\">"));
	assert_non_null(strstr(out, "<error type=\"INCONCLUSIVE\" message=\"lost?data\">"));
	assert_non_null(strstr(out, "<property name=\"mesh\" value=\"m&lt;&amp;&gt;\"/>"));
	free(out);
	report_free(&r);
}

static void test_meshery(void **state)
{
	struct report r;
	json_t *doc;
	char *out;

	(void)state;
	assert_int_equal(report_init(&r, "m"), 0);
	add(&r, "sc", "sc/a", "traffic-access", "v1alpha3", VERDICT_PASS, "ok");
	add(&r, "sc", "sc/b", "traffic-access", "v1alpha3", VERDICT_PASS, "ok");
	add(&r, "sc", "sc/c", "traffic-split", "v1alpha2", VERDICT_INCONCLUSIVE, "need 663");
	out = capture(meshery, &r);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_true(json_real_value(json_object_get(doc, "passpercent")) == 66.67);
	assert_int_equal(json_integer_value(json_object_get(doc, "casespassed")), 2);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "inconclusive");
	json_t *d = json_array_get(json_object_get(doc, "details"), 2);

	assert_string_equal(json_string_value(json_object_get(d, "smispec")), "traffic-split");
	assert_string_equal(json_string_value(json_object_get(d, "specversion")), "v1alpha2");
	assert_string_equal(json_string_value(json_object_get(d, "assertion")), "sc/c");
	assert_string_equal(json_string_value(json_object_get(d, "duration")), "1.500s");
	assert_string_equal(json_string_value(json_object_get(d, "result")), "need 663");
	assert_string_equal(json_string_value(json_object_get(d, "capability")), "NONE");
	assert_string_equal(json_string_value(json_object_get(d, "status")), "inconclusive");
	d = json_array_get(json_object_get(doc, "details"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "capability")), "FULL");
	json_decref(doc);
	free(out);
	report_free(&r);
}

static void test_matrix(void **state)
{
	struct report r[2];
	struct matrix m;
	char *out;

	(void)state;
	assert_int_equal(report_init(&r[0], "zeta"), 0);
	add(&r[0], "sc", "sc/a", "traffic-split", "v1alpha4", VERDICT_PASS, "ok");
	add(&r[0], "sc", "sc/b", "traffic-access", "v1alpha3", VERDICT_FAIL, "a | b");
	assert_int_equal(report_init(&r[1], "alpha"), 0);
	add(&r[1], "sc", "sc/a", "traffic-split", "v1alpha2", VERDICT_PASS, "ok");
	assert_int_equal(matrix_build(&m, r, 2), 0);
	out = capture(markdown, &m);
	assert_string_equal(out,
		"# SMI compatibility matrix\n\n"
		"| mesh | traffic-access v1alpha3 | traffic-split v1alpha2 | traffic-split v1alpha4 |\n"
		"|---|---|---|---|\n"
		"| alpha | — | FULL (1/1 PASS) | — |\n"
		"| zeta | NONE (0/1 PASS, FAIL) | — | FULL (1/1 PASS) |\n"
		"\nFULL: every assertion of that spec version passed; HALF: some did; NONE: none did "
		"(INCONCLUSIVE counts as not passed). Cells count assertions: PASS/total.\n"
		"\n## Assertions that did not pass\n\n| mesh | assertion | verdict | reason |\n|---|---|---|---|\n"
		"| zeta | sc/b | FAIL | a \\| b |\n");
	free(out);
	matrix_free(&m);
	report_free(&r[0]);
	report_free(&r[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_type),
		cmocka_unit_test(test_verdicts_and_exit_codes),
		cmocka_unit_test(test_table_wraps),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_capability),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_junit_escapes),
		cmocka_unit_test(test_meshery),
		cmocka_unit_test(test_matrix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
