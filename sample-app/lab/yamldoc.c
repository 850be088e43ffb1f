/* yamldoc.c - see yamldoc.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lab/yamldoc.h"
#include "util/log.h"
#include "util/parse.h"

static int load(struct ydoc *d, yaml_parser_t *parser)
{
	int r = 0;

	if (!yaml_parser_load(parser, &d->doc)) {
		r = error("cannot load '%s': line %zu: %s", d->file,
			  parser->problem_mark.line + 1,
			  parser->problem ? parser->problem : "invalid YAML");
	} else if (!yaml_document_get_root_node(&d->doc)) {
		yaml_document_delete(&d->doc);
		r = error("cannot load '%s': no YAML document in it", d->file);
	} else {
		d->loaded = true;
	}
	yaml_parser_delete(parser);
	return r;
}

int ydoc_load(struct ydoc *d, const char *path)
{
	yaml_parser_t parser;
	FILE *f;
	int r;

	memset(d, 0, sizeof(*d));
	snprintf(d->file, sizeof(d->file), "%s", path);
	f = fopen(path, "re");
	if (!f)
		return error_errno(errno, "cannot load '%s'", path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	r = load(d, &parser);
	fclose(f);
	return r;
}

int ydoc_load_string(struct ydoc *d, const char *name, const char *text, size_t len)
{
	yaml_parser_t parser;

	memset(d, 0, sizeof(*d));
	snprintf(d->file, sizeof(d->file), "%s", name);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	return load(d, &parser);
}

const char *ypath(char buf[YPATH_MAX], const char *base, const char *fmt, ...)
{
	size_t n = strlen(base) < YPATH_MAX ? strlen(base) : YPATH_MAX - 1;
	va_list ap;

	memmove(buf, base, n);
	va_start(ap, fmt);
	vsnprintf(buf + n, YPATH_MAX - n, fmt, ap);
	va_end(ap);
	return buf;
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

int ydoc_err(struct ydoc *d, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error("cannot load '%s': line %zu: %s: %s", d->file,
		     (n ? n->start_mark.line : 0) + 1, path && *path ? path : "(top)", msg);
}

yaml_node_t *ymap_get(struct ydoc *d, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = yscalar(yaml_document_get_node(&d->doc, p->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(&d->doc, p->value);
	}
	return NULL;
}

int ymap_check(struct ydoc *d, const yaml_node_t *n, const char *path, const char *const *allowed)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return ydoc_err(d, n, path, "not a mapping");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(&d->doc, p->key);
		const char *k = yscalar(kn);
		const char *const *a;

		if (!k)
			return ydoc_err(d, kn, path, "a key is not a string");
		for (a = allowed; *a && strcmp(*a, k); a++)
			;
		if (!*a)
			return ydoc_err(d, kn, path, "unknown field '%s'", k);
	}
	return 0;
}

size_t yseq_len(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return 0;
	return n->data.sequence.items.top - n->data.sequence.items.start;
}

yaml_node_t *yseq_at(struct ydoc *d, const yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&d->doc, n->data.sequence.items.start[i]);
}

const char *yscalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int ystr(struct ydoc *d, const yaml_node_t *n, const char *path, char *buf, size_t len)
{
	const char *s = yscalar(n);

	if (!s)
		return ydoc_err(d, n, path, "not a string");
	if (strlen(s) != n->data.scalar.length)
		return ydoc_err(d, n, path, "contains a NUL character");
	if (strlen(s) >= len)
		return ydoc_err(d, n, path, "longer than %zu characters", len - 1);
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

int yu64(struct ydoc *d, const yaml_node_t *n, const char *path, uint64_t min, uint64_t max,
	 uint64_t *out)
{
	const char *s = yscalar(n);
	int r;

	if (!s)
		return ydoc_err(d, n, path, "not an integer");
	r = parse_u64(s, min, max, out);
	if (r == -ERANGE)
		return ydoc_err(d, n, path, "%s is out of range [%llu, %llu]", s,
				(unsigned long long)min, (unsigned long long)max);
	if (r)
		return ydoc_err(d, n, path, "not an integer");
	return 0;
}
