/*
 * yamldoc.h - YAML files as node trees (libyaml's document API) with what a
 * strict loader needs: one document or every document of a stream, typed
 * scalars, node paths, line numbers, and errors of the form
 * "cannot load 'f.yaml': line 12: a.b[1].c: why". The lab topology, the
 * scenario and the metrics profile loaders read their files through it.
 */
#ifndef SMIW_UTIL_YAMLDOC_H
#define SMIW_UTIL_YAMLDOC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

/* One document of a YAML text, plus the name messages give the text. */
struct ydoc {
	yaml_document_t doc;
	char file[PATH_MAX];
	bool loaded;
};

/* A YAML stream read one document at a time. */
struct ystream {
	yaml_parser_t parser;
	FILE *f;		/* NULL for a string */
	char file[PATH_MAX];
	/* After a syntax error: where it is and what libyaml says. */
	unsigned err_line;
	char problem[160], context[160];
};

/* Opens the file at `path` as a stream. Returns 0 or -errno (nothing printed). */
int ystream_open(struct ystream *s, const char *path);

/* Opens `len` bytes of text (kept by the caller until closed) as a stream called `name`. */
void ystream_open_string(struct ystream *s, const char *name, const char *text, size_t len);

/*
 * Reads the next document into *d (free it with ydoc_free). Returns 1 for a
 * document, 0 at the end of the stream, -EINVAL on a syntax error (described
 * in s->err_line, s->problem and s->context; nothing printed).
 */
int ystream_next(struct ystream *s, struct ydoc *d);

/* Closes the stream; safe after a failed open. */
void ystream_close(struct ystream *s);

/*
 * Loads the first document of `path` (ydoc_load_string: of `len` bytes of
 * text called `name`). Returns 0, or a negative errno after printing
 * "error: cannot load 'FILE': line N: PROBLEM" (libyaml's words), or
 * "...: no YAML document in it" for an empty text.
 */
int ydoc_load(struct ydoc *d, const char *path);
int ydoc_load_string(struct ydoc *d, const char *name, const char *text, size_t len);

/*
 * Reads every document of a YAML file, calling fn(d, root, arg) for each
 * non-empty one. Stops at the first non-zero return of fn and returns it;
 * syntax errors are printed with libyaml's context ("... while parsing a
 * flow sequence") and returned as -EINVAL, an unreadable file as -EIO.
 */
int ydoc_each(const char *path, int (*fn)(struct ydoc *d, yaml_node_t *root, void *arg), void *arg);

/* Frees the document; safe on a zeroed or already freed ydoc. */
void ydoc_free(struct ydoc *d);

/* The root node (never NULL after a successful load). */
yaml_node_t *ydoc_root(struct ydoc *d);

/* 1-based line of a node (0 for NULL). */
unsigned ydoc_line(const yaml_node_t *n);

/* Size of the buffers that hold a node path such as "pods[2].labels". */
#define YDOC_PATH_MAX 256

/* Writes BASE followed by the formatted suffix (".key", "[3]") into buf; returns buf. */
const char *ydoc_path(char buf[YDOC_PATH_MAX], const char *base, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prints "error: cannot load 'FILE': line L: FIELD: MSG" (without the line
 * for a NULL node; FIELD "" is the top level, written "(top)") and returns
 * -EINVAL.
 */
int ydoc_error(const struct ydoc *d, const yaml_node_t *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Node of a mapping's key, or NULL (also when `map` is NULL or not a mapping). */
yaml_node_t *ydoc_get(struct ydoc *d, const yaml_node_t *map, const char *key);

/* The text of a scalar node, or NULL when n is not a scalar. */
const char *ydoc_scalar(const yaml_node_t *n);

/* Node i of a sequence, or NULL. */
yaml_node_t *ydoc_item(struct ydoc *d, const yaml_node_t *seq, size_t i);

/* Number of items in a sequence (0 for anything else). */
size_t ydoc_len(const yaml_node_t *seq);

/*
 * Checks that `map` is a mapping whose keys are all in `known`
 * (NULL-terminated), each given once; errors name the first offending key.
 * Returns 0 or -EINVAL.
 */
int ydoc_known_keys(struct ydoc *d, const yaml_node_t *map, const char *field, const char *const *known);

/*
 * Typed scalar readers: print an error naming `field` and return -EINVAL
 * on a mismatch. ydoc_str points into the document; ydoc_strcpy copies into
 * buf (a NUL inside, or more than len - 1 characters, is an error).
 */
int ydoc_str(struct ydoc *d, const yaml_node_t *n, const char *field, const char **out);
int ydoc_strcpy(struct ydoc *d, const yaml_node_t *n, const char *field, char *buf, size_t len);
int ydoc_u64(struct ydoc *d, const yaml_node_t *n, const char *field, uint64_t min, uint64_t max,
	     uint64_t *out);
int ydoc_double(struct ydoc *d, const yaml_node_t *n, const char *field, double min, double max,
		double *out);
int ydoc_bool(struct ydoc *d, const yaml_node_t *n, const char *field, bool *out);
int ydoc_duration(struct ydoc *d, const yaml_node_t *n, const char *field, uint64_t max_ns,
		  uint64_t *out);

#endif
