/*
 * lab_gateway.c - from the Gateway API route model to the mesh policy
 * (lab_policy_add_routes, lab_policy_add_files): the rules of the routes
 * bound to a service port, the order their matches are tried in, the
 * servers of their backendRefs and what their filters do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gateway.h"
#include "lab/lab_policy.h"
#include "util/log.h"

#define MAX_ROUTES 64
#define MAX_MATCHES 1024
#define GW_MAX_BACKENDS_LAB 16

/* Builds rules for one listener. */
struct build {
	struct mesh_policy *p;
	const struct topology *t;
	struct mesh_listener *l;
	enum gw_kind kind;	/* of the routes bound to the listener (one kind per service port) */
	char origin[3 * MESH_NAME_MAX];
};

static const char *dup(struct build *b, const char *s)
{
	return s ? arena_strdup(&b->p->arena, s) : NULL;
}

static uint64_t lcm(uint64_t a, uint64_t b)
{
	return a / mesh_gcd(a, b) * b;
}

/* The service a backendRef names, and its port; NULL after printing why not. */
static const struct topo_service *backend_service(struct build *b, const struct gw_backend *be,
						   const struct topo_svc_port **sp)
{
	int s = be->kind && be->group && !*be->group && !strcmp(be->kind, "Service") ?
		topology_service(b->t, be->namespace, be->name) : -2;

	if (s < 0) {
		error("%s: backendRef %s/%s is %s", b->origin, be->namespace, be->name,
		      s == -2 ? "not a Service" : "not a service of the lab topology");
		return NULL;
	}
	for (int k = 0; k < b->t->services[s].n_ports; k++)
		if (b->t->services[s].ports[k].port == be->port) {
			*sp = &b->t->services[s].ports[k];
			return &b->t->services[s];
		}
	error("%s: service %s/%s has no port %u", b->origin, be->namespace, be->name, be->port);
	return NULL;
}

/* The weighted servers of a rule: each pod gets an equal part of its backend's weight. */
static int rule_servers(struct build *b, const struct gw_rule *rule, struct mesh_rule *out)
{
	const struct topo_svc_port *ports[GW_MAX_BACKENDS_LAB];
	const struct topo_service *svcs[GW_MAX_BACKENDS_LAB];
	uint64_t pods_lcm = 1;

	for (size_t i = 0; i < rule->n_backends; i++) {
		svcs[i] = backend_service(b, &rule->backends[i], &ports[i]);
		if (!svcs[i])
			return -1;
		if (svcs[i]->n_endpoints)
			pods_lcm = lcm(pods_lcm, (uint64_t)svcs[i]->n_endpoints);
	}
	for (size_t i = 0; i < rule->n_backends; i++) {
		uint64_t w = (uint64_t)rule->backends[i].weight * (pods_lcm / (uint64_t)(svcs[i]->n_endpoints ?: 1));

		if (w > UINT32_MAX)
			return error("%s: weight %u is too large for the lab", b->origin, rule->backends[i].weight);
		if (lab_policy_endpoints(b->p, b->t, svcs[i], ports[i], &out->servers, &out->n_servers, (uint32_t)w))
			return error("out of memory");
	}
	return 0;
}

static void copy_headers(struct build *b, const struct gw_header *h, size_t n, const struct mesh_value_match **out,
			 int *n_out)
{
	struct mesh_value_match *v = arena_alloc(&b->p->arena, (n + 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = (struct mesh_value_match){ dup(b, h[i].name), dup(b, h[i].value), false };
	*out = v;
	*n_out = (int)n;
}

static void copy_edit(struct build *b, const struct gw_header_mod *m, struct mesh_header_edit *e)
{
	const char **rm = arena_alloc(&b->p->arena, (m->n_remove + 1) * sizeof(*rm));

	copy_headers(b, m->set, m->n_set, &e->set, &e->n_set);
	copy_headers(b, m->add, m->n_add, &e->add, &e->n_add);
	for (size_t i = 0; i < m->n_remove; i++)
		rm[i] = dup(b, m->remove[i]);
	e->remove = rm;
	e->n_remove = (int)m->n_remove;
}

static void copy_path_edit(struct build *b, const struct gw_rule *rule, const struct gw_path_change *pc,
			   struct mesh_rule *out)
{
	if (pc->type == GW_KEEP_PATH)
		return;
	out->path_edit = pc->type == GW_FULL_PATH ? MESH_PATH_FULL : MESH_PATH_REPLACE_PREFIX;
	out->path_value = dup(b, pc->value);
	/* The model guarantees one PathPrefix match for ReplacePrefixMatch. */
	out->match_prefix = dup(b, rule->http[0].path);
}

/* The Location's port: given, else the scheme's (left out), else the service port the request came to. */
static uint16_t redirect_port(const struct gw_redirect *r, uint16_t listener_port)
{
	const char *scheme = r->scheme ? r->scheme : "http";
	uint16_t port = r->port ? r->port : r->scheme ? 0 : listener_port;

	if ((!strcmp(scheme, "http") && port == 80) || (!strcmp(scheme, "https") && port == 443))
		return 0;
	return port;
}

/* A RequestMirror: copies of every request to the Service's address (the mesh's listener for it). */
static int add_mirror(struct build *b, const struct gw_filter *f, struct mesh_rule *out)
{
	const struct topo_svc_port *sp;
	const struct topo_service *svc = backend_service(b, f->mirror, &sp);
	struct mesh_mirror *m;

	if (!svc)
		return -1;
	if (b->kind == GW_GRPC_ROUTE)
		return error("%s: the lab mirrors HTTP/1.1 requests only, not gRPC calls", b->origin);
	if (f->mirror_share < 1)
		return error("%s: the lab mirrors every request; a RequestMirror of %g%% is not rendered", b->origin,
			     f->mirror_share * 100);
	m = arena_alloc(&b->p->arena, (size_t)(out->n_mirrors + 1) * sizeof(*m));
	if (!m)
		return error("out of memory");
	if (out->n_mirrors)
		memcpy(m, out->mirrors, (size_t)out->n_mirrors * sizeof(*m));
	m[out->n_mirrors] = (struct mesh_mirror){ .ip = svc->ip, .port = sp->port };
	m[out->n_mirrors].origin = arena_printf(&b->p->arena, "%s/%s:%u", svc->namespace, svc->name, sp->port);
	out->mirrors = m;
	out->n_mirrors++;
	return 0;
}

static int apply_filter(struct build *b, const struct gw_rule *rule, const struct gw_filter *f, struct mesh_rule *out)
{
	switch (f->type) {
	case GW_REQUEST_HEADER_MODIFIER:
		copy_edit(b, &f->headers, &out->request);
		return 0;
	case GW_RESPONSE_HEADER_MODIFIER:
		copy_edit(b, &f->headers, &out->response);
		return 0;
	case GW_REQUEST_REDIRECT:
		out->redirect = true;
		out->redirect_scheme = dup(b, f->redirect.scheme);
		out->redirect_host = dup(b, f->redirect.hostname);
		out->redirect_port = redirect_port(&f->redirect, b->l->port);
		out->redirect_status = f->redirect.status;
		copy_path_edit(b, rule, &f->redirect.path, out);
		return 0;
	case GW_URL_REWRITE:
		out->host = dup(b, f->rewrite.hostname);
		copy_path_edit(b, rule, &f->rewrite.path, out);
		return 0;
	case GW_REQUEST_MIRROR:
		return add_mirror(b, f, out);
	default:
		return error("%s: the lab does not render %s filters", b->origin, gw_filter_name(f->type));
	}
}

/* One rule of a route as the mesh must apply it. */
static int add_rule(struct build *b, const struct gw_rule *rule, struct mesh_rule *out)
{
	snprintf(out->origin, sizeof(out->origin), "%s", b->origin);
	out->h2 = b->kind == GW_GRPC_ROUTE;
	if (rule->n_backends > GW_MAX_BACKENDS_LAB)
		return error("%s: more than %d backendRefs", b->origin, GW_MAX_BACKENDS_LAB);
	for (size_t i = 0; i < rule->n_filters; i++)
		if (apply_filter(b, rule, &rule->filters[i], out))
			return -1;
	for (size_t i = 0; i < rule->n_backends; i++) {
		if (!rule->backends[i].n_filters)
			continue;
		/* One backend: its filters are the rule's. Several would need a proxy per backend. */
		if (rule->n_backends > 1)
			return error("%s: the lab renders backendRef filters only for a rule with one backendRef",
				     b->origin);
		for (size_t k = 0; k < rule->backends[i].n_filters; k++)
			if (apply_filter(b, rule, &rule->backends[i].filters[k], out))
				return -1;
	}
	return rule_servers(b, rule, out);
}

static void copy_values(struct build *b, const struct gw_value_match *v, size_t n,
			const struct mesh_value_match **out, int *n_out)
{
	struct mesh_value_match *m = arena_alloc(&b->p->arena, (n + 1) * sizeof(*m));

	for (size_t i = 0; i < n; i++)
		m[i] = (struct mesh_value_match){ dup(b, v[i].name), dup(b, v[i].value), v[i].type == GW_REGEX };
	*out = m;
	*n_out = (int)n;
}

/* The match as the renderer takes it; PathPrefix "/" is no condition, a trailing '/' is not compared. */
static void add_match(struct build *b, const struct gw_http_match *m, int rule, struct mesh_rule_match *out)
{
	size_t len = strlen(m->path);

	out->rule = rule;
	out->method = dup(b, m->method);
	copy_values(b, m->headers, m->n_headers, &out->headers, &out->n_headers);
	copy_values(b, m->query, m->n_query, &out->query, &out->n_query);
	if (m->path_type == GW_PATH_EXACT) {
		out->path_kind = MESH_PATH_EXACT;
		out->path = dup(b, m->path);
		return;
	}
	if (m->path_type == GW_PATH_REGEX) {
		out->path_kind = MESH_PATH_REGEX;
		out->path = dup(b, m->path);
		return;
	}
	while (len > 1 && m->path[len - 1] == '/')
		len--;
	out->path_kind = len == 1 ? MESH_PATH_ANY : MESH_PATH_PREFIX;
	out->path = arena_strndup(&b->p->arena, m->path, len);
}

/* Appends s to the memstream with every regex metacharacter escaped (a gRPC name matched exactly). */
static void regex_literal(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr(".^$*+?()[]{}|\\/", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* One part of a gRPC path pattern: the name exactly, the regex, or any name. */
static void grpc_part(FILE *f, const char *name, bool regex)
{
	if (!name) {
		fputs("[^/]+", f);
	} else if (regex) {
		fprintf(f, "(?:%s)", name);
	} else {
		regex_literal(f, name);
	}
}

/*
 * A GRPCRoute match as the renderer takes it: the call's ":path" is
 * "/SERVICE/METHOD", so service and method become one path condition
 * (Exact for both: the path itself; otherwise a whole-path regex with
 * "[^/]+" for the one not given); headers as HTTPRoute headers.
 */
static int add_grpc_match(struct build *b, const struct gw_grpc_match *m, int rule, struct mesh_rule_match *out)
{
	char *re = NULL;
	size_t len = 0;
	FILE *f;

	out->rule = rule;
	copy_values(b, m->headers, m->n_headers, &out->headers, &out->n_headers);
	if (!m->has_method) {
		out->path_kind = MESH_PATH_ANY;
		out->path = "/";
		return 0;
	}
	f = open_memstream(&re, &len);
	if (!f)
		return error("out of memory");
	if (m->method_type == GW_EXACT && m->service && m->method) {
		out->path_kind = MESH_PATH_EXACT;
		fprintf(f, "/%s/%s", m->service, m->method);
	} else {
		out->path_kind = MESH_PATH_REGEX;
		fputc('/', f);
		grpc_part(f, m->service, m->method_type == GW_REGEX);
		fputc('/', f);
		grpc_part(f, m->method, m->method_type == GW_REGEX);
	}
	fclose(f);
	out->path = dup(b, re);
	free(re);
	return out->path ? 0 : error("out of memory");
}

/*
 * Rules and matches (in precedence order) of the routes bound to listener
 * b->l for one group of clients: those among src[0..n_src) (consumer
 * routes of their namespace) or, with src_not, the others (producer routes).
 */
static int add_listener_routes(struct build *b, const struct gw_route *const *routes, size_t n, const int *src,
			       int n_src, bool src_not)
{
	static struct gw_match_ref order[MAX_MATCHES];
	int first[MAX_ROUTES];
	bool grpc = b->kind == GW_GRPC_ROUTE;
	size_t n_order = grpc ? gw_grpc_order(routes, n, order, MAX_MATCHES) : gw_http_order(routes, n, order, MAX_MATCHES);

	if (n_order > MAX_MATCHES)
		return error("service %s/%s: more than %d matches", b->l->ns, b->l->service, MAX_MATCHES);
	for (size_t i = 0; i < n; i++) {
		first[i] = b->l->n_rules;
		for (size_t k = 0; k < routes[i]->n_rules; k++) {
			struct mesh_rule *r = MESH_PUSH(b->l->rules, b->l->n_rules);

			if (!r)
				return error("out of memory");
			snprintf(b->origin, sizeof(b->origin), "%s %s/%s rule %zu", gw_kind_name(b->kind),
				 routes[i]->namespace, routes[i]->name, k);
			if (add_rule(b, &routes[i]->rules[k], r))
				return -1;
		}
	}
	for (size_t i = 0; i < n_order; i++) {
		struct mesh_rule_match *m = MESH_PUSH(b->l->rule_matches, b->l->n_rule_matches);
		const struct gw_route *r = routes[order[i].route];

		int rule = first[order[i].route] + (int)order[i].rule;

		if (!m)
			return error("out of memory");
		if (grpc && add_grpc_match(b, &r->rules[order[i].rule].grpc[order[i].match], rule, m))
			return -1;
		if (!grpc)
			add_match(b, &r->rules[order[i].rule].http[order[i].match], rule, m);
		m->src_pods = src;
		m->n_src = n_src;
		m->src_not = src_not;
	}
	b->l->routed = true;
	return 0;
}

/*
 * The kind of the routes bound to listener l into *kind (HTTPRoute when
 * none), refusing what the lab cannot render, named with the route: routes
 * on a TCP port, HTTPRoutes and GRPCRoutes on one port (a mesh tells them
 * apart by content type; the lab's frontend would need both rule sets).
 */
static int listener_kind(const struct gw_set *gw, const struct mesh_listener *l, enum gw_kind *kind)
{
	const struct gw_route *first = NULL;

	*kind = GW_HTTP_ROUTE;
	for (size_t i = 0; i < gw->n_routes; i++) {
		const struct gw_route *r = gw->routes[i];

		if (!gw_route_binds(r, l->ns, l->service, l->port))
			continue;
		if (l->tcp)
			return error("%s %s/%s: port %u of %s/%s is TCP", gw_kind_name(r->kind), r->namespace, r->name,
				     l->port, l->ns, l->service);
		if (first && first->kind != r->kind)
			return error("%s %s/%s and %s %s/%s: the lab renders one kind of route per service port (%s/%s:%u)",
				     gw_kind_name(first->kind), first->namespace, first->name, gw_kind_name(r->kind),
				     r->namespace, r->name, l->ns, l->service, l->port);
		first = first ? first : r;
		*kind = r->kind;
	}
	return 0;
}

/* The pods of namespace ns (indexes into p->pods), appended to v[*n] (room for every pod). */
static void pods_of(const struct mesh_policy *p, const char *ns, int *v, int *n)
{
	for (int i = 0; i < p->n_pods; i++)
		if (!strcmp(p->pods[i].ns, ns))
			v[(*n)++] = i;
}

/* The routes that apply to clients of client_ns, as one group of the listener's. */
static int add_group(struct build *b, const struct gw_set *gw, const char *client_ns, const int *src, int n_src,
		     bool src_not)
{
	const struct gw_route *routes[MAX_ROUTES];
	size_t n = gw_routes_for(gw, b->kind, b->l->ns, b->l->service, b->l->port, client_ns, routes, MAX_ROUTES);

	if (n > MAX_ROUTES)
		return error("service %s/%s: more than %d routes", b->l->ns, b->l->service, MAX_ROUTES);
	return n ? add_listener_routes(b, routes, n, src, n_src, src_not) : 0;
}

/*
 * With consumer routes but no producer route, the other clients are routed
 * as without routes: a rule of their own, every path, to the service's own
 * servers. Returns 0 or -1 after printing.
 */
static int add_default(struct build *b, const int *consumers, int n_consumers)
{
	struct mesh_rule *r;
	struct mesh_rule_match *m;

	for (int i = 0; i < b->l->n_rule_matches; i++)
		if (b->l->rule_matches[i].src_not)
			return 0;	/* the producer routes decide */
	r = MESH_PUSH(b->l->rules, b->l->n_rules);
	m = r ? MESH_PUSH(b->l->rule_matches, b->l->n_rule_matches) : NULL;
	if (!m)
		return error("out of memory");
	snprintf(r->origin, sizeof(r->origin), "%s/%s without a producer route", b->l->ns, b->l->service);
	r->h2 = b->kind == GW_GRPC_ROUTE;
	for (int i = 0; i < b->l->n_servers; i++) {
		struct mesh_server *sv = MESH_PUSH(r->servers, r->n_servers);

		if (!sv)
			return error("out of memory");
		*sv = b->l->servers[i];
	}
	*m = (struct mesh_rule_match){ .rule = b->l->n_rules - 1, .path_kind = MESH_PATH_ANY, .path = "/",
				       .src_pods = consumers, .n_src = n_consumers, .src_not = true };
	return 0;
}

/*
 * One listener's routes: each namespace with consumer routes for it gets
 * them, conditioned on its pods as the source; everyone else the producer
 * routes. A namespace without pods in the topology has no client to route.
 */
static int add_listener(struct build *b, const struct gw_set *gw)
{
	int *consumers = arena_alloc(&b->p->arena, (size_t)(b->p->n_pods + 1) * sizeof(int)), n_consumers = 0;
	const char *seen[MAX_ROUTES];
	size_t n_seen = 0;

	if (!consumers)
		return error("out of memory");
	for (size_t i = 0; i < gw->n_routes; i++) {
		const struct gw_route *r = gw->routes[i];
		int *src, n_src = 0;
		size_t k;

		if (r->kind != b->kind || !gw_route_binds(r, b->l->ns, b->l->service, b->l->port) ||
		    !gw_route_is_consumer(r, b->l->ns))
			continue;
		for (k = 0; k < n_seen && strcmp(seen[k], r->namespace); k++)
			;
		if (k < n_seen || n_seen == MAX_ROUTES)
			continue;
		seen[n_seen++] = r->namespace;
		src = arena_alloc(&b->p->arena, (size_t)(b->p->n_pods + 1) * sizeof(int));
		if (!src)
			return error("out of memory");
		pods_of(b->p, r->namespace, src, &n_src);
		if (!n_src)
			continue;
		memcpy(consumers + n_consumers, src, (size_t)n_src * sizeof(int));
		n_consumers += n_src;
		if (add_group(b, gw, r->namespace, src, n_src, false))
			return -1;
	}
	return add_group(b, gw, b->l->ns, consumers, n_consumers, true) ||
	       (n_consumers && add_default(b, consumers, n_consumers));
}

int lab_policy_add_routes(struct mesh_policy *p, const struct topology *t, const struct gw_set *gw)
{
	for (int li = 0; li < p->n_listeners; li++) {
		struct build b = { .p = p, .t = t, .l = &p->listeners[li] };

		if (listener_kind(gw, b.l, &b.kind) || add_listener(&b, gw))
			return -1;
	}
	return 0;
}

int lab_policy_add_files(struct mesh_policy *p, const struct topology *t, const char *const *paths, size_t n)
{
	struct gw_set *gw = NULL;
	struct smi_set *set;
	int r;

	if (!n)
		return 0;
	set = gw_load_files(paths, n, NULL, &gw);
	r = set ? lab_policy_add_smi(p, t, set) : -1;
	if (!r)
		r = lab_policy_add_routes(p, t, gw);
	smi_set_free(set);
	gw_set_free(gw);
	return r;
}
