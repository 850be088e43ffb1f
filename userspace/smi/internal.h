/* internal.h - pieces of the SMI model shared by its files, not by users. */
#ifndef SMIW_SMI_INTERNAL_H
#define SMIW_SMI_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smi/smi.h"
#include "util/arena.h"
#include "util/yaml.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- diagnostics ---- */

void diag_add(struct smi_set *set, enum smi_severity sev, const char *file, int line,
	      int column, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* ---- decoding helpers: one context per document ---- */

struct dctx {
	struct smi_set *set;
	struct arena *a;	/* the set's arena */
	const char *file;
	const char *api;	/* "access.smi-spec.io/v1alpha3 TrafficTarget" for messages */
	int version;
	int errors;		/* errors recorded for this object */
	const char *prefix;	/* prepended to field paths (list items); NULL = none */
};

/* Builds "parent.key" or "key". */
const char *path_key(struct dctx *c, const char *parent, const char *key);
/* Builds "parent[i]". */
const char *path_index(struct dctx *c, const char *parent, size_t i);

void derr(struct dctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void dwarn(struct dctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Value of `key` in map (marked as read); NULL when absent or null. */
struct ynode *field(struct ynode *map, const char *key);
/* As field(), but an error "required field missing" at the map when absent. */
struct ynode *field_req(struct dctx *c, struct ynode *map, const char *path, const char *key);
/* Checks the node's type; records "expected a mapping/list" and returns false. */
bool want_map(struct dctx *c, const struct ynode *n, const char *path);
bool want_seq(struct dctx *c, const struct ynode *n, const char *path);
/* A string scalar copied into the arena; NULL (with an error) otherwise. */
const char *want_str(struct dctx *c, const struct ynode *n, const char *path);
/* Convenience: string field, required or optional (NULL when absent). */
const char *str_field(struct dctx *c, struct ynode *map, const char *parent, const char *key,
		      bool required);
/* An integer in [min, max]; returns false with an error. */
bool want_int(struct dctx *c, const struct ynode *n, const char *path, int64_t min,
	      int64_t max, int64_t *out);
/* The text a quantity field reads: a string, or a number as JSON writes it; NULL otherwise. */
const char *quantity_text(struct dctx *c, const struct ynode *n);
/*
 * Warns about every key of map no decoder read ("field not defined in ...")
 * and about duplicate keys; `hint` is appended for keys in hint_keys.
 */
void unknown_fields(struct dctx *c, struct ynode *map, const char *path,
		    const char *const *hint_keys, const char *hint);
/* Shorthand: unknown fields without hints. */
#define unknown_fields_plain(c, map, path) unknown_fields(c, map, path, NULL, NULL)
/* A list of strings (non-strings are reported and left out); NULL if not a list. */
const char *const *str_list(struct dctx *c, struct ynode *list, const char *path, size_t *n);
/* A mapping of strings to strings, such as matchLabels; NULL if not a mapping. */
const struct smi_label *label_map(struct dctx *c, struct ynode *map, const char *path, size_t *n);
/* Marks every key of a map as read (fields the model accepts but ignores). */
void mark_all_used(struct ynode *map);

/* ---- per-kind decoders (object allocated in c->a; NULL only if unusable) ---- */

void *decode_split(struct dctx *c, struct ynode *root);
void *decode_target(struct dctx *c, struct ynode *root);
void *decode_binding(struct dctx *c, struct ynode *root);
void *decode_http_route_group(struct dctx *c, struct ynode *root);
void *decode_port_route(struct dctx *c, struct ynode *root, enum smi_kind kind);
void *decode_metrics(struct dctx *c, struct ynode *root);
void *decode_metrics_list(struct dctx *c, struct ynode *root);

/* Decodes the ObjectMeta fields the model keeps into meta (name required). */
void decode_metadata(struct dctx *c, struct ynode *root, struct smi_meta *meta, bool need_name);
/* Adds a decoded object to the set (valid or not); takes the list items too. */
void set_add_object(struct smi_set *set, struct smi_meta *meta, bool valid);

/* ---- quantities (Kubernetes resource.Quantity) ---- */

/*
 * Parses a quantity ("500m", "1", "1.5", "1k", "2Ki", "1e3") into thousandths
 * (rounded up as Quantity.MilliValue does) and into a double. Returns 0, or
 * -EINVAL (not a quantity) / -ERANGE (too large).
 */
int quantity_parse(const char *s, int64_t *milli, double *value);

/* ---- regex ---- */

enum regex_anchor { REGEX_SEARCH, REGEX_ANCHOR_START };

/*
 * Compiles pattern (copied) with PCRE2; on error returns NULL and writes
 * "invalid regex: MESSAGE at offset N" into err.
 */
struct smi_regex *regex_compile(struct smi_set *set, const char *pattern, enum regex_anchor anchor,
				char *err, size_t errlen);
/* A note when pattern uses what Go's RE2 (most meshes) refuses; NULL if none. */
const char *regex_re2_note(const char *pattern);
/* Runs the regex on s[0..len). */
bool regex_match(const struct smi_regex *re, const char *s, size_t len);
void regex_free_all(struct smi_set *set);

/* ---- private set state ---- */

struct obj_state {
	struct smi_meta *meta;
	bool valid;
};

struct smi_set_priv {
	struct arena arena;
	struct smi_load_opts opts;
	const char *default_namespace;
	struct ptrvec all;	/* struct obj_state *: every decoded object, valid or not */
	struct ptrvec valid;	/* struct smi_meta *, in load order (rebuilt from all) */
	struct ptrvec by_kind[SMI_KIND_COUNT];
	struct ptrvec regexes;
	struct ptrvec diags;	/* struct smi_diag * while loading */
	bool finished;
};

/* Finds a valid object, or NULL. invalid_out: set when an invalid one exists. */
const struct smi_meta *find_object(const struct smi_set *set, enum smi_kind kind,
				   const char *ns, const char *name, bool *invalid_out);
/* Rebuilds the valid vectors from `all` and points the public arrays at them. */
void set_publish(struct smi_set *set);
/* Marks an object invalid (a reference it makes cannot be resolved). */
void set_invalidate(struct smi_set *set, const struct smi_meta *meta);

/* Name lookups (names.c): a version of a group, a group, a kind; 0 / -1 if unknown. */
int version_parse(enum smi_group group, const char *s, size_t len);
int group_parse(const char *s, size_t len, bool short_name);
int kind_parse(const char *name);

/* "split.smi-spec.io/v1alpha3" for a kind and version, into buf. */
const char *api_version_string(enum smi_kind kind, int version, char *buf, size_t len);

#endif
