/* json.c - normalised objects as JSON (lint -j) and as one-line summaries. */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "smi/internal.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *identity_json(const struct smi_identity *id)
{
	return json_pack("{s:s, s:o, s:o}", "kind",
			 id->kind == SMI_ID_IDENTITY_BINDING ? "IdentityBinding" : "ServiceAccount",
			 "name", str_or_null(id->name), "namespace", str_or_null(id->namespace));
}

static json_t *methods_json(unsigned bits)
{
	json_t *a = json_array();

	if (bits == SMI_METHOD_ANY)
		json_array_append_new(a, json_string("*"));
	else
		for (unsigned b = 1; b < SMI_METHOD_ANY; b <<= 1)
			if (bits & b)
				json_array_append_new(a, json_string(smi_method_name(b)));
	return a;
}

static json_t *http_match_json(const struct smi_http_match *m)
{
	json_t *headers = json_array();

	for (size_t i = 0; i < m->n_headers; i++)
		json_array_append_new(headers, json_pack("{s:s, s:s}", "name", m->headers[i].name,
					"regex", smi_regex_source(m->headers[i].value)));
	return json_pack("{s:s, s:o, s:o, s:o}", "name", m->name,
			 "pathRegex", str_or_null(smi_regex_source(m->path_regex)),
			 "methods", methods_json(m->methods), "headers", headers);
}

static json_t *labels_json(const struct smi_label *l, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, l[i].key, json_string(l[i].value));
	return o;
}

static json_t *ref_json(const struct smi_object_ref *r)
{
	return json_pack("{s:o, s:o, s:o}", "kind", str_or_null(r->kind), "name", str_or_null(r->name),
			 "namespace", str_or_null(r->namespace));
}

static void split_json(json_t *o, const struct smi_traffic_split *ts, bool with_source)
{
	json_t *backends = json_array(), *matches = json_array();

	for (size_t i = 0; i < ts->n_backends; i++) {
		const struct smi_backend *b = &ts->backends[i];
		json_t *j = json_pack("{s:s, s:f}", "service", b->service, "share", b->share);

		/* The weights as written depend on the version; the shares do not. */
		if (with_source)
			json_object_set_new(j, "weight_milli", json_integer(b->weight_milli));
		json_array_append_new(backends, j);
	}
	for (size_t i = 0; i < ts->n_matches; i++)
		json_array_append_new(matches, json_pack("{s:s, s:s}", "kind", "HTTPRouteGroup",
							 "name", ts->matches[i].name));
	json_object_set_new(o, "service", json_string(ts->service));
	json_object_set_new(o, "backends", backends);
	json_object_set_new(o, "matches", matches);
}

static void target_json(json_t *o, const struct smi_traffic_target *t)
{
	json_t *rules = json_array(), *sources = json_array(), *dst = identity_json(&t->destination);

	json_object_set_new(dst, "port", t->port ? json_integer(t->port) : json_null());
	for (size_t i = 0; i < t->n_rules; i++) {
		const struct smi_rule *r = &t->rules[i];
		json_t *names = json_array();

		for (size_t j = 0; j < r->n_match_names; j++)
			json_array_append_new(names, json_string(r->match_names[j]));
		json_array_append_new(rules, json_pack("{s:s, s:s, s:o}", "kind", smi_kind_name(r->kind),
						       "name", r->name, "matches", names));
	}
	for (size_t i = 0; i < t->n_sources; i++)
		json_array_append_new(sources, identity_json(&t->sources[i]));
	json_object_set_new(o, "destination", dst);
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "sources", sources);
}

static json_t *metrics_body_json(const struct smi_traffic_metrics *tm)
{
	json_t *o = json_object(), *values = json_array();

	json_object_set_new(o, "resource", ref_json(&tm->resource));
	if (tm->edge_direction || tm->edge_side)
		json_object_set_new(o, "edge", json_pack("{s:o, s:o, s:o}",
			"direction", str_or_null(tm->edge_direction), "side", str_or_null(tm->edge_side),
			"resource", ref_json(&tm->edge_resource)));
	if (tm->has_backend)
		json_object_set_new(o, "backend", json_pack("{s:o, s:o, s:I}", "apex", str_or_null(tm->backend_apex),
			"name", str_or_null(tm->backend_name), "weight", (json_int_t)tm->backend_weight));
	json_object_set_new(o, "timestamp", str_or_null(tm->timestamp));
	json_object_set_new(o, "window_seconds", json_real((double)tm->window_ns / 1e9));
	for (size_t i = 0; i < tm->n_metrics; i++)
		json_array_append_new(values, json_pack("{s:s, s:o, s:f, s:s}", "name", tm->metrics[i].name,
			"unit", str_or_null(tm->metrics[i].unit), "value", tm->metrics[i].value,
			"raw", tm->metrics[i].raw));
	json_object_set_new(o, "metrics", values);
	return o;
}

static void binding_json(json_t *o, const struct smi_meta *m)
{
	const struct smi_identity_binding *b = (const void *)m;
	json_t *ids = json_array();

	for (size_t i = 0; i < b->n_spiffe; i++)
		json_array_append_new(ids, json_string(b->spiffe[i]));
	json_object_set_new(o, "serviceAccount", str_or_null(b->service_account));
	json_object_set_new(o, "podLabelSelector", b->has_selector ?
		labels_json(b->match_labels, b->n_match_labels) : json_null());
	json_object_set_new(o, "spiffeIdentities", ids);
}

static void route_group_json(json_t *o, const struct smi_meta *m)
{
	const struct smi_http_route_group *g = (const void *)m;
	json_t *a = json_array();

	for (size_t i = 0; i < g->n_matches; i++)
		json_array_append_new(a, http_match_json(&g->matches[i]));
	json_object_set_new(o, "matches", a);
}

static void port_route_json(json_t *o, const struct smi_meta *m)
{
	const struct smi_port_route *r = (const void *)m;
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_ports; i++)
		json_array_append_new(a, json_integer(r->ports[i]));
	json_object_set_new(o, "ports", a);
}

static void metrics_object_json(json_t *o, const struct smi_meta *m)
{
	json_t *body = metrics_body_json((const void *)m);

	json_object_update(o, body);
	json_decref(body);
}

static void metrics_list_json(json_t *o, const struct smi_meta *m)
{
	const struct smi_traffic_metrics_list *l = (const void *)m;
	json_t *items = json_array();

	for (size_t i = 0; i < l->n_items; i++)
		json_array_append_new(items, metrics_body_json(l->items[i]));
	json_object_set_new(o, "resource", ref_json(&l->resource));
	json_object_set_new(o, "selector", labels_json(l->selector_labels, l->n_selector_labels));
	json_object_set_new(o, "items", items);
}

json_t *smi_object_json(const struct smi_meta *m, bool with_source)
{
	json_t *o = json_pack("{s:s, s:o, s:o}", "kind", smi_kind_name(m->kind),
			      "namespace", str_or_null(m->namespace), "name", str_or_null(m->name));
	char api[64];

	if (!o)
		return NULL;
	if (with_source) {
		json_object_set_new(o, "apiVersion", json_string(api_version_string(m->kind, m->version, api, sizeof(api))));
		json_object_set_new(o, "file", json_string(m->file));
		json_object_set_new(o, "line", json_integer(m->line));
	}
	switch (m->kind) {
	case SMI_TRAFFIC_SPLIT: split_json(o, (const void *)m, with_source); break;
	case SMI_TRAFFIC_TARGET: target_json(o, (const void *)m); break;
	case SMI_IDENTITY_BINDING: binding_json(o, m); break;
	case SMI_HTTP_ROUTE_GROUP: route_group_json(o, m); break;
	case SMI_TCP_ROUTE:
	case SMI_UDP_ROUTE: port_route_json(o, m); break;
	case SMI_TRAFFIC_METRICS: metrics_object_json(o, m); break;
	default: metrics_list_json(o, m); break;
	}
	return o;
}

json_t *smi_set_json(const struct smi_set *set, bool with_source)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < set->n_objects; i++)
		json_array_append_new(a, smi_object_json(set->objects[i], with_source));
	return a;
}

struct sbuf {
	char *p;
	size_t len, o;
};

static void sb(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->o, b->o < b->len ? b->len - b->o : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->o = b->o + (size_t)n < b->len ? b->o + (size_t)n : b->len - 1;
}

static void sb_methods(struct sbuf *b, unsigned bits)
{
	if (bits == SMI_METHOD_ANY) {
		sb(b, "*");
		return;
	}
	const char *sep = "";

	for (unsigned m = 1; m < SMI_METHOD_ANY; m <<= 1)
		if (bits & m) {
			sb(b, "%s%s", sep, smi_method_name(m));
			sep = ",";
		}
}

static void sb_identity(struct sbuf *b, const struct smi_identity *id)
{
	sb(b, "%s %s/%s", id->kind == SMI_ID_IDENTITY_BINDING ? "IdentityBinding" : "ServiceAccount",
	   id->namespace, id->name);
}

static void split_summary(struct sbuf *b, const struct smi_meta *m)
{
	const struct smi_traffic_split *ts = (const void *)m;

	sb(b, "%s ->", ts->service);
	for (size_t i = 0; i < ts->n_backends; i++)
		sb(b, "%s %s %.1f%%", i ? "," : "", ts->backends[i].service, ts->backends[i].share * 100);
	for (size_t i = 0; i < ts->n_matches; i++)
		sb(b, "%s HTTPRouteGroup %s", i ? "," : " when", ts->matches[i].name);
}

static void target_summary(struct sbuf *b, const struct smi_meta *m)
{
	const struct smi_traffic_target *t = (const void *)m;

	for (size_t i = 0; i < t->n_sources; i++) {
		sb(b, "%s", i ? ", " : "");
		sb_identity(b, &t->sources[i]);
	}
	sb(b, "%s-> ", t->n_sources ? " " : "(no sources) ");
	sb_identity(b, &t->destination);
	if (t->port)
		sb(b, ":%u", t->port);
	for (size_t i = 0; i < t->n_rules; i++) {
		const struct smi_rule *r = &t->rules[i];

		sb(b, "%s %s %s", i ? "," : " via", smi_kind_name(r->kind), r->name);
		for (size_t j = 0; j < r->n_match_names; j++)
			sb(b, "%s%s", j ? "," : "[", r->match_names[j]);
		if (r->n_match_names)
			sb(b, "]");
	}
	if (!t->n_rules)
		sb(b, " (no rules: allows nothing)");
}

static void binding_summary(struct sbuf *b, const struct smi_meta *m)
{
	const struct smi_identity_binding *ib = (const void *)m;
	const char *sep = "";

	if (ib->service_account) {
		sb(b, "serviceAccount %s", ib->service_account);
		sep = "; ";
	}
	if (ib->has_selector) {
		sb(b, "%spods", sep);
		for (size_t i = 0; i < ib->n_match_labels; i++)
			sb(b, "%s%s=%s", i ? "," : " ", ib->match_labels[i].key, ib->match_labels[i].value);
		sep = "; ";
	}
	for (size_t i = 0; i < ib->n_spiffe; i++) {
		sb(b, "%sspiffe %s", sep, ib->spiffe[i]);
		sep = "; ";
	}
}

static void route_group_summary(struct sbuf *b, const struct smi_meta *m)
{
	const struct smi_http_route_group *g = (const void *)m;

	for (size_t i = 0; i < g->n_matches; i++) {
		const struct smi_http_match *hm = &g->matches[i];

		sb(b, "%s%s: ", i ? "; " : "", hm->name);
		sb_methods(b, hm->methods);
		sb(b, " %s", hm->path_regex ? smi_regex_source(hm->path_regex) : "(any path)");
		for (size_t j = 0; j < hm->n_headers; j++)
			sb(b, " %s~%s", hm->headers[j].name, smi_regex_source(hm->headers[j].value));
	}
	if (!g->n_matches)
		sb(b, "(no matches)");
}

static void port_route_summary(struct sbuf *b, const struct smi_meta *m)
{
	const struct smi_port_route *r = (const void *)m;

	if (!r->n_ports)
		sb(b, "all ports");
	for (size_t i = 0; i < r->n_ports; i++)
		sb(b, "%s%u", i ? "," : "ports ", r->ports[i]);
}

static void metrics_summary(struct sbuf *b, const struct smi_meta *m)
{
	const struct smi_traffic_metrics *tm = (const void *)m;

	sb(b, "%s %s", tm->resource.kind ? tm->resource.kind : "?", tm->resource.name ? tm->resource.name : "?");
	if (tm->edge_direction)
		sb(b, " %s %s (%s side)", tm->edge_direction,
		   tm->edge_resource.name ? tm->edge_resource.name : "*", tm->edge_side ? tm->edge_side : "?");
	for (size_t i = 0; i < tm->n_metrics; i++)
		sb(b, "%s %s=%s", i ? "," : ":", tm->metrics[i].name, tm->metrics[i].raw);
}

static void metrics_list_summary(struct sbuf *b, const struct smi_meta *m)
{
	const struct smi_traffic_metrics_list *l = (const void *)m;

	sb(b, "%zu item%s", l->n_items, l->n_items == 1 ? "" : "s");
}

char *smi_object_summary(const struct smi_meta *m, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0 };

	if (!len)
		return buf;
	buf[0] = '\0';
	switch (m->kind) {
	case SMI_TRAFFIC_SPLIT: split_summary(&b, m); break;
	case SMI_TRAFFIC_TARGET: target_summary(&b, m); break;
	case SMI_IDENTITY_BINDING: binding_summary(&b, m); break;
	case SMI_HTTP_ROUTE_GROUP: route_group_summary(&b, m); break;
	case SMI_TCP_ROUTE:
	case SMI_UDP_ROUTE: port_route_summary(&b, m); break;
	case SMI_TRAFFIC_METRICS: metrics_summary(&b, m); break;
	default: metrics_list_summary(&b, m); break;
	}
	return buf;
}
