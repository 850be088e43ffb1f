/* internal.h - pieces of the Gateway API model shared by its files, not by users. */
#ifndef SMIW_GATEWAY_INTERNAL_H
#define SMIW_GATEWAY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/gateway.h"
#include "util/arena.h"
#include "util/yaml.h"

/* Spec limits (apis/v1/httproute_types.go kubebuilder markers). */
#define GW_MAX_RULES 16
#define GW_MAX_MATCHES 64	/* per rule */
#define GW_MAX_ROUTE_MATCHES 128
#define GW_MAX_FILTERS 16
#define GW_MAX_BACKENDS 16
#define GW_MAX_PARENTS 32
#define GW_MAX_HOSTNAMES 16
#define GW_MAX_HEADERS 16	/* header or query matches per match; actions per modifier */
#define GW_MAX_WEIGHT 1000000

/* One route being decoded: where it is, and how many errors it has so far. */
struct gctx {
	struct smi_set *set;	/* where problems go */
	struct arena *a;	/* the gw_set's arena */
	struct gw_set *gw;
	const char *file;
	const char *api;	/* "gateway.networking.k8s.io/v1 HTTPRoute", for messages */
	enum gw_kind kind;
	enum gw_version version;
	const char *ns;		/* the route's namespace (default of references) */
	int errors;
};

struct route_state {
	struct gw_route *route;
	bool valid;
	const struct ynode *name_node;	/* metadata.name, in the SMI set's tree */
};

struct gw_set_priv {
	struct arena arena;
	struct ptrvec all;	/* struct route_state *, every decoded route */
	struct ptrvec valid;	/* struct gw_route *, published by gw_set_finish */
	struct ptrvec regexes;	/* struct gw_regex *, freed with the set */
	struct smi_foreign hook;
};

/* Records an error / a warning at node `at` for field `path`. */
void gerr(struct gctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void gwarn(struct gctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "parent.key", or "key" for an empty parent; "parent[i]". In the arena. */
const char *gkey(struct gctx *c, const char *parent, const char *key);
const char *gidx(struct gctx *c, const char *parent, size_t i);

/* Value of `key` (marked read); NULL when absent or null. gfield_req records "required field missing". */
struct ynode *gfield(struct ynode *map, const char *key);
struct ynode *gfield_req(struct gctx *c, struct ynode *map, const char *path, const char *key);

/* Type checks that record "expected a mapping/list, got ..." and return false. */
bool gmap(struct gctx *c, const struct ynode *n, const char *path);
bool gseq(struct gctx *c, const struct ynode *n, const char *path);

/* A string field (copied into the arena); NULL when absent, or with an error when not a string. */
const char *gstr(struct gctx *c, struct ynode *map, const char *parent, const char *key, bool required);

/* An integer field in [min, max]: true with *out; false when absent (no error) or invalid (error). */
bool gint(struct gctx *c, struct ynode *map, const char *parent, const char *key, int64_t min,
	  int64_t max, int64_t *out);

/*
 * A string field that must be one of names[] (NULL-terminated): its index,
 * `dflt` when absent, or -1 after an error naming the allowed values.
 */
int genum(struct gctx *c, struct ynode *map, const char *parent, const char *key,
	  const char *const *names, int dflt);

/* A list field: the node when it is a list of at most `max` items, else NULL (error when not absent). */
struct ynode *glist(struct gctx *c, struct ynode *map, const char *parent, const char *key, size_t max);

/* Warns about each field of map no decoder read, and about duplicate keys. */
void gunknown(struct gctx *c, struct ynode *map, const char *path);
/* Marks every key of map read (fields accepted and unused). */
void gmark_all(struct ynode *map);

/* Checks a header name (RFC 7230 token, the spec's HTTPHeaderName); records an error. */
bool gheader_name_ok(struct gctx *c, const struct ynode *at, const char *path, const char *name);

/* ---- regex (PCRE2): full match of the subject ---- */

/* Compiles pattern (owned by gw until gw_set_free); NULL with "invalid regex: ..." in err. */
struct gw_regex *gw_regex_compile(struct gw_set *gw, const char *pattern, char *err, size_t errlen);
/* True when re matches all of s[0..len) (false too when the match limits are hit). */
bool gw_regex_match(const struct gw_regex *re, const char *s, size_t len);
/* Frees every compiled pattern of gw (their arena memory goes with the set). */
void gw_regex_free_all(struct gw_set *gw);

/* ---- decoders ---- */

/* The smi_foreign decode hook: one document of the group into gw (arg), problems into set. */
void gw_decode_route(struct smi_set *set, void *arg, const char *file, struct ynode *root,
		     const char *api_version, const char *kind);
/* spec.rules[i].matches of an HTTPRoute / a GRPCRoute into rule. */
void gw_decode_http_matches(struct gctx *c, struct ynode *rule, const char *path, struct gw_rule *out);
void gw_decode_grpc_matches(struct gctx *c, struct ynode *rule, const char *path, struct gw_rule *out);
/* A filters list (rule or backendRef level). */
void gw_decode_filters(struct gctx *c, struct ynode *list, const char *path, bool backend_level,
		       struct gw_rule *rule, const struct gw_filter **out, size_t *n);
/* spec.rules[i].backendRefs into rule (shares computed). */
void gw_decode_backends(struct gctx *c, struct ynode *rule, const char *path, struct gw_rule *out);
/* One backendRef (also RequestMirror's). */
void gw_decode_backend_ref(struct gctx *c, struct ynode *n, const char *path, struct gw_backend *out);

/* Path match value rules (Exact and PathPrefix); records an error. */
bool gw_path_value_ok(struct gctx *c, const struct ynode *at, const char *path, const char *v);

#endif
