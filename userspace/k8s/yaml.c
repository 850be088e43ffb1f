/* yaml.c - see yaml.h */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "k8s/yaml.h"
#include "util/file.h"
#include "util/parse.h"

/* Nesting deeper than this is not a manifest; refusing it bounds the recursion. */
#define YAML_MAX_DEPTH 64
#define YAML_MAX_ALIASES 10000
#define YAML_FILE_MAX (64u << 20)	/* kubeconfig files and manifests are far smaller */

struct yctx {
	yaml_parser_t p;
	json_t *anchors;	/* anchor name -> node */
	unsigned aliases;
	char *err;
	size_t errlen;
};

static json_t *fail(struct yctx *y, size_t line, const char *what)
{
	snprintf(y->err, y->errlen, "line %zu: %s", line + 1, what);
	return NULL;
}

static bool is_one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

/* Resolves a plain scalar the way the YAML 1.2 core schema does. */
static json_t *plain_scalar(const char *s, size_t len)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	uint64_t u;
	double d;

	if (strlen(s) != len)	/* an embedded NUL: keep the bytes as a string */
		return json_stringn_nocheck(s, len);
	if (is_one_of(s, nulls))
		return json_null();
	if (is_one_of(s, trues))
		return json_true();
	if (is_one_of(s, falses))
		return json_false();
	if (!parse_u64(s, 0, INT64_MAX, &u))
		return json_integer((json_int_t)u);
	if (s[0] == '-' && !parse_u64(s + 1, 0, INT64_MAX, &u))
		return json_integer(-(json_int_t)u);
	if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '.')
		if (!parse_double(s, -1e308, 1e308, &d) && strpbrk(s, ".eE"))
			return json_real(d);
	return json_stringn(s, len);
}

static json_t *parse_node(struct yctx *y, yaml_event_t *ev, int depth);

/* Reads nodes until the end of the collection opened by `start`. */
static json_t *parse_collection(struct yctx *y, bool mapping, int depth, size_t line)
{
	json_t *node = mapping ? json_object() : json_array();
	yaml_event_t ev;

	if (depth > YAML_MAX_DEPTH) {
		json_decref(node);
		return fail(y, line, "nesting too deep");
	}
	for (;;) {
		json_t *key = NULL, *val;

		if (!yaml_parser_parse(&y->p, &ev))
			goto parse_error;
		if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return node;
		}
		if (mapping) {
			key = parse_node(y, &ev, depth + 1);
			if (!key)
				goto out;
			if (json_is_object(key) || json_is_array(key)) {
				/* Kubernetes documents never use them, and they cannot be JSON keys. */
				json_decref(key);
				fail(y, line, "a mapping key must be a scalar");
				goto out;
			}
			if (!json_is_string(key)) {
				/* Keys such as `1:` or `true:` are still names here. */
				char *s = json_dumps(key, JSON_ENCODE_ANY);

				json_decref(key);
				key = json_string(s ? s : "");
				free(s);
			}
			if (!yaml_parser_parse(&y->p, &ev)) {
				json_decref(key);
				goto parse_error;
			}
		}
		val = parse_node(y, &ev, depth + 1);
		if (!val) {
			json_decref(key);
			goto out;
		}
		if (mapping) {
			json_object_set_new(node, json_string_value(key), val);
			json_decref(key);
		} else {
			json_array_append_new(node, val);
		}
	}
parse_error:
	fail(y, y->p.problem_mark.line, y->p.problem ? y->p.problem : "syntax error");
out:
	json_decref(node);
	return NULL;
}

static void remember_anchor(struct yctx *y, const yaml_char_t *anchor, json_t *node)
{
	if (anchor && node)
		json_object_set(y->anchors, (const char *)anchor, node);
}

/* Builds the node that starts with event `ev` (consumed here). */
static json_t *parse_node(struct yctx *y, yaml_event_t *ev, int depth)
{
	size_t line = ev->start_mark.line;
	json_t *node = NULL, *alias;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag)
			node = plain_scalar((const char *)ev->data.scalar.value, ev->data.scalar.length);
		else
			node = json_stringn((const char *)ev->data.scalar.value, ev->data.scalar.length);
		if (!node)
			fail(y, line, "scalar is not valid UTF-8");
		remember_anchor(y, ev->data.scalar.anchor, node);
		break;
	case YAML_ALIAS_EVENT:
		alias = json_object_get(y->anchors, (const char *)ev->data.alias.anchor);
		if (!alias)
			fail(y, line, "alias names an unknown anchor");
		/*
		 * Shared, not copied: a chain of anchors each aliasing the last
		 * several times ("billion laughs") would otherwise grow
		 * exponentially. Readers of these trees never modify them.
		 */
		else if (++y->aliases > YAML_MAX_ALIASES)
			fail(y, line, "too many aliases");
		else
			node = json_incref(alias);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool mapping = ev->type == YAML_MAPPING_START_EVENT;
		yaml_char_t *anchor = mapping ? ev->data.mapping_start.anchor
					      : ev->data.sequence_start.anchor;
		char *name = anchor ? strdup((const char *)anchor) : NULL;

		yaml_event_delete(ev);
		node = parse_collection(y, mapping, depth, line);
		remember_anchor(y, (const yaml_char_t *)name, node);
		free(name);
		return node;
	}
	default:
		fail(y, line, "unexpected YAML event");
		break;
	}
	yaml_event_delete(ev);
	return node;
}

json_t *yaml_load_buffer(const char *buf, size_t len, char *err, size_t errlen)
{
	struct yctx y = { .err = err, .errlen = errlen };
	json_t *docs = json_array(), *doc;
	yaml_event_t ev;
	bool done = false;

	y.anchors = json_object();
	yaml_parser_initialize(&y.p);
	yaml_parser_set_input_string(&y.p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&y.p, &ev)) {
			fail(&y, y.p.problem_mark.line, y.p.problem ? y.p.problem : "syntax error");
			goto error;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			/* fall through */
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			break;
		case YAML_DOCUMENT_START_EVENT:
			yaml_event_delete(&ev);
			if (!yaml_parser_parse(&y.p, &ev)) {
				fail(&y, y.p.problem_mark.line, y.p.problem ? y.p.problem : "syntax error");
				goto error;
			}
			doc = parse_node(&y, &ev, 0);
			if (!doc)
				goto error;
			json_array_append_new(docs, doc);
			json_object_clear(y.anchors);	/* anchors are per document */
			break;
		default:
			yaml_event_delete(&ev);
			fail(&y, ev.start_mark.line, "unexpected YAML event");
			goto error;
		}
	}
	yaml_parser_delete(&y.p);
	json_decref(y.anchors);
	return docs;
error:
	yaml_parser_delete(&y.p);
	json_decref(y.anchors);
	json_decref(docs);
	return NULL;
}

json_t *yaml_load_file(const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	json_t *docs;
	int r = file_read_all(path, YAML_FILE_MAX, &buf, &len);

	if (r) {
		snprintf(err, errlen, "%s", strerror(-r));
		return NULL;
	}
	docs = yaml_load_buffer(buf, len, err, errlen);
	free(buf);
	return docs;
}
