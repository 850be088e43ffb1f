/* kustomize.c - see kustomize.h */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "k8s/kustomize.h"
#include "util/file.h"
#include "util/yaml_json.h"

#define MAX_DEPTH 8	/* kustomizations including kustomizations: deeper is a loop */

int k8s_kind_namespaced(const char *kind)
{
	static const char *const cluster_wide[] = {
		"Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
		"CustomResourceDefinition", "StorageClass", "PriorityClass", "APIService",
		"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", NULL
	};

	for (const char *const *k = cluster_wide; *k; k++)
		if (!strcmp(kind, *k))
			return 0;
	return 1;
}

/* --- JSON 6902 ----------------------------------------------------------------- */

/* Splits off the next reference token of a JSON pointer into tok (~1 -> /, ~0 -> ~). */
static const char *next_token(const char *p, char *tok, size_t len)
{
	size_t n = 0;

	for (p++; *p && *p != '/'; p++) {
		char ch = *p;

		if (ch == '~' && (p[1] == '0' || p[1] == '1'))
			ch = *++p == '0' ? '~' : '/';
		if (n + 1 < len)
			tok[n++] = ch;
	}
	tok[n] = '\0';
	return p;
}

/* An array index token: digits only, within the array (or its end, for add). Returns it or -1. */
static long array_index(const char *tok, size_t size, int allow_end)
{
	char *end;
	long i;

	if (!strcmp(tok, "-"))
		return allow_end ? (long)size : -1;
	if (!*tok || (tok[0] == '0' && tok[1]) || *tok < '0' || *tok > '9')
		return -1;
	i = strtol(tok, &end, 10);
	if (*end || i < 0 || (size_t)i > size || (!allow_end && (size_t)i == size))
		return -1;
	return i;
}

static int patch_one(json_t *doc, const char *op, const char *path, json_t *value, char *err, size_t errlen)
{
	json_t *parent = doc;
	char tok[256];
	const char *p = path;
	long i;

	if (*p != '/') {
		snprintf(err, errlen, "path '%s': not a JSON pointer", path);
		return -EINVAL;
	}
	for (;;) {
		p = next_token(p, tok, sizeof(tok));
		if (!*p)
			break;
		parent = json_is_array(parent) ? json_array_get(parent, (size_t)array_index(tok, json_array_size(parent), 0)) :
			 json_object_get(parent, tok);
		if (!parent) {
			snprintf(err, errlen, "path '%s': '%s' does not exist", path, tok);
			return -EINVAL;
		}
	}
	if (json_is_object(parent)) {
		if (strcmp(op, "add") && !json_object_get(parent, tok)) {
			snprintf(err, errlen, "path '%s': nothing to %s", path, op);
			return -EINVAL;
		}
		return !strcmp(op, "remove") ? json_object_del(parent, tok) : json_object_set(parent, tok, value);
	}
	if (json_is_array(parent)) {
		i = array_index(tok, json_array_size(parent), !strcmp(op, "add"));
		if (i < 0) {
			snprintf(err, errlen, "path '%s': '%s' is not an index of the array", path, tok);
			return -EINVAL;
		}
		if (!strcmp(op, "add"))
			return json_array_insert(parent, (size_t)i, value);
		return !strcmp(op, "remove") ? json_array_remove(parent, (size_t)i) :
		       json_array_set(parent, (size_t)i, value);
	}
	snprintf(err, errlen, "path '%s': its parent is not an object or array", path);
	return -EINVAL;
}

int json_patch_apply(json_t *doc, json_t *ops, char *err, size_t errlen)
{
	char why[300];
	json_t *o;
	size_t i;

	if (!json_is_array(ops)) {
		snprintf(err, errlen, "a JSON 6902 patch is a list of operations");
		return -EINVAL;
	}
	json_array_foreach(ops, i, o) {
		const char *op = json_string_value(json_object_get(o, "op"));
		const char *path = json_string_value(json_object_get(o, "path"));
		json_t *value = json_object_get(o, "value");

		if (!op || (strcmp(op, "add") && strcmp(op, "replace") && strcmp(op, "remove"))) {
			snprintf(err, errlen, "ops[%zu]: op '%s' is not add, replace or remove", i, op ? op : "");
			return -EINVAL;
		}
		if (!path || (strcmp(op, "remove") && !value)) {
			snprintf(err, errlen, "ops[%zu]: %s is missing", i, path ? "value" : "path");
			return -EINVAL;
		}
		if (patch_one(doc, op, path, value, why, sizeof(why))) {
			snprintf(err, errlen, "ops[%zu]: %s", i, why);
			return -EINVAL;
		}
	}
	return 0;
}

/* --- kustomization ------------------------------------------------------------- */

struct kctx {
	char *err;
	size_t errlen;
};

static int fail(struct kctx *k, const char *file, const char *field, const char *fmt, const char *arg)
{
	char why[512];

	snprintf(why, sizeof(why), fmt, arg);
	snprintf(k->err, k->errlen, "%s: %s: %s", file, field, why);
	return -EINVAL;
}

static int build_dir(struct kctx *k, const char *dir, json_t *out, int depth);

/* Appends the objects of one manifest file (empty documents skipped). */
static int add_file(struct kctx *k, const char *path, json_t *out)
{
	char why[256];
	json_t *docs = yaml_json_load_file(path, why, sizeof(why)), *d;
	size_t i;

	if (!docs)
		return fail(k, path, "(file)", "%s", why);
	json_array_foreach(docs, i, d) {
		if (json_is_null(d))
			continue;
		if (!json_is_object(d) || !json_string_value(json_object_get(d, "kind")) ||
		    !json_string_value(json_object_get(json_object_get(d, "metadata"), "name"))) {
			json_decref(docs);
			return fail(k, path, "(document)", "%s", "not a Kubernetes object (kind and metadata.name)");
		}
		json_array_append(out, d);
	}
	json_decref(docs);
	return 0;
}

static int add_resources(struct kctx *k, const char *file, const char *dir, json_t *list, json_t *out, int depth)
{
	json_t *r;
	size_t i;

	json_array_foreach(list, i, r) {
		char path[PATH_MAX], field[64];
		struct stat st;

		snprintf(field, sizeof(field), "resources[%zu]", i);
		if (!json_is_string(r))
			return fail(k, file, field, "%s", "not a path");
		if (path_fmt(path, sizeof(path), "%s/%s", dir, json_string_value(r)) || stat(path, &st))
			return fail(k, file, field, "cannot read '%s'", json_string_value(r));
		if (S_ISDIR(st.st_mode) ? build_dir(k, path, out, depth + 1) : add_file(k, path, out))
			return -EINVAL;
	}
	return 0;
}

static int set_namespace(json_t *objs, const char *ns)
{
	json_t *o;
	size_t i;

	json_array_foreach(objs, i, o) {
		json_t *md = json_object_get(o, "metadata");
		const char *kind = json_string_value(json_object_get(o, "kind"));

		if (!strcmp(kind, "Namespace"))
			json_object_set_new(md, "name", json_string(ns));
		else if (k8s_kind_namespaced(kind))
			json_object_set_new(md, "namespace", json_string(ns));
	}
	return 0;
}

static bool targets(json_t *target, json_t *obj)
{
	const char *kind = json_string_value(json_object_get(target, "kind"));
	const char *name = json_string_value(json_object_get(target, "name"));

	return (!kind || !strcmp(kind, json_string_value(json_object_get(obj, "kind")))) &&
	       (!name || !strcmp(name, json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"))));
}

static int apply_patches(struct kctx *k, const char *file, json_t *patches, json_t *objs)
{
	json_t *p, *o;
	size_t i, j;

	json_array_foreach(patches, i, p) {
		const char *text = json_string_value(json_object_get(p, "patch"));
		json_t *target = json_object_get(p, "target"), *ops;
		char field[64], why[256];
		const char *key;
		json_t *v;

		snprintf(field, sizeof(field), "patches[%zu]", i);
		json_object_foreach(p, key, v)
			if (strcmp(key, "patch") && strcmp(key, "target"))
				return fail(k, file, field, "'%s' is not supported here (inline patch and target only)", key);
		json_object_foreach(target, key, v)
			if (strcmp(key, "kind") && strcmp(key, "name"))
				return fail(k, file, field, "target.%s is not supported here (kind and name only)", key);
		if (!text || !json_is_object(target))
			return fail(k, file, field, "%s", "needs an inline patch and a target");
		ops = yaml_json_load_buffer(text, strlen(text), why, sizeof(why));
		if (!ops || !json_is_array(json_array_get(ops, 0))) {
			json_decref(ops);
			return fail(k, file, field, "%s", "the patch is not a JSON 6902 list of operations");
		}
		json_array_foreach(objs, j, o) {
			if (!targets(target, o))
				continue;
			if (json_patch_apply(o, json_array_get(ops, 0), why, sizeof(why))) {
				json_decref(ops);
				return fail(k, file, field, "%s", why);
			}
		}
		json_decref(ops);
	}
	return 0;
}

static int build_dir(struct kctx *k, const char *dir, json_t *out, int depth)
{
	static const char *const known[] = { "apiVersion", "kind", "namespace", "resources", "patches", NULL };
	char file[PATH_MAX], why[256];
	json_t *docs, *kz, *v, *objs;
	const char *key, *ns;
	int r;

	if (depth > MAX_DEPTH)
		return fail(k, dir, "resources", "%s", "kustomizations nested too deep (a loop?)");
	if (path_fmt(file, sizeof(file), "%s/kustomization.yaml", dir))
		return fail(k, dir, "(directory)", "%s", "path too long");
	docs = yaml_json_load_file(file, why, sizeof(why));
	if (!docs)
		return fail(k, file, "(file)", "%s", why);
	kz = json_array_get(docs, 0);
	if (!json_is_object(kz)) {
		json_decref(docs);
		return fail(k, file, "(document)", "%s", "not a kustomization");
	}
	json_object_foreach(kz, key, v) {
		bool ok = false;

		for (const char *const *n = known; *n; n++)
			ok |= !strcmp(key, *n);
		if (!ok) {
			/* The message first: key lives in docs. */
			r = fail(k, file, key, "%s", "not supported by smi-witness (resources, namespace, patches only)");
			json_decref(docs);
			return r;
		}
	}
	v = json_object_get(kz, "namespace");
	if (v && !json_is_string(v)) {
		/* e.g. `namespace: n`, a boolean as Kubernetes reads YAML: quote it. */
		json_decref(docs);
		return fail(k, file, "namespace", "%s", "not a string (quote it)");
	}
	ns = json_string_value(v);
	objs = json_array();
	r = add_resources(k, file, dir, json_object_get(kz, "resources"), objs, depth);
	if (!r && ns)
		r = set_namespace(objs, ns);
	if (!r)
		r = apply_patches(k, file, json_object_get(kz, "patches"), objs);
	if (!r)
		json_array_extend(out, objs);
	json_decref(objs);
	json_decref(docs);
	return r;
}

json_t *kustomize_build(const char *dir, const char *ns, char *err, size_t errlen)
{
	struct kctx k = { err, errlen };
	json_t *out = json_array();

	if (build_dir(&k, dir, out, 0) || (ns && set_namespace(out, ns))) {
		json_decref(out);
		return NULL;
	}
	return out;
}
