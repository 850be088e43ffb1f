/*
 * specs.c - HTTPRouteGroup, TCPRoute, UDPRoute (specs.smi-spec.io).
 *
 * Shapes per version: v1alpha1 and v1alpha2 keep `matches` at the top level,
 * v1alpha3 and v1alpha4 under `spec`; header filters appear in v1alpha2;
 * TCPRoute ports and UDPRoute appear in v1alpha4 (earlier TCPRoutes cover
 * every port).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smi/internal.h"

static unsigned decode_methods(struct dctx *c, struct ynode *list, const char *path)
{
	unsigned bits = 0;

	if (!want_seq(c, list, path))
		return SMI_METHOD_ANY;
	/*
	 * An empty list is read as "any method": Go implementations cannot tell
	 * `methods: []` from an absent field, and the spec says only that absent
	 * methods mean all methods (traffic-specs v1alpha2+, "When pathRegex and
	 * methods are not defined ... all HTTP methods").
	 */
	if (list->n == 0)
		return SMI_METHOD_ANY;
	for (size_t i = 0; i < list->n; i++) {
		const char *p = path_index(c, path, i);
		const char *m = want_str(c, list->items[i], p);
		unsigned bit;

		if (!m)
			continue;
		if (!strcmp(m, "*")) {
			bits = SMI_METHOD_ANY;
			continue;
		}
		bit = smi_method_bit(m);
		if (!bit)
			derr(c, list->items[i], p, "'%s' is not an HTTP method (expected *, GET, HEAD, PUT, POST, DELETE, CONNECT, OPTIONS, TRACE or PATCH)", m);
		bits |= bit;
	}
	return bits ? bits : SMI_METHOD_ANY;
}

static void add_header(struct dctx *c, struct smi_header_filter *h, size_t *n,
		       struct ynode *key, struct ynode *value, const char *path)
{
	char err[256];
	const char *name, *re;

	name = want_str(c, key, path);
	re = want_str(c, value, path_key(c, path, name ? name : "?"));
	if (!name || !re)
		return;
	if (!*name) {
		derr(c, key, path, "empty header name");
		return;
	}
	for (size_t i = 0; i < *n; i++)
		if (!strcasecmp(h[i].name, name))
			dwarn(c, key, path_key(c, path, name),
			      "header '%s' is filtered twice; both filters must match", name);
	h[*n].name = name;
	h[*n].value = regex_compile(c->set, re, REGEX_SEARCH, err, sizeof(err));
	if (!h[*n].value) {
		derr(c, value, path_key(c, path, name), "%s", err);
		return;
	}
	if (regex_re2_note(re))
		dwarn(c, value, path_key(c, path, name), "%s", regex_re2_note(re));
	(*n)++;
}

/*
 * The documents write headers as a mapping (name: regex); the published CRD
 * schema types them as a list of such mappings. Both mean the same AND of
 * filters, so both are read.
 */
static void decode_headers(struct dctx *c, struct smi_http_match *m, struct ynode *h, const char *path)
{
	struct smi_header_filter *f;
	size_t total = 0, n = 0;

	if (h->type == YNODE_MAP) {
		total = h->n;
	} else if (h->type == YNODE_SEQ) {
		for (size_t i = 0; i < h->n; i++)
			if (want_map(c, h->items[i], path_index(c, path, i)))
				total += h->items[i]->n;
	} else {
		derr(c, h, path, "expected a mapping of header names to regular expressions");
		return;
	}
	f = arena_alloc(c->a, (total + 1) * sizeof(*f));
	if (h->type == YNODE_MAP) {
		mark_all_used(h);
		for (size_t i = 0; i < h->n; i++)
			add_header(c, f, &n, h->keys[i], h->items[i], path);
	} else {
		for (size_t i = 0; i < h->n; i++) {
			struct ynode *item = h->items[i];

			if (item->type != YNODE_MAP)
				continue;
			mark_all_used(item);
			for (size_t j = 0; j < item->n; j++)
				add_header(c, f, &n, item->keys[j], item->items[j], path_index(c, path, i));
		}
	}
	m->headers = f;
	m->n_headers = n;
}

static void decode_http_match(struct dctx *c, struct smi_http_match *m, struct ynode *item,
			      const char *path)
{
	char err[256];
	struct ynode *v;
	const char *re;

	m->line = item->line;
	m->methods = SMI_METHOD_ANY;
	m->name = str_field(c, item, path, "name", true);
	re = str_field(c, item, path, "pathRegex", false);
	if (re) {
		m->path_regex = regex_compile(c->set, re, REGEX_ANCHOR_START, err, sizeof(err));
		if (!m->path_regex)
			derr(c, field(item, "pathRegex"), path_key(c, path, "pathRegex"), "%s", err);
		else if (regex_re2_note(re))
			dwarn(c, field(item, "pathRegex"), path_key(c, path, "pathRegex"), "%s", regex_re2_note(re));
	}
	if ((v = field(item, "methods")))
		m->methods = decode_methods(c, v, path_key(c, path, "methods"));
	if (c->version >= SMI_V1ALPHA2 && (v = field(item, "headers")))
		decode_headers(c, m, v, path_key(c, path, "headers"));
	unknown_fields_plain(c, item, path);
}

void *decode_http_route_group(struct dctx *c, struct ynode *root)
{
	struct smi_http_route_group *g = arena_alloc(c->a, sizeof(*g));
	bool in_spec = c->version >= SMI_V1ALPHA3;
	const char *base = in_spec ? "spec.matches" : "matches";
	struct smi_http_match *m;
	struct ynode *spec = root, *list;

	if (in_spec) {
		spec = field_req(c, root, "", "spec");
		if (!spec || !want_map(c, spec, "spec"))
			return g;
	}
	list = field_req(c, spec, in_spec ? "spec" : "", "matches");
	if (list && want_seq(c, list, base)) {
		m = arena_alloc(c->a, (list->n + 1) * sizeof(*m));
		for (size_t i = 0; i < list->n; i++) {
			const char *path = path_index(c, base, i);

			if (!want_map(c, list->items[i], path))
				continue;
			decode_http_match(c, &m[g->n_matches], list->items[i], path);
			if (!m[g->n_matches].name)
				continue;
			/* "The name is the primary key" (traffic-specs, HTTPRouteGroup). */
			for (size_t j = 0; j < g->n_matches; j++)
				if (!strcmp(m[j].name, m[g->n_matches].name))
					derr(c, field(list->items[i], "name"), path_key(c, path, "name"),
					     "duplicate match name '%s' (first at line %d)", m[j].name, m[j].line);
			g->n_matches++;
		}
		g->matches = m;
		if (list->n == 0)
			dwarn(c, list, base, "no matches: rules that use this group allow nothing");
	}
	if (in_spec)
		unknown_fields_plain(c, spec, "spec");
	return g;
}

static void decode_ports(struct dctx *c, struct smi_port_route *r, struct ynode *spec)
{
	struct ynode *matches, *ports;
	uint16_t *p;

	matches = field_req(c, spec, "spec", "matches");
	if (!matches || !want_map(c, matches, "spec.matches"))
		return;
	ports = field_req(c, matches, "spec.matches", "ports");
	unknown_fields_plain(c, matches, "spec.matches");
	if (!ports || !want_seq(c, ports, "spec.matches.ports"))
		return;
	p = arena_alloc(c->a, (ports->n + 1) * sizeof(*p));
	for (size_t i = 0; i < ports->n; i++) {
		int64_t v;

		if (want_int(c, ports->items[i], path_index(c, "spec.matches.ports", i), 1, 65535, &v))
			p[r->n_ports++] = (uint16_t)v;
	}
	r->ports = p;
}

void *decode_port_route(struct dctx *c, struct ynode *root, enum smi_kind kind)
{
	struct smi_port_route *r = arena_alloc(c->a, sizeof(*r));
	struct ynode *spec;

	(void)kind;
	/* Before v1alpha3 a TCPRoute has no spec; v1alpha3 shows `spec: {}`. */
	if (c->version < SMI_V1ALPHA3)
		return r;
	spec = field(root, "spec");
	if (!spec)
		return r;	/* no spec: the CRD does not require one; every port */
	if (!want_map(c, spec, "spec"))
		return r;
	if (c->version >= SMI_V1ALPHA4)
		decode_ports(c, r, spec);
	unknown_fields_plain(c, spec, "spec");
	return r;
}
