/*
 * node.c - YAML streams and JSON texts into a tree that keeps the line and
 * column of every node, so each problem can name where it is.
 *
 * JSON goes through the same YAML reader (a JSON object is a flow mapping),
 * after jansson has checked its syntax: that gives JSON errors jansson's own
 * line numbers, and the tree the same positions as for YAML. The one JSON
 * construct libyaml (YAML 1.1) refuses is a \uD83D\uDE00 surrogate pair,
 * rewritten to its UTF-8 bytes first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <yaml.h>

#include "smi/internal.h"
#include "util/parse.h"

#define MAX_DEPTH 64
#define MAX_ALIASES 10000

struct frame {
	struct node *node;
	struct ptrvec children;	/* map: key, value, key, value... */
};

struct anchor {
	const char *name;
	struct node *node;
};

struct builder {
	struct arena *a;
	struct frame stack[MAX_DEPTH];
	int depth;
	struct ptrvec anchors;	/* struct anchor * */
	int aliases;
	struct node *root;
};

static struct node *new_node(struct builder *b, enum node_type type, const yaml_mark_t *m)
{
	struct node *n = arena_alloc(b->a, sizeof(*n));

	n->type = type;
	n->line = (int)m->line + 1;
	n->column = (int)m->column + 1;
	return n;
}

static void remember_anchor(struct builder *b, const yaml_char_t *name, struct node *n)
{
	struct anchor *an;

	if (!name)
		return;
	an = arena_alloc(b->a, sizeof(*an));
	an->name = arena_strdup(b->a, (const char *)name);
	an->node = n;
	ptrvec_push(&b->anchors, an);
}

static struct node *find_anchor(struct builder *b, const yaml_char_t *name)
{
	/* The latest definition wins, as YAML allows redefining an anchor. */
	for (size_t i = b->anchors.n; i-- > 0;) {
		struct anchor *an = b->anchors.v[i];

		if (!strcmp(an->name, (const char *)name))
			return an->node;
	}
	return NULL;
}

/* Attaches a finished node to its parent (or makes it the root). */
static void attach(struct builder *b, struct node *n)
{
	if (b->depth == 0)
		b->root = n;
	else
		ptrvec_push(&b->stack[b->depth - 1].children, n);
}

static int open_collection(struct builder *b, struct node *n, char *err, size_t errlen)
{
	if (b->depth == MAX_DEPTH) {
		snprintf(err, errlen, "nesting deeper than %d levels", MAX_DEPTH);
		return -EINVAL;
	}
	b->stack[b->depth].node = n;
	memset(&b->stack[b->depth].children, 0, sizeof(struct ptrvec));
	b->depth++;
	return 0;
}

static void close_collection(struct builder *b)
{
	struct frame *f = &b->stack[--b->depth];
	struct node *n = f->node;

	if (n->type == NODE_MAP) {
		n->n = f->children.n / 2;
		n->keys = arena_alloc(b->a, n->n * sizeof(*n->keys) + 1);
		n->items = arena_alloc(b->a, n->n * sizeof(*n->items) + 1);
		n->used = arena_alloc(b->a, n->n * sizeof(*n->used) + 1);
		for (size_t i = 0; i < n->n; i++) {
			n->keys[i] = f->children.v[2 * i];
			n->items[i] = f->children.v[2 * i + 1];
			if (!n->items[i]->key_line) {
				n->items[i]->key_line = n->keys[i]->line;
				n->items[i]->key_column = n->keys[i]->column;
			}
		}
	} else {
		n->n = f->children.n;
		n->items = arena_alloc(b->a, n->n * sizeof(*n->items) + 1);
		if (n->n)
			memcpy(n->items, f->children.v, n->n * sizeof(*n->items));
	}
	ptrvec_free(&f->children);
	attach(b, n);
}

/* Handles one event inside a document; returns 1 at the document end. */
static int on_event(struct builder *b, yaml_event_t *e, char *err, size_t errlen)
{
	struct node *n;

	switch (e->type) {
	case YAML_SCALAR_EVENT:
		n = new_node(b, NODE_SCALAR, &e->start_mark);
		n->str = arena_strndup(b->a, (const char *)e->data.scalar.value, e->data.scalar.length);
		n->len = e->data.scalar.length;
		n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		remember_anchor(b, e->data.scalar.anchor, n);
		attach(b, n);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		n = new_node(b, e->type == YAML_MAPPING_START_EVENT ? NODE_MAP : NODE_SEQ, &e->start_mark);
		remember_anchor(b, e->type == YAML_MAPPING_START_EVENT ? e->data.mapping_start.anchor
								       : e->data.sequence_start.anchor, n);
		return open_collection(b, n, err, errlen);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		close_collection(b);
		return 0;
	case YAML_ALIAS_EVENT:
		n = find_anchor(b, e->data.alias.anchor);
		if (!n) {
			snprintf(err, errlen, "unknown alias '*%s'", e->data.alias.anchor);
			return -EINVAL;
		}
		/* Shared, not copied; the cap keeps nested aliases from exploding walks. */
		if (++b->aliases > MAX_ALIASES) {
			snprintf(err, errlen, "more than %d aliases", MAX_ALIASES);
			return -EINVAL;
		}
		attach(b, n);
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		return 1;
	default:
		return 0;
	}
}

static void builder_reset(struct builder *b)
{
	while (b->depth > 0)
		ptrvec_free(&b->stack[--b->depth].children);
	ptrvec_free(&b->anchors);
	b->aliases = 0;
	b->root = NULL;
}

static int parse_yaml(struct arena *a, const char *buf, size_t len, struct ptrvec *docs,
		      int *err_line, int *err_col, char *err, size_t errlen)
{
	struct builder b = { .a = a };
	yaml_parser_t parser;
	yaml_event_t e;
	int r = 0, doc_line = 0;
	bool in_doc = false;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "cannot initialise the YAML parser");
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		if (!yaml_parser_parse(&parser, &e)) {
			*err_line = (int)parser.problem_mark.line + 1;
			*err_col = (int)parser.problem_mark.column + 1;
			snprintf(err, errlen, "invalid YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
			r = -EINVAL;
			break;
		}
		if (e.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&e);
			break;
		}
		if (e.type == YAML_DOCUMENT_START_EVENT) {
			in_doc = true;
			doc_line = (int)e.start_mark.line + 1;
			yaml_event_delete(&e);
			continue;
		}
		if (in_doc) {
			yaml_mark_t at = e.start_mark;

			r = on_event(&b, &e, err, errlen);
			if (r < 0) {
				*err_line = (int)at.line + 1;
				*err_col = (int)at.column + 1;
				yaml_event_delete(&e);
				break;
			}
			if (r == 1) {
				struct doc *d = arena_alloc(a, sizeof(*d));

				d->root = b.root;
				d->line = b.root ? b.root->line : doc_line;
				ptrvec_push(docs, d);
				builder_reset(&b);
				in_doc = false;
				r = 0;
			}
		}
		yaml_event_delete(&e);
	}
	builder_reset(&b);
	yaml_parser_delete(&parser);
	return r;
}

/* The value of the four hex digits at p, or -1. */
static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int d = parse_hex_digit(p[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Rewrites \uD8xx\uDCxx pairs (valid JSON, refused by libyaml) as UTF-8; keeps lines. */
static char *json_fix_surrogates(struct arena *a, const char *buf, size_t len, size_t *out_len)
{
	char *out = arena_alloc(a, len + 1);
	size_t o = 0;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];

		if (in_str && ch == '\\' && i + 1 < len) {
			int hi = i + 12 <= len && buf[i + 1] == 'u' ? hex4(buf + i + 2) : -1;
			int lo = hi >= 0xd800 && hi <= 0xdbff && buf[i + 6] == '\\' && buf[i + 7] == 'u'
				 ? hex4(buf + i + 8) : -1;

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				unsigned cp = 0x10000 + (((unsigned)hi - 0xd800) << 10) + ((unsigned)lo - 0xdc00);

				out[o++] = (char)(0xf0 | (cp >> 18));
				out[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
				out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				out[o++] = (char)(0x80 | (cp & 0x3f));
				i += 11;
				continue;
			}
			out[o++] = ch;
			out[o++] = buf[++i];
			continue;
		}
		if (ch == '"')
			in_str = !in_str;
		out[o++] = ch;
	}
	*out_len = o;
	return out;
}

static bool looks_like_json(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')
			continue;
		return buf[i] == '{' || buf[i] == '[';
	}
	return false;
}

int node_parse(struct arena *a, const char *buf, size_t len, struct doc **docs_out,
	       size_t *n_docs, int *err_line, int *err_col, char *err, size_t errlen)
{
	struct ptrvec docs = { 0 };
	int r;

	*err_line = *err_col = 0;
	if (looks_like_json(buf, len)) {
		json_error_t je;
		json_t *j = json_loadb(buf, len, 0, &je);

		if (!j) {
			*err_line = je.line > 0 ? je.line : 0;
			*err_col = je.column > 0 ? je.column : 0;
			snprintf(err, errlen, "invalid JSON: %s", je.text);
			*docs_out = NULL;
			*n_docs = 0;
			return -EINVAL;
		}
		json_decref(j);
		buf = json_fix_surrogates(a, buf, len, &len);
	}
	r = parse_yaml(a, buf, len, &docs, err_line, err_col, err, errlen);
	*n_docs = docs.n;
	*docs_out = arena_alloc(a, (docs.n + 1) * sizeof(struct doc));
	for (size_t i = 0; i < docs.n; i++)
		(*docs_out)[i] = *(struct doc *)docs.v[i];
	ptrvec_free(&docs);
	return r;
}

static bool is_one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, set[i]))
			return true;
	return false;
}

/* [-+]? then digits and underscores (YAML 1.1 allows "1_000"), at least one digit. */
static bool is_decimal(const char *s)
{
	bool digit = false;

	if (*s == '-' || *s == '+')
		s++;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (*s != '_')
			return false;
	}
	return digit;
}

static bool is_float(const char *s)
{
	static const char *const special[] = {
		".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
		".nan", ".NaN", ".NAN",
	};
	bool mant = false;

	if (is_one_of(s, special, ARRAY_SIZE(special)))
		return true;
	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9')
		s++, mant = true;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++, mant = true;
	}
	if (!mant)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

enum scalar_kind node_scalar_kind(const struct node *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const bools[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
		"false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
	};

	if (!n->plain)
		return SCALAR_STRING;
	if (is_one_of(n->str, nulls, ARRAY_SIZE(nulls)))
		return SCALAR_NULL;
	if (is_one_of(n->str, bools, ARRAY_SIZE(bools)))
		return SCALAR_BOOL;
	if (is_decimal(n->str) || (!strncmp(n->str, "0x", 2) && n->str[2] &&
				   strspn(n->str + 2, "0123456789abcdefABCDEF_") == strlen(n->str + 2)))
		return SCALAR_INT;
	if (is_float(n->str))
		return SCALAR_FLOAT;
	return SCALAR_STRING;
}
