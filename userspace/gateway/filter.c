/*
 * filter.c - HTTPRoute and GRPCRoute filters, at rule and backendRef level,
 * with the CRD's validation rules (apis/v1/httproute_types.go CEL): the
 * sub-object matches `type`, each modifier/redirect/rewrite at most once,
 * RequestRedirect and URLRewrite not together, ReplacePrefixMatch only
 * under exactly one PathPrefix match.
 */
#include <string.h>

#include "gateway/internal.h"

static const char *const http_types[] = {
	"RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite",
	"RequestMirror", "ExtensionRef", NULL,
};
/* GRPCRoute has no redirect or rewrite. */
static const char *const grpc_types[] = {
	"RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "ExtensionRef", NULL,
};
static const enum gw_filter_type grpc_type_of[] = {
	GW_REQUEST_HEADER_MODIFIER, GW_RESPONSE_HEADER_MODIFIER, GW_REQUEST_MIRROR, GW_EXTENSION_REF,
};
/* The field holding each type's configuration. */
static const char *const sub_key[GW_FILTER_COUNT] = {
	"requestHeaderModifier", "responseHeaderModifier", "requestRedirect", "urlRewrite",
	"requestMirror", "extensionRef",
};

static bool header_value_ok(struct gctx *c, struct ynode *n, const char *path, const char *v)
{
	if (v && strlen(v) <= 4096)
		return true;
	if (v)
		gerr(c, gfield(n, "value"), gkey(c, path, "value"), "a value has at most 4096 characters");
	return false;
}

/* set or add: a list of {name, value}, names unique. */
static const struct gw_header *decode_header_list(struct gctx *c, struct ynode *mod, const char *parent,
						  const char *key, size_t *n)
{
	struct ynode *l = glist(c, mod, parent, key, GW_MAX_HEADERS);
	const char *path = gkey(c, parent, key);
	struct gw_header *v;

	if (!l)
		return NULL;
	v = arena_alloc(c->a, (l->n + 1) * sizeof(*v));
	for (size_t i = 0; i < l->n; i++) {
		struct ynode *it = l->items[i];
		const char *ip = gidx(c, path, i);

		if (!gmap(c, it, ip))
			continue;
		v[*n].name = gstr(c, it, ip, "name", true);
		v[*n].value = gstr(c, it, ip, "value", true);
		gunknown(c, it, ip);
		if (!v[*n].name || !gheader_name_ok(c, gfield(it, "name"), gkey(c, ip, "name"), v[*n].name) ||
		    !header_value_ok(c, it, ip, v[*n].value))
			continue;
		for (size_t j = 0; j < *n; j++)
			if (!strcmp(v[j].name, v[*n].name)) {
				gerr(c, gfield(it, "name"), gkey(c, ip, "name"), "'%s' is listed twice", v[*n].name);
				break;
			}
		(*n)++;
	}
	return v;
}

static void decode_header_mod(struct gctx *c, struct ynode *m, const char *path, struct gw_header_mod *out)
{
	struct ynode *rm = glist(c, m, path, "remove", GW_MAX_HEADERS);
	const char **v;

	out->set = decode_header_list(c, m, path, "set", &out->n_set);
	out->add = decode_header_list(c, m, path, "add", &out->n_add);
	gunknown(c, m, path);
	if (!rm)
		return;
	v = arena_alloc(c->a, (rm->n + 1) * sizeof(*v));
	for (size_t i = 0; i < rm->n; i++) {
		const struct ynode *it = rm->items[i];
		const char *ip = gidx(c, gkey(c, path, "remove"), i);

		if (it->type != YNODE_SCALAR || it->kind != YSCALAR_STRING) {
			gerr(c, it, ip, "expected a string, got %s", ynode_kind_name(it));
			continue;
		}
		if (gheader_name_ok(c, it, ip, it->str))
			v[out->n_remove++] = arena_strdup(c->a, it->str);
	}
	out->remove = v;
}

/* A redirect's or rewrite's path: the value field must be the one `type` names. */
static void decode_path_change(struct gctx *c, struct ynode *m, const char *parent, struct gw_path_change *out)
{
	static const char *const types[] = { "ReplaceFullPath", "ReplacePrefixMatch", NULL };
	static const char *const keys[] = { "replaceFullPath", "replacePrefixMatch" };
	struct ynode *p = gfield(m, "path");
	const char *path = gkey(c, parent, "path");
	int t;

	if (!p || !gmap(c, p, path))
		return;
	t = genum(c, p, path, "type", types, -2);
	if (t == -2)
		gerr(c, p, gkey(c, path, "type"), "required field missing");
	for (int i = 0; i < 2; i++) {
		if (i == t) {
			out->value = gstr(c, p, path, keys[i], true);
			continue;
		}
		if (gfield(p, keys[i]))
			gerr(c, gfield(p, keys[i]), gkey(c, path, keys[i]), "must not be set when type is %s",
			     t >= 0 ? types[t] : "not set");
	}
	gunknown(c, p, path);
	if (t < 0 || !out->value)
		return;
	out->type = t == 0 ? GW_FULL_PATH : GW_PREFIX_PATH;
	/* ReplacePrefixMatch may be "" (strip the prefix); a full path must be a path. */
	if (*out->value || t == 0)
		gw_path_value_ok(c, gfield(p, keys[t]), gkey(c, path, keys[t]), out->value);
}

static void decode_redirect(struct gctx *c, struct ynode *m, const char *path, struct gw_redirect *out)
{
	static const char *const schemes[] = { "http", "https", NULL };
	int64_t v;
	int s = genum(c, m, path, "scheme", schemes, -2);

	if (s >= 0)
		out->scheme = schemes[s];
	out->hostname = gstr(c, m, path, "hostname", false);
	decode_path_change(c, m, path, &out->path);
	if (gint(c, m, path, "port", 1, 65535, &v))
		out->port = (uint16_t)v;
	out->status = 302;
	if (gint(c, m, path, "statusCode", 0, 999, &v)) {
		/* 301 and 302 are core; 303, 307 and 308 are extended (standard from v1.5). */
		if (v != 301 && v != 302 && v != 303 && v != 307 && v != 308)
			gerr(c, gfield(m, "statusCode"), gkey(c, path, "statusCode"),
			     "%lld is not one of 301, 302, 303, 307 or 308", (long long)v);
		else
			out->status = (int)v;
	}
	gunknown(c, m, path);
}

static void decode_rewrite(struct gctx *c, struct ynode *m, const char *path, struct gw_rewrite *out)
{
	out->hostname = gstr(c, m, path, "hostname", false);
	decode_path_change(c, m, path, &out->path);
	gunknown(c, m, path);
}

static void decode_mirror(struct gctx *c, struct ynode *m, const char *path, struct gw_filter *out)
{
	struct ynode *b = gfield_req(c, m, path, "backendRef");
	struct gw_backend *be = arena_alloc(c->a, sizeof(*be));
	struct ynode *frac;
	int64_t v;

	if (b) {
		gw_decode_backend_ref(c, b, gkey(c, path, "backendRef"), be);
		gunknown(c, b, gkey(c, path, "backendRef"));
	}
	out->mirror = be;
	out->mirror_share = 1;
	if (gint(c, m, path, "percent", 0, 100, &v)) {
		out->mirror_share = (double)v / 100;
		if (gfield(m, "fraction"))
			gerr(c, gfield(m, "fraction"), gkey(c, path, "fraction"), "percent and fraction are exclusive");
	} else if ((frac = gfield(m, "fraction")) && frac->type == YNODE_MAP) {
		/* numerator / denominator (default 100); the API server keeps the numerator at most the denominator. */
		const char *fpath = gkey(c, path, "fraction");
		int64_t num = 0, den = 100;

		gint(c, frac, fpath, "numerator", 0, INT32_MAX, &num);
		gint(c, frac, fpath, "denominator", 1, INT32_MAX, &den);
		out->mirror_share = num >= den ? 1 : (double)num / (double)den;
	}
	gmark_all(gfield(m, "fraction"));
	gunknown(c, m, path);
}

static void decode_config(struct gctx *c, struct ynode *sub, const char *path, struct gw_filter *f)
{
	switch (f->type) {
	case GW_REQUEST_HEADER_MODIFIER:
	case GW_RESPONSE_HEADER_MODIFIER:
		decode_header_mod(c, sub, path, &f->headers);
		break;
	case GW_REQUEST_REDIRECT:
		decode_redirect(c, sub, path, &f->redirect);
		break;
	case GW_URL_REWRITE:
		decode_rewrite(c, sub, path, &f->rewrite);
		break;
	case GW_REQUEST_MIRROR:
		decode_mirror(c, sub, path, f);
		break;
	default:
		/* An ExtensionRef names an implementation's own filter: kept, not modelled. */
		gstr(c, sub, path, "group", true);
		gstr(c, sub, path, "kind", true);
		gstr(c, sub, path, "name", true);
		gunknown(c, sub, path);
	}
}

/* One filter: its type, and the configuration field of that type (no other). */
static bool decode_filter(struct gctx *c, struct ynode *n, const char *path, struct gw_filter *f)
{
	bool grpc = c->kind == GW_GRPC_ROUTE;
	int t;

	f->line = n->line;
	if (!gmap(c, n, path))
		return false;
	if (!gfield_req(c, n, path, "type"))
		return false;
	t = genum(c, n, path, "type", grpc ? grpc_types : http_types, -1);
	if (t < 0)
		return false;
	f->type = grpc ? grpc_type_of[t] : (enum gw_filter_type)t;
	for (int k = 0; k < GW_FILTER_COUNT; k++) {
		struct ynode *sub = gfield(n, sub_key[k]);
		const char *sp = gkey(c, path, sub_key[k]);

		if (k != (int)f->type && sub)
			gerr(c, sub, sp, "must not be set when type is %s", gw_filter_name(f->type));
		else if (k == (int)f->type && !sub)
			gerr(c, n, sp, "required when type is %s", gw_filter_name(f->type));
		else if (sub && gmap(c, sub, sp))
			decode_config(c, sub, sp, f);
	}
	gunknown(c, n, path);
	return true;
}

/* ReplacePrefixMatch needs to know the prefix: exactly one match, a PathPrefix one. */
static void check_prefix_rule(struct gctx *c, const struct ynode *at, const char *path,
			      const struct gw_rule *rule, const struct gw_path_change *pc)
{
	if (pc->type != GW_PREFIX_PATH || !rule->http)
		return;
	if (rule->n_matches != 1 || rule->http[0].path_type != GW_PATH_PREFIX)
		gerr(c, at, path, "ReplacePrefixMatch needs exactly one match, of type PathPrefix");
}

/* The CEL rules over one filters list. */
static void check_filters(struct gctx *c, struct ynode *list, const char *path, const struct gw_rule *rule,
			  const struct gw_filter *v, size_t n)
{
	int seen[GW_FILTER_COUNT] = { 0 };

	for (size_t i = 0; i < n; i++) {
		const char *ip = gidx(c, path, i);

		if (++seen[v[i].type] == 2 && v[i].type <= GW_URL_REWRITE)
			gerr(c, list->items[i], ip, "%s may appear once in a filters list", gw_filter_name(v[i].type));
		if (v[i].type == GW_REQUEST_REDIRECT)
			check_prefix_rule(c, list->items[i], ip, rule, &v[i].redirect.path);
		if (v[i].type == GW_URL_REWRITE)
			check_prefix_rule(c, list->items[i], ip, rule, &v[i].rewrite.path);
	}
	if (seen[GW_REQUEST_REDIRECT] && seen[GW_URL_REWRITE])
		gerr(c, list, path, "RequestRedirect and URLRewrite cannot be used together");
}

void gw_decode_filters(struct gctx *c, struct ynode *list, const char *path, bool backend_level,
		       struct gw_rule *rule, const struct gw_filter **out, size_t *n)
{
	struct gw_filter *v;
	size_t k = 0;

	(void)backend_level;
	*out = NULL;
	*n = 0;
	if (!list || !gseq(c, list, path))
		return;
	if (list->n > GW_MAX_FILTERS) {
		gerr(c, list, path, "%zu items, at most %d allowed", list->n, GW_MAX_FILTERS);
		return;
	}
	v = arena_alloc(c->a, (list->n + 1) * sizeof(*v));
	for (size_t i = 0; i < list->n; i++)
		if (decode_filter(c, list->items[i], gidx(c, path, i), &v[k]))
			k++;
	if (k == list->n)
		check_filters(c, list, path, rule, v, k);
	*out = v;
	*n = k;
}
