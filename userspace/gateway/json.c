/* json.c - routes as table summaries and as the normalised JSON of `lint -j`. */
#include <stdio.h>
#include <jansson.h>

#include "gateway/internal.h"

char *gw_route_summary(const struct gw_route *r, char *buf, size_t len)
{
	size_t backends = 0, o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->n_parents && o < len; i++) {
		const struct gw_parent *p = &r->parents[i];
		int w = p->port ? snprintf(buf + o, len - o, "%s%s:%u", i ? ", " : "", p->name, p->port)
				: snprintf(buf + o, len - o, "%s%s", i ? ", " : "", p->name);

		o += w > 0 ? (size_t)w : 0;
	}
	for (size_t i = 0; i < r->n_rules; i++)
		backends += r->rules[i].n_backends;
	if (o < len)
		snprintf(buf + o, len - o, "%s%zu rule%s, %zu backend%s", o ? " -> " : "", r->n_rules,
			 r->n_rules == 1 ? "" : "s", backends, backends == 1 ? "" : "s");
	return buf;
}

static json_t *values_json(const struct gw_value_match *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "type",
			v[i].type == GW_REGEX ? "RegularExpression" : "Exact", "name", v[i].name, "value", v[i].value));
	return a;
}

static json_t *http_match_json(const struct gw_http_match *m)
{
	static const char *const types[] = { "Exact", "PathPrefix", "RegularExpression" };
	json_t *j = json_pack("{s:{s:s, s:s}, s:o, s:o}", "path", "type", types[m->path_type], "value",
			      m->path, "headers", values_json(m->headers, m->n_headers), "queryParams",
			      values_json(m->query, m->n_query));

	if (m->method)
		json_object_set_new(j, "method", json_string(m->method));
	return j;
}

static json_t *grpc_match_json(const struct gw_grpc_match *m)
{
	json_t *j = json_pack("{s:o}", "headers", values_json(m->headers, m->n_headers));

	if (m->has_method)
		json_object_set_new(j, "method", json_pack("{s:s, s:s?, s:s?}", "type",
			m->method_type == GW_REGEX ? "RegularExpression" : "Exact", "service", m->service,
			"method", m->method));
	return j;
}

static json_t *filters_json(const struct gw_filter *f, size_t n)
{
	json_t *a = json_array();

	/* The types only: the configuration is what the manifest says. */
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(gw_filter_name(f[i].type)));
	return a;
}

static json_t *rule_json(const struct gw_route *r, const struct gw_rule *rule)
{
	json_t *matches = json_array(), *backends = json_array();

	for (size_t i = 0; i < rule->n_matches; i++)
		json_array_append_new(matches, r->kind == GW_HTTP_ROUTE ? http_match_json(&rule->http[i])
									 : grpc_match_json(&rule->grpc[i]));
	for (size_t i = 0; i < rule->n_backends; i++) {
		const struct gw_backend *b = &rule->backends[i];

		json_array_append_new(backends, json_pack("{s:s, s:s, s:s?, s:s, s:i, s:i, s:f, s:o}",
			"group", b->group ? b->group : "", "kind", b->kind ? b->kind : "", "name", b->name,
			"namespace", b->namespace, "port", b->port, "weight", (int)b->weight, "share", b->share,
			"filters", filters_json(b->filters, b->n_filters)));
	}
	return json_pack("{s:s?, s:o, s:o, s:o}", "name", rule->name, "matches", matches, "filters",
			 filters_json(rule->filters, rule->n_filters), "backendRefs", backends);
}

json_t *gw_route_json(const struct gw_route *r)
{
	json_t *parents = json_array(), *rules = json_array();
	char api[64];

	for (size_t i = 0; i < r->n_parents; i++) {
		const struct gw_parent *p = &r->parents[i];

		json_array_append_new(parents, json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:i}",
			"group", p->group ? p->group : "", "kind", p->kind ? p->kind : "", "name", p->name,
			"namespace", p->namespace, "sectionName", p->section, "port", p->port));
	}
	for (size_t i = 0; i < r->n_rules; i++)
		json_array_append_new(rules, rule_json(r, &r->rules[i]));
	snprintf(api, sizeof(api), "%s/%s", GW_GROUP, gw_version_name(r->version));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o}", "kind", gw_kind_name(r->kind),
			 "apiVersion", api, "name", r->name, "namespace", r->namespace,
			 "file", r->file, "line", r->line, "parentRefs", parents, "rules", rules);
}
