/* test_mesh_metrics - what the metrics variants make of HAProxy's Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mesh/metrics.h"

static void check(enum mesh_variant v, const char *in, const char *want)
{
	size_t len = 12345;
	char *out = mesh_metrics_rewrite(v, in, strlen(in), 1700000000.25, &len);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
}

static void test_lines(void **state)
{
	static const struct {
		enum mesh_variant v;
		const char *in, *want;
	} cases[] = {
		/* inflate: x + ceil(x / 5) on request and response counters only */
		{ MESH_INFLATE_METRICS, "haproxy_frontend_http_requests_total{proxy=\"svc.default.app-svc.9091\"} 1000\n",
		  "haproxy_frontend_http_requests_total{proxy=\"svc.default.app-svc.9091\"} 1200\n" },
		{ MESH_INFLATE_METRICS, "haproxy_server_http_responses_total{proxy=\"p\",server=\"s\",code=\"2xx\"} 1\n",
		  "haproxy_server_http_responses_total{proxy=\"p\",server=\"s\",code=\"2xx\"} 2\n" },
		{ MESH_INFLATE_METRICS, "haproxy_backend_http_responses_total{proxy=\"p\",code=\"5xx\"} 0\n",
		  "haproxy_backend_http_responses_total{proxy=\"p\",code=\"5xx\"} 0\n" },
		{ MESH_INFLATE_METRICS, "haproxy_backend_http_requests_total 7 1700000000000\n",
		  "haproxy_backend_http_requests_total 9 1700000000000\n" },
		{ MESH_INFLATE_METRICS, "haproxy_frontend_connections_total{proxy=\"p\"} 10\n",
		  "haproxy_frontend_connections_total{proxy=\"p\"} 10\n" },
		{ MESH_INFLATE_METRICS, "# TYPE haproxy_frontend_http_requests_total counter\n",
		  "# TYPE haproxy_frontend_http_requests_total counter\n" },
		/* drop failures: 4xx/5xx buckets, denials and errors read 0 */
		{ MESH_DROP_FAILURES_METRICS, "haproxy_server_http_responses_total{proxy=\"p\",server=\"s\",code=\"4xx\"} 12\n",
		  "haproxy_server_http_responses_total{proxy=\"p\",server=\"s\",code=\"4xx\"} 0\n" },
		{ MESH_DROP_FAILURES_METRICS, "haproxy_frontend_http_responses_total{proxy=\"p\",code=\"5xx\"} 3\n",
		  "haproxy_frontend_http_responses_total{proxy=\"p\",code=\"5xx\"} 0\n" },
		{ MESH_DROP_FAILURES_METRICS, "haproxy_frontend_http_responses_total{proxy=\"p\",code=\"2xx\"} 3\n",
		  "haproxy_frontend_http_responses_total{proxy=\"p\",code=\"2xx\"} 3\n" },
		{ MESH_DROP_FAILURES_METRICS, "haproxy_frontend_requests_denied_total{proxy=\"p\"} 9\n",
		  "haproxy_frontend_requests_denied_total{proxy=\"p\"} 0\n" },
		{ MESH_DROP_FAILURES_METRICS, "haproxy_backend_connection_errors_total{proxy=\"p\"} 4\n",
		  "haproxy_backend_connection_errors_total{proxy=\"p\"} 0\n" },
		{ MESH_DROP_FAILURES_METRICS, "haproxy_frontend_http_requests_total{proxy=\"p\"} 15\n",
		  "haproxy_frontend_http_requests_total{proxy=\"p\"} 15\n" },
		/* labels holding a brace or a quoted code text do not confuse the parser */
		{ MESH_DROP_FAILURES_METRICS, "x_http_responses_total{proxy=\"a}b\",code=\"4xx\"} 5\n",
		  "x_http_responses_total{proxy=\"a}b\",code=\"4xx\"} 0\n" },
		{ MESH_DROP_FAILURES_METRICS, "x_http_responses_total{proxy=\"code=\\\"4xx\\\"\",code=\"2xx\"} 5\n",
		  "x_http_responses_total{proxy=\"code=\\\"4xx\\\"\",code=\"2xx\"} 5\n" },
		/* bogus restart: 5xx dropped, the start time a minute after the scrape (here 1700000000.25) */
		{ MESH_BOGUS_RESTART, "haproxy_server_http_responses_total{proxy=\"p\",server=\"s\",code=\"5xx\"} 10\n",
		  "haproxy_server_http_responses_total{proxy=\"p\",server=\"s\",code=\"5xx\"} 0\n" },
		{ MESH_BOGUS_RESTART, "haproxy_server_http_responses_total{proxy=\"p\",server=\"s\",code=\"4xx\"} 10\n",
		  "haproxy_server_http_responses_total{proxy=\"p\",server=\"s\",code=\"4xx\"} 10\n" },
		{ MESH_BOGUS_RESTART, "haproxy_process_start_time_seconds 1699999000\n",
		  "haproxy_process_start_time_seconds 1700000060\n" },
		{ MESH_BOGUS_RESTART, "haproxy_frontend_requests_denied_total{proxy=\"p\"} 9\n",
		  "haproxy_frontend_requests_denied_total{proxy=\"p\"} 9\n" },
		{ MESH_DROP_FAILURES_METRICS, "haproxy_process_start_time_seconds 1699999000\n",
		  "haproxy_process_start_time_seconds 1699999000\n" },
		/* reference and traffic variants never touch the text; odd lines pass through */
		{ MESH_REFERENCE, "haproxy_frontend_http_requests_total{proxy=\"p\"} 15\n",
		  "haproxy_frontend_http_requests_total{proxy=\"p\"} 15\n" },
		{ MESH_FAIL_OPEN, "haproxy_frontend_requests_denied_total{proxy=\"p\"} 9",
		  "haproxy_frontend_requests_denied_total{proxy=\"p\"} 9" },
		{ MESH_INFLATE_METRICS, "x_http_requests_total{unterminated 5\n\nx_http_requests_total NaN\n",
		  "x_http_requests_total{unterminated 5\n\nx_http_requests_total NaN\n" },
		{ MESH_INFLATE_METRICS, "x_http_requests_total 2.5e+06\n", "x_http_requests_total 3000000\n" },
		{ MESH_INFLATE_METRICS, "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i].v, cases[i].in, cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
