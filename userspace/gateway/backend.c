/* backend.c - backendRefs: defaults, the port a Service needs, weights and shares. */
#include <string.h>

#include "gateway/internal.h"

void gw_decode_backend_ref(struct gctx *c, struct ynode *n, const char *path, struct gw_backend *out)
{
	int64_t v;

	out->line = n->line;
	out->weight = 1;
	if (!gmap(c, n, path))
		return;
	/* A backendRef defaults to the core group and kind Service. */
	out->group = gfield(n, "group") ? gstr(c, n, path, "group", false) : "";
	out->kind = gfield(n, "kind") ? gstr(c, n, path, "kind", false) : "Service";
	out->name = gstr(c, n, path, "name", true);
	out->namespace = gfield(n, "namespace") ? gstr(c, n, path, "namespace", false) : c->ns;
	if (gint(c, n, path, "port", 1, 65535, &v))
		out->port = (uint16_t)v;
	else if (!gfield(n, "port") && out->kind && out->group && !*out->group && !strcmp(out->kind, "Service"))
		gerr(c, n, gkey(c, path, "port"), "required for a Service reference");
	if (gint(c, n, path, "weight", 0, GW_MAX_WEIGHT, &v))
		out->weight = (uint32_t)v;
}

void gw_decode_backends(struct gctx *c, struct ynode *rule, const char *path, struct gw_rule *out)
{
	struct ynode *l = glist(c, rule, path, "backendRefs", GW_MAX_BACKENDS);
	const char *lp = gkey(c, path, "backendRefs");
	struct gw_backend *v;
	uint64_t sum = 0;

	if (!l)
		return;
	v = arena_alloc(c->a, (l->n + 1) * sizeof(*v));
	for (size_t i = 0; i < l->n; i++) {
		const char *ip = gidx(c, lp, i);

		gw_decode_backend_ref(c, l->items[i], ip, &v[i]);
		if (l->items[i]->type == YNODE_MAP) {
			gw_decode_filters(c, gfield(l->items[i], "filters"), gkey(c, ip, "filters"), true, out,
					  &v[i].filters, &v[i].n_filters);
			gunknown(c, l->items[i], ip);
		}
		sum += v[i].weight;
	}
	/* weight / sum; all zero means no traffic for any (the spec's 500 for every request). */
	for (size_t i = 0; i < l->n && sum; i++)
		v[i].share = (double)v[i].weight / (double)sum;
	out->backends = v;
	out->n_backends = l->n;
	for (size_t i = 0; i < out->n_filters; i++)
		if (out->filters[i].type == GW_REQUEST_REDIRECT && l->n)
			gerr(c, l, lp, "a rule with a RequestRedirect filter has no backendRefs");
}
