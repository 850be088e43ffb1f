/*
 * fuzz_gateway_load - Gateway API routes (mixed with anything else) on
 * arbitrary bytes: never crashes, never leaks, every error is counted, and
 * every valid route picks a rule for a few requests and writes its JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <jansson.h>

#include "gateway/gateway.h"

/* A few requests against each route alone and against all routes together. */
static void pick_all(const struct gw_set *gw)
{
	static const char *const paths[] = { "/", "/v2/x?animal=whale", "/a%2f?x&y=&animal=dolphin#f" };
	struct gw_header h[2] = { { "version", "two" }, { "x-test-case", "set" } };
	struct gw_grpc_request call = { "grpc.Echo", "Echo", 2, h };
	struct gw_pick p;

	for (size_t i = 0; i < 3; i++) {
		struct gw_http_request req = { i ? "POST" : "GET", paths[i], i, h };

		for (size_t r = 0; r < gw->n_routes && r < 8; r++)
			gw_http_pick(&gw->routes[r], 1, &req, &p);
		if (gw_http_pick(gw->routes, gw->n_routes, &req, &p) && (!p.rule || p.match_index >= p.rule->n_matches))
			abort();
	}
	if (gw_grpc_pick(gw->routes, gw->n_routes, &call, &p) && !p.rule)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_set *gw = gw_set_new();
	struct smi_load_opts opts = { 0 };
	struct smi_set *set;
	size_t errors = 0;

	if (!gw)
		return 0;
	gw_attach(gw, &opts);
	set = smi_set_new(&opts);
	if (!set) {
		gw_set_free(gw);
		return 0;
	}
	smi_set_load_buffer(set, "fuzz.yaml", (const char *)data, size);
	smi_set_finish(set);
	gw_set_finish(gw, set);
	for (size_t i = 0; i < set->diags.n; i++)
		errors += set->diags.v[i].severity == SMI_ERROR;
	if (errors != set->diags.n_errors)
		abort();
	pick_all(gw);
	for (size_t i = 0; i < gw->n_routes; i++)
		json_decref(gw_route_json(gw->routes[i]));
	smi_set_free(set);
	gw_set_free(gw);
	return 0;
}
