/* yamldoc.h - a loaded YAML document with typed, position-aware accessors. */
#ifndef SMIW_LAB_YAMLDOC_H
#define SMIW_LAB_YAMLDOC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

/* The first document of one YAML file, plus the name used in messages. */
struct ydoc {
	yaml_document_t doc;
	char file[PATH_MAX];
	bool loaded;
};

/*
 * Loads the first document of `path`. Returns 0, or -1 after printing
 * "error: cannot load 'PATH': line N: ..." (also for an empty file).
 */
int ydoc_load(struct ydoc *d, const char *path);

/* As ydoc_load() from memory; `name` is what messages call the text. */
int ydoc_load_string(struct ydoc *d, const char *name, const char *text, size_t len);

/* Size of the buffers that hold a node path such as "pods[2].labels". */
#define YPATH_MAX 256

/* Writes BASE followed by the formatted suffix (".key", "[3]") into buf; returns buf. */
const char *ypath(char buf[YPATH_MAX], const char *base, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Frees the document; safe on a zeroed or already freed ydoc. */
void ydoc_free(struct ydoc *d);

/* The root node (never NULL after a successful load). */
yaml_node_t *ydoc_root(struct ydoc *d);

/*
 * Prints "error: cannot load 'FILE': line N: PATH: MESSAGE" for node `n`
 * (line of the document start when n is NULL). Returns -1.
 */
int ydoc_err(struct ydoc *d, const yaml_node_t *n, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Value of `key` in mapping `map`, or NULL (also when map is not a mapping). */
yaml_node_t *ymap_get(struct ydoc *d, const yaml_node_t *map, const char *key);

/*
 * Checks that `n` is a mapping whose keys are all in the NULL-terminated
 * list `allowed`. Returns 0, or -1 after printing the error.
 */
int ymap_check(struct ydoc *d, const yaml_node_t *n, const char *path, const char *const *allowed);

/* Number of items of a sequence node (0 for any other node). */
size_t yseq_len(const yaml_node_t *n);

/* Item i of sequence node `n` (i < yseq_len(n)). */
yaml_node_t *yseq_at(struct ydoc *d, const yaml_node_t *n, size_t i);

/* The text of a scalar node, or NULL for any other node. */
const char *yscalar(const yaml_node_t *n);

/* Copies scalar `n` into buf. Returns 0, or -1 after printing why not (not a string, too long). */
int ystr(struct ydoc *d, const yaml_node_t *n, const char *path, char *buf, size_t len);

/* Parses scalar `n` as an integer in [min, max]. Returns 0, or -1 after printing why not. */
int yu64(struct ydoc *d, const yaml_node_t *n, const char *path, uint64_t min, uint64_t max,
	 uint64_t *out);

#endif
