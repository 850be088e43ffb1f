/*
 * yaml_doc.h - what a strict loader of our own YAML files needs on top of
 * the reader (util/yaml.h): one document or every document of a file,
 * typed fields, node paths, and errors of the form
 * "cannot load 'f.yaml': line 12: a.b[1].c: why". The lab topology, the
 * scenario and the metrics profile loaders read their files through it.
 *
 * Fields are typed as sigs.k8s.io/yaml types them when a Go program reads
 * its configuration into a struct (docs/yaml.md): a string field takes a
 * number or boolean as its text, a number field takes no quoted number,
 * a boolean field takes the YAML 1.1 words, a null field is absent.
 */
#ifndef SMIW_UTIL_YAML_DOC_H
#define SMIW_UTIL_YAML_DOC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/yaml.h"

/* One document of a YAML text, plus the name messages give the text. */
struct ydoc {
	struct arena arena;	/* holds the tree */
	struct ynode *root;
	char file[PATH_MAX];
	bool loaded;
};

/*
 * Reads the first document of `len` bytes of text called `name` into *d
 * (free it with ydoc_free), printing nothing. Returns 0, -EINVAL with *err
 * filled, or -ENODATA for a text without a document.
 */
int ydoc_read(struct ydoc *d, const char *name, const char *text, size_t len, struct yerr *err);

/*
 * Loads the first document of `path` (ydoc_load_string: of `len` bytes of
 * text called `name`). Returns 0, or a negative errno after printing
 * "error: cannot load 'FILE': line N: PROBLEM", or "...: no YAML document
 * in it" for an empty text.
 */
int ydoc_load(struct ydoc *d, const char *path);
int ydoc_load_string(struct ydoc *d, const char *name, const char *text, size_t len);

/*
 * Reads every document of a YAML file, calling fn(d, root, arg) for each
 * one that is not empty or null (Kubernetes skips those too). Stops at the
 * first non-zero return of fn and returns it; a file that does not read as
 * YAML is reported ("cannot load 'FILE': line N: ...") and returned as
 * -EINVAL before fn sees any document, an unreadable file as -EIO.
 */
int ydoc_each(const char *path, int (*fn)(struct ydoc *d, struct ynode *root, void *arg), void *arg);

/* Frees the document; safe on a zeroed or already freed ydoc. */
void ydoc_free(struct ydoc *d);

/* The root node (never NULL after a successful load). */
struct ynode *ydoc_root(struct ydoc *d);

/* 1-based line of a node (0 for NULL). */
unsigned ydoc_line(const struct ynode *n);

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
int ydoc_error(const struct ydoc *d, const struct ynode *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Node of a mapping's key (the last of that name), or NULL: also when the
 * value is null, or `map` is NULL or not a mapping. d is unused (kept so
 * every accessor takes the document).
 */
struct ynode *ydoc_get(struct ydoc *d, const struct ynode *map, const char *key);

/* The text a string field reads from n (a number or boolean written out), or NULL. */
const char *ydoc_scalar(const struct ynode *n);

/* Node i of a sequence, or NULL. */
struct ynode *ydoc_item(struct ydoc *d, const struct ynode *seq, size_t i);

/* Number of items in a sequence (0 for anything else). */
size_t ydoc_len(const struct ynode *seq);

/*
 * Checks that `map` is a mapping whose keys are all in `known`
 * (NULL-terminated), each given once; errors name the first offending key.
 * Returns 0 or -EINVAL.
 */
int ydoc_known_keys(struct ydoc *d, const struct ynode *map, const char *field, const char *const *known);

/*
 * Typed field readers: print an error naming `field` and return -EINVAL
 * on a mismatch. ydoc_str points into the document; ydoc_strcpy copies into
 * buf (a NUL inside, or more than len - 1 characters, is an error).
 * ydoc_u64 takes an integer (or a number whose JSON form is one: 1e3),
 * ydoc_double any number, ydoc_bool a boolean, ydoc_duration a string such
 * as "250ms" or a number of seconds.
 */
int ydoc_str(struct ydoc *d, const struct ynode *n, const char *field, const char **out);
int ydoc_strcpy(struct ydoc *d, const struct ynode *n, const char *field, char *buf, size_t len);
int ydoc_u64(struct ydoc *d, const struct ynode *n, const char *field, uint64_t min, uint64_t max,
	     uint64_t *out);
int ydoc_double(struct ydoc *d, const struct ynode *n, const char *field, double min, double max,
		double *out);
int ydoc_bool(struct ydoc *d, const struct ynode *n, const char *field, bool *out);
int ydoc_duration(struct ydoc *d, const struct ynode *n, const char *field, uint64_t max_ns,
		  uint64_t *out);

#endif
