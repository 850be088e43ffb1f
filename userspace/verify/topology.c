/* topology.c - see topology.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "util/log.h"
#include "verify/topology.h"

static const char *str(struct topology *t, json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return arena_strdup(&t->strings, json_is_string(v) ? json_string_value(v) : "");
}

static int load_pods(struct topology *t, json_t *arr)
{
	size_t i;
	json_t *p;

	t->pods = calloc(json_array_size(arr) + 1, sizeof(*t->pods));
	if (!t->pods)
		return -ENOMEM;
	json_array_foreach(arr, i, p) {
		struct topo_pod *tp = &t->pods[t->n_pods];

		tp->ns = str(t, p, "namespace");
		tp->name = str(t, p, "name");
		tp->sa = str(t, p, "service_account");
		tp->ip = str(t, p, "ip");
		if (!tp->ip)
			return -ENOMEM;
		if (!*tp->name) {
			error("cannot load inventory '%s': pods[%zu].name: missing", t->path, i);
			return -EINVAL;
		}
		t->n_pods++;
	}
	return 0;
}

static int load_services(struct topology *t, json_t *arr)
{
	size_t i, j;
	json_t *s, *e;

	t->services = calloc(json_array_size(arr) + 1, sizeof(*t->services));
	if (!t->services)
		return -ENOMEM;
	json_array_foreach(arr, i, s) {
		struct topo_service *ts = &t->services[t->n_services];
		json_t *eps = json_object_get(s, "endpoints");

		ts->ns = str(t, s, "namespace");
		ts->name = str(t, s, "name");
		ts->ip = str(t, s, "ip");
		if (!ts->ip)
			return -ENOMEM;
		if (!*ts->name) {
			error("cannot load inventory '%s': services[%zu].name: missing", t->path, i);
			return -EINVAL;
		}
		ts->endpoints = calloc(json_array_size(eps) + 1, sizeof(*ts->endpoints));
		if (!ts->endpoints)
			return -ENOMEM;
		t->n_services++;
		json_array_foreach(eps, j, e) {
			if (!json_is_string(e)) {
				error("cannot load inventory '%s': services[%zu].endpoints[%zu]: not a string",
				      t->path, i, j);
				return -EINVAL;
			}
			ts->endpoints[ts->n_endpoints] = arena_strdup(&t->strings, json_string_value(e));
			if (!ts->endpoints[ts->n_endpoints++])
				return -ENOMEM;
		}
	}
	return 0;
}

int topo_load(struct topology *t, const char *path)
{
	json_error_t jerr;
	json_t *doc, *v, *mesh;
	int r;

	t->path = arena_strdup(&t->strings, path);
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		error("cannot load inventory '%s': line %d: %s", path, jerr.line, jerr.text);
		return -EINVAL;
	}
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		error("cannot load inventory '%s': version: unsupported (this reader knows 1)", path);
		json_decref(doc);
		return -EINVAL;
	}
	mesh = json_object_get(doc, "mesh");
	t->mesh_name = str(t, mesh, "name");
	t->mesh_pod = str(t, mesh, "pod");
	r = load_pods(t, json_object_get(doc, "pods"));
	if (!r)
		r = load_services(t, json_object_get(doc, "services"));
	if (r == -ENOMEM)
		error("cannot load inventory '%s': out of memory", path);
	json_decref(doc);
	return r;
}

/* Splits "ns/name" (or takes "name" in default_ns) without allocating. */
static void split_ref(const char *default_ns, const char *ref, const char **ns, size_t *ns_len,
		      const char **name)
{
	const char *slash = strchr(ref, '/');

	if (slash) {
		*ns = ref;
		*ns_len = (size_t)(slash - ref);
		*name = slash + 1;
	} else {
		*ns = default_ns ? default_ns : "";
		*ns_len = strlen(*ns);
		*name = ref;
	}
}

static int same_ns(const char *a, size_t a_len, const char *b)
{
	return strlen(b) == a_len && !strncmp(a, b, a_len);
}

const struct topo_pod *topo_pod(const struct topology *t, const char *ns, const char *name)
{
	const char *n, *nm;
	size_t nl;

	split_ref(ns, name, &n, &nl, &nm);
	for (size_t i = 0; i < t->n_pods; i++)
		if (!strcmp(t->pods[i].name, nm) && same_ns(n, nl, t->pods[i].ns))
			return &t->pods[i];
	return NULL;
}

const struct topo_service *topo_service(const struct topology *t, const char *ns, const char *name)
{
	const char *n, *nm;
	size_t nl;

	split_ref(ns, name, &n, &nl, &nm);
	for (size_t i = 0; i < t->n_services; i++)
		if (!strcmp(t->services[i].name, nm) && same_ns(n, nl, t->services[i].ns))
			return &t->services[i];
	return NULL;
}

int topo_service_has_pod(const struct topo_service *svc, const char *ns, const char *name)
{
	size_t nl = strlen(ns);

	for (size_t i = 0; i < svc->n_endpoints; i++) {
		const char *e = svc->endpoints[i];

		if (!strncmp(e, ns, nl) && e[nl] == '/' && !strcmp(e + nl + 1, name))
			return 1;
	}
	return 0;
}

void topo_free(struct topology *t)
{
	for (size_t i = 0; i < t->n_services; i++)
		free(t->services[i].endpoints);
	free(t->services);
	free(t->pods);
	arena_free(&t->strings);
	memset(t, 0, sizeof(*t));
}
