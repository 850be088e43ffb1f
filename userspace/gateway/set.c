/* set.c - a set of routes: life cycle, the loader hook, names, and what spans routes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/internal.h"

const char *gw_version_name(enum gw_version v)
{
	switch (v) {
	case GW_V1ALPHA2: return "v1alpha2";
	case GW_V1BETA1: return "v1beta1";
	case GW_V1: return "v1";
	}
	return "?";
}

const char *gw_kind_name(enum gw_kind k)
{
	return k == GW_GRPC_ROUTE ? "GRPCRoute" : "HTTPRoute";
}

const char *gw_filter_name(enum gw_filter_type t)
{
	static const char *const names[GW_FILTER_COUNT] = {
		"RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect",
		"URLRewrite", "RequestMirror", "ExtensionRef",
	};

	return (unsigned)t < GW_FILTER_COUNT ? names[t] : NULL;
}

struct gw_set *gw_set_new(void)
{
	struct gw_set *gw = calloc(1, sizeof(*gw));

	if (!gw)
		return NULL;
	gw->priv = calloc(1, sizeof(*gw->priv));
	if (!gw->priv) {
		free(gw);
		return NULL;
	}
	gw->priv->hook.group = GW_GROUP;
	gw->priv->hook.decode = gw_decode_route;
	gw->priv->hook.arg = gw;
	return gw;
}

void gw_set_free(struct gw_set *gw)
{
	if (!gw)
		return;
	gw_regex_free_all(gw);
	ptrvec_free(&gw->priv->all);
	ptrvec_free(&gw->priv->valid);
	ptrvec_free(&gw->priv->regexes);
	arena_free(&gw->priv->arena);
	free(gw->priv);
	free(gw);
}

void gw_attach(struct gw_set *gw, struct smi_load_opts *o)
{
	o->foreign = &gw->priv->hook;
}

static bool same_object(const struct gw_route *a, const struct gw_route *b)
{
	/* A route without a name is invalid already and names nothing. */
	return a->name && b->name && a->kind == b->kind && !strcmp(a->namespace, b->namespace) && !strcmp(a->name, b->name);
}

int gw_set_finish(struct gw_set *gw, struct smi_set *set)
{
	struct gw_set_priv *p = gw->priv;
	int errors = 0;

	p->valid.n = 0;
	for (size_t i = 0; i < p->all.n; i++) {
		struct route_state *st = p->all.v[i];

		/* A second object of one kind, namespace and name: kubectl apply would update the first. */
		for (size_t j = 0; j < i; j++) {
			const struct route_state *o = p->all.v[j];

			if (!same_object(o->route, st->route))
				continue;
			smi_set_report(set, SMI_ERROR, st->route->file, st->name_node, "metadata.name",
				       "duplicate %s '%s/%s' (first in '%s' at line %d)",
				       gw_kind_name(st->route->kind), st->route->namespace, st->route->name,
				       o->route->file, o->route->line);
			st->valid = false;
			break;
		}
		if (st->valid)
			ptrvec_push(&p->valid, st->route);
		else
			errors++;
	}
	gw->n_routes = p->valid.n;
	gw->routes = (const struct gw_route *const *)p->valid.v;
	return errors ? -EINVAL : 0;
}
