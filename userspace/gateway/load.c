/*
 * load.c - one HTTPRoute or GRPCRoute document into the model: apiVersion
 * and kind, metadata, parentRefs, hostnames, rules. Matches are decoded in
 * match.c, filters in filter.c, backendRefs in backend.c.
 */
#include <string.h>

#include "gateway/internal.h"

/* Which versions serve which kind (docs/gamma.md): GRPCRoute was never v1beta1. */
static int parse_version(const char *ver, enum gw_kind kind)
{
	if (!strcmp(ver, "v1"))
		return GW_V1;
	if (!strcmp(ver, "v1beta1"))
		return kind == GW_HTTP_ROUTE ? GW_V1BETA1 : 0;
	if (!strcmp(ver, "v1alpha2"))
		return GW_V1ALPHA2;
	return 0;
}

/* RFC 1123 label: what a namespace, a rule name or a section name must be. */
static bool dns_label_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static void decode_metadata(struct gctx *c, struct ynode *root, struct gw_route *r,
			    const struct ynode **name_node)
{
	struct ynode *md = gfield_req(c, root, "", "metadata");

	r->namespace = "default";
	if (!md || !gmap(c, md, "metadata"))
		return;
	r->name = gstr(c, md, "metadata", "name", true);
	*name_node = gfield(md, "name");
	if (gfield(md, "namespace"))
		r->namespace = gstr(c, md, "metadata", "namespace", false);
	if (!r->namespace)
		r->namespace = "default";
	else if (!dns_label_ok(r->namespace))
		gwarn(c, gfield(md, "namespace"), "metadata.namespace",
		      "'%s' is not a valid Kubernetes namespace name", r->namespace);
	/* Route age breaks precedence ties between routes. */
	r->created = gstr(c, md, "metadata", "creationTimestamp", false);
	gmark_all(md);
}

/* One parentRef; a Gateway parent is kept (it is valid) but binds no mesh traffic. */
static void decode_parent(struct gctx *c, struct ynode *n, const char *path, struct gw_parent *p)
{
	int64_t port;

	p->line = n->line;
	if (!gmap(c, n, path))
		return;
	p->group = gfield(n, "group") ? gstr(c, n, path, "group", false) : GW_GROUP;
	p->kind = gfield(n, "kind") ? gstr(c, n, path, "kind", false) : "Gateway";
	p->name = gstr(c, n, path, "name", true);
	p->namespace = gfield(n, "namespace") ? gstr(c, n, path, "namespace", false) : c->ns;
	p->section = gstr(c, n, path, "sectionName", false);
	if (gint(c, n, path, "port", 1, 65535, &port))
		p->port = (uint16_t)port;
	if (p->kind && !strcmp(p->kind, "Service") && p->group && *p->group)
		/* The default group is the Gateway API's: a Service parent must say group "". */
		gwarn(c, n, path, "kind Service in group '%s' names no Service (a Service parent needs group \"\")",
		      p->group);
	gunknown(c, n, path);
}

static void decode_parents(struct gctx *c, struct ynode *spec, struct gw_route *r)
{
	struct ynode *l = glist(c, spec, "spec", "parentRefs", GW_MAX_PARENTS);
	struct gw_parent *v;

	if (!l)
		return;
	v = arena_alloc(c->a, (l->n + 1) * sizeof(*v));
	for (size_t i = 0; i < l->n; i++) {
		decode_parent(c, l->items[i], gidx(c, "spec.parentRefs", i), &v[i]);
		for (size_t j = 0; j < i; j++)
			if (v[i].name && v[j].name && !strcmp(v[i].name, v[j].name) &&
			    v[i].kind && v[j].kind && !strcmp(v[i].kind, v[j].kind) &&
			    v[i].namespace && v[j].namespace && !strcmp(v[i].namespace, v[j].namespace) &&
			    v[i].port == v[j].port &&
			    !strcmp(v[i].section ? v[i].section : "", v[j].section ? v[j].section : "")) {
				gerr(c, l->items[i], gidx(c, "spec.parentRefs", i),
				     "same parent as spec.parentRefs[%zu] (distinguish them by sectionName or port)", j);
				break;
			}
	}
	r->parents = v;
	r->n_parents = l->n;
}

static void decode_hostnames(struct gctx *c, struct ynode *spec, struct gw_route *r)
{
	struct ynode *l = glist(c, spec, "spec", "hostnames", GW_MAX_HOSTNAMES);
	const char **v;

	if (!l)
		return;
	v = arena_alloc(c->a, (l->n + 1) * sizeof(*v));
	for (size_t i = 0; i < l->n; i++) {
		const struct ynode *h = l->items[i];

		if (h->type != YNODE_SCALAR || h->kind != YSCALAR_STRING)
			gerr(c, h, gidx(c, "spec.hostnames", i), "expected a string, got %s", ynode_kind_name(h));
		else
			v[r->n_hostnames++] = arena_strdup(c->a, h->str);
	}
	r->hostnames = v;
}

static void decode_rule(struct gctx *c, struct ynode *n, const char *path, struct gw_rule *rule)
{
	rule->line = n->line;
	if (!gmap(c, n, path))
		return;
	rule->name = gstr(c, n, path, "name", false);
	if (rule->name && !dns_label_ok(rule->name))
		gerr(c, gfield(n, "name"), gkey(c, path, "name"), "'%s' is not a valid rule name (an RFC 1123 label)",
		     rule->name);
	if (c->kind == GW_HTTP_ROUTE)
		gw_decode_http_matches(c, n, path, rule);
	else
		gw_decode_grpc_matches(c, n, path, rule);
	gw_decode_filters(c, gfield(n, "filters"), gkey(c, path, "filters"), false, rule,
			  &rule->filters, &rule->n_filters);
	gw_decode_backends(c, n, path, rule);
	gunknown(c, n, path);
}

/* The CEL rules across a route's rules: unique names, at most 128 matches. */
static void check_rules(struct gctx *c, struct ynode *list, struct gw_route *r)
{
	size_t matches = 0;

	for (size_t i = 0; i < r->n_rules; i++) {
		matches += r->rules[i].n_matches;
		for (size_t j = 0; j < i && r->rules[i].name; j++)
			if (r->rules[j].name && !strcmp(r->rules[i].name, r->rules[j].name)) {
				gerr(c, gfield(list->items[i], "name"), gkey(c, gidx(c, "spec.rules", i), "name"),
				     "rule name '%s' also names spec.rules[%zu]", r->rules[i].name, j);
				break;
			}
	}
	if (matches > GW_MAX_ROUTE_MATCHES)
		gerr(c, list, "spec.rules", "%zu matches in all, at most %d allowed", matches,
		     GW_MAX_ROUTE_MATCHES);
}

static void decode_rules(struct gctx *c, struct ynode *spec, struct gw_route *r)
{
	struct ynode *l = glist(c, spec, "spec", "rules", GW_MAX_RULES);
	struct gw_rule *v;

	if (!l) {
		/* No rules: the spec's default is one rule with the default match and no backend. */
		if (gfield(spec, "rules"))
			return;
		v = arena_alloc(c->a, sizeof(*v));
		v->line = spec->line;
		if (c->kind == GW_HTTP_ROUTE)
			gw_decode_http_matches(c, NULL, "spec.rules[0]", v);
		else
			gw_decode_grpc_matches(c, NULL, "spec.rules[0]", v);
		r->rules = v;
		r->n_rules = 1;
		return;
	}
	v = arena_alloc(c->a, (l->n + 1) * sizeof(*v));
	for (size_t i = 0; i < l->n; i++)
		decode_rule(c, l->items[i], gidx(c, "spec.rules", i), &v[i]);
	r->rules = v;
	r->n_rules = l->n;
	check_rules(c, l, r);
}

static void record(struct gw_set *gw, struct gw_route *r, bool valid, const struct ynode *name_node)
{
	struct route_state *st = arena_alloc(&gw->priv->arena, sizeof(*st));

	st->route = r;
	st->valid = valid && r->name;
	st->name_node = name_node;
	ptrvec_push(&gw->priv->all, st);
}

/* Splits "group/version"; NULL when there is no slash. */
static const char *version_of(const char *api)
{
	const char *slash = strchr(api, '/');

	return slash ? slash + 1 : NULL;
}

void gw_decode_route(struct smi_set *set, void *arg, const char *file, struct ynode *root,
		     const char *api_version, const char *kind)
{
	struct gw_set *gw = arg;
	struct gctx c = { .set = set, .a = &gw->priv->arena, .gw = gw, .file = file };
	struct gw_route *r = arena_alloc(c.a, sizeof(*r));
	const struct ynode *name_node = NULL;
	struct ynode *spec;
	int v;

	if (!strcmp(kind, "HTTPRoute"))
		c.kind = GW_HTTP_ROUTE;
	else if (!strcmp(kind, "GRPCRoute"))
		c.kind = GW_GRPC_ROUTE;
	else {
		/* Gateways, ReferenceGrants...: not part of the mesh route model. */
		smi_set_report(set, SMI_WARNING, file, root, "kind",
			       "%s of %s is not read (the mesh model reads HTTPRoute and GRPCRoute)",
			       kind, GW_GROUP);
		return;
	}
	v = parse_version(version_of(api_version) ? version_of(api_version) : "", c.kind);
	if (!v) {
		smi_set_report(set, SMI_ERROR, file, gfield(root, "apiVersion") ? gfield(root, "apiVersion") : root,
			       "apiVersion", "%s is not served in '%s' (%s)", kind, api_version,
			       c.kind == GW_HTTP_ROUTE ? "v1, v1beta1 or v1alpha2" : "v1 or v1alpha2");
		return;
	}
	c.version = (enum gw_version)v;
	c.api = arena_printf(c.a, "%s %s", api_version, kind);
	r->kind = c.kind;
	r->version = c.version;
	r->file = arena_strdup(c.a, file);
	r->line = root->line;
	decode_metadata(&c, root, r, &name_node);
	c.ns = r->namespace;
	spec = gfield_req(&c, root, "", "spec");
	if (spec && gmap(&c, spec, "spec")) {
		decode_parents(&c, spec, r);
		decode_hostnames(&c, spec, r);
		decode_rules(&c, spec, r);
		gunknown(&c, spec, "spec");
	}
	/* status is written by controllers; reading it back is not an error. */
	gfield(root, "status");
	gfield(root, "apiVersion");
	gfield(root, "kind");
	gunknown(&c, root, "");
	record(gw, r, c.errors == 0, name_node);
}
