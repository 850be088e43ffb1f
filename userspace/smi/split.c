/*
 * split.c - TrafficSplit, split.smi-spec.io v1alpha1..v1alpha4.
 *
 * v1alpha1 weights are Kubernetes quantities ("Identical to resources,
 * 1 = 1000m", traffic-split v1alpha1); from v1alpha2 on "Weights must be
 * whole numbers". v1alpha3 adds spec.matches (HTTPRouteGroup references).
 * Every weight is kept in thousandths so shares compare across versions.
 */
#include <errno.h>
#include <string.h>

#include "smi/internal.h"

#define MAX_WEIGHT 2147483647LL	/* integer weights; quantities up to the same number of units */

static bool decode_weight(struct dctx *c, struct ynode *w, const char *path, int64_t *milli)
{
	int64_t v;
	double d;

	if (c->version >= SMI_V1ALPHA2) {
		if (!want_int(c, w, path, 0, MAX_WEIGHT, &v))
			return false;
		*milli = v * 1000;
		return true;
	}
	/* v1alpha1: a quantity, written as a number (1) or a string ("500m"). */
	const char *q = quantity_text(c, w);

	if (!q) {
		derr(c, w, path, "expected a quantity such as 1 or 500m");
		return false;
	}
	int r = quantity_parse(q, &v, &d);

	if (r == -EINVAL || !strcmp(q, "")) {
		derr(c, w, path, "'%s' is not a quantity (such as 1 or 500m)", w->str);
		return false;
	}
	if (r == 0 && v < 0) {
		derr(c, w, path, "must not be negative");
		return false;
	}
	if (r || v > MAX_WEIGHT * 1000) {
		derr(c, w, path, "out of range (0-%lld)", MAX_WEIGHT);
		return false;
	}
	*milli = v;
	return true;
}

static void decode_backends(struct dctx *c, struct smi_traffic_split *ts, struct ynode *list)
{
	struct smi_backend *b;
	int64_t sum = 0;
	size_t n = 0;

	if (!want_seq(c, list, "spec.backends"))
		return;
	if (list->n == 0) {
		derr(c, list, "spec.backends", "no backends");
		return;
	}
	b = arena_alloc(c->a, list->n * sizeof(*b));
	for (size_t i = 0; i < list->n; i++) {
		struct ynode *item = list->items[i], *w;
		const char *path = path_index(c, "spec.backends", i);
		int errors = c->errors;

		if (!want_map(c, item, path))
			continue;
		b[n].service = str_field(c, item, path, "service", true);
		if (b[n].service && ts->service && !strcmp(b[n].service, ts->service))
			dwarn(c, field(item, "service"), path_key(c, path, "service"),
			      "the apex service is also a backend (the spec says TrafficSplits cannot be self-referential)");
		w = field_req(c, item, path, "weight");
		if (w)
			decode_weight(c, w, path_key(c, path, "weight"), &b[n].weight_milli);
		unknown_fields_plain(c, item, path);
		for (size_t j = 0; j < n && b[n].service; j++)
			if (b[j].service && !strcmp(b[j].service, b[n].service))
				dwarn(c, item, path_key(c, path, "service"),
				      "backend '%s' is listed twice; its weights add up", b[n].service);
		if (c->errors == errors) {
			sum += b[n].weight_milli;
			n++;
		}
	}
	if (n == list->n && sum == 0) {
		derr(c, list, "spec.backends", "all backend weights are zero");
		return;
	}
	for (size_t i = 0; i < n; i++)
		b[i].share = sum ? (double)b[i].weight_milli / (double)sum : 0;
	ts->backends = b;
	ts->n_backends = n;
}

static void decode_matches(struct dctx *c, struct smi_traffic_split *ts, struct ynode *list)
{
	struct smi_split_match *m;

	if (!want_seq(c, list, "spec.matches"))
		return;
	m = arena_alloc(c->a, (list->n + 1) * sizeof(*m));
	for (size_t i = 0; i < list->n; i++) {
		struct ynode *item = list->items[i];
		const char *path = path_index(c, "spec.matches", i);
		const char *kind;

		if (!want_map(c, item, path))
			continue;
		kind = str_field(c, item, path, "kind", true);
		if (kind && strcmp(kind, "HTTPRouteGroup"))
			derr(c, field(item, "kind"), path_key(c, path, "kind"),
			     "'%s' is not allowed (expected HTTPRouteGroup)", kind);
		m[ts->n_matches].line = item->line;
		m[ts->n_matches].name = str_field(c, item, path, "name", true);
		unknown_fields_plain(c, item, path);
		if (m[ts->n_matches].name)
			ts->n_matches++;
	}
	ts->matches = m;
}

void *decode_split(struct dctx *c, struct ynode *root)
{
	struct smi_traffic_split *ts = arena_alloc(c->a, sizeof(*ts));
	struct ynode *spec = field_req(c, root, "", "spec"), *v;

	if (!spec || !want_map(c, spec, "spec"))
		return ts;
	ts->service = str_field(c, spec, "spec", "service", true);
	if ((v = field_req(c, spec, "spec", "backends")))
		decode_backends(c, ts, v);
	if (c->version >= SMI_V1ALPHA3 && (v = field(spec, "matches")))
		decode_matches(c, ts, v);
	unknown_fields_plain(c, spec, "spec");
	return ts;
}
