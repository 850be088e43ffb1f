/*
 * select.c - which routes apply to a request (GEP-1294, "Route
 * Presence"/"Producer and consumer routes"): a route binds through a
 * parentRef to a Service, on one port or on all; a producer route lives
 * in the Service's namespace and applies to every client; a consumer
 * route lives elsewhere and applies only to clients of its own
 * namespace, which then use their consumer routes instead of the
 * producer's.
 */
#include <string.h>

#include "gateway/internal.h"

bool gw_parent_is_service(const struct gw_parent *p)
{
	return p->group && !*p->group && p->kind && !strcmp(p->kind, "Service");
}

bool gw_route_binds(const struct gw_route *r, const char *svc_ns, const char *svc, uint16_t port)
{
	for (size_t i = 0; i < r->n_parents; i++) {
		const struct gw_parent *p = &r->parents[i];

		if (gw_parent_is_service(p) && p->name && !strcmp(p->name, svc) &&
		    !strcmp(p->namespace, svc_ns) && (!p->port || p->port == port))
			return true;
	}
	return false;
}

bool gw_route_is_consumer(const struct gw_route *r, const char *svc_ns)
{
	return strcmp(r->namespace, svc_ns) != 0;
}

/* Appends the routes of `kind` binding the Service that live in namespace ns. */
static size_t collect(const struct gw_set *gw, enum gw_kind kind, const char *ns, const char *svc_ns,
		      const char *svc, uint16_t port, const struct gw_route **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < gw->n_routes; i++) {
		const struct gw_route *r = gw->routes[i];

		if (r->kind != kind || strcmp(r->namespace, ns) || !gw_route_binds(r, svc_ns, svc, port))
			continue;
		if (n < max)
			out[n] = r;
		n++;
	}
	return n;
}

size_t gw_routes_for(const struct gw_set *gw, enum gw_kind kind, const char *svc_ns, const char *svc,
		     uint16_t port, const char *client_ns, const struct gw_route **out, size_t max)
{
	size_t n = 0;

	if (client_ns && strcmp(client_ns, svc_ns))
		n = collect(gw, kind, client_ns, svc_ns, svc, port, out, max);
	return n ? n : collect(gw, kind, svc_ns, svc_ns, svc, port, out, max);
}
