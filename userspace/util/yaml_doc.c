/* yaml_doc.c - see yaml_doc.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/yaml_doc.h"

#define YDOC_FILE_MAX (64u << 20)	/* as the SMI model reads at most */

/* --- documents -------------------------------------------------------------- */

int ydoc_read(struct ydoc *d, const char *name, const char *text, size_t len, struct yerr *err)
{
	struct ydocs docs;

	memset(d, 0, sizeof(*d));
	snprintf(d->file, sizeof(d->file), "%s", name);
	/* Our formats hold one document: what follows the first is not read, as go-yaml does. */
	if (yaml_read_some(&d->arena, text, len, 1, &docs, err)) {
		arena_free(&d->arena);
		return -EINVAL;
	}
	if (!docs.n) {
		arena_free(&d->arena);
		err->line = err->column = 0;
		snprintf(err->msg, sizeof(err->msg), "no YAML document in it");
		return -ENODATA;
	}
	d->root = docs.roots[0];
	d->loaded = true;
	return 0;
}

/* "cannot load 'FILE': line N: MSG", or without the line when there is none. */
static void print_read_error(const char *file, const struct yerr *e)
{
	if (e->line)
		error("cannot load '%s': line %d: %s", file, e->line, e->msg);
	else
		error("cannot load '%s': %s", file, e->msg);
}

int ydoc_load_string(struct ydoc *d, const char *name, const char *text, size_t len)
{
	struct yerr e;

	if (ydoc_read(d, name, text, len, &e)) {
		print_read_error(name, &e);
		return -EINVAL;
	}
	return 0;
}

int ydoc_load(struct ydoc *d, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int r = file_read_all(path, YDOC_FILE_MAX, &text, &len);

	if (r) {
		memset(d, 0, sizeof(*d));
		error_errno(-r, "cannot load '%s'", path);
		return r;
	}
	r = ydoc_load_string(d, path, text, len);
	free(text);
	return r;
}

int ydoc_each(const char *path, int (*fn)(struct ydoc *d, struct ynode *root, void *arg), void *arg)
{
	struct ydoc d = { 0 };
	struct ydocs docs;
	struct yerr e;
	char *text = NULL;
	size_t len = 0;
	int r = file_read_all(path, YDOC_FILE_MAX, &text, &len);

	if (r) {
		error_errno(-r, "cannot load '%s'", path);
		return -EIO;
	}
	snprintf(d.file, sizeof(d.file), "%s", path);
	r = yaml_read(&d.arena, text, len, &docs, &e);
	free(text);
	if (r) {
		print_read_error(path, &e);
		arena_free(&d.arena);
		return -EINVAL;
	}
	d.loaded = true;
	for (size_t i = 0; i < docs.n && !r; i++) {
		d.root = docs.roots[i];
		if (!ynode_is_null(d.root))
			r = fn(&d, d.root, arg);
	}
	ydoc_free(&d);
	return r;
}

void ydoc_free(struct ydoc *d)
{
	if (d->loaded)
		arena_free(&d->arena);
	d->loaded = false;
	d->root = NULL;
}

struct ynode *ydoc_root(struct ydoc *d)
{
	return d->root;
}

/* --- positions and messages ------------------------------------------------- */

unsigned ydoc_line(const struct ynode *n)
{
	return n ? (unsigned)n->line : 0;
}

const char *ydoc_path(char buf[YDOC_PATH_MAX], const char *base, const char *fmt, ...)
{
	size_t n = strlen(base) < YDOC_PATH_MAX ? strlen(base) : YDOC_PATH_MAX - 1;
	va_list ap;

	memmove(buf, base, n);
	va_start(ap, fmt);
	vsnprintf(buf + n, YDOC_PATH_MAX - n, fmt, ap);
	va_end(ap);
	return buf;
}

int ydoc_error(const struct ydoc *d, const struct ynode *n, const char *field, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!*field)
		field = "(top)";
	if (n)
		error("cannot load '%s': line %u: %s: %s", d->file, ydoc_line(n), field, msg);
	else
		error("cannot load '%s': %s: %s", d->file, field, msg);
	return -EINVAL;
}

/* --- nodes ------------------------------------------------------------------ */

struct ynode *ydoc_get(struct ydoc *d, const struct ynode *map, const char *key)
{
	(void)d;
	/* The tree is the caller's: handing back a node it can read further is fine. */
	return (struct ynode *)ynode_peek(map, key);
}

const char *ydoc_scalar(const struct ynode *n)
{
	return n && n->type == YNODE_SCALAR ? n->text : NULL;
}

struct ynode *ydoc_item(struct ydoc *d, const struct ynode *seq, size_t i)
{
	(void)d;
	return i < ydoc_len(seq) ? seq->items[i] : NULL;
}

size_t ydoc_len(const struct ynode *seq)
{
	return seq && seq->type == YNODE_SEQ ? seq->n : 0;
}

int ydoc_known_keys(struct ydoc *d, const struct ynode *map, const char *field, const char *const *known)
{
	if (!map || map->type != YNODE_MAP)
		return ydoc_error(d, map, field, "not a mapping");
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *kn = map->keys[i];
		const char *const *w = known;

		while (*w && strcmp(*w, kn->str))
			w++;
		if (!*w)
			return ydoc_error(d, kn, field, "unknown field '%s'", kn->str);
		/*
		 * Duplicate keys would make one of them silently win; a merged key
		 * counts too, as in sigs.k8s.io/yaml's strict reading.
		 */
		for (size_t j = 0; j < i; j++)
			if (!strcmp(kn->str, map->keys[j]->str))
				return ydoc_error(d, kn, field, "field '%s' given twice", kn->str);
	}
	return 0;
}

/* --- typed fields ------------------------------------------------------------ */

int ydoc_str(struct ydoc *d, const struct ynode *n, const char *field, const char **out)
{
	const char *s = ydoc_scalar(n);

	if (!s)
		return ydoc_error(d, n, field, "not a string");
	*out = s;
	return 0;
}

int ydoc_strcpy(struct ydoc *d, const struct ynode *n, const char *field, char *buf, size_t len)
{
	const char *s = ydoc_scalar(n);

	if (!s)
		return ydoc_error(d, n, field, "not a string");
	if (n->kind == YSCALAR_STRING && strlen(s) != n->len)
		return ydoc_error(d, n, field, "contains a NUL character");
	if (strlen(s) >= len)
		return ydoc_error(d, n, field, "longer than %zu characters", len - 1);
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

int ydoc_u64(struct ydoc *d, const struct ynode *n, const char *field, uint64_t min, uint64_t max,
	     uint64_t *out)
{
	bool big = n && n->type == YNODE_SCALAR && n->kind == YSCALAR_INT && n->big;
	int64_t v;

	if (!big && !ynode_int(n, &v))
		return ydoc_error(d, n, field, "not an integer");
	if (big ? n->u < min || n->u > max : v < 0 || (uint64_t)v < min || (uint64_t)v > max)
		return ydoc_error(d, n, field, "%s is out of range [%llu, %llu]", n->str,
				  (unsigned long long)min, (unsigned long long)max);
	*out = big ? n->u : (uint64_t)v;
	return 0;
}

int ydoc_double(struct ydoc *d, const struct ynode *n, const char *field, double min, double max,
		double *out)
{
	double v;

	if (!ynode_number(n, &v))
		return ydoc_error(d, n, field, "not a number");
	if (v < min || v > max)
		return ydoc_error(d, n, field, "%s is out of range [%g, %g]", n->str, min, max);
	*out = v;
	return 0;
}

int ydoc_bool(struct ydoc *d, const struct ynode *n, const char *field, bool *out)
{
	if (!n || n->type != YNODE_SCALAR || n->kind != YSCALAR_BOOL)
		return ydoc_error(d, n, field, "not a boolean (true or false)");
	*out = n->b;
	return 0;
}

int ydoc_duration(struct ydoc *d, const struct ynode *n, const char *field, uint64_t max_ns,
		  uint64_t *out)
{
	char num[40];
	const char *s = NULL;
	int r;

	/* A string such as "250ms", or a number of seconds (read from its JSON text). */
	if (n && n->type == YNODE_SCALAR && n->kind == YSCALAR_STRING)
		s = n->str;
	else
		s = ynode_json_number(n, num, sizeof(num));
	r = s ? parse_duration_ns(s, max_ns, out) : -EINVAL;
	if (r == -ERANGE)
		return ydoc_error(d, n, field, "%s is out of range (at most %llus)", n->str,
				  (unsigned long long)(max_ns / 1000000000ULL));
	if (r)
		return ydoc_error(d, n, field, "not %s", s ? "a duration (e.g. 250ms, 10s, 2m)" : "a duration");
	return 0;
}
