/*
 * expect_route.c - `route: derived`: which Gateway API routes apply to a
 * traffic entry's requests (the mesh binding: the entry's Service and port,
 * the client's namespace for consumer routes), and, when the rule they pick
 * splits between weighted backends, the split the weights give.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verify/expect.h"
#include "verify/route_outcome.h"

int expect_route(const struct expect_ctx *e, const struct sc_traffic *t, struct sc_expect *out, json_t *how,
		 char *why, size_t len)
{
	struct gw_outcome *o;
	/* The mesh binding is the Service's address: a request to a pod's own address takes no route. */
	size_t n = e->routes && t->address == SC_ADDR_SERVICE ?
		gw_routes_for(e->routes, route_kind(t), t->to_ns, t->to, (uint16_t)t->port, t->from_ns, out->routes,
			      SC_MAX_ROUTES) : 0;
	json_t *names = json_array();
	char host[300];

	if (n > SC_MAX_ROUTES) {
		json_decref(names);
		snprintf(why, len, "more than %d routes apply to %s/%s:%u", SC_MAX_ROUTES, t->to_ns, t->to, t->port);
		return -EINVAL;
	}
	out->n_routes = n;
	out->n_resp_names = 0;
	/* Names past the limit are not judged: capture keeps no more either. */
	if (e->routes)
		gw_response_header_names(e->routes, out->resp_names, SC_MAX_RESP_NAMES, &out->n_resp_names);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(names, json_sprintf("%s/%s", out->routes[i]->namespace, out->routes[i]->name));
	json_object_set_new(how, "routes", names);
	if (!n)
		return 0;	/* no route: the Service's own endpoints serve, as without a mesh */
	o = route_outcome_new();
	if (!o) {
		snprintf(why, len, "out of memory");
		return -EINVAL;
	}
	route_default_host(t, host, sizeof(host));
	if (route_outcome(out, t, host, o)) {
		route_outcome_free(o);
		snprintf(why, len, "the request of %s does not fit the route model's limits", t->name);
		return -EINVAL;
	}
	json_object_set_new(how, "outcome", route_outcome_json(o));
	/* A weighted rule: its backends' shares are tested as any split is. */
	if (o->kind == GW_OUT_BACKEND && o->n_backends > 1) {
		out->split = SC_SPLIT_EXPLICIT;
		out->n_shares = 0;
		for (size_t i = 0; i < o->n_backends; i++) {
			const struct gw_backend *b = o->backends[i];

			if (strcmp(b->namespace, t->to_ns) || !inventory_service(e->inv, b->namespace, b->name)) {
				route_outcome_free(o);
				snprintf(why, len, "weighted backendRef %s/%s is not a service of %s in the inventory",
					 b->namespace, b->name, t->to_ns);
				return -EINVAL;
			}
			out->shares[out->n_shares++] = (struct sc_share){ b->name, (double)b->weight };
		}
	}
	route_outcome_free(o);
	return 0;
}
