/*
 * yaml.h - the one YAML reader: YAML streams and JSON texts into node trees
 * that keep the line and column of every node, with every scalar resolved
 * the way `kubectl apply` resolves it (sigs.k8s.io/yaml, which converts YAML
 * to JSON through go-yaml v2: YAML 1.1 booleans, 0x/0o/0 integers, merge
 * keys, keys turned into JSON names). docs/yaml.md states the rule and where
 * each part of it comes from.
 *
 * Trees live in the caller's arena. Aliases share the node they name (not a
 * copy), so a reader must not modify a node it reached through a mapping
 * other than to set `used`.
 */
#ifndef SMIW_UTIL_YAML_H
#define SMIW_UTIL_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

enum ynode_type { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

/* What a scalar is once resolved: the JSON type Kubernetes gives it. */
enum yscalar { YSCALAR_NULL, YSCALAR_BOOL, YSCALAR_INT, YSCALAR_FLOAT, YSCALAR_STRING };

struct ynode {
	enum ynode_type type;
	int line, column;		/* 1-based, where the node starts */
	int key_line, key_column;	/* of the key naming it in a mapping; 0 if none */
	size_t start, end;		/* byte offsets of its text in the input, end excluded */
	/* scalar */
	enum yscalar kind;
	const char *str;	/* as written, escapes applied; a key's is its JSON name */
	size_t len;		/* of str (a JSON "\u0000" puts a NUL inside) */
	const char *text;	/* what a string field reads (docs/yaml.md); NULL for null */
	bool b;			/* YSCALAR_BOOL */
	bool big;		/* YSCALAR_INT above INT64_MAX: the value is in u */
	int64_t i;		/* YSCALAR_INT */
	uint64_t u;		/* YSCALAR_INT when big */
	double f;		/* YSCALAR_FLOAT, and every YSCALAR_INT as a double */
	/* mapping: keys[i] -> items[i] (keys are string scalars); list: items[i] */
	size_t n;
	struct ynode **keys;
	struct ynode **items;
	bool *used;		/* mapping: entry i was read (for unknown-field checks) */
	bool *merged;		/* mapping: entry i came in through a merge key (<<) */
	uint64_t size;		/* nodes it stands for with aliases expanded (capped) */
};

/* Every document of a stream; roots[i] is a null scalar for an empty document. */
struct ydocs {
	size_t n;
	struct ynode **roots;
	int *lines;		/* 1-based line of each document's start */
	bool json;		/* the text was JSON (a stream of values) */
};

/* Where reading stopped and why ("invalid YAML: ...", "unknown alias '*a'"). */
struct yerr {
	int line, column;	/* 0 when unknown */
	char msg[320];
};

/*
 * Reads every document of `len` bytes of YAML, or of JSON when the first
 * character that is not white space is '{' (as kubectl tells them apart; a
 * JSON stream may hold several values). Returns 0 with the documents in
 * *docs (allocated in `a`), or -EINVAL with *err filled and no documents.
 */
int yaml_read(struct arena *a, const char *buf, size_t len, struct ydocs *docs, struct yerr *err);

/*
 * As yaml_read(), stopping after the first `max` documents: what follows
 * them is not parsed, as a Go program that reads one document ignores it.
 */
int yaml_read_some(struct arena *a, const char *buf, size_t len, size_t max, struct ydocs *docs,
		   struct yerr *err);

/* The kind a plain (unquoted, untagged) scalar with this text resolves to. */
enum yscalar yaml_plain_kind(const char *s, size_t len);

/*
 * The value of `key` in a mapping, marking every entry of that name read;
 * the last one wins, as in Kubernetes' reader. NULL when absent, when null
 * (a null field is an absent one) or when `map` is not a mapping.
 */
struct ynode *ynode_get(struct ynode *map, const char *key);

/* As ynode_get() without marking anything read. */
const struct ynode *ynode_peek(const struct ynode *map, const char *key);

/* True for a null scalar (written "", "~", "null", "Null", "NULL" or "!!null ..."). */
bool ynode_is_null(const struct ynode *n);

/*
 * An integer field's value: true for an integer, or for a number whose JSON
 * form is an integer ("1.0", "1e3"), within int64. False for anything else.
 */
bool ynode_int(const struct ynode *n, int64_t *out);

/* A number field's value: true for an integer or a float. */
bool ynode_number(const struct ynode *n, double *out);

/*
 * The JSON text of a number as Kubernetes writes it ("1000" for 1e3, "1.5"
 * for 1.50, "1e+21"): into buf (at least 32 bytes), returned; NULL when n is
 * not a number.
 */
const char *ynode_json_number(const struct ynode *n, char *buf, size_t len);

/* "a mapping", "a list", "a string", "an integer", "a number", "a boolean" or "null". */
const char *ynode_kind_name(const struct ynode *n);

#endif
