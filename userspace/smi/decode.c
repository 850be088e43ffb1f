/* decode.c - typed access to the document tree, recording every problem. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smi/internal.h"

const char *path_key(struct dctx *c, const char *parent, const char *key)
{
	return parent && *parent ? arena_printf(c->a, "%s.%s", parent, key) : key;
}

const char *path_index(struct dctx *c, const char *parent, size_t i)
{
	return arena_printf(c->a, "%s[%zu]", parent, i);
}

static void vreport(struct dctx *c, enum smi_severity sev, const struct ynode *at,
		    const char *path, const char *fmt, va_list ap)
{
	char msg[512];

	if (c->prefix)
		path = path && *path ? arena_printf(c->a, "%s.%s", c->prefix, path) : c->prefix;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* A mapping or list is reported where its key is: "spec:", not its first entry. */
	if (at && at->type != YNODE_SCALAR && at->key_line)
		diag_add(c->set, sev, c->file, at->key_line, at->key_column, path, "%s", msg);
	else
		diag_add(c->set, sev, c->file, at ? at->line : 0, at ? at->column : 0, path, "%s", msg);
	if (sev == SMI_ERROR)
		c->errors++;
}

void derr(struct dctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, SMI_ERROR, at, path, fmt, ap);
	va_end(ap);
}

void dwarn(struct dctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, SMI_WARNING, at, path, fmt, ap);
	va_end(ap);
}

struct ynode *field(struct ynode *map, const char *key)
{
	/* Every occurrence is marked read; the last one wins, as in Kubernetes' reader. */
	return ynode_get(map, key);
}

struct ynode *field_req(struct dctx *c, struct ynode *map, const char *path, const char *key)
{
	struct ynode *v = field(map, key);

	if (!v)
		derr(c, map, path_key(c, path, key), "required field missing");
	return v;
}

static const char *type_word(const struct ynode *n)
{
	return ynode_kind_name(n);
}

bool want_map(struct dctx *c, const struct ynode *n, const char *path)
{
	if (n->type == YNODE_MAP)
		return true;
	derr(c, n, path, "expected a mapping, got %s", type_word(n));
	return false;
}

bool want_seq(struct dctx *c, const struct ynode *n, const char *path)
{
	if (n->type == YNODE_SEQ)
		return true;
	derr(c, n, path, "expected a list, got %s", type_word(n));
	return false;
}

const char *want_str(struct dctx *c, const struct ynode *n, const char *path)
{
	if (n->type != YNODE_SCALAR || n->kind != YSCALAR_STRING) {
		derr(c, n, path, "expected a string, got %s", type_word(n));
		return NULL;
	}
	if (strlen(n->str) != n->len) {
		derr(c, n, path, "contains a NUL character");
		return NULL;
	}
	return n->str;
}

const char *str_field(struct dctx *c, struct ynode *map, const char *parent, const char *key,
		      bool required)
{
	struct ynode *v = required ? field_req(c, map, parent, key) : field(map, key);

	return v ? want_str(c, v, path_key(c, parent, key)) : NULL;
}

bool want_int(struct dctx *c, const struct ynode *n, const char *path, int64_t min,
	      int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (n->type != YNODE_SCALAR || (n->kind != YSCALAR_INT && n->kind != YSCALAR_FLOAT)) {
		derr(c, n, path, "expected an integer, got %s", type_word(n));
		return false;
	}
	/* 1.0 and 1e3 are integers once Kubernetes has them as JSON; 1.5 is not. */
	if (n->kind == YSCALAR_FLOAT && !ynode_int(n, &v)) {
		derr(c, n, path, "not an integer");
		return false;
	}
	if (n->big || !ynode_int(n, &v) || v < min || v > max) {
		if (min == 0 && v < 0)
			derr(c, n, path, "must not be negative");
		else
			derr(c, n, path, "out of range (%lld-%lld)", (long long)min, (long long)max);
		return false;
	}
	*out = v;
	return true;
}

const char *quantity_text(struct dctx *c, const struct ynode *n)
{
	char buf[40];

	if (n->type == YNODE_SCALAR && n->kind == YSCALAR_STRING)
		return n->str;
	/* resource.Quantity reads a number from its JSON text: 1.50 as "1.5", 0x10 as "16". */
	return ynode_json_number(n, buf, sizeof(buf)) ? arena_strdup(c->a, buf) : NULL;
}

static const struct ynode *sort_keys_base;

static int cmp_key_index(const void *a, const void *b)
{
	const struct ynode *ka = sort_keys_base->keys[*(const size_t *)a];
	const struct ynode *kb = sort_keys_base->keys[*(const size_t *)b];
	size_t n = ka->len < kb->len ? ka->len : kb->len;
	int r = memcmp(ka->str, kb->str, n);

	if (r)
		return r;
	if (ka->len != kb->len)
		return ka->len < kb->len ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Duplicate keys: sorted indices, so a huge mapping costs n log n, not n^2. */
static void duplicate_keys(struct dctx *c, struct ynode *map, const char *path)
{
	size_t *idx, n = 0;

	idx = arena_alloc(c->a, map->n * sizeof(*idx) + 1);
	/* What a merge key (<<) brings in may be overridden: that is what it is for. */
	for (size_t i = 0; i < map->n; i++)
		if (!map->merged[i])
			idx[n++] = i;
	sort_keys_base = map;
	qsort(idx, n, sizeof(*idx), cmp_key_index);
	for (size_t i = 1; i < n; i++) {
		const struct ynode *a = map->keys[idx[i - 1]], *b = map->keys[idx[i]];

		if (a->len == b->len && !memcmp(a->str, b->str, a->len))
			dwarn(c, b, path_key(c, path, b->str),
			      "duplicate field (first at line %d); the last value is used", a->line);
	}
}

static bool in_list(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

void unknown_fields(struct dctx *c, struct ynode *map, const char *path,
		    const char *const *hint_keys, const char *hint)
{
	if (!map || map->type != YNODE_MAP)
		return;
	duplicate_keys(c, map, path);
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->keys[i];

		if (map->used[i])
			continue;
		dwarn(c, k, path_key(c, path, k->str), "field not defined in %s; Kubernetes drops it%s",
		      c->api, hint && in_list(k->str, hint_keys) ? hint : "");
	}
}

void mark_all_used(struct ynode *map)
{
	if (map && map->type == YNODE_MAP)
		for (size_t i = 0; i < map->n; i++)
			map->used[i] = true;
}

const char *const *str_list(struct dctx *c, struct ynode *list, const char *path, size_t *n)
{
	const char **out;

	*n = 0;
	if (!want_seq(c, list, path))
		return NULL;
	out = arena_alloc(c->a, (list->n + 1) * sizeof(*out));
	for (size_t i = 0; i < list->n; i++) {
		const char *s = want_str(c, list->items[i], path_index(c, path, i));

		if (s)
			out[(*n)++] = s;
	}
	return out;
}

const struct smi_label *label_map(struct dctx *c, struct ynode *map, const char *path, size_t *n)
{
	struct smi_label *labels;

	*n = 0;
	if (!want_map(c, map, path))
		return NULL;
	labels = arena_alloc(c->a, (map->n + 1) * sizeof(*labels));
	mark_all_used(map);
	for (size_t i = 0; i < map->n; i++) {
		const char *k = want_str(c, map->keys[i], path);
		const char *v = k ? want_str(c, map->items[i], path_key(c, path, k)) : NULL;

		if (k && v) {
			labels[*n].key = k;
			labels[(*n)++].value = v;
		}
	}
	return labels;
}
