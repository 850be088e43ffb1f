/*
 * ydoc.h - a YAML file as a node tree (libyaml's document API) with the
 * helpers a strict loader needs: typed scalars, line numbers and error
 * messages of the form "cannot load 'f.yaml': line 12: a.b[1].c: why".
 */
#ifndef SMIW_VERIFY_YDOC_H
#define SMIW_VERIFY_YDOC_H

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

/* One document of a YAML file. */
struct ydoc {
	yaml_document_t doc;
	const char *path;	/* for messages; not owned */
	bool loaded;
};

/*
 * Reads every document of a YAML file, calling fn(d, root, arg) for each
 * non-empty one (root is NULL for an empty document, which is skipped).
 * Stops at the first non-zero return of fn and returns it; parse errors
 * are printed and returned as -EINVAL, an unreadable file as -EIO.
 */
int ydoc_each(const char *path, int (*fn)(struct ydoc *d, yaml_node_t *root, void *arg), void *arg);

/* 1-based line of a node (0 for NULL). */
unsigned ydoc_line(const yaml_node_t *n);

/* Prints "error: cannot load 'PATH': line L: FIELD: MSG" and returns -EINVAL. */
int ydoc_error(const struct ydoc *d, const yaml_node_t *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Node of a mapping's key, or NULL (also when `map` is not a mapping). */
yaml_node_t *ydoc_get(struct ydoc *d, yaml_node_t *map, const char *key);

/* The text of a scalar node, or NULL when n is not a scalar. */
const char *ydoc_scalar(const yaml_node_t *n);

/* Node i of a sequence, or NULL. */
yaml_node_t *ydoc_item(struct ydoc *d, yaml_node_t *seq, size_t i);

/* Number of items in a sequence (0 for anything else). */
size_t ydoc_len(const yaml_node_t *seq);

/*
 * Checks that every key of the mapping is one of `known` (NULL-terminated);
 * errors name the first unknown key. Returns 0 or -EINVAL.
 */
int ydoc_known_keys(struct ydoc *d, yaml_node_t *map, const char *field, const char *const *known);

/* Typed scalar readers: print an error naming `field` and return -EINVAL on mismatch. */
int ydoc_str(struct ydoc *d, yaml_node_t *n, const char *field, const char **out);
int ydoc_u64(struct ydoc *d, yaml_node_t *n, const char *field, uint64_t min, uint64_t max,
	     uint64_t *out);
int ydoc_double(struct ydoc *d, yaml_node_t *n, const char *field, double min, double max,
		double *out);
int ydoc_bool(struct ydoc *d, yaml_node_t *n, const char *field, bool *out);
int ydoc_duration(struct ydoc *d, yaml_node_t *n, const char *field, uint64_t max_ns,
		  uint64_t *out);

#endif
