/* smi.c - see smi.h */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "k8s/informer.h"
#include "k8s/smi.h"

const struct smi_kind_ref smi_kinds[] = {
	{ "access.smi-spec.io", "TrafficTarget", "traffictargets" },
	{ "specs.smi-spec.io", "HTTPRouteGroup", "httproutegroups" },
	{ "specs.smi-spec.io", "TCPRoute", "tcproutes" },
	{ "specs.smi-spec.io", "UDPRoute", "udproutes" },
	{ "split.smi-spec.io", "TrafficSplit", "trafficsplits" },
};
const unsigned smi_kinds_count = sizeof(smi_kinds) / sizeof(smi_kinds[0]);

/* Adds the kinds of `group` served at its preferred version to `out`. */
static int discover_group(struct k8s_client *c, const char *group, json_t *out)
{
	char path[256], what[256];
	json_t *doc = NULL, *res = NULL, *versions, *v, *r;
	const char *pref;
	size_t i, j;
	int ret;

	snprintf(path, sizeof(path), "/apis/%s", group);
	snprintf(what, sizeof(what), "discover API group %s", group);
	ret = k8s_get_json(c, what, path, &doc);
	if (ret == -ENOENT)
		return 0;	/* this SMI group is not installed */
	if (ret)
		return ret;
	pref = json_string_value(json_object_get(json_object_get(doc, "preferredVersion"), "version"));
	versions = json_array();
	json_array_foreach(json_object_get(doc, "versions"), i, v)
		json_array_append(versions, json_object_get(v, "version"));
	if (!pref) {
		json_decref(versions);
		json_decref(doc);
		return 0;
	}
	snprintf(path, sizeof(path), "/apis/%s/%s", group, pref);
	snprintf(what, sizeof(what), "discover resources of %s/%s", group, pref);
	ret = k8s_get_json(c, what, path, &res);
	if (!ret) {
		json_array_foreach(json_object_get(res, "resources"), i, r) {
			const char *kind = json_string_value(json_object_get(r, "kind"));
			const char *name = json_string_value(json_object_get(r, "name"));

			if (!kind || !name || strchr(name, '/'))	/* subresources */
				continue;
			for (j = 0; j < smi_kinds_count; j++) {
				if (strcmp(smi_kinds[j].group, group) || strcmp(smi_kinds[j].kind, kind))
					continue;
				snprintf(path, sizeof(path), "/apis/%s/%s/%s", group, pref, name);
				json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}",
					"group", group, "version", pref, "kind", kind, "plural", name,
					"path", path, "served_versions", versions));
			}
		}
	}
	json_decref(res);
	json_decref(versions);
	json_decref(doc);
	return ret;
}

int k8s_smi_discover(struct k8s_client *c, json_t **out)
{
	json_t *kinds = json_array();
	const char *done[8] = { 0 };
	unsigned ndone = 0;
	int r;

	for (unsigned i = 0; i < smi_kinds_count; i++) {
		bool seen = false;

		for (unsigned j = 0; j < ndone; j++)
			seen |= !strcmp(done[j], smi_kinds[i].group);
		if (seen)
			continue;
		done[ndone++] = smi_kinds[i].group;
		r = discover_group(c, smi_kinds[i].group, kinds);
		if (r) {
			json_decref(kinds);
			return r;
		}
	}
	*out = kinds;
	return 0;
}

int k8s_smi_list(struct k8s_client *c, json_t *kinds, json_t **out)
{
	json_t *objs = json_array(), *k;
	size_t i;
	int r = 0;

	json_array_foreach(kinds, i, k) {
		struct k8s_informer inf;
		char api[128];
		const char *key;
		json_t *o;

		k8s_informer_init(&inf, c, json_string_value(json_object_get(k, "path")),
				  json_string_value(json_object_get(k, "plural")));
		r = k8s_informer_list(&inf);
		snprintf(api, sizeof(api), "%s/%s", json_string_value(json_object_get(k, "group")),
			 json_string_value(json_object_get(k, "version")));
		/* List items carry neither apiVersion nor kind: put them back. */
		json_object_foreach(inf.cache, key, o) {
			json_object_set_new(o, "apiVersion", json_string(api));
			json_object_set(o, "kind", json_object_get(k, "kind"));
			json_array_append(objs, o);
		}
		k8s_informer_free(&inf);
		if (r)
			break;
	}
	if (r) {
		json_decref(objs);
		return r;
	}
	*out = objs;
	return 0;
}

const char *k8s_applied_version(json_t *obj)
{
	json_t *mf = json_object_get(json_object_get(obj, "metadata"), "managedFields"), *e;
	size_t i;

	/* The first manager is the one that created the object. */
	json_array_foreach(mf, i, e) {
		const char *v = json_string_value(json_object_get(e, "apiVersion"));

		if (v)
			return v;
	}
	return NULL;
}
