/*
 * metrics.c - TrafficMetrics and TrafficMetricsList (metrics.smi-spec.io
 * v1alpha1), as a mesh's metrics API returns them; values are quantities
 * ("10m" seconds = 0.01 s).
 */
#include <errno.h>
#include <string.h>

#include "smi/internal.h"
#include "util/parse.h"

#define MAX_WINDOW_NS (366ULL * 86400 * 1000000000ULL)

static void decode_ref(struct dctx *c, struct smi_object_ref *r, struct ynode *n, const char *path)
{
	if (!want_map(c, n, path))
		return;
	r->kind = str_field(c, n, path, "kind", false);
	r->name = str_field(c, n, path, "name", false);
	r->namespace = str_field(c, n, path, "namespace", false);
	/* The rest of a core ObjectReference is valid and unused. */
	mark_all_used(n);
}

static const char *enum_field(struct dctx *c, struct ynode *map, const char *parent,
			      const char *key, const char *a, const char *b)
{
	const char *s = str_field(c, map, parent, key, false);

	if (s && strcmp(s, a) && strcmp(s, b)) {
		derr(c, field(map, key), path_key(c, parent, key), "'%s' is not %s or %s", s, a, b);
		return NULL;
	}
	return s;
}

static void decode_values(struct dctx *c, struct smi_traffic_metrics *tm, struct ynode *list)
{
	struct smi_metric *m;

	if (!want_seq(c, list, "metrics"))
		return;
	m = arena_alloc(c->a, (list->n + 1) * sizeof(*m));
	for (size_t i = 0; i < list->n; i++) {
		struct ynode *item = list->items[i], *v;
		const char *path = path_index(c, "metrics", i);
		struct smi_metric *cur = &m[tm->n_metrics];
		const char *q;
		int64_t milli;

		if (!want_map(c, item, path))
			continue;
		cur->name = str_field(c, item, path, "name", true);
		cur->unit = str_field(c, item, path, "unit", false);
		v = field_req(c, item, path, "value");
		unknown_fields_plain(c, item, path);
		if (!v || !cur->name)
			continue;
		q = quantity_text(c, v);
		if (!q || quantity_parse(q, &milli, &cur->value)) {
			derr(c, v, path_key(c, path, "value"), "not a quantity (such as 100 or 10m)");
			continue;
		}
		if (cur->value < 0) {
			derr(c, v, path_key(c, path, "value"), "must not be negative");
			continue;
		}
		cur->raw = q;	/* what was read: a number as JSON writes it */
		tm->n_metrics++;
	}
	tm->metrics = m;
}

static void decode_metrics_fields(struct dctx *c, struct smi_traffic_metrics *tm, struct ynode *root)
{
	struct ynode *v, *edge;

	decode_metadata(c, root, &tm->meta, false);
	if ((v = field_req(c, root, "", "resource")))
		decode_ref(c, &tm->resource, v, "resource");
	if ((edge = field(root, "edge")) && want_map(c, edge, "edge")) {
		tm->edge_direction = enum_field(c, edge, "edge", "direction", "to", "from");
		tm->edge_side = enum_field(c, edge, "edge", "side", "client", "server");
		if ((v = field(edge, "resource")))
			decode_ref(c, &tm->edge_resource, v, "edge.resource");
		unknown_fields_plain(c, edge, "edge");
	}
	if ((v = field(root, "backend")) && want_map(c, v, "backend")) {
		struct ynode *w = field(v, "weight");

		tm->has_backend = true;
		tm->backend_apex = str_field(c, v, "backend", "apex", false);
		tm->backend_name = str_field(c, v, "backend", "name", true);
		if (w)
			want_int(c, w, "backend.weight", 0, 2147483647, &tm->backend_weight);
		unknown_fields_plain(c, v, "backend");
	}
	tm->timestamp = str_field(c, root, "", "timestamp", false);
	if ((v = field(root, "window"))) {
		const char *s = want_str(c, v, "window");

		if (s && parse_duration_ns(s, MAX_WINDOW_NS, &tm->window_ns))
			derr(c, v, "window", "'%s' is not a duration (such as 30s)", s);
	}
	if ((v = field(root, "metrics")))
		decode_values(c, tm, v);
	if (!tm->meta.name) {
		tm->meta.name = tm->resource.name;
		if (tm->resource.namespace)
			tm->meta.namespace = tm->resource.namespace;
	}
}

void *decode_metrics(struct dctx *c, struct ynode *root)
{
	struct smi_traffic_metrics *tm = arena_alloc(c->a, sizeof(*tm));

	decode_metrics_fields(c, tm, root);
	return tm;
}

void *decode_metrics_list(struct dctx *c, struct ynode *root)
{
	struct smi_traffic_metrics_list *l = arena_alloc(c->a, sizeof(*l));
	struct ynode *v, *sel;

	decode_metadata(c, root, &l->meta, false);
	if ((v = field(root, "resource")))
		decode_ref(c, &l->resource, v, "resource");
	if (!l->meta.name) {
		l->meta.name = l->resource.name ? l->resource.name : l->resource.kind;
		if (l->resource.namespace)
			l->meta.namespace = l->resource.namespace;
	}
	if ((sel = field(root, "selector")) && want_map(c, sel, "selector")) {
		struct ynode *ml = field(sel, "matchLabels");

		unknown_fields_plain(c, sel, "selector");
		if (ml)
			l->selector_labels = label_map(c, ml, "selector.matchLabels", &l->n_selector_labels);
	}
	/* `items: ...` in the document elides the items: YAML reads it as null. */
	if ((v = field(root, "items")) && want_seq(c, v, "items")) {
		const struct smi_traffic_metrics **items = arena_alloc(c->a, (v->n + 1) * sizeof(*items));

		for (size_t i = 0; i < v->n; i++) {
			struct dctx ic = *c;
			struct smi_traffic_metrics *tm;
			const char *api, *kind;

			ic.errors = 0;
			ic.prefix = path_index(c, "items", i);
			if (!want_map(c, v->items[i], ic.prefix)) {
				c->errors += ic.errors;
				continue;
			}
			api = str_field(&ic, v->items[i], "", "apiVersion", false);
			kind = str_field(&ic, v->items[i], "", "kind", false);
			if ((api && strcmp(api, "metrics.smi-spec.io/v1alpha1")) || (kind && strcmp(kind, "TrafficMetrics")))
				derr(&ic, v->items[i], "", "items must be metrics.smi-spec.io/v1alpha1 TrafficMetrics");
			tm = decode_metrics(&ic, v->items[i]);
			tm->list = l;
			tm->meta.kind = SMI_TRAFFIC_METRICS;
			tm->meta.version = SMI_V1ALPHA1;
			tm->meta.file = c->file;
			tm->meta.line = v->items[i]->line;
			unknown_fields_plain(&ic, v->items[i], "");
			set_add_object(c->set, &tm->meta, ic.errors == 0);
			if (!ic.errors)
				items[l->n_items++] = tm;
			c->errors += ic.errors;
		}
		l->items = items;
	}
	return l;
}
