/*
 * match.c - the matches of a rule: HTTPRoute path, headers, query
 * parameters and method; GRPCRoute method and headers. A rule without
 * matches gets the spec's default (HTTP: PathPrefix "/"; gRPC: every call).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gateway/internal.h"

static const char *const path_types[] = { "Exact", "PathPrefix", "RegularExpression", NULL };
static const char *const value_types[] = { "Exact", "RegularExpression", NULL };
static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", NULL,
};

/* Compiles a RegularExpression value; records the error. */
static const struct gw_regex *regex_field(struct gctx *c, const struct ynode *at, const char *path,
					  const char *pattern)
{
	char err[300];
	const struct gw_regex *re = gw_regex_compile(c->gw, pattern, err, sizeof(err));

	if (!re)
		gerr(c, at, path, "%s", err);
	return re;
}

/* One header or query-parameter match; `header`: names compare case-insensitively. */
static bool decode_value_match(struct gctx *c, struct ynode *n, const char *path, bool header,
			       struct gw_value_match *out)
{
	int t;

	if (!gmap(c, n, path))
		return false;
	t = genum(c, n, path, "type", value_types, GW_EXACT);
	out->name = gstr(c, n, path, "name", true);
	out->value = gstr(c, n, path, "value", true);
	gunknown(c, n, path);
	if (t < 0 || !out->name || !out->value)
		return false;
	out->type = (enum gw_value_type)t;
	if (header && !gheader_name_ok(c, gfield(n, "name"), gkey(c, path, "name"), out->name))
		return false;
	if (!header && (!*out->name || strlen(out->name) > 256)) {
		gerr(c, gfield(n, "name"), gkey(c, path, "name"), "a query parameter name has 1 to 256 characters");
		return false;
	}
	if (!*out->value || strlen(out->value) > 4096) {
		gerr(c, gfield(n, "value"), gkey(c, path, "value"), "a value has 1 to 4096 characters");
		return false;
	}
	if (t == GW_REGEX)
		out->re = regex_field(c, gfield(n, "value"), gkey(c, path, "value"), out->value);
	return t != GW_REGEX || out->re;
}

/*
 * A list of header or query-parameter matches. Only the first of equivalent
 * names counts (the spec says so for both); later ones are left out with a warning.
 */
static const struct gw_value_match *decode_values(struct gctx *c, struct ynode *map, const char *parent,
						  const char *key, bool header, size_t *n)
{
	struct ynode *l = glist(c, map, parent, key, GW_MAX_HEADERS);
	const char *path = gkey(c, parent, key);
	struct gw_value_match *v;

	*n = 0;
	if (!l)
		return NULL;
	v = arena_alloc(c->a, (l->n + 1) * sizeof(*v));
	for (size_t i = 0; i < l->n; i++) {
		const char *ip = gidx(c, path, i);
		bool dup = false;

		if (!decode_value_match(c, l->items[i], ip, header, &v[*n]))
			continue;
		for (size_t j = 0; j < *n && !dup; j++)
			dup = header ? !strcasecmp(v[j].name, v[*n].name) : !strcmp(v[j].name, v[*n].name);
		if (dup)
			gwarn(c, l->items[i], ip, "'%s' is matched already: only the first entry of a name counts",
			      v[*n].name);
		else
			(*n)++;
	}
	return v;
}

/*
 * Exact and PathPrefix values (the CRD's CEL rules): start with '/', no
 * "//", "/./", "/../", "%2f", "%2F" or '#', no trailing "/." or "/..",
 * only the characters of a URI path. Records the error.
 */
bool gw_path_value_ok(struct gctx *c, const struct ynode *at, const char *path, const char *v)
{
	static const char *const bad[] = { "//", "/./", "/../", "%2f", "%2F", "#", NULL };
	static const char ok[] = "-/._~!$&'()*+,;=:@%";
	size_t len = strlen(v);

	if (v[0] != '/') {
		gerr(c, at, path, "'%s' must start with '/'", v);
		return false;
	}
	for (int i = 0; bad[i]; i++)
		if (strstr(v, bad[i])) {
			gerr(c, at, path, "'%s' must not contain '%s'", v, bad[i]);
			return false;
		}
	if ((len >= 2 && !strcmp(v + len - 2, "/.")) || (len >= 3 && !strcmp(v + len - 3, "/.."))) {
		gerr(c, at, path, "'%s' must not end with '/.' or '/..'", v);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      strchr(ok, ch))) {
			gerr(c, at, path, "'%s' has a character a URI path cannot carry ('%c')", v, ch);
			return false;
		}
	}
	if (len > 1024) {
		gerr(c, at, path, "longer than 1024 characters");
		return false;
	}
	return true;
}

static void decode_path(struct gctx *c, struct ynode *m, const char *parent, struct gw_http_match *out)
{
	struct ynode *p = gfield(m, "path");
	const char *path = gkey(c, parent, "path");
	int t;

	out->path_type = GW_PATH_PREFIX;
	out->path = "/";
	if (!p || !gmap(c, p, path))
		return;
	t = genum(c, p, path, "type", path_types, GW_PATH_PREFIX);
	if (gfield(p, "value"))
		out->path = gstr(c, p, path, "value", false);
	gunknown(c, p, path);
	if (t < 0 || !out->path)
		return;
	out->path_type = (enum gw_path_type)t;
	if (t == GW_PATH_REGEX)
		out->path_re = regex_field(c, gfield(p, "value"), gkey(c, path, "value"), out->path);
	else
		gw_path_value_ok(c, gfield(p, "value") ? gfield(p, "value") : p, gkey(c, path, "value"), out->path);
}

static void decode_http_match(struct gctx *c, struct ynode *m, const char *path, struct gw_http_match *out)
{
	int k;

	out->line = m->line;
	if (!gmap(c, m, path))
		return;
	decode_path(c, m, path, out);
	out->headers = decode_values(c, m, path, "headers", true, &out->n_headers);
	out->query = decode_values(c, m, path, "queryParams", false, &out->n_query);
	k = genum(c, m, path, "method", methods, -2);
	if (k >= 0)
		out->method = methods[k];
	gunknown(c, m, path);
}

void gw_decode_http_matches(struct gctx *c, struct ynode *rule, const char *path, struct gw_rule *out)
{
	struct ynode *l = rule ? glist(c, rule, path, "matches", GW_MAX_MATCHES) : NULL;
	struct gw_http_match *v;

	if (!l || !l->n) {
		v = arena_alloc(c->a, sizeof(*v));
		v->path_type = GW_PATH_PREFIX;
		v->path = "/";
		v->line = rule ? rule->line : 0;
		out->http = v;
		out->n_matches = 1;
		return;
	}
	v = arena_alloc(c->a, l->n * sizeof(*v));
	for (size_t i = 0; i < l->n; i++)
		decode_http_match(c, l->items[i], gidx(c, gkey(c, path, "matches"), i), &v[i]);
	out->http = v;
	out->n_matches = l->n;
}

/* Patterns the CRD holds Exact service and method names to. */
static bool grpc_name_ok(const char *s, bool service)
{
	size_t i = (service && s[0] == '.') ? 1 : 0;
	bool start = true;

	if (!s[i])
		return false;
	for (; s[i]; i++) {
		char ch = s[i];
		bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';

		if (service && ch == '.' && !start) {
			start = true;
			continue;
		}
		if (!letter && !(ch >= '0' && ch <= '9' && !start))
			return false;
		start = false;
	}
	return !start;
}

static void decode_grpc_method(struct gctx *c, struct ynode *m, const char *parent, struct gw_grpc_match *out)
{
	struct ynode *mm = gfield(m, "method");
	const char *path = gkey(c, parent, "method");
	int t;

	if (!mm || !gmap(c, mm, path))
		return;
	out->has_method = true;
	t = genum(c, mm, path, "type", value_types, GW_EXACT);
	out->service = gstr(c, mm, path, "service", false);
	out->method = gstr(c, mm, path, "method", false);
	gunknown(c, mm, path);
	if (t < 0)
		return;
	out->method_type = (enum gw_value_type)t;
	if (!out->service && !out->method)
		gerr(c, mm, path, "one or both of 'service' or 'method' must be specified");
	if (t == GW_REGEX) {
		if (out->service)
			out->service_re = regex_field(c, gfield(mm, "service"), gkey(c, path, "service"), out->service);
		if (out->method)
			out->method_re = regex_field(c, gfield(mm, "method"), gkey(c, path, "method"), out->method);
		return;
	}
	if (out->service && !grpc_name_ok(out->service, true))
		gerr(c, gfield(mm, "service"), gkey(c, path, "service"), "'%s' is not a gRPC service name", out->service);
	if (out->method && !grpc_name_ok(out->method, false))
		gerr(c, gfield(mm, "method"), gkey(c, path, "method"), "'%s' is not a gRPC method name", out->method);
}

void gw_decode_grpc_matches(struct gctx *c, struct ynode *rule, const char *path, struct gw_rule *out)
{
	struct ynode *l = rule ? glist(c, rule, path, "matches", GW_MAX_MATCHES) : NULL;
	struct gw_grpc_match *v;

	if (!l || !l->n) {
		/* "If no matches are specified, the implementation MUST match every gRPC request." */
		v = arena_alloc(c->a, sizeof(*v));
		v->line = rule ? rule->line : 0;
		out->grpc = v;
		out->n_matches = 1;
		return;
	}
	v = arena_alloc(c->a, l->n * sizeof(*v));
	for (size_t i = 0; i < l->n; i++) {
		const char *mp = gidx(c, gkey(c, path, "matches"), i);

		v[i].line = l->items[i]->line;
		if (!gmap(c, l->items[i], mp))
			continue;
		decode_grpc_method(c, l->items[i], mp, &v[i]);
		v[i].headers = decode_values(c, l->items[i], mp, "headers", true, &v[i].n_headers);
		gunknown(c, l->items[i], mp);
	}
	out->grpc = v;
	out->n_matches = l->n;
}
