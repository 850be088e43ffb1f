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
#include "report/smi_release.h"
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

/*
 * Everything a writer printed, as a malloc'ed string. Not inlined: GCC 12
 * then takes the returned buffer for a pointer into this frame (a false
 * -Wdangling-pointer on searches within it).
 */
static __attribute__((noinline)) char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

/* Where needle first occurs in text at or after `from`; strlen(text) when it does not. */
static size_t offset(const char *text, const char *needle, size_t from)
{
	const char *p = strstr(text + from, needle);

	return p ? (size_t)(p - text) : strlen(text);
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
static void html(FILE *f, const void *m) { matrix_write_html(f, m); }

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

/* The matrix's rule: FULL all passed, HALF some, NONE none (INCONCLUSIVE is not a pass). */
static void test_capability(void **state)
{
	static const struct {
		const char *verdicts;	/* P, F, I */
		enum capability_level want;
	} cases[] = {
		{ "PPP", CAP_FULL }, { "PPF", CAP_HALF }, { "PI", CAP_HALF }, { "FFF", CAP_NONE },
		{ "III", CAP_NONE }, { "FI", CAP_NONE }, { "P", CAP_FULL }, { "", CAP_NONE },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t pass = 0, total = strlen(cases[i].verdicts);

		for (const char *v = cases[i].verdicts; *v; v++)
			pass += *v == 'P';
		if (capability_of(pass, total) != cases[i].want)
			fail_msg("case '%s': got %s", cases[i].verdicts, capability_name(capability_of(pass, total)));
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
	/* No scenario summary: the step's time is its assertions' traffic time, counted once per step. */
	assert_non_null(strstr(out, "<testsuites name=\"smi-witness m&lt;&amp;&gt;\" tests=\"2\" failures=\"1\" errors=\"1\" time=\"1.500\">"));
	assert_non_null(strstr(out, "<testsuite name=\"m&lt;&amp;&gt;.sc\" "));
	assert_non_null(strstr(out, "<failure type=\"FAIL\" message=\"saw &lt;403&gt; &amp; &quot;reset&quot;\">saw &lt;403&gt; &amp; &quot;reset&quot;\n"));
	assert_non_null(strstr(out, "<error type=\"INCONCLUSIVE\" message=\"lost?data\">lost?data\n</error>"));
	assert_non_null(strstr(out, "<property name=\"mesh\" value=\"m&lt;&amp;&gt;\"/>"));
	free(out);
	report_free(&r);
}

/*
 * A small report of the kinds the writers treat differently: a split step
 * that failed and one that passed (scenario "sp"), an access step with one
 * INCONCLUSIVE and one PASS assertion (scenario "ac"), the step and
 * scenario summaries giving elapsed times.
 */
static const char fixture_scenarios[] =
	"[{\"name\": \"sp\", \"file\": \"specs/sp.yaml\", \"smispec\": \"traffic-split\","
	"  \"elapsed\": {\"start\": \"2026-01-05T09:30:01.000Z\", \"end\": \"2026-01-05T09:30:04.000Z\", \"duration_s\": 3.0},"
	"  \"steps\": [{\"index\": 1, \"name\": \"s1\", \"window\": {\"duration_s\": 0.3}, \"elapsed\": {\"duration_s\": 1.25}},"
	"            {\"index\": 2, \"name\": \"s2\", \"window\": {\"duration_s\": 0.2}, \"elapsed\": {\"duration_s\": 1.5}}]},"
	" {\"name\": \"ac\", \"file\": \"specs/ac.yaml\", \"smispec\": \"traffic-access\","
	"  \"elapsed\": {\"start\": \"2026-01-05T09:30:05.000Z\", \"end\": \"2026-01-05T09:30:05.750Z\", \"duration_s\": 0.75},"
	"  \"steps\": [{\"index\": 1, \"name\": \"deny\", \"window\": {\"duration_s\": 0.1}, \"elapsed\": {\"duration_s\": 0.75}}]}]";

static const char split_fail_evidence[] =
	"{\"service\": \"app-svc\", \"test\": \"exact-binomial\", \"requests\": 1000, \"delivered\": 1000, \"counted\": 1000,"
	" \"client_failures\": 0, \"backends\": ["
	"  {\"service\": \"app-b\", \"weight\": 75, \"expected\": 0.75, \"observed\": 700, \"share\": 0.7, \"ci\": [0.65, 0.747]},"
	"  {\"service\": \"app-c\", \"weight\": 25, \"expected\": 0.25, \"observed\": 300, \"share\": 0.3, \"ci\": [0.253, 0.35]}],"
	" \"ci_level\": 0.999, \"p_value\": 0.00034, \"statistic\": null, \"alpha\": 0.001, \"power\": 0.9998,"
	" \"power_target\": 0.99, \"effect\": 0.1, \"required_n\": 663, \"client_outcomes\": {\"200\": 1000},"
	" \"elsewhere\": {\"total\": 0, \"items\": []}, \"undelivered\": {\"total\": 0, \"items\": []},"
	" \"unobserved\": {\"total\": 0, \"items\": []}, \"request_id_prefix\": \"rx.1.1-\","
	" \"expectation\": {\"from\": \"policy\", \"split\": \"default/s\", \"shares\": {\"app-b\": 0.75, \"app-c\": 0.25}}}";

static const char access_inconclusive_evidence[] =
	"{\"expected\": \"deny\", \"destination\": \"app-b\", \"requests\": 100, \"expected_requests\": 100,"
	" \"conforming\": 97, \"missing\": 0, \"client_outcomes\": {\"403\": 97, \"unobserved\": 3},"
	" \"violations\": {\"total\": 0, \"items\": []},"
	" \"unobserved\": {\"total\": 3, \"items\": ["
	"  {\"request_id\": \"ry.1.1-7\", \"what\": \"unobserved\", \"client\": \"unobserved\"},"
	"  {\"request_id\": \"ry.1.1-8\", \"what\": \"unobserved\", \"client\": \"unobserved\"},"
	"  {\"request_id\": \"ry.1.1-9\", \"what\": \"unobserved\", \"client\": \"unobserved\"}]},"
	" \"accepted_denials\": [\"403\"], \"request_id_prefix\": \"ry.1.1-\","
	" \"expectation\": {\"from\": \"policy\", \"source\": \"default/service-a\", \"destination\": \"default/service-b\","
	"  \"port\": 9091, \"decision\": \"deny-no-target\"}}";

static void add_kind(struct report *r, const char *scenario, const char *step, unsigned index, const char *traffic,
		     const char *kind, const char *spec, const char *ver, enum verdict v, const char *reason,
		     const char *evidence)
{
	char id[128];
	struct assertion a = {
		.id = id, .scenario = (char *)scenario, .step = (char *)step, .traffic = (char *)traffic,
		.kind = (char *)kind, .smispec = (char *)spec, .specversion = (char *)ver, .step_index = index,
		.verdict = v, .reason = (char *)reason, .duration_s = 0.125,
	};
	json_t *ev = json_loads(evidence, 0, NULL);

	assert_non_null(ev);
	snprintf(id, sizeof(id), "%s/%s/%s/%s", scenario, step, traffic, kind);
	assert_non_null(report_add(r, &a, ev));
}

static void fixture(struct report *r)
{
	assert_int_equal(report_init(r, "ref"), 0);
	free(r->mesh_version);
	free(r->data_plane);
	free(r->generated);
	r->mesh_version = strdup("0.1.0");
	r->data_plane = strdup("HAProxy 2.6.12");
	r->generated = strdup("2026-01-05T09:30:00.000Z");
	json_decref(r->scenarios);
	r->scenarios = json_loads(fixture_scenarios, 0, NULL);
	assert_non_null(r->scenarios);
	add_kind(r, "sp", "s1", 1, "t1", "split", "traffic-split", "v1alpha4", VERDICT_FAIL,
		 "70.0% / 30.0% vs expected 75.0% / 25.0%", split_fail_evidence);
	add_kind(r, "sp", "s2", 2, "t1", "split", "traffic-split", "v1alpha4", VERDICT_PASS, "fine", "{}");
	add_kind(r, "ac", "deny", 1, "a-to-b", "access", "traffic-specs", "v1alpha4", VERDICT_INCONCLUSIVE,
		 "3 of 100 requests were never seen on the client side", access_inconclusive_evidence);
	add_kind(r, "ac", "deny", 1, "a-to-c", "access", "traffic-specs", "v1alpha4", VERDICT_PASS, "denied", "{}");
}

/* Suites and classnames carry the mesh; times are the step's and the scenario's; bodies are text. */
static void test_junit(void **state)
{
	struct report r;
	char *out;

	(void)state;
	fixture(&r);
	out = capture(junit, &r);
	assert_string_equal(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"smi-witness ref\" tests=\"4\" failures=\"1\" errors=\"1\" time=\"3.750\">\n"
		"  <testsuite name=\"ref.sp\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"3.000\" timestamp=\"2026-01-05T09:30:01.000Z\">\n"
		"    <properties>\n"
		"      <property name=\"mesh\" value=\"ref\"/>\n"
		"      <property name=\"mesh_version\" value=\"0.1.0\"/>\n"
		"      <property name=\"data_plane\" value=\"HAProxy 2.6.12\"/>\n"
		"      <property name=\"category\" value=\"SMI\"/>\n"
		"      <property name=\"smispec\" value=\"traffic-split\"/>\n"
		"      <property name=\"scenario_file\" value=\"specs/sp.yaml\"/>\n"
		"      <property name=\"tool\" value=\"smi-witness " SMIW_VERSION "\"/>\n"
		"    </properties>\n"
		"    <testcase classname=\"ref.sp.s1\" name=\"t1/split\" time=\"1.250\">\n"
		"      <failure type=\"FAIL\" message=\"70.0% / 30.0% vs expected 75.0% / 25.0%\">70.0% / 30.0% vs expected 75.0% / 25.0%\n"
		"expected: app-b 75.0%, app-c 25.0% (TrafficSplit default/s)\n"
		"observed: app-b 700, app-c 300 (1000 counted, 1000 delivered of 1000 requests, 0 client failures; client saw 200 x1000)\n"
		"test: exact-binomial, p = 0.00034 (alpha 0.001), power 0.9998 (target 0.99) to see a 10-point deviation; 663 requests needed\n"
		"request ids: rx.1.1-* in the observations\n"
		"</failure>\n"
		"    </testcase>\n"
		"    <testcase classname=\"ref.sp.s2\" name=\"t1/split\" time=\"1.500\"/>\n"
		"  </testsuite>\n"
		"  <testsuite name=\"ref.ac\" tests=\"2\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.750\" timestamp=\"2026-01-05T09:30:05.000Z\">\n"
		"    <properties>\n"
		"      <property name=\"mesh\" value=\"ref\"/>\n"
		"      <property name=\"mesh_version\" value=\"0.1.0\"/>\n"
		"      <property name=\"data_plane\" value=\"HAProxy 2.6.12\"/>\n"
		"      <property name=\"category\" value=\"SMI\"/>\n"
		"      <property name=\"smispec\" value=\"traffic-specs\"/>\n"
		"      <property name=\"scenario_file\" value=\"specs/ac.yaml\"/>\n"
		"      <property name=\"tool\" value=\"smi-witness " SMIW_VERSION "\"/>\n"
		"    </properties>\n"
		"    <testcase classname=\"ref.ac.deny\" name=\"a-to-b/access\" time=\"0.750\">\n"
		"      <error type=\"INCONCLUSIVE\" message=\"3 of 100 requests were never seen on the client side\">3 of 100 requests were never seen on the client side\n"
		"expected: deny to app-b (SMI policy for default/service-a -&gt; default/service-b port 9091: deny-no-target)\n"
		"observed: 100 of 100 requests, 97 conforming, 0 missing; client saw 403 x97, unobserved x3\n"
		"not observed: 3:\n"
		"  ry.1.1-7  unobserved:; client unobserved\n"
		"  ry.1.1-8  unobserved:; client unobserved\n"
		"  ry.1.1-9  unobserved:; client unobserved\n"
		"request ids: ry.1.1-* in the observations\n"
		"</error>\n"
		"    </testcase>\n"
		"    <testcase classname=\"ref.ac.deny\" name=\"a-to-c/access\" time=\"0.750\"/>\n"
		"  </testsuite>\n"
		"</testsuites>\n");
	free(out);
	report_free(&r);
}

/* One detail per SMI spec in Meshery's spelling, steps as cases, counters as text. */
static void test_meshery(void **state)
{
	struct report r;
	char *out;

	(void)state;
	fixture(&r);
	out = capture(meshery, &r);
	assert_string_equal(out,
		"{\n"
		"  \"passpercent\": \"33.33\",\n"
		"  \"casespassed\": \"1\",\n"
		"  \"mesh\": {\n"
		"    \"type\": \"INVALID_MESH\",\n"
		"    \"version\": \"0.1.0\",\n"
		"    \"annotations\": {\n"
		"      \"smi-witness/mesh\": \"ref\",\n"
		"      \"smi-witness/data-plane\": \"HAProxy 2.6.12\"\n"
		"    }\n"
		"  },\n"
		"  \"details\": [\n"
		"    {\n"
		"      \"smispec\": \"traffic-split\",\n"
		"      \"specversion\": \"v0.6.0/v1alpha4\",\n"
		"      \"assertion\": \"2\",\n"
		"      \"duration\": \"3.000\",\n"
		"      \"result\": {\n"
		"        \"error\": {\n"
		"          \"code\": \"FAIL\",\n"
		"          \"shortDescription\": \"1 of 2 step(s) did not pass: 1 assertion(s) FAIL, 0 INCONCLUSIVE\",\n"
		"          \"longDescription\": \"sp/s1/t1/split: FAIL: 70.0% / 30.0% vs expected 75.0% / 25.0%\"\n"
		"        }\n"
		"      },\n"
		"      \"capability\": \"HALF\",\n"
		"      \"status\": \"FAILED\"\n"
		"    },\n"
		"    {\n"
		"      \"smispec\": \"traffic-spec\",\n"
		"      \"specversion\": \"v0.6.0/v1alpha4\",\n"
		"      \"assertion\": \"1\",\n"
		"      \"duration\": \"0.750\",\n"
		"      \"result\": {\n"
		"        \"error\": {\n"
		"          \"code\": \"INCONCLUSIVE\",\n"
		"          \"shortDescription\": \"1 of 1 step(s) did not pass: 0 assertion(s) FAIL, 1 INCONCLUSIVE (not shown either way by the observations; Meshery has no such status)\",\n"
		"          \"longDescription\": \"ac/deny/a-to-b/access: INCONCLUSIVE: 3 of 100 requests were never seen on the client side\"\n"
		"        }\n"
		"      },\n"
		"      \"capability\": \"NONE\",\n"
		"      \"status\": \"FAILED\"\n"
		"    }\n"
		"  ]\n"
		"}\n");
	free(out);
	report_free(&r);
	/* Meshery's mesh types by name; every other mesh is INVALID_MESH and says its name in an annotation. */
	assert_int_equal(report_init(&r, "linkerd-2.14"), 0);
	add(&r, "sc", "sc/a", "traffic-access", "v1alpha2", VERDICT_PASS, "ok");
	out = capture(meshery, &r);
	assert_non_null(strstr(out, "\"type\": \"LINKERD\""));
	assert_non_null(strstr(out, "\"specversion\": \"v0.5.0/v1alpha2\""));
	assert_non_null(strstr(out, "\"result\": {\n        \"message\": \"all 1 step(s) passed\"\n      }"));
	assert_non_null(strstr(out, "\"passpercent\": \"100.00\""));
	free(out);
	report_free(&r);
}

static void test_smi_release(void **state)
{
	static const struct { const char *spec, *api, *want; } cases[] = {
		{ "traffic-access", "v1alpha3", "v0.6.0" }, { "traffic-access", "v1alpha2", "v0.5.0" },
		{ "traffic-access", "v1alpha1", "v0.4.0" }, { "traffic-access", "v1alpha4", "draft" },
		{ "traffic-split", "v1alpha4", "v0.6.0" }, { "traffic-split", "v1alpha3", "v0.5.0" },
		{ "traffic-split", "v1alpha2", "unversioned" }, { "traffic-specs", "v1alpha4", "v0.6.0" },
		{ "traffic-specs", "v1alpha3", "v0.5.0" }, { "traffic-specs", "v1alpha2", "v0.4.0" },
		{ "traffic-metrics", "v1alpha1", "v0.6.0" }, { "traffic-metrics", "v1alpha2", NULL },
		{ "traffic-spec", "v1alpha4", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = smi_release_of(cases[i].spec, cases[i].api);

		if (cases[i].want ? !got || strcmp(got, cases[i].want) : got != NULL)
			fail_msg("%s %s: got %s", cases[i].spec, cases[i].api, got ? got : "NULL");
	}
}

/* Every bar a share of the delivered requests, coloured by its own interval; the mesh in the title. */
static void test_svg(void **state)
{
	static const char zero_evidence[] =
		"{\"test\": \"all-to-one\", \"requests\": 200, \"delivered\": 200, \"counted\": 170,"
		" \"backends\": [{\"service\": \"app-b\", \"weight\": 100, \"expected\": 1, \"observed\": 170},"
		"  {\"service\": \"app-c\", \"weight\": 0, \"expected\": 0, \"observed\": 20}],"
		" \"ci_level\": 0.999, \"p_value\": null, \"elsewhere\": {\"total\": 10, \"items\": []}}";
	static const char three_way_evidence[] =
		"{\"test\": \"chi-square\", \"requests\": 4000, \"delivered\": 4000, \"counted\": 4000, \"p_value\": 1.2e-05,"
		" \"backends\": [{\"service\": \"app-b\", \"weight\": 50, \"expected\": 0.5, \"observed\": 1869},"
		"  {\"service\": \"app-c\", \"weight\": 30, \"expected\": 0.3, \"observed\": 1227},"
		"  {\"service\": \"app-d\", \"weight\": 20, \"expected\": 0.2, \"observed\": 904}],"
		" \"ci_level\": 0.999}";
	struct report r;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	fixture(&r);
	f = open_memstream(&out, &len);
	report_write_split_svg(f, r.mesh, &r.a[0]);
	fclose(f);
	assert_non_null(strstr(out, "<title>ref: sp/s1/t1/split: FAIL</title>"));
	/* 700 of 1000: [0.6504, 0.7465] misses 0.75; 300 of 1000: [0.2535, 0.3496] misses 0.25: both red. */
	assert_non_null(strstr(out, "fill=\"#c62828\">observed 70.0% [65.0, 74.7], 700 of 1000; expected 75.0%</text>"));
	assert_non_null(strstr(out, "fill=\"#c62828\">observed 30.0% [25.3, 35.0], 300 of 1000; expected 25.0%</text>"));
	assert_non_null(strstr(out, "bars: shares of the 1000 delivered requests; whisker: 99.9% Clopper-Pearson interval"));
	free(out);
	report_free(&r);

	assert_int_equal(report_init(&r, ""), 0);
	add_kind(&r, "sp", "b-only", 1, "t1", "split", "traffic-split", "v1alpha4", VERDICT_FAIL, "leak", zero_evidence);
	out = NULL;
	f = open_memstream(&out, &len);
	report_write_split_svg(f, "", &r.a[0]);
	fclose(f);
	/* Shares of the same 200: 85% + 10% + 5%, the weight-0 backend and the requests outside the split red. */
	assert_non_null(strstr(out, "<title>sp/b-only/t1/split: FAIL</title>"));
	assert_non_null(strstr(out, "fill=\"#c62828\">observed 85.0% [75.2, 92.1], 170 of 200; expected 100.0%</text>"));
	assert_non_null(strstr(out, "fill=\"#c62828\">observed 10.0% [4.3, 18.8], 20 of 200; expected 0.0%</text>"));
	assert_non_null(strstr(out, ">outside the split</text>"));
	assert_non_null(strstr(out, "fill=\"#c62828\">observed 5.0% [1.4, 12.2], 10 of 200; expected 0.0%</text>"));
	assert_null(strstr(out, "#2e7d32\">observed"));
	free(out);
	report_free(&r);

	/* A failed three-way split whose middle backend got its share: that bar stays green. */
	assert_int_equal(report_init(&r, "faulty"), 0);
	add_kind(&r, "sp", "uneven", 1, "t1", "split", "traffic-split", "v1alpha4", VERDICT_FAIL, "off", three_way_evidence);
	out = NULL;
	f = open_memstream(&out, &len);
	report_write_split_svg(f, r.mesh, &r.a[0]);
	fclose(f);
	assert_non_null(strstr(out, "fill=\"#c62828\">observed 46.7% ["));
	assert_non_null(strstr(out, "fill=\"#2e7d32\">observed 30.7% ["));
	assert_non_null(strstr(out, "fill=\"#c62828\">observed 22.6% ["));
	assert_non_null(strstr(out, "<tspan fill=\"#333\" font-weight=\"normal\">test: chi-square, p = 1.2e-05 over the 4000"));
	free(out);
	report_free(&r);
}

static void test_matrix(void **state)
{
	struct report r[3];
	struct matrix m;
	size_t cell, b, c, d;
	char *out;

	(void)state;
	assert_int_equal(report_init(&r[0], "zeta"), 0);
	add(&r[0], "sc", "sc/a", "traffic-split", "v1alpha4", VERDICT_PASS, "ok");
	add(&r[0], "sc", "sc/b", "traffic-access", "v1alpha3", VERDICT_FAIL, "a | b *c* _d_ <e> [f](g) `h` ~~i~~ &amp; \\");
	add(&r[0], "sc", "sc/c", "traffic-access", "v1alpha3", VERDICT_INCONCLUSIVE, "lost");
	add(&r[0], "sc", "sc/d", "traffic-access", "v1alpha3", VERDICT_PASS, "ok");
	assert_int_equal(report_init(&r[1], "alpha"), 0);
	add(&r[1], "sc", "sc/a", "traffic-split", "v1alpha2", VERDICT_PASS, "ok");
	fixture(&r[2]);
	free(r[2].mesh);
	r[2].mesh = strdup(MATRIX_REFERENCE_MESH);
	assert_int_equal(matrix_build(&m, r, 3), 0);
	out = capture(markdown, &m);
	assert_string_equal(out,
		"# SMI compatibility matrix\n\n"
		"Results observed 2026-01-05 09:30 UTC, judged by smi-witness " SMIW_VERSION ".\n\n"
		"| mesh | mesh version | data plane | traffic-access v1alpha3 | traffic-specs v1alpha4 | traffic-split v1alpha2 | traffic-split v1alpha4 |\n"
		"|---|---|---|---|---|---|---|\n"
		"| reference | 0.1.0 | HAProxy 2.6.12 | — | HALF (1 INCONCLUSIVE, 1/2 PASS) | — | HALF (1 FAIL, 1/2 PASS) |\n"
		"| alpha | — | — | — | — | FULL (1/1 PASS) | — |\n"
		"| zeta | — | — | HALF (1 FAIL, 1 INCONCLUSIVE, 1/3 PASS) | — | — | FULL (1/1 PASS) |\n"
		"\nFULL: every assertion of that spec version passed; HALF: some did; NONE: none did "
		"(INCONCLUSIVE counts as not passed). Cells count assertions: what did not pass, then PASS/total.\n"
		"\n## Assertions that did not pass\n\n| mesh | assertion | verdict | reason |\n|---|---|---|---|\n"
		"| reference | sp/s1/t1/split | FAIL | 70.0% / 30.0% vs expected 75.0% / 25.0% |\n"
		"| reference | ac/deny/a-to-b/access | INCONCLUSIVE | 3 of 100 requests were never seen on the client side |\n"
		"| zeta | sc/b | FAIL | a \\| b \\*c\\* \\_d\\_ \\<e> \\[f\\](g) \\`h\\` \\~\\~i\\~\\~ \\&amp; \\\\ |\n"
		"| zeta | sc/c | INCONCLUSIVE | lost |\n");
	free(out);
	out = capture(html, &m);
	/* The reference row first, with its versions; each tested cell links to its section. */
	assert_non_null(strstr(out, "<p>Results observed 2026-01-05 09:30 UTC, judged by smi-witness " SMIW_VERSION ".</p>"));
	assert_non_null(strstr(out, "<tr><th><a href=\"#mesh-0\">reference</a><br/><small>mesh version 0.1.0<br/>data plane HAProxy 2.6.12</small></th>"
				    "<td class=\"untested\">not tested</td><td class=\"HALF\"><a href=\"#cell-0-1\"><b>HALF</b><br/>1 INCONCLUSIVE, 1/2 PASS</a></td>"));
	assert_non_null(strstr(out, "<td class=\"HALF\"><a href=\"#cell-2-0\"><b>HALF</b><br/>1 FAIL, 1 INCONCLUSIVE, 1/3 PASS</a></td>"));
	assert_non_null(strstr(out, "<h3 id=\"cell-2-0\">zeta: traffic-access v1alpha3 <span class=\"HALF\">HALF</span>"));
	/* Inside a cell: FAIL, then INCONCLUSIVE, then PASS, whatever the report's order. */
	cell = offset(out, "<h3 id=\"cell-2-0\">", 0);
	b = offset(out, ">sc/b<", cell);
	c = offset(out, ">sc/c<", cell);
	d = offset(out, ">sc/d<", cell);
	assert_true(cell < b && b < c && c < d && d < strlen(out));
	/* Evidence as text, open where the assertion did not pass, the chart inside. */
	assert_non_null(strstr(out, "<details open=\"open\"><summary>evidence</summary><pre>expected: app-b 75.0%, app-c 25.0% (TrafficSplit default/s)\n"));
	assert_non_null(strstr(out, "<title>reference: sp/s1/t1/split: FAIL</title>"));
	assert_true(offset(out, "id=\"mesh-0\"", 0) < offset(out, "id=\"mesh-1\"", 0));
	free(out);
	matrix_free(&m);
	for (int i = 0; i < 3; i++)
		report_free(&r[i]);
}

/* Reports of several scenarios: versions from the first that knows them, as for the date. */
static void test_merge_versions(void **state)
{
	struct report all, one;

	(void)state;
	assert_int_equal(report_init(&all, "m"), 0);
	assert_int_equal(report_init(&one, "m"), 0);
	add(&one, "sc", "sc/a", "traffic-access", "v1alpha3", VERDICT_PASS, "ok");
	assert_int_equal(report_merge(&all, &one), 0);
	assert_string_equal(all.mesh_version, "");
	fixture(&one);
	assert_int_equal(report_merge(&all, &one), 0);
	assert_string_equal(all.mesh_version, "0.1.0");
	assert_string_equal(all.data_plane, "HAProxy 2.6.12");
	assert_string_equal(all.generated, "2026-01-05T09:30:00.000Z");
	assert_int_equal(all.n, 5);
	report_free(&all);
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
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_meshery),
		cmocka_unit_test(test_smi_release),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_merge_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
