/*
 * yaml.c - libyaml's events into node trees (see yaml.h).
 *
 * JSON goes through the same parser (a JSON object is a flow mapping), one
 * value at a time after jansson has checked it: that gives JSON errors
 * jansson's own words and positions, and JSON trees the same positions as
 * YAML ones. The one JSON construct libyaml refuses is a \uD83D\uDE00
 * surrogate pair, rewritten to its UTF-8 bytes first.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <yaml.h>

#include "util/array.h"
#include "util/parse.h"
#include "util/yaml_scalar.h"

/* Deeper than this is no manifest (CRD schemas reach a few dozen); it bounds every recursion. */
#define MAX_DEPTH 1000
#define SIZE_CAP (UINT64_MAX / 4)
#define TAG_MERGE "tag:yaml.org,2002:merge"

/* The key of a merge (<<): its str points here, so the mapping's end recognises it. */
static const char merge_key[] = "<<";

struct frame {
	struct ynode *node;
	struct anchor *anchor;	/* the collection's anchor, open until its end */
	struct ptrvec children;	/* mapping: key, value, key, value... */
};

struct anchor {
	const char *name;
	struct ynode *node;
	bool open;		/* a collection still being read: an alias to it would contain itself */
};

struct builder {
	struct arena *a;
	struct frame *stack;
	int depth;
	size_t cap;
	struct ptrvec anchors;	/* struct anchor *, of the current document */
	uint64_t nodes;		/* nodes created in the current document */
	struct ynode *root;
	int line_base, col_base;	/* where the parsed text starts in the whole input */
	size_t byte_base;
	const char *text;	/* the parsed text, to turn libyaml's character marks into bytes */
	size_t text_len, at_char, at_byte;
	size_t max_docs;	/* stop reading after this many documents */
	struct yerr *err;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct builder *b, const struct ynode *at, const char *fmt, ...)
{
	va_list ap;

	b->err->line = at ? at->line : 0;
	b->err->column = at ? at->column : 0;
	va_start(ap, fmt);
	vsnprintf(b->err->msg, sizeof(b->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static uint64_t add_size(uint64_t x, uint64_t y)
{
	return x > SIZE_CAP - y ? SIZE_CAP : x + y;
}

/* The byte offset of a libyaml mark (which counts characters), reading on from the last one. */
static size_t offset_of(struct builder *b, const yaml_mark_t *m)
{
	if (m->index < b->at_char)
		b->at_char = b->at_byte = 0;
	while (b->at_char < m->index && b->at_byte < b->text_len) {
		b->at_byte++;	/* a lead byte, then its continuation bytes */
		while (b->at_byte < b->text_len && ((unsigned char)b->text[b->at_byte] & 0xC0) == 0x80)
			b->at_byte++;
		b->at_char++;
	}
	return b->byte_base + b->at_byte;
}

static struct ynode *new_node(struct builder *b, enum ynode_type type, const yaml_mark_t *m)
{
	struct ynode *n = arena_alloc(b->a, sizeof(*n));

	n->type = type;
	n->line = (int)m->line + 1 + b->line_base;
	n->column = (int)m->column + 1 + (m->line ? 0 : b->col_base);
	n->start = n->end = offset_of(b, m);
	n->size = 1;
	b->nodes++;
	return n;
}

static struct anchor *remember_anchor(struct builder *b, const yaml_char_t *name, struct ynode *n)
{
	struct anchor *an;

	if (!name)
		return NULL;
	an = arena_alloc(b->a, sizeof(*an));
	an->name = arena_strdup(b->a, (const char *)name);
	an->node = n;
	ptrvec_push(&b->anchors, an);
	return an;
}

static struct anchor *find_anchor(struct builder *b, const yaml_char_t *name)
{
	/* The latest definition wins, as YAML allows redefining an anchor. */
	for (size_t i = b->anchors.n; i-- > 0;) {
		struct anchor *an = b->anchors.v[i];

		if (!strcmp(an->name, (const char *)name))
			return an;
	}
	return NULL;
}

/* A key: a scalar, named as JSON names it (a merge key kept apart). */
static int key_of(struct builder *b, struct ynode *n, struct ynode **out)
{
	char why[160];

	if (n->type != YNODE_SCALAR)
		return fail(b, n, "a mapping key must be a scalar, not %s", ynode_kind_name(n));
	*out = yscalar_key(b->a, n, why, sizeof(why));
	return *out ? 0 : fail(b, n, "%s", why);
}

/*
 * Attaches a finished node (or an alias's target) to its parent, or makes
 * it the root. Checks what JSON cannot carry: a value of .inf or .nan.
 */
static int attach(struct builder *b, struct ynode *n, const struct ynode *at)
{
	struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;
	bool is_key = f && f->node->type == YNODE_MAP && f->children.n % 2 == 0;

	if (is_key && n->str != merge_key && key_of(b, n, &n))
		return -EINVAL;
	if (!is_key && n->type == YNODE_SCALAR && n->kind == YSCALAR_FLOAT && !isfinite(n->f))
		return fail(b, at, "%s is not a number JSON can carry (Kubernetes refuses the document)",
			    n->str);
	if (f)
		ptrvec_push(&f->children, n);
	else
		b->root = n;
	return 0;
}

static int open_collection(struct builder *b, struct ynode *n, struct anchor *an)
{
	if (b->depth == MAX_DEPTH)
		return fail(b, n, "nesting deeper than %d levels", MAX_DEPTH);
	if (array_reserve(&b->stack, &b->cap, (size_t)b->depth, sizeof(*b->stack), 16))
		abort();	/* as the arena does */
	b->stack[b->depth].node = n;
	b->stack[b->depth].anchor = an;
	if (an)
		an->open = true;
	memset(&b->stack[b->depth].children, 0, sizeof(struct ptrvec));
	b->depth++;
	return 0;
}

/* Appends the entries of mapping m to the pairs being built, marked as merged. */
static void merge_from(struct ptrvec *pairs, struct ptrvec *flags, const struct ynode *m)
{
	for (size_t i = 0; i < m->n; i++) {
		ptrvec_push(pairs, m->keys[i]);
		ptrvec_push(pairs, m->items[i]);
		ptrvec_push(flags, (void *)1);
	}
}

/*
 * The value of a merge key: a mapping, or a list of mappings of which the
 * earlier ones win. go-yaml v2 assigns the merged entries where the merge
 * key stands, so keys before it are overridden by them and keys after it
 * override them; with "the last entry of a name wins" appending them in
 * place (a list's last mapping first) gives exactly that.
 */
static int merge(struct builder *b, struct ynode *key, struct ynode *v, struct ptrvec *pairs,
		 struct ptrvec *flags)
{
	if (v->type == YNODE_MAP) {
		merge_from(pairs, flags, v);
		return 0;
	}
	if (v->type == YNODE_SEQ) {
		for (size_t i = 0; i < v->n; i++)
			if (v->items[i]->type != YNODE_MAP)
				goto refuse;
		for (size_t i = v->n; i-- > 0;)
			merge_from(pairs, flags, v->items[i]);
		return 0;
	}
refuse:
	return fail(b, key, "a merge key (<<) needs a mapping or a list of mappings");
}

static int close_map(struct builder *b, struct ynode *n, struct ptrvec *c)
{
	struct ptrvec pairs = { 0 }, flags = { 0 };
	int r = 0;

	for (size_t i = 0; i + 1 < c->n && !r; i += 2) {
		struct ynode *k = c->v[i], *v = c->v[i + 1];

		n->size = add_size(n->size, add_size(k->size, v->size));
		if (k->str == merge_key) {
			r = merge(b, k, v, &pairs, &flags);
			continue;
		}
		ptrvec_push(&pairs, k);
		ptrvec_push(&pairs, v);
		ptrvec_push(&flags, NULL);
	}
	n->n = pairs.n / 2;
	n->keys = arena_alloc(b->a, n->n * sizeof(*n->keys) + 1);
	n->items = arena_alloc(b->a, n->n * sizeof(*n->items) + 1);
	n->used = arena_alloc(b->a, n->n * sizeof(*n->used) + 1);
	n->merged = arena_alloc(b->a, n->n * sizeof(*n->merged) + 1);
	for (size_t i = 0; i < n->n; i++) {
		n->keys[i] = pairs.v[2 * i];
		n->items[i] = pairs.v[2 * i + 1];
		n->merged[i] = flags.v[i] != NULL;
		if (!n->items[i]->key_line) {
			n->items[i]->key_line = n->keys[i]->line;
			n->items[i]->key_column = n->keys[i]->column;
		}
	}
	ptrvec_free(&pairs);
	ptrvec_free(&flags);
	return r;
}

static int close_collection(struct builder *b, const yaml_mark_t *end)
{
	struct frame *f = &b->stack[--b->depth];
	struct ynode *n = f->node;
	int r = 0;

	n->end = offset_of(b, end);
	if (n->type == YNODE_MAP) {
		r = close_map(b, n, &f->children);
	} else {
		n->n = f->children.n;
		n->items = arena_alloc(b->a, n->n * sizeof(*n->items) + 1);
		for (size_t i = 0; i < n->n; i++) {
			n->items[i] = f->children.v[i];
			n->size = add_size(n->size, n->items[i]->size);
		}
	}
	ptrvec_free(&f->children);
	if (f->anchor)
		f->anchor->open = false;
	return r ? r : attach(b, n, n);
}

static int on_scalar(struct builder *b, yaml_event_t *e)
{
	struct ynode *n = new_node(b, YNODE_SCALAR, &e->start_mark);
	const char *tag = (const char *)e->data.scalar.tag;
	bool plain = e->data.scalar.plain_implicit;
	char why[200];

	n->str = arena_strndup(b->a, (const char *)e->data.scalar.value, e->data.scalar.length);
	n->len = e->data.scalar.length;
	n->end = offset_of(b, &e->end_mark);
	if (yscalar_resolve(b->a, n, tag, plain, why, sizeof(why)))
		return fail(b, n, "%s", why);
	remember_anchor(b, e->data.scalar.anchor, n);
	/* go-yaml's isMerge: "<<" unquoted and untagged, or tagged !!merge. */
	if (!strcmp(n->str, "<<") && ((plain && !tag) || (tag && !strcmp(tag, TAG_MERGE)))) {
		struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;

		if (f && f->node->type == YNODE_MAP && f->children.n % 2 == 0)
			n->str = merge_key;
	}
	return attach(b, n, n);
}

static int on_alias(struct builder *b, yaml_event_t *e)
{
	struct anchor *an = find_anchor(b, e->data.alias.anchor);
	struct ynode at = { .line = (int)e->start_mark.line + 1 + b->line_base,
			    .column = (int)e->start_mark.column + 1 + (e->start_mark.line ? 0 : b->col_base) };
	struct ynode *n;

	if (!an)
		return fail(b, &at, "unknown alias '*%s'", e->data.alias.anchor);
	if (an->open)
		return fail(b, &at, "alias '*%s' refers to a collection that contains it", an->name);
	/*
	 * Shared, not copied. What aliases add is counted in size, so a chain
	 * of anchors each aliasing the last ("billion laughs") is refused at
	 * the document's end before anyone walks it.
	 */
	n = an->node;
	if (n->type == YNODE_SCALAR && n->str == merge_key) {
		/* An anchored merge key named again is an ordinary "<<", as in go-yaml. */
		struct ynode *copy = arena_alloc(b->a, sizeof(*copy));

		*copy = *n;
		copy->str = copy->text = "<<";
		n = copy;
	}
	return attach(b, n, &at);
}

/*
 * go-yaml's "excessive aliasing" rule, on the whole document: when more
 * than 100 of more than 1000 expanded nodes come from aliases, their share
 * may be 99% up to 400,000 nodes, falling linearly to 10% at 4,000,000.
 */
static int check_aliasing(struct builder *b, int line)
{
	uint64_t total = b->root ? b->root->size + 1 : 1;
	uint64_t aliased = total > b->nodes + 1 ? total - b->nodes - 1 : 0;
	double allowed;
	struct ynode at = { .line = line, .column = 1 };

	if (total <= 400000)
		allowed = 0.99;
	else if (total >= 4000000)
		allowed = 0.10;
	else
		allowed = 0.99 - 0.89 * ((double)(total - 400000) / 3600000.0);
	if (aliased > 100 && total > 1000 && (double)aliased / (double)total > allowed)
		return fail(b, &at, "the document contains excessive aliasing");
	return 0;
}

/* Handles one event inside a document. */
static int on_event(struct builder *b, yaml_event_t *e)
{
	struct ynode *n;
	bool map = e->type == YAML_MAPPING_START_EVENT;
	struct anchor *an;

	switch (e->type) {
	case YAML_SCALAR_EVENT:
		return on_scalar(b, e);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		n = new_node(b, map ? YNODE_MAP : YNODE_SEQ, &e->start_mark);
		an = remember_anchor(b, map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor, n);
		return open_collection(b, n, an);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return close_collection(b, &e->end_mark);
	case YAML_ALIAS_EVENT:
		return on_alias(b, e);
	default:
		return 0;
	}
}

static void builder_reset(struct builder *b)
{
	while (b->depth > 0)
		ptrvec_free(&b->stack[--b->depth].children);
	ptrvec_free(&b->anchors);
	b->nodes = 0;
	b->root = NULL;
}

/*
 * Kubernetes cuts a stream into documents at lines starting with "---" and
 * refuses such a line with more than a comment after the marker.
 */
static int check_separator(struct builder *b, const char *buf, size_t len, const yaml_mark_t *m)
{
	struct ynode at = { .line = (int)m->line + 1 + b->line_base, .column = (int)m->column + 1 };
	size_t i = m->index + 3;

	if (m->index + 3 > len || memcmp(buf + m->index, "---", 3))
		return 0;	/* not a "---" (a "%YAML" directive's document, say) */
	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	if (i < len && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '#')
		return fail(b, &at, "'---' followed by content: Kubernetes accepts only a comment after a document separator");
	return 0;
}

static void add_doc(struct builder *b, struct ptrvec *roots, struct ptrvec *lines, int line)
{
	int *l = arena_alloc(b->a, sizeof(*l));

	*l = line;
	ptrvec_push(roots, b->root);
	ptrvec_push(lines, l);
}

/* Parses buf as YAML (from a JSON text when json), appending its documents. */
static int parse_yaml(struct builder *b, const char *buf, size_t len, bool json, struct ptrvec *roots,
		      struct ptrvec *lines)
{
	yaml_parser_t parser;
	yaml_event_t e;
	int r = 0, doc_line = 0;
	bool in_doc = false;

	if (!yaml_parser_initialize(&parser)) {
		b->err->line = b->err->column = 0;
		snprintf(b->err->msg, sizeof(b->err->msg), "cannot initialise the YAML parser");
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	b->text = buf;
	b->text_len = len;
	b->at_char = b->at_byte = 0;
	while (!r) {
		if (!yaml_parser_parse(&parser, &e)) {
			struct ynode at = { .line = (int)parser.problem_mark.line + 1 + b->line_base,
					    .column = (int)parser.problem_mark.column + 1 +
						      (parser.problem_mark.line ? 0 : b->col_base) };

			r = fail(b, &at, "invalid YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
			break;
		}
		if (e.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&e);
			break;
		}
		if (e.type == YAML_DOCUMENT_START_EVENT) {
			in_doc = true;
			doc_line = (int)e.start_mark.line + 1 + b->line_base;
			if (!json && !e.data.document_start.implicit)
				r = check_separator(b, buf, len, &e.start_mark);
		} else if (e.type == YAML_DOCUMENT_END_EVENT) {
			r = check_aliasing(b, doc_line);
			if (!r)
				add_doc(b, roots, lines, doc_line);
			builder_reset(b);
			in_doc = false;
			if (roots->n == b->max_docs) {
				yaml_event_delete(&e);
				break;	/* what follows is never parsed, as go-yaml reads one document */
			}
		} else if (in_doc) {
			r = on_event(b, &e);
		}
		yaml_event_delete(&e);
	}
	builder_reset(b);
	yaml_parser_delete(&parser);
	return r;
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
			unsigned hi = 0, lo = 0;
			int ok = i + 12 <= len && buf[i + 1] == 'u' && buf[i + 6] == '\\' && buf[i + 7] == 'u';

			for (int k = 0; ok && k < 4; k++) {
				int dh = parse_hex_digit(buf[i + 2 + k]), dl = parse_hex_digit(buf[i + 8 + k]);

				ok = dh >= 0 && dl >= 0;
				hi = hi * 16 + (unsigned)dh;
				lo = lo * 16 + (unsigned)dl;
			}
			if (ok && hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
				unsigned cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);

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

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * A JSON stream (kubectl decodes values one after another): each value
 * checked by jansson, then read as YAML with its place in the input.
 */
static int parse_json(struct builder *b, const char *buf, size_t len, struct ptrvec *roots,
		      struct ptrvec *lines)
{
	size_t off = 0;

	for (;;) {
		size_t vlen, flen, line_start = 0;
		json_error_t je;
		json_t *j;
		char *fixed;
		int r;

		while (off < len && is_space(buf[off]))
			off++;
		if (off == len || roots->n == b->max_docs)
			return 0;
		b->line_base = 0;
		for (size_t i = 0; i < off; i++)
			if (buf[i] == '\n')
				b->line_base++, line_start = i + 1;
		b->col_base = (int)(off - line_start);
		b->byte_base = off;	/* a surrogate pair rewritten before it shifts what follows, a little */
		j = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		if (!j) {
			b->err->line = je.line > 0 ? je.line + b->line_base : 0;
			b->err->column = je.column > 0 ? je.column + (je.line == 1 ? b->col_base : 0) : 0;
			snprintf(b->err->msg, sizeof(b->err->msg), "invalid JSON: %s", je.text);
			return -EINVAL;
		}
		json_decref(j);
		vlen = (size_t)je.position;
		fixed = json_fix_surrogates(b->a, buf + off, vlen, &flen);
		r = parse_yaml(b, fixed, flen, true, roots, lines);
		if (r)
			return r;
		off += vlen;
	}
}

static bool looks_like_json(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_space(buf[i]))
			return buf[i] == '{';
	return false;
}

int yaml_read(struct arena *a, const char *buf, size_t len, struct ydocs *docs, struct yerr *err)
{
	return yaml_read_some(a, buf, len, SIZE_MAX, docs, err);
}

int yaml_read_some(struct arena *a, const char *buf, size_t len, size_t max, struct ydocs *docs,
		   struct yerr *err)
{
	struct builder b = { .a = a, .err = err, .max_docs = max };
	struct ptrvec roots = { 0 }, lines = { 0 };
	int r;

	memset(err, 0, sizeof(*err));
	memset(docs, 0, sizeof(*docs));
	docs->json = looks_like_json(buf, len);
	if (docs->json)
		r = parse_json(&b, buf, len, &roots, &lines);
	else
		r = parse_yaml(&b, buf, len, false, &roots, &lines);
	free(b.stack);
	if (!r) {
		docs->n = roots.n;
		docs->roots = arena_alloc(a, (roots.n + 1) * sizeof(*docs->roots));
		docs->lines = arena_alloc(a, (roots.n + 1) * sizeof(*docs->lines));
		for (size_t i = 0; i < roots.n; i++) {
			docs->roots[i] = roots.v[i];
			docs->lines[i] = *(int *)lines.v[i];
		}
	}
	ptrvec_free(&roots);
	ptrvec_free(&lines);
	return r ? -EINVAL : 0;
}

struct ynode *ynode_get(struct ynode *map, const char *key)
{
	struct ynode *v = NULL;
	size_t len = strlen(key);

	if (!map || map->type != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == len && !memcmp(map->keys[i]->str, key, len)) {
			map->used[i] = true;
			v = map->items[i];
		}
	return ynode_is_null(v) ? NULL : v;
}

const struct ynode *ynode_peek(const struct ynode *map, const char *key)
{
	const struct ynode *v = NULL;
	size_t len = strlen(key);

	if (!map || map->type != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == len && !memcmp(map->keys[i]->str, key, len))
			v = map->items[i];
	return ynode_is_null(v) ? NULL : v;
}
