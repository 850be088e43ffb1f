/* yaml_json.c - see yaml_json.h */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/yaml_json.h"

#define YAML_FILE_MAX (64u << 20)	/* kubeconfig files and manifests are far smaller */

static json_t *refuse(const struct ynode *n, struct yerr *err, const char *what)
{
	err->line = n->line;
	err->column = n->column;
	snprintf(err->msg, sizeof(err->msg), "%s", what);
	return NULL;
}

static json_t *scalar_json(const struct ynode *n, struct yerr *err)
{
	switch (n->kind) {
	case YSCALAR_NULL:
		return json_null();
	case YSCALAR_BOOL:
		return json_boolean(n->b);
	case YSCALAR_INT:
		/* Beyond int64 jansson has no integer; a JSON reader would fall back to a float too. */
		return n->big ? json_real(n->f) : json_integer((json_int_t)n->i);
	case YSCALAR_FLOAT:
		/*
		 * Go writes an integral float below 1e21 without a point ("1e3" is
		 * 1000), and a JSON reader takes that for an integer.
		 */
		if (n->f == floor(n->f) && fabs(n->f) < 0x1p63)
			return json_integer((json_int_t)n->f);
		return json_real(n->f);
	default: {
		json_t *s = json_stringn(n->str, n->len);

		return s ? s : refuse(n, err, "a string that is not valid UTF-8");
	}
	}
}

json_t *yaml_to_json(const struct ynode *n, struct yerr *err)
{
	json_t *out, *v;

	if (n->type == YNODE_SCALAR)
		return scalar_json(n, err);
	out = n->type == YNODE_MAP ? json_object() : json_array();
	for (size_t i = 0; out && i < n->n; i++) {
		v = yaml_to_json(n->items[i], err);
		if (!v) {
			json_decref(out);
			return NULL;
		}
		if (n->type == YNODE_SEQ) {
			json_array_append_new(out, v);
			continue;
		}
		/* Setting replaces: the last entry of a name wins, as in sigs.k8s.io/yaml. */
		if (json_object_setn_new(out, n->keys[i]->str, n->keys[i]->len, v)) {
			json_decref(out);
			return refuse(n->keys[i], err, "a key that is not valid UTF-8");
		}
	}
	return out;
}

/* "line N: reason", or the reason alone when there is no line. */
static void format_err(const struct yerr *e, char *err, size_t errlen)
{
	if (e->line)
		snprintf(err, errlen, "line %d: %s", e->line, e->msg);
	else
		snprintf(err, errlen, "%s", e->msg);
}

/*
 * The first `max` documents of a text as a JSON array; *json says whether
 * the text was JSON.
 */
static json_t *load(const char *buf, size_t len, size_t max, bool *json, struct yerr *e)
{
	struct arena a = { 0 };
	struct ydocs docs;
	json_t *out = NULL, *doc;

	if (!yaml_read_some(&a, buf, len, max, &docs, e))
		out = json_array();
	for (size_t i = 0; out && i < docs.n; i++) {
		doc = yaml_to_json(docs.roots[i], e);
		if (!doc) {
			json_decref(out);
			out = NULL;
			break;
		}
		json_array_append_new(out, doc);
	}
	if (out && json && (*json = docs.json) && docs.n > 1) {
		e->line = docs.lines[1];
		e->column = 0;
		snprintf(e->msg, sizeof(e->msg), "a second JSON value (a JSON text holds one)");
	}
	arena_free(&a);
	return out;
}

json_t *yaml_json_load_buffer(const char *buf, size_t len, char *err, size_t errlen)
{
	struct yerr e;
	json_t *out = load(buf, len, SIZE_MAX, NULL, &e);

	if (!out)
		format_err(&e, err, errlen);
	return out;
}

/* The bytes of the file at `path` (caller frees), or NULL with the system's reason in err. */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	char *buf = NULL;
	int r = file_read_all(path, YAML_FILE_MAX, &buf, len);

	if (r)
		snprintf(err, errlen, "%s", strerror(-r));
	return r ? NULL : buf;
}

json_t *yaml_json_load_file(const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char *buf = read_file(path, &len, err, errlen);
	json_t *docs = buf ? yaml_json_load_buffer(buf, len, err, errlen) : NULL;

	free(buf);
	return docs;
}

json_t *yaml_json_load_first(const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char *buf = read_file(path, &len, err, errlen);
	bool json = false;
	struct yerr e;
	json_t *docs = buf ? load(buf, len, 1, &json, &e) : NULL, *first = NULL;

	/* A YAML file's second document is never read; a JSON text's second value is an error. */
	if (docs && json) {
		json_decref(docs);
		docs = load(buf, len, 2, &json, &e);
	}
	if (buf && (!docs || json_array_size(docs) > 1))
		format_err(&e, err, errlen);
	else if (docs)
		first = json_incref(json_array_size(docs) ? json_array_get(docs, 0) : json_null());
	json_decref(docs);
	free(buf);
	return first;
}
