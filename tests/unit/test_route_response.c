/*
 * test_route_response - response headers in the Gateway API verdict: what
 * ResponseHeaderModifiers make the client receive (gw_http_outcome), which
 * names a set of routes touches (what capture is asked to keep), and
 * check_route judging the client's recorded response headers: the value
 * where a route applies, absent where none does (another port), and
 * INCONCLUSIVE where the record cannot tell.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "gateway/gateway.h"
#include "smitest.h"
#include "records/inventory.h"
#include "records/obs.h"
#include "verify/check_route.h"
#include "verify/requests.h"

/* The response header `name` of o: its value, "(absent)", or "(not touched)". */
static const char *resp(const struct gw_outcome *o, const char *name)
{
	for (size_t i = 0; i < o->n_resp_headers; i++)
		if (!strcasecmp(o->resp_headers[i].name, name))
			return o->resp_headers[i].value ? o->resp_headers[i].value : "(absent)";
	return "(not touched)";
}

/* GET / to svc:port from namespace gamma under l's routes; the number of routes that apply. */
static size_t outcome(const struct smit_routes *l, const char *svc, uint16_t port, struct gw_outcome *o)
{
	const struct gw_route *routes[8];
	struct gw_http_request req = { .method = "GET", .path = "/" };
	size_t n = gw_routes_for(l->gw, GW_HTTP_ROUTE, "gamma", svc, port, "gamma", routes, 8);

	memset(o, 0, sizeof(*o));
	if (n)
		assert_int_equal(gw_http_outcome(routes, n, &req, "x", port, o), 0);
	return n;
}

/* MeshPorts' routes: the port-80 route on echo-v1 only, echo-v2's on both ports. */
static void test_ports_outcome(void **state)
{
	struct gw_outcome *o = calloc(1, sizeof(*o));
	const char *names[4];
	size_t n = 0;
	struct smit_routes l;

	(void)state;
	assert_non_null(o);
	smit_routes_load(&l, "specs/gamma/routes/mesh-ports.yaml", NULL);
	assert_int_equal(outcome(&l, "echo-v1", 80, o), 1);
	assert_string_equal(resp(o, "x-header-set"), "v1");
	assert_int_equal(outcome(&l, "echo-v1", 8080, o), 0);
	assert_int_equal(outcome(&l, "echo-v2", 8080, o), 1);
	assert_string_equal(resp(o, "X-Header-Set"), "v2");
	assert_int_equal(o->n_headers, 0);	/* nothing asked of the request */
	/* Both routes name one header: capture is asked for it once. */
	assert_true(gw_response_header_names(l.gw, names, 4, &n));
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "X-Header-Set");
	smit_routes_free(&l);
	free(o);
}

/* set, add and remove, of the rule and of its one backendRef; a full list says so. */
static void test_modifier_outcome(void **state)
{
	static const char routes[] =
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		"metadata: {name: r, namespace: gamma}\n"
		"spec:\n"
		"  parentRefs: [{group: \"\", kind: Service, name: echo}]\n"
		"  rules:\n"
		"  - filters:\n"
		"    - type: ResponseHeaderModifier\n"
		"      responseHeaderModifier:\n"
		"        set: [{name: X-Set, value: one}]\n"
		"        add: [{name: X-Add, value: a1}, {name: x-add, value: a2}]\n"
		"        remove: [X-Gone, x-set-later]\n"
		"    backendRefs:\n"
		"    - name: echo-v1\n"
		"      port: 80\n"
		"      filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Set-Later, value: b}]}}]\n";
	struct gw_outcome *o = calloc(1, sizeof(*o));
	const char *names[3];
	size_t n = 0;
	struct smit_routes l;

	(void)state;
	assert_non_null(o);
	smit_routes_load(&l, NULL, routes);
	assert_int_equal(outcome(&l, "echo", 80, o), 1);
	assert_string_equal(resp(o, "x-set"), "one");
	assert_string_equal(resp(o, "X-ADD"), "a1,a2");
	assert_string_equal(resp(o, "x-gone"), "(absent)");
	assert_string_equal(resp(o, "x-set-later"), "b");	/* the backend's filter runs after the rule's */
	assert_string_equal(resp(o, "x-other"), "(not touched)");
	assert_false(gw_response_header_names(l.gw, names, 3, &n));	/* X-Set, X-Add, X-Gone; X-Set-Later left */
	assert_int_equal(n, 3);
	assert_string_equal(names[2], "X-Gone");
	smit_routes_free(&l);
	free(o);
}

/* --- check_route on recorded exchanges ---------------------------------------------------- */

static const char inventory_json[] =
	"{\"version\": 1, \"node\": \"lab\", \"source\": \"lab\",\n"
	" \"pods\": [\n"
	"  {\"namespace\": \"gamma\", \"name\": \"client\", \"service_account\": \"default\", \"ip\": \"198.18.0.11\"},\n"
	"  {\"namespace\": \"gamma\", \"name\": \"echo-v1\", \"service_account\": \"default\", \"ip\": \"198.18.0.12\"}],\n"
	" \"services\": [\n"
	"  {\"namespace\": \"gamma\", \"name\": \"echo-v1\", \"ip\": \"198.18.1.2\", \"ports\": [80, 8080],\n"
	"   \"endpoints\": [\"gamma/echo-v1\"]}]}\n";

struct fixture {
	struct smit_routes l;
	struct inventory *inv;
	struct obs_set obs;
	struct sc_traffic t;
	struct obs_exchange client, served;
	struct vreq r;
};

/* One request GET / to echo-v1:port from gamma/client, answered 200 by gamma/echo-v1. */
static void setup(struct fixture *f, uint16_t port)
{
	char path[] = "/tmp/smiw-test-route-response-XXXXXX";
	int fd = mkstemp(path);

	memset(f, 0, sizeof(*f));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, inventory_json, sizeof(inventory_json) - 1), (ssize_t)sizeof(inventory_json) - 1);
	close(fd);
	assert_int_equal(inventory_load(path, &f->inv), 0);
	unlink(path);
	smit_routes_load(&f->l, "specs/gamma/routes/mesh-ports.yaml", NULL);
	f->t = (struct sc_traffic){ .name = "t", .from_ns = "gamma", .from = "client", .to_ns = "gamma",
				    .to = "echo-v1", .port = port, .method = "GET", .path = "/", .body = "" };
	f->t.expect.route = true;
	f->t.expect.n_routes = gw_routes_for(f->l.gw, GW_HTTP_ROUTE, "gamma", "echo-v1", port, "gamma",
					     f->t.expect.routes, SC_MAX_ROUTES);
	assert_true(gw_response_header_names(f->l.gw, f->t.expect.resp_names, SC_MAX_RESP_NAMES,
					     &f->t.expect.n_resp_names));
	f->client = (struct obs_exchange){ .conn = "c1", .ns = "gamma", .pod = "client", .method = "GET", .path = "/",
					   .host = port == 80 ? "echo-v1.gamma:80" : "echo-v1.gamma:8080",
					   .status = 200, .role = OBS_ROLE_CLIENT, .complete = true, .location = "",
					   .comm = "smi-witness" };
	f->served = (struct obs_exchange){ .conn = "s1", .ns = "gamma", .pod = "echo-v1", .method = "GET",
					   .path = "/", .host = f->client.host, .status = 200, .role = OBS_ROLE_SERVER,
					   .complete = true, .location = "", .comm = "sample-app", .has_headers = true,
					   .headers = "{}" };
	f->r = (struct vreq){ .request_id = "r1.1.1-1", .client = &f->client, .served = &f->served,
			      .served_pods = 1, .outcome = CO_STATUS, .status = 200 };
}

static void teardown(struct fixture *f)
{
	smit_routes_free(&f->l);
	inventory_free(f->inv);
}

/* check_route on the one request with the client's response_headers `raw` (NULL: not recorded). */
static enum verdict judge(struct fixture *f, const char *raw, bool truncated, char *reason, size_t len)
{
	struct check_ctx c = { .obs = &f->obs, .inv = f->inv };
	struct eval e = { 0 };

	f->client.has_response_headers = raw != NULL;
	f->client.response_headers = raw;
	f->client.truncated = truncated;
	check_route(&c, &f->t, &f->t.expect, &f->r, 1, &e);
	snprintf(reason, len, "%s", e.reason);
	json_decref(e.evidence);
	return e.verdict;
}

static void test_judged_at_client(void **state)
{
	struct fixture f;
	char why[768];

	(void)state;
	setup(&f, 80);
	assert_int_equal(f.t.expect.n_routes, 1);
	assert_int_equal(judge(&f, "{\"x-header-set\":\"v1\"}", false, why, sizeof(why)), VERDICT_PASS);
	assert_int_equal(judge(&f, "{}", false, why, sizeof(why)), VERDICT_FAIL);
	assert_string_equal(why, "1 of 1 requests not as the routes say: response header X-Header-Set: absent "
				 "(should be 'v1') \xc3\x97" "1");
	assert_int_equal(judge(&f, "{\"x-header-set\":\"v2\"}", false, why, sizeof(why)), VERDICT_FAIL);
	assert_string_equal(why, "1 of 1 requests not as the routes say: response header X-Header-Set: 'v2' "
				 "(should be 'v1') \xc3\x97" "1");
	/* Sent twice: the values joined, as for request headers. */
	assert_int_equal(judge(&f, "{\"x-header-set\":\"v1\",\"x-header-set\":\"v1\"}", false, why, sizeof(why)),
			 VERDICT_FAIL);
	/* The record cannot tell: not asked for, cut, or redacted. */
	assert_int_equal(judge(&f, NULL, false, why, sizeof(why)), VERDICT_INCONCLUSIVE);
	assert_string_equal(why, "1 of 1 requests could not be judged: response-headers-not-recorded \xc3\x97" "1");
	assert_int_equal(judge(&f, "{}", true, why, sizeof(why)), VERDICT_INCONCLUSIVE);
	assert_string_equal(why, "1 of 1 requests could not be judged: response header X-Header-Set not recorded "
				 "whole \xc3\x97" "1");
	assert_int_equal(judge(&f, "{\"x-header-set\":\"<redacted>\"}", false, why, sizeof(why)),
			 VERDICT_INCONCLUSIVE);
	teardown(&f);
}

/* A convergence probe shows the route's effect only with the header; a record without the table is judged on the rest. */
static void test_probe(void **state)
{
	struct fixture f;
	struct check_ctx c;

	(void)state;
	setup(&f, 80);
	c = (struct check_ctx){ .obs = &f.obs, .inv = f.inv };
	f.client.response_headers = "{\"x-header-set\":\"v1\"}";
	assert_true(route_probe(&c, &f.t, &f.t.expect, &f.r));
	f.client.response_headers = "{}";
	assert_false(route_probe(&c, &f.t, &f.t.expect, &f.r));
	f.client.response_headers = NULL;
	assert_true(route_probe(&c, &f.t, &f.t.expect, &f.r));
	teardown(&f);
	setup(&f, 8080);
	c = (struct check_ctx){ .obs = &f.obs, .inv = f.inv };
	f.client.response_headers = "{\"x-header-set\":\"v1\"}";
	assert_false(route_probe(&c, &f.t, &f.t.expect, &f.r));
	teardown(&f);
}

/* Port 8080 of echo-v1 binds no route: the header the routes name must be absent there. */
static void test_absent_where_no_route_applies(void **state)
{
	struct fixture f;
	char why[768];

	(void)state;
	setup(&f, 8080);
	assert_int_equal(f.t.expect.n_routes, 0);
	assert_int_equal(judge(&f, "{}", false, why, sizeof(why)), VERDICT_PASS);
	assert_int_equal(judge(&f, "{\"x-header-set\":\"v1\"}", false, why, sizeof(why)), VERDICT_FAIL);
	assert_string_equal(why, "1 of 1 requests not as the routes say: response header X-Header-Set: 'v1' "
				 "(should be absent) \xc3\x97" "1");
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_outcome),
		cmocka_unit_test(test_modifier_outcome),
		cmocka_unit_test(test_judged_at_client),
		cmocka_unit_test(test_absent_where_no_route_applies),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
