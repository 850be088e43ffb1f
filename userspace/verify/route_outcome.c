/* route_outcome.c - see route_outcome.h */
#include <stdio.h>
#include <stdlib.h>

#include "verify/route_outcome.h"

struct gw_outcome *route_outcome_new(void)
{
	return calloc(1, sizeof(struct gw_outcome));
}

void route_outcome_free(struct gw_outcome *o)
{
	free(o);
}

void route_default_host(const struct sc_traffic *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%s:%u", t->to, t->to_ns, t->port);
}

enum gw_kind route_kind(const struct sc_traffic *t)
{
	return t->protocol == SC_PROTO_GRPC ? GW_GRPC_ROUTE : GW_HTTP_ROUTE;
}

int route_outcome(const struct sc_expect *x, const struct sc_traffic *t, const char *host, struct gw_outcome *o)
{
	struct gw_header h[SC_MAX_HEADERS + 1];
	struct gw_http_request req = { .method = t->method, .path = t->path, .n_headers = t->n_headers,
				       .headers = h };

	for (size_t i = 0; i < t->n_headers && i < SC_MAX_HEADERS; i++)
		h[i] = (struct gw_header){ t->headers[i].name, t->headers[i].value };
	if (t->protocol == SC_PROTO_GRPC)
		return gw_grpc_outcome(x->routes, x->n_routes, t->path, req.n_headers, h, o);
	return gw_http_outcome(x->routes, x->n_routes, &req, host, (uint16_t)t->port, o);
}

static const char *kind_name(enum gw_outcome_kind k)
{
	return k == GW_OUT_NOT_FOUND ? "not-found" : k == GW_OUT_REDIRECT ? "redirect" : "backend";
}

json_t *route_outcome_json(const struct gw_outcome *o)
{
	json_t *j = json_pack("{s:s}", "kind", kind_name(o->kind)), *backends, *headers, *absent;

	if (o->pick.route) {
		json_object_set_new(j, "route", json_sprintf("%s/%s", o->pick.route->namespace, o->pick.route->name));
		json_object_set_new(j, "rule", json_integer((json_int_t)o->pick.rule_index));
		if (o->pick.rule->name)
			json_object_set_new(j, "rule_name", json_string(o->pick.rule->name));
		json_object_set_new(j, "match", json_integer((json_int_t)o->pick.match_index));
	}
	if (o->kind != GW_OUT_BACKEND) {
		json_object_set_new(j, "status", json_integer(o->status));
		if (o->kind == GW_OUT_REDIRECT)
			json_object_set_new(j, "location", json_string(o->location));
		return j;
	}
	backends = json_array();
	headers = json_object();
	absent = json_array();
	for (size_t i = 0; i < o->n_backends; i++)
		json_array_append_new(backends, json_sprintf("%s/%s:%u weight %u", o->backends[i]->namespace,
							     o->backends[i]->name, o->backends[i]->port,
							     o->backends[i]->weight));
	for (size_t i = 0; i < o->n_headers; i++)
		if (o->headers[i].value)
			json_object_set_new(headers, o->headers[i].name, json_string(o->headers[i].value));
		else
			json_array_append_new(absent, json_string(o->headers[i].name));
	json_object_set_new(j, "path", json_string(o->path));
	if (o->host[0])
		json_object_set_new(j, "host", json_string(o->host));
	json_object_set_new(j, "backends", backends);
	json_object_set_new(j, "headers", headers);
	json_object_set_new(j, "absent_headers", absent);
	if (o->n_mirrors) {
		json_t *mirrors = json_array();

		for (size_t i = 0; i < o->n_mirrors; i++)
			json_array_append_new(mirrors, json_sprintf("%s/%s:%u", o->mirrors[i]->namespace,
								    o->mirrors[i]->name, o->mirrors[i]->port));
		json_object_set_new(j, "mirrors", mirrors);
	}
	if (o->n_mirrors_partial)
		json_object_set_new(j, "partial_mirrors", json_string("not judged: a share of the requests"));
	if (o->backend_filters_unknown)
		json_object_set_new(j, "backend_filters", json_string("not judged: several backends carry their own"));
	return j;
}
