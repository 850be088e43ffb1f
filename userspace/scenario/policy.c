/* policy.c - see policy.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gateway.h"
#include "scenario/policy.h"
#include "util/log.h"
#include "util/yaml_json.h"

static bool is_smi(const struct sc_object *o)
{
	size_t n = strlen(o->group), suffix = strlen(".smi-spec.io");

	return n > suffix && !strcmp(o->group + n - suffix, ".smi-spec.io");
}

/* What the mesh is given: SMI objects, and Gateway API routes. */
static bool is_policy(const struct sc_object *o)
{
	return is_smi(o) || (!strcmp(o->group, GW_GROUP) && (!strcmp(o->kind, "HTTPRoute") ||
							       !strcmp(o->kind, "GRPCRoute")));
}

static bool same_object(const struct sc_object *a, const struct sc_object *b)
{
	return !strcmp(a->group, b->group) && !strcmp(a->kind, b->kind) && !strcmp(a->ns, b->ns) &&
	       !strcmp(a->name, b->name);
}

/* Removes o from the active list (if there), keeping the order of the rest. */
static void drop(const struct sc_object **v, size_t *n, const struct sc_object *o)
{
	for (size_t i = 0; i < *n; i++)
		if (same_object(v[i], o)) {
			memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof(*v));
			(*n)--;
			return;
		}
}

const struct sc_object **policy_objects(const struct scenario *sc, unsigned step, size_t *n)
{
	size_t cap = 0;
	const struct sc_object **v;

	for (size_t i = 0; i < sc->n_steps; i++)
		for (size_t j = 0; j < sc->steps[i].n_apply; j++)
			cap += sc->steps[i].apply[j].n_objects;
	v = calloc(cap + 1, sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < sc->n_steps && sc->steps[i].index <= step; i++) {
		const struct sc_step *st = &sc->steps[i];

		for (size_t j = 0; j < st->n_del; j++)
			for (size_t k = 0; k < st->del[j].n_objects; k++)
				drop(v, n, &st->del[j].objects[k]);
		for (size_t j = 0; j < st->n_apply; j++)
			for (size_t k = 0; k < st->apply[j].n_objects; k++) {
				const struct sc_object *o = &st->apply[j].objects[k];

				if (!is_policy(o))
					continue;
				drop(v, n, o);
				v[(*n)++] = o;
			}
	}
	return v;
}

/* The manifest file an object came from, for diagnostics. */
static const char *file_of(const struct scenario *sc, const struct sc_object *o)
{
	for (size_t i = 0; i < sc->n_steps; i++)
		for (size_t j = 0; j < sc->steps[i].n_apply; j++) {
			const struct sc_manifest *m = &sc->steps[i].apply[j];

			if (o >= m->objects && o < m->objects + m->n_objects)
				return m->path;
		}
	return sc->path;
}

static int build_one(const struct scenario *sc, unsigned step, struct smi_set **out, struct gw_set **routes)
{
	struct smi_load_opts opts = { .default_namespace = sc->ns };
	struct gw_set *gw = gw_set_new();
	const struct sc_object **v;
	struct smi_set *set;
	size_t n;
	char msg[512];
	bool bad;

	v = gw ? policy_objects(sc, step, &n) : NULL;
	if (gw)
		gw_attach(gw, &opts);
	set = v ? smi_set_new(&opts) : NULL;
	if (!set) {
		free(v);
		gw_set_free(gw);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		smi_set_load_buffer(set, file_of(sc, v[i]), v[i]->text, strlen(v[i]->text));
	free(v);
	bad = smi_set_finish(set) != 0;
	bad |= gw_set_finish(gw, set) != 0;
	*routes = gw;
	if (bad) {
		for (size_t i = 0; i < set->diags.n; i++)
			if (set->diags.v[i].severity == SMI_ERROR) {
				smi_diag_format(&set->diags.v[i], msg, sizeof(msg));
				error("cannot load %s (policy in force at step %u of '%s')", msg, step, sc->path);
				break;
			}
		smi_set_free(set);
		return -EINVAL;
	}
	*out = set;
	return 0;
}

/*
 * One route document as the mesh gets it: in the scenario's namespace
 * unless it names one, in the version asked for its kind. Returns a new
 * object, or NULL when the text is not a route (left to the loader).
 */
static json_t *route_doc(const struct scenario *sc, const struct sc_object *o, const int *gw_api)
{
	char err[200], api[96];
	json_t *docs = yaml_json_load_buffer(o->text, strlen(o->text), err, sizeof(err)), *doc, *md;
	const char *kind;

	doc = json_incref(json_array_get(docs, 0));
	json_decref(docs);
	md = json_object_get(doc, "metadata");
	kind = json_string_value(json_object_get(doc, "kind"));
	if (!json_is_object(md) || !kind) {
		json_decref(doc);
		return NULL;
	}
	if (!json_is_string(json_object_get(md, "namespace")))
		json_object_set_new(md, "namespace", json_string(sc->ns));
	for (int k = 0; gw_api && k < GW_KIND_COUNT; k++)
		if (gw_api[k] && !strcmp(kind, gw_kind_name(k))) {
			snprintf(api, sizeof(api), "%s/%s", GW_GROUP, gw_version_name(gw_api[k]));
			json_object_set_new(doc, "apiVersion", json_string(api));
		}
	return doc;
}

int policy_write_routes(const struct scenario *sc, unsigned step, const int *gw_api, FILE *f)
{
	const struct sc_object **v;
	size_t n;
	int count = 0;

	v = policy_objects(sc, step, &n);
	if (!v)
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		json_t *doc;

		if (is_smi(v[i]))
			continue;
		fprintf(f, "---\n# %s, line %u\n", file_of(sc, v[i]), v[i]->line);
		doc = route_doc(sc, v[i], gw_api);
		if (doc) {
			json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', f);
		} else {
			/* The text is preceded by newlines that keep its line numbers: not needed here. */
			const char *text = v[i]->text + strspn(v[i]->text, "\n");

			fprintf(f, "%s%s", text, *text && text[strlen(text) - 1] == '\n' ? "" : "\n");
		}
		json_decref(doc);
		count++;
	}
	free(v);
	return ferror(f) ? -EIO : count;
}

bool policy_judges_headers(const struct scenario *sc)
{
	for (size_t i = 0; i < sc->n_steps; i++)
		for (size_t j = 0; j < sc->steps[i].n_traffic; j++)
			if (sc->steps[i].traffic[j].expect.route)
				return true;
	return false;
}

int policy_build(struct policy *p, const struct scenario *sc)
{
	p->n = sc->n_steps;
	p->sets = calloc(p->n + 1, sizeof(*p->sets));
	p->routes = calloc(p->n + 1, sizeof(*p->routes));
	if (!p->sets || !p->routes)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		int r = build_one(sc, sc->steps[i].index, &p->sets[i], &p->routes[i]);

		if (r)
			return r;
	}
	return 0;
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n; i++) {
		smi_set_free(p->sets[i]);
		gw_set_free(p->routes ? p->routes[i] : NULL);
	}
	free(p->sets);
	free(p->routes);
	memset(p, 0, sizeof(*p));
}
