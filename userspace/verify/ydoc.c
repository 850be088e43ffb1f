/* ydoc.c - see ydoc.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/parse.h"
#include "verify/ydoc.h"

int ydoc_each(const char *path, int (*fn)(struct ydoc *d, yaml_node_t *root, void *arg), void *arg)
{
	yaml_parser_t parser;
	struct ydoc d = { .path = path };
	FILE *f = fopen(path, "rb");
	int r = 0;

	if (!f) {
		error_errno(errno, "cannot load '%s'", path);
		return -EIO;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &d.doc)) {
			error("cannot load '%s': line %zu: %s%s%s", path, parser.problem_mark.line + 1,
			      parser.problem ? parser.problem : "invalid YAML",
			      parser.context ? " " : "", parser.context ? parser.context : "");
			r = -EINVAL;
			break;
		}
		d.loaded = true;
		root = yaml_document_get_root_node(&d.doc);
		if (!root) {	/* end of stream */
			yaml_document_delete(&d.doc);
			break;
		}
		if (root->type != YAML_SCALAR_NODE || root->data.scalar.length)
			r = fn(&d, root, arg);
		yaml_document_delete(&d.doc);
		if (r)
			break;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return r;
}

unsigned ydoc_line(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 0;
}

int ydoc_error(const struct ydoc *d, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		error("cannot load '%s': line %u: %s: %s", d->path, ydoc_line(n), field, msg);
	else
		error("cannot load '%s': %s: %s", d->path, field, msg);
	return -EINVAL;
}

yaml_node_t *ydoc_get(struct ydoc *d, yaml_node_t *map, const char *key)
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

yaml_node_t *ydoc_item(struct ydoc *d, yaml_node_t *seq, size_t i)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE || i >= ydoc_len(seq))
		return NULL;
	return yaml_document_get_node(&d->doc, seq->data.sequence.items.start[i]);
}

size_t ydoc_len(const yaml_node_t *seq)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

int ydoc_known_keys(struct ydoc *d, yaml_node_t *map, const char *field, const char *const *known)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return ydoc_error(d, map, field, "not a mapping");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&d->doc, p->key);
		const char *k = ydoc_scalar(kn);
		const char *const *w = known;

		if (!k)
			return ydoc_error(d, kn, field, "keys must be plain words");
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

int ydoc_str(struct ydoc *d, yaml_node_t *n, const char *field, const char **out)
{
	const char *s = ydoc_scalar(n);

	if (!s)
		return ydoc_error(d, n, field, "not a string");
	*out = s;
	return 0;
}

int ydoc_u64(struct ydoc *d, yaml_node_t *n, const char *field, uint64_t min, uint64_t max,
	     uint64_t *out)
{
	const char *s = ydoc_scalar(n);
	int r;

	if (!s)
		return ydoc_error(d, n, field, "not an integer");
	r = parse_u64(s, min, max, out);
	if (r == -ERANGE)
		return ydoc_error(d, n, field, "%s is out of range [%llu, %llu]", s,
				  (unsigned long long)min, (unsigned long long)max);
	if (r)
		return ydoc_error(d, n, field, "not an integer");
	return 0;
}

int ydoc_double(struct ydoc *d, yaml_node_t *n, const char *field, double min, double max,
		double *out)
{
	const char *s = ydoc_scalar(n);
	int r;

	if (!s)
		return ydoc_error(d, n, field, "not a number");
	r = parse_double(s, min, max, out);
	if (r == -ERANGE)
		return ydoc_error(d, n, field, "%s is out of range [%g, %g]", s, min, max);
	if (r)
		return ydoc_error(d, n, field, "not a number");
	return 0;
}

int ydoc_bool(struct ydoc *d, yaml_node_t *n, const char *field, bool *out)
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

int ydoc_duration(struct ydoc *d, yaml_node_t *n, const char *field, uint64_t max_ns,
		  uint64_t *out)
{
	const char *s = ydoc_scalar(n);
	int r;

	if (!s)
		return ydoc_error(d, n, field, "not a duration");
	r = parse_duration_ns(s, max_ns, out);
	if (r == -ERANGE)
		return ydoc_error(d, n, field, "%s is out of range (at most %llus)", s,
				  (unsigned long long)(max_ns / 1000000000ULL));
	if (r)
		return ydoc_error(d, n, field, "not a duration (e.g. 250ms, 10s, 2m)");
	return 0;
}
