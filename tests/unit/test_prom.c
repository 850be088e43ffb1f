/* test_prom - Prometheus text exposition parser: the format's corners, every profile's samples, errors. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics/fetch.h"
#include "metrics/prom.h"

static struct prom_scrape *parse_ok(const char *text)
{
	struct prom_scrape *sc = NULL;
	char err[512] = "";
	int r = prom_parse(text, strlen(text), "t", &sc, err, sizeof(err));

	if (r)
		fail_msg("unexpected parse error: %s", err);
	return sc;
}

static const struct prom_sample *sample(const struct prom_scrape *sc, size_t i)
{
	assert_true(i < sc->nsamples);
	return &sc->samples[i];
}

static void test_labels_and_escapes(void **state)
{
	struct prom_scrape *sc = parse_ok(
		"# HELP req_total Requests, by \"path\".\\nSecond line \\\\ done\n"
		"# TYPE req_total counter\n"
		"req_total{path=\"/a\\\"b\",b=\"back\\\\slash\",c=\"new\\nline\",} 3 1700000000123\n"
		"  req_total { path = \"/x\" } 4.5e2\n"
		"req_total{path=\"\"} -0\n"
		"no_labels 7\n"
		"ts_negative 1 -5\n");

	(void)state;
	assert_int_equal(sc->nsamples, 5);
	assert_int_equal(sc->nfamilies, 1);
	assert_string_equal(sc->families[0].help, "Requests, by \"path\".\nSecond line \\ done");
	assert_int_equal(sc->families[0].type, PROM_COUNTER);
	/* labels come back sorted by name */
	assert_int_equal(sample(sc, 0)->nlabels, 3);
	assert_string_equal(sample(sc, 0)->labels[0].name, "b");
	assert_string_equal(prom_label(sample(sc, 0), "path"), "/a\"b");
	assert_string_equal(prom_label(sample(sc, 0), "b"), "back\\slash");
	assert_string_equal(prom_label(sample(sc, 0), "c"), "new\nline");
	assert_true(sample(sc, 0)->value == 3);
	assert_true(sample(sc, 0)->has_ts);
	assert_true(sample(sc, 0)->ts_ms == 1700000000123LL);
	assert_string_equal(prom_label(sample(sc, 1), "path"), "/x");
	assert_true(sample(sc, 1)->value == 450);
	assert_false(sample(sc, 1)->has_ts);
	assert_string_equal(prom_label(sample(sc, 2), "path"), "");
	assert_int_equal(sample(sc, 2)->family, 0);
	assert_int_equal(sample(sc, 3)->family, -1);
	assert_true(sample(sc, 4)->ts_ms == -5);
	/* the canonical key escapes again */
	assert_string_equal(sample(sc, 0)->key, "req_total{b=\"back\\\\slash\",c=\"new\\nline\",path=\"/a\\\"b\"}");
	assert_int_equal(sample(sc, 2)->line, 5);
	prom_scrape_free(sc);
}

static void test_special_values(void **state)
{
	struct prom_scrape *sc = parse_ok("a NaN\nb +Inf\nc -Inf\nd Inf\ne nan\nf 1e-3\ng .5\nh 1.\n");

	(void)state;
	assert_int_equal(sc->nsamples, 8);
	assert_true(isnan(sample(sc, 0)->value));
	assert_true(isinf(sample(sc, 1)->value) && sample(sc, 1)->value > 0);
	assert_true(isinf(sample(sc, 2)->value) && sample(sc, 2)->value < 0);
	assert_true(isinf(sample(sc, 3)->value) && sample(sc, 3)->value > 0);
	assert_true(isnan(sample(sc, 4)->value));
	assert_true(sample(sc, 5)->value == 0.001);
	assert_true(sample(sc, 6)->value == 0.5);
	assert_true(sample(sc, 7)->value == 1.0);
	prom_scrape_free(sc);
}

static void test_histogram_summary(void **state)
{
	struct prom_scrape *sc = parse_ok(
		"# TYPE lat histogram\n"
		"lat_bucket{le=\"0.5\"} 1\n"
		"lat_bucket{le=\"1\"} 3\n"
		"lat_bucket{le=\"+Inf\"} 4\n"
		"lat_sum 2.5\n"
		"lat_count 4\n"
		"# TYPE rpc summary\n"
		"rpc{quantile=\"0.5\"} 0.01\n"
		"rpc{quantile=\"0.99\"} NaN\n"
		"rpc_sum 1\n"
		"rpc_count 10\n"
		"# TYPE hits counter\n"
		"hits_total 5\n"
		"hits_created 1.7e9\n"
		"# TYPE other_bucket gauge\n"
		"other_bucket 1\n");

	(void)state;
	assert_int_equal(sc->nsamples, 12);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(prom_sample_type(sc, sample(sc, i)), PROM_HISTOGRAM);
	for (size_t i = 5; i < 9; i++)
		assert_int_equal(prom_sample_type(sc, sample(sc, i)), PROM_SUMMARY);
	/* OpenMetrics counters: family "hits", samples hits_total and hits_created */
	assert_int_equal(prom_sample_type(sc, sample(sc, 9)), PROM_COUNTER);
	assert_int_equal(prom_sample_type(sc, sample(sc, 10)), PROM_COUNTER);
	/* a family named like a suffix is its own family */
	assert_int_equal(prom_sample_type(sc, sample(sc, 11)), PROM_GAUGE);
	assert_string_equal(prom_label(sample(sc, 2), "le"), "+Inf");
	assert_true(prom_find_series(sc, sample(sc, 1)) == sample(sc, 1));
	prom_scrape_free(sc);
}

static void test_eof_and_exemplars(void **state)
{
	struct prom_scrape *sc = parse_ok(
		"# TYPE x counter\n"
		"x_total 1 # {trace_id=\"abc\"} 1.0 1700000000\n"
		"y 2 1700 # {a=\"b\"} 1\n"
		"# some comment\n"
		"#\n"
		"# EOF\n"
		"\n");

	(void)state;
	assert_true(sc->eof_marker);
	assert_int_equal(sc->nsamples, 2);
	assert_true(sample(sc, 1)->has_ts);
	prom_scrape_free(sc);
	sc = parse_ok("a 1\r\nb 2\r\n");	/* CRLF line ends */
	assert_int_equal(sc->nsamples, 2);
	assert_true(sample(sc, 1)->value == 2);
	prom_scrape_free(sc);
	sc = parse_ok("");
	assert_int_equal(sc->nsamples, 0);
	prom_scrape_free(sc);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *text;
		const char *want;	/* expected message, from the line number on */
	} cases[] = {
		{ "a 1\nb{x=\"1} 2\n", "line 2: label value not closed (missing '\"')" },
		{ "a{x=\"\\t\"} 1\n", "line 1: invalid escape '\\t' in label value (only \\\\, \\\" and \\n)" },
		{ "a{x=\"v\\", "line 1: label value ends in a lone backslash" },
		{ "a{x=1} 1\n", "line 1: label 'x': value must be in double quotes" },
		{ "a{x=\"1\" y=\"2\"} 1\n", "line 1: expected ',' or '}' after the value of label 'x'" },
		{ "a{x=\"1\",x=\"2\"} 1\n", "line 1: label 'x' given twice" },
		{ "a{1x=\"1\"} 1\n", "line 1: invalid label name starting at '1'" },
		{ "a{x\"1\"} 1\n", "line 1: expected '=' after label name 'x'" },
		{ "a{x=\"1\"", "line 1: label set not closed (missing '}')" },
		{ "\n\n1abc 2\n", "line 3: expected a metric name, got '1'" },
		{ "a-b 1\n", "line 1: invalid character '-' in metric name" },
		{ "a\n", "line 1: sample 'a' has no value" },
		{ "a 0x10\n", "line 1: sample 'a': value '0x10' is not a number" },
		{ "a one\n", "line 1: sample 'a': value 'one' is not a number" },
		{ "a 1 1.5\n", "line 1: sample 'a': timestamp '1.5' is not an integer of milliseconds" },
		{ "a 1 2 3\n", "line 1: sample 'a': unexpected text after the timestamp" },
		{ "a{x=\"1\"}1\n", "line 1: expected a blank before the value of 'a'" },
		{ "# TYPE a counter\n# TYPE a gauge\n", "line 2: second TYPE line for 'a' (first on line 1)" },
		{ "# TYPE a fancy\n", "line 1: unknown metric type 'fancy' for 'a'" },
		{ "# TYPE a\n", "line 1: TYPE line for 'a' has no type" },
		{ "# TYPE a counter extra\n", "line 1: unexpected text after the type of 'a'" },
		{ "# HELP a x\na 1\n# TYPE a counter\n", "line 3: TYPE line for 'a' after its samples" },
		{ "# HELP a x\n# HELP a y\n", "line 2: second HELP line for 'a'" },
		{ "# HELP 9a x\n", "line 1: HELP line without a valid metric name" },
		{ "# TYPE h histogram\nh_bucket{x=\"1\"} 1\n", "line 2: histogram sample 'h_bucket' has no 'le' label" },
		{ "# TYPE h histogram\nh_bucket{le=\"big\"} 1\n", "line 2: label le=\"big\" of 'h_bucket' is not a number" },
		{ "# TYPE s summary\ns 1\n", "line 2: summary sample 's' has no 'quantile' label" },
		{ "a{x=\"1\"} 1\nb 2\na{x=\"1\"} 3\n", "line 3: duplicate series a{x=\"1\"} (first on line 1)" },
		{ "a 1\n# EOF\nb 2\n", "line 3: content after '# EOF'" },
		{ "a 1\nb\0 2\n", "line 2: NUL byte in the exposition" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct prom_scrape *sc = NULL;
		char err[512] = "", want[600];
		size_t len = strlen(cases[i].text);

		if (strstr(cases[i].want, "NUL"))
			len = 9;
		if (prom_parse(cases[i].text, len, "f.prom", &sc, err, sizeof(err)) != -EINVAL)
			fail_msg("case %zu: not rejected: %s", i, cases[i].text);
		assert_null(sc);
		snprintf(want, sizeof(want), "'f.prom': %s", cases[i].want);
		if (strcmp(err, want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, want);
	}
}

/* Every profile's exposition fixture parses, with the samples its format documents. */
static void test_profile_fixtures(void **state)
{
	static const struct {
		const char *file;
		size_t samples;
		const char *name;	/* a sample that must be there, typed as below */
		enum prom_type type;
	} cases[] = {
		{ "haproxy-2.6-exporter.prom", 385, "haproxy_server_http_responses_total", PROM_COUNTER },
		{ "haproxy-after.prom", 53, "haproxy_server_max_response_time_seconds", PROM_GAUGE },
		{ "linkerd-after.prom", 90, "response_latency_ms_bucket", PROM_HISTOGRAM },
		{ "istio-after.prom", 92, "istio_request_duration_milliseconds_bucket", PROM_HISTOGRAM },
		{ "osm-after.prom", 29, "osm_request_duration_ms_count", PROM_HISTOGRAM },
		{ "envoy-after.prom", 28, "envoy_cluster_upstream_rq_time_bucket", PROM_HISTOGRAM },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256], err[512], *text;
		struct prom_scrape *sc;
		uint64_t mono;
		size_t len;
		bool found = false;

		snprintf(path, sizeof(path), "tests/fixtures/metrics/%s", cases[i].file);
		if (fetch_document(path, &text, &len, &mono, err, sizeof(err)))
			fail_msg("%s", err);
		if (prom_parse(text, len, path, &sc, err, sizeof(err)))
			fail_msg("%s", err);
		free(text);
		if (sc->nsamples != cases[i].samples)
			fail_msg("%s: %zu samples, want %zu", cases[i].file, sc->nsamples, cases[i].samples);
		for (size_t j = 0; j < sc->nsamples && !found; j++)
			found = !strcmp(sc->samples[j].name, cases[i].name) &&
				prom_sample_type(sc, &sc->samples[j]) == cases[i].type;
		if (!found)
			fail_msg("%s: no %s sample of type %s", cases[i].file, cases[i].name,
				 prom_type_name(cases[i].type));
		prom_scrape_free(sc);
	}
}

static void test_fetch_errors(void **state)
{
	char err[512], *text;
	uint64_t mono;
	size_t len;

	(void)state;
	assert_int_equal(fetch_document("tests/fixtures/metrics/no-such.prom", &text, &len, &mono, err,
					sizeof(err)), -ENOENT);
	assert_string_equal(err, "cannot open 'tests/fixtures/metrics/no-such.prom': No such file or directory");
	assert_true(fetch_is_url("http://198.18.0.1:1/metrics"));
	assert_false(fetch_is_url("httpd.prom"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_and_escapes),
		cmocka_unit_test(test_special_values),
		cmocka_unit_test(test_histogram_summary),
		cmocka_unit_test(test_eof_and_exemplars),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_profile_fixtures),
		cmocka_unit_test(test_fetch_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
