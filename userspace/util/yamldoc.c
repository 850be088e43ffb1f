/* yamldoc.c - see yamldoc.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/parse.h"
#include "util/yamldoc.h"

/* --- streams and documents -------------------------------------------------- */

int ystream_open(struct ystream *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->file, sizeof(s->file), "%s", path);
	s->f = fopen(path, "re");
	if (!s->f)
		return -errno;
	yaml_parser_initialize(&s->parser);
	yaml_parser_set_input_file(&s->parser, s->f);
	return 0;
}

void ystream_open_string(struct ystream *s, const char *name, const char *text, size_t len)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->file, sizeof(s->file), "%s", name);
	yaml_parser_initialize(&s->parser);
	yaml_parser_set_input_string(&s->parser, (const unsigned char *)text, len);
}

int ystream_next(struct ystream *s, struct ydoc *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->file, sizeof(d->file), "%s", s->file);
	if (!yaml_parser_load(&s->parser, &d->doc)) {
		s->err_line = (unsigned)s->parser.problem_mark.line + 1;
		snprintf(s->problem, sizeof(s->problem), "%s", s->parser.problem ? s->parser.problem : "invalid YAML");
		snprintf(s->context, sizeof(s->context), "%s", s->parser.context ? s->parser.context : "");
		return -EINVAL;
	}
	if (!yaml_document_get_root_node(&d->doc)) {	/* end of stream: *d stays empty, no root */
		yaml_document_delete(&d->doc);
		memset(&d->doc, 0, sizeof(d->doc));
		return 0;
	}
	d->loaded = true;
	return 1;
}

void ystream_close(struct ystream *s)
{
	yaml_parser_delete(&s->parser);
	if (s->f)
		fclose(s->f);
	s->f = NULL;
}

/* The first document of an opened stream, with the errors printed. */
static int load_first(struct ystream *s, struct ydoc *d)
{
	int r = ystream_next(s, d);

	if (r < 0)
		error("cannot load '%s': line %u: %s", s->file, s->err_line, s->problem);
	else if (r == 0)
		error("cannot load '%s': no YAML document in it", s->file);
	ystream_close(s);
	return r == 1 ? 0 : -EINVAL;
}

int ydoc_load(struct ydoc *d, const char *path)
{
	struct ystream s;
	int r = ystream_open(&s, path);

	if (r) {
		memset(d, 0, sizeof(*d));
		error_errno(-r, "cannot load '%s'", path);
		return r;
	}
	return load_first(&s, d);
}

int ydoc_load_string(struct ydoc *d, const char *name, const char *text, size_t len)
{
	struct ystream s;

	ystream_open_string(&s, name, text, len);
	return load_first(&s, d);
}

int ydoc_each(const char *path, int (*fn)(struct ydoc *d, yaml_node_t *root, void *arg), void *arg)
{
	struct ystream s;
	struct ydoc d;
	int r = ystream_open(&s, path);

	if (r) {
		error_errno(-r, "cannot load '%s'", path);
		return -EIO;
	}
	while ((r = ystream_next(&s, &d)) == 1) {
		yaml_node_t *root = ydoc_root(&d);

		/* an empty document ("---" alone) has an empty scalar for a root */
		r = root->type != YAML_SCALAR_NODE || root->data.scalar.length ? fn(&d, root, arg) : 0;
		ydoc_free(&d);
		if (r)
			break;
	}
	if (r == -EINVAL && s.err_line)
		error("cannot load '%s': line %u: %s%s%s", path, s.err_line, s.problem, *s.context ? " " : "",
		      s.context);
	ystream_close(&s);
	return r;
}

void ydoc_free(struct ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

yaml_node_t *ydoc_root(struct ydoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

/* --- positions and messages ------------------------------------------------- */

unsigned ydoc_line(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 0;
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

int ydoc_error(const struct ydoc *d, const yaml_node_t *n, const char *field, const char *fmt, ...)
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

yaml_node_t *ydoc_get(struct ydoc *d, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = ydoc_scalar(yaml_document_get_node(&d->doc, p->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(&d->doc, p->value);
	}
	return NULL;
}

const char *ydoc_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *ydoc_item(struct ydoc *d, const yaml_node_t *seq, size_t i)
{
	if (i >= ydoc_len(seq))
		return NULL;
	return yaml_document_get_node(&d->doc, seq->data.sequence.items.start[i]);
}

size_t ydoc_len(const yaml_node_t *seq)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

int ydoc_known_keys(struct ydoc *d, const yaml_node_t *map, const char *field, const char *const *known)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return ydoc_error(d, map, field, "not a mapping");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&d->doc, p->key);
		const char *k = ydoc_scalar(kn);
		const char *const *w = known;

		if (!k)
			return ydoc_error(d, kn, field, "a key is not a string");
		while (*w && strcmp(*w, k))
			w++;
		if (!*w)
			return ydoc_error(d, kn, field, "unknown field '%s'", k);
		/* Duplicate keys would make one of them silently win. */
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			const char *k2 = ydoc_scalar(yaml_document_get_node(&d->doc, q->key));

			if (k2 && !strcmp(k, k2))
				return ydoc_error(d, kn, field, "field '%s' given twice", k);
		}
	}
	return 0;
}

/* --- typed scalars ---------------------------------------------------------- */

int ydoc_str(struct ydoc *d, const yaml_node_t *n, const char *field, const char **out)
{
	const char *s = ydoc_scalar(n);

	if (!s)
		return ydoc_error(d, n, field, "not a string");
	*out = s;
	return 0;
}

int ydoc_strcpy(struct ydoc *d, const yaml_node_t *n, const char *field, char *buf, size_t len)
{
	const char *s = ydoc_scalar(n);

	if (!s)
		return ydoc_error(d, n, field, "not a string");
	if (strlen(s) != n->data.scalar.length)
		return ydoc_error(d, n, field, "contains a NUL character");
	if (strlen(s) >= len)
		return ydoc_error(d, n, field, "longer than %zu characters", len - 1);
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

/* The error for a scalar that a parse_*() function refused with r: out of `range`, or not `what` at all. */
static int refused(struct ydoc *d, const yaml_node_t *n, const char *field, int r, const char *what,
		   const char *range)
{
	if (r == -ERANGE)
		return ydoc_error(d, n, field, "%s is out of range %s", ydoc_scalar(n), range);
	return ydoc_error(d, n, field, "not %s", what);
}

int ydoc_u64(struct ydoc *d, const yaml_node_t *n, const char *field, uint64_t min, uint64_t max,
	     uint64_t *out)
{
	const char *s = ydoc_scalar(n);
	int r = s ? parse_u64(s, min, max, out) : -EINVAL;
	char range[64];

	snprintf(range, sizeof(range), "[%llu, %llu]", (unsigned long long)min, (unsigned long long)max);
	return r ? refused(d, n, field, r, "an integer", range) : 0;
}

int ydoc_double(struct ydoc *d, const yaml_node_t *n, const char *field, double min, double max,
		double *out)
{
	const char *s = ydoc_scalar(n);
	int r = s ? parse_double(s, min, max, out) : -EINVAL;
	char range[64];

	snprintf(range, sizeof(range), "[%g, %g]", min, max);
	return r ? refused(d, n, field, r, "a number", range) : 0;
}

int ydoc_bool(struct ydoc *d, const yaml_node_t *n, const char *field, bool *out)
{
	const char *s = ydoc_scalar(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes"))) {
		*out = true;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no"))) {
		*out = false;
		return 0;
	}
	return ydoc_error(d, n, field, "not a boolean (true or false)");
}

int ydoc_duration(struct ydoc *d, const yaml_node_t *n, const char *field, uint64_t max_ns,
		  uint64_t *out)
{
	const char *s = ydoc_scalar(n);
	int r = s ? parse_duration_ns(s, max_ns, out) : -EINVAL;
	char range[64];

	snprintf(range, sizeof(range), "(at most %llus)", (unsigned long long)(max_ns / 1000000000ULL));
	return r ? refused(d, n, field, r, s ? "a duration (e.g. 250ms, 10s, 2m)" : "a duration", range) : 0;
}
