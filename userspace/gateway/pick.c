/*
 * pick.c - which rule takes a request: among every match of every rule of
 * the routes that apply, the one the spec ranks first (HTTPRouteRule
 * "matches" and GRPCRouteRule "matches" documentation):
 *
 *   HTTP: an Exact path; else the longest PathPrefix (in characters); a
 *         match with a method; the most header matches; the most query
 *         parameter matches.
 *   gRPC: a match naming a service; one naming a method; the most header
 *         matches. (Hostnames come first in the spec; mesh routes SHOULD NOT
 *         carry them, and the request here has none.)
 *   Then, for both: the oldest route (creationTimestamp), the route first
 *   by "namespace/name", the first rule in list order.
 *
 * RegularExpression paths rank after every PathPrefix here: the spec leaves
 * their precedence to implementations.
 */
#include <stdlib.h>
#include <string.h>

#include "gateway/internal.h"

struct candidate {
	const struct gw_route *route;
	size_t rule, match;
};

/* The rank of a path match: Exact, then PathPrefix by length, then RegularExpression. */
static long path_rank(const struct gw_http_match *m)
{
	if (m->path_type == GW_PATH_EXACT)
		return 1L << 20;
	if (m->path_type == GW_PATH_PREFIX)
		return (long)strlen(m->path) + 1;
	return 0;
}

static int cmp_long(long a, long b)
{
	return a > b ? -1 : a < b;	/* the larger ranks first */
}

/* Ties between routes and rules, shared by both kinds: older, then by name, then rule order. */
static int cmp_tail(const struct candidate *a, const struct candidate *b)
{
	const struct gw_route *ra = a->route, *rb = b->route;
	int r;

	/* RFC 3339 times in UTC ("Z") order as text; an unknown age breaks no tie. */
	if (ra != rb && ra->created && rb->created && (r = strcmp(ra->created, rb->created)))
		return r;
	if (ra != rb && (r = strcmp(ra->namespace, rb->namespace)))
		return r;
	if (ra != rb && (r = strcmp(ra->name, rb->name)))
		return r;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return a->match < b->match ? -1 : a->match > b->match;
}

/* Negative when a ranks before b. */
static int cmp_http(const struct candidate *a, const struct candidate *b)
{
	const struct gw_http_match *ma = &a->route->rules[a->rule].http[a->match];
	const struct gw_http_match *mb = &b->route->rules[b->rule].http[b->match];
	int r;

	if ((r = cmp_long(path_rank(ma), path_rank(mb))))
		return r;
	if ((r = cmp_long(ma->method != NULL, mb->method != NULL)))
		return r;
	if ((r = cmp_long((long)ma->n_headers, (long)mb->n_headers)))
		return r;
	if ((r = cmp_long((long)ma->n_query, (long)mb->n_query)))
		return r;
	return cmp_tail(a, b);
}

static int cmp_grpc(const struct candidate *a, const struct candidate *b)
{
	const struct gw_grpc_match *ma = &a->route->rules[a->rule].grpc[a->match];
	const struct gw_grpc_match *mb = &b->route->rules[b->rule].grpc[b->match];
	int r;

	if ((r = cmp_long(ma->service != NULL, mb->service != NULL)))
		return r;
	if ((r = cmp_long(ma->method != NULL, mb->method != NULL)))
		return r;
	if ((r = cmp_long((long)ma->n_headers, (long)mb->n_headers)))
		return r;
	return cmp_tail(a, b);
}

static void fill(struct gw_pick *out, const struct candidate *best)
{
	memset(out, 0, sizeof(*out));
	if (!best->route)
		return;
	out->route = best->route;
	out->rule = &best->route->rules[best->rule];
	out->rule_index = best->rule;
	out->match_index = best->match;
}

bool gw_http_pick(const struct gw_route *const *routes, size_t n, const struct gw_http_request *req,
		  struct gw_pick *out)
{
	struct candidate best = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct gw_route *r = routes[i];

		for (size_t k = 0; r->kind == GW_HTTP_ROUTE && k < r->n_rules; k++)
			for (size_t m = 0; m < r->rules[k].n_matches; m++) {
				struct candidate c = { r, k, m };

				if (gw_http_match_request(&r->rules[k].http[m], req) &&
				    (!best.route || cmp_http(&c, &best) < 0))
					best = c;
			}
	}
	fill(out, &best);
	return best.route != NULL;
}

bool gw_grpc_pick(const struct gw_route *const *routes, size_t n, const struct gw_grpc_request *req,
		  struct gw_pick *out)
{
	struct candidate best = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct gw_route *r = routes[i];

		for (size_t k = 0; r->kind == GW_GRPC_ROUTE && k < r->n_rules; k++)
			for (size_t m = 0; m < r->rules[k].n_matches; m++) {
				struct candidate c = { r, k, m };

				if (gw_grpc_match_request(&r->rules[k].grpc[m], req) &&
				    (!best.route || cmp_grpc(&c, &best) < 0))
					best = c;
			}
	}
	fill(out, &best);
	return best.route != NULL;
}

/* qsort() has no context argument: the routes being ordered, and their kind. */
static const struct gw_route *const *order_routes;
static enum gw_kind order_kind;

static int cmp_refs(const void *a, const void *b)
{
	const struct gw_match_ref *ra = a, *rb = b;
	struct candidate ca = { order_routes[ra->route], ra->rule, ra->match };
	struct candidate cb = { order_routes[rb->route], rb->rule, rb->match };

	return order_kind == GW_GRPC_ROUTE ? cmp_grpc(&ca, &cb) : cmp_http(&ca, &cb);
}

/* Every match of the routes of `kind` among routes[0..n), in precedence order (see gw_http_order). */
static size_t order(enum gw_kind kind, const struct gw_route *const *routes, size_t n, struct gw_match_ref *out,
		    size_t max)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; routes[i]->kind == kind && k < routes[i]->n_rules; k++)
			for (size_t m = 0; m < routes[i]->rules[k].n_matches; m++, total++)
				if (total < max)
					out[total] = (struct gw_match_ref){ i, k, m };
	order_routes = routes;
	order_kind = kind;
	/* The comparator is a total order (rule and match indexes end every tie). */
	qsort(out, total < max ? total : max, sizeof(*out), cmp_refs);
	return total;
}

size_t gw_http_order(const struct gw_route *const *routes, size_t n, struct gw_match_ref *out, size_t max)
{
	return order(GW_HTTP_ROUTE, routes, n, out, max);
}

size_t gw_grpc_order(const struct gw_route *const *routes, size_t n, struct gw_match_ref *out, size_t max)
{
	return order(GW_GRPC_ROUTE, routes, n, out, max);
}
