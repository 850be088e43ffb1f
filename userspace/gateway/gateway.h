/*
 * gateway.h - the Gateway API mesh model: HTTPRoute and GRPCRoute of
 * gateway.networking.k8s.io (v1, v1beta1, v1alpha2) bound to Services,
 * validated and normalised into one version-independent model, and the
 * decisions a mesh must make with them: which routes apply to a request
 * (producer and consumer routes), and which rule wins (the spec's
 * precedence). docs/gamma.md has the rules with their sources.
 *
 * Routes are read by the SMI loader (smi/smi.h) through its foreign-group
 * hook, so one file may mix SMI and Gateway API objects and every problem
 * lands in the SMI set's diagnostics with file, line and field path:
 *
 *   struct gw_set *gw = gw_set_new();
 *   struct smi_load_opts o = { 0 };
 *   gw_attach(gw, &o);                 // o.foreign = the route decoder
 *   struct smi_set *set = smi_set_new(&o);
 *   smi_set_load_file(set, path) ...; smi_set_finish(set); gw_set_finish(gw, set);
 *
 * A gw_set owns every route, string and compiled regex it hands out; they
 * live until gw_set_free(). Only routes without errors are listed.
 */
#ifndef SMIW_GATEWAY_H
#define SMIW_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smi/smi.h"

#define GW_GROUP "gateway.networking.k8s.io"

enum gw_version { GW_V1ALPHA2 = 1, GW_V1BETA1, GW_V1 };
enum gw_kind { GW_HTTP_ROUTE, GW_GRPC_ROUTE, GW_KIND_COUNT };

/* "v1beta1", ...; "?" when out of range. */
const char *gw_version_name(enum gw_version v);
/* "HTTPRoute" or "GRPCRoute". */
const char *gw_kind_name(enum gw_kind k);

/* The version named "v1", "v1beta1", "v1alpha2", or 0. */
enum gw_version gw_version_parse(const char *name);

/* Whether the Gateway API defines `kind` in version `v` (GRPCRoute was never v1beta1). */
bool gw_kind_has_version(enum gw_kind kind, enum gw_version v);

/*
 * Takes the route kinds out of an --api list ("split=v1alpha2,httproute=v1beta1,
 * grpcroute=v1"): their versions into api (0 for a kind not named), every
 * other item into `rest` (comma-separated, "" when none). Returns 0, or
 * -EINVAL with the reason in err (a version the kind does not have).
 */
int gw_parse_api(const char *arg, int api[GW_KIND_COUNT], char *rest, size_t restlen, char *err, size_t errlen);

struct gw_regex;
/* The pattern as written. */
const char *gw_regex_source(const struct gw_regex *re);

/* A parentRef. The mesh binding is group "" and kind Service. */
struct gw_parent {
	const char *group, *kind, *name;
	const char *namespace;	/* defaulted to the route's */
	const char *section;	/* sectionName (a Service port name); NULL if unset */
	uint16_t port;		/* 0: every port of the Service */
	int line;
};

/* True when the parentRef names a Service (the mesh binding). */
bool gw_parent_is_service(const struct gw_parent *p);

enum gw_value_type { GW_EXACT, GW_REGEX };

/* A header or query-parameter match; for headers the name is case-insensitive. */
struct gw_value_match {
	enum gw_value_type type;
	const char *name, *value;
	const struct gw_regex *re;	/* GW_REGEX: must match the whole value */
};

enum gw_path_type { GW_PATH_EXACT, GW_PATH_PREFIX, GW_PATH_REGEX };

/*
 * One HTTPRoute match: path AND method AND every header AND every query
 * parameter. A match without path is PathPrefix "/" (so is a rule without
 * matches: it gets one such match).
 */
struct gw_http_match {
	enum gw_path_type path_type;
	const char *path;
	const struct gw_regex *path_re;	/* GW_PATH_REGEX: whole path */
	const char *method;		/* NULL: any */
	size_t n_headers, n_query;
	const struct gw_value_match *headers, *query;
	int line;
};

/* One GRPCRoute match: method (service and/or method) AND every header. */
struct gw_grpc_match {
	bool has_method;
	enum gw_value_type method_type;
	const char *service, *method;	/* NULL: any */
	const struct gw_regex *service_re, *method_re;
	size_t n_headers;
	const struct gw_value_match *headers;
	int line;
};

struct gw_header {
	const char *name, *value;
};

/* RequestHeaderModifier / ResponseHeaderModifier. */
struct gw_header_mod {
	size_t n_set, n_add, n_remove;
	const struct gw_header *set, *add;
	const char *const *remove;
};

enum gw_path_mod { GW_KEEP_PATH, GW_FULL_PATH, GW_PREFIX_PATH };

/* A redirect's or rewrite's path: ReplaceFullPath or ReplacePrefixMatch. */
struct gw_path_change {
	enum gw_path_mod type;
	const char *value;
};

struct gw_redirect {
	const char *scheme, *hostname;	/* NULL: the request's */
	struct gw_path_change path;
	uint16_t port;			/* 0: unset */
	int status;			/* 302 unless given */
};

struct gw_rewrite {
	const char *hostname;		/* NULL: unchanged */
	struct gw_path_change path;
};

struct gw_backend;

enum gw_filter_type {
	GW_REQUEST_HEADER_MODIFIER,
	GW_RESPONSE_HEADER_MODIFIER,
	GW_REQUEST_REDIRECT,
	GW_URL_REWRITE,
	GW_REQUEST_MIRROR,
	GW_EXTENSION_REF,
	GW_FILTER_COUNT
};

/* "RequestHeaderModifier", ...; NULL when out of range. */
const char *gw_filter_name(enum gw_filter_type t);

struct gw_filter {
	enum gw_filter_type type;
	struct gw_header_mod headers;	/* the two header modifiers */
	struct gw_redirect redirect;
	struct gw_rewrite rewrite;
	const struct gw_backend *mirror;	/* RequestMirror's backendRef */
	double mirror_share;		/* RequestMirror: the share of requests mirrored (percent or fraction; 1 unset) */
	int line;
};

/* A backendRef; share = weight / sum of the rule's weights (0 when all are 0). */
struct gw_backend {
	const char *group, *kind, *name, *namespace;
	uint16_t port;
	uint32_t weight;
	double share;
	size_t n_filters;
	const struct gw_filter *filters;	/* applied only when this backend is chosen */
	int line;
};

struct gw_rule {
	const char *name;	/* NULL: unnamed */
	size_t n_matches;	/* never 0 after loading (the default match is filled in) */
	const struct gw_http_match *http;	/* HTTPRoute */
	const struct gw_grpc_match *grpc;	/* GRPCRoute */
	size_t n_filters;
	const struct gw_filter *filters;
	size_t n_backends;
	const struct gw_backend *backends;
	int line;
};

struct gw_route {
	enum gw_kind kind;
	enum gw_version version;	/* as loaded */
	const char *name, *namespace, *file;
	const char *created;	/* metadata.creationTimestamp as written (RFC 3339); NULL if unset */
	int line;		/* of the document */
	size_t n_parents, n_hostnames, n_rules;
	const struct gw_parent *parents;
	const char *const *hostnames;
	const struct gw_rule *rules;
};

struct gw_set_priv;

struct gw_set {
	size_t n_routes;
	const struct gw_route *const *routes;	/* valid routes, load order */
	struct gw_set_priv *priv;
};

/* A new empty set, or NULL on allocation failure. */
struct gw_set *gw_set_new(void);

/* Frees the set and everything it handed out; NULL is fine. */
void gw_set_free(struct gw_set *gw);

/* Points o->foreign at the route decoder of gw (gw must outlive the loading). */
void gw_attach(struct gw_set *gw, struct smi_load_opts *o);

/*
 * Checks what spans routes (duplicate objects) and lists the valid routes;
 * call after the last load. Problems go to set's diagnostics. Returns 0
 * when the routes have no errors, -EINVAL otherwise.
 */
int gw_set_finish(struct gw_set *gw, struct smi_set *set);

/*
 * smi_load_files() with the routes: loads and finishes both models from the
 * files. On any error prints one ("cannot load 'x.yaml': line 12: ...", and
 * how many more problems there are) and returns NULL; warnings are printed.
 * On success *gw holds the routes; the caller frees both.
 */
struct smi_set *gw_load_files(const char *const *paths, size_t n, const struct smi_load_opts *opts,
			      struct gw_set **gw);

/* ---- decisions ---- */

/* An HTTP request as the mesh sees it: path carries the query string. */
struct gw_http_request {
	const char *method;
	const char *path;	/* "/a/b?x=1" */
	size_t n_headers;
	const struct gw_header *headers;
};

/* A gRPC call: service and method of ":path /pkg.Service/Method". */
struct gw_grpc_request {
	const char *service, *method;
	size_t n_headers;
	const struct gw_header *headers;
};

/* True when the request meets every condition of the match. */
bool gw_http_match_request(const struct gw_http_match *m, const struct gw_http_request *req);
bool gw_grpc_match_request(const struct gw_grpc_match *m, const struct gw_grpc_request *req);

/* The rule (and which of its matches) that takes a request. */
struct gw_pick {
	const struct gw_route *route;	/* NULL: no rule matches (the mesh answers 404) */
	const struct gw_rule *rule;
	size_t rule_index, match_index;
};

/*
 * Picks, among every rule of routes[0..n), the one that takes the request,
 * by the spec's precedence (docs/gamma.md). Returns true with *out filled,
 * or false (out->route NULL) when no match holds.
 */
bool gw_http_pick(const struct gw_route *const *routes, size_t n, const struct gw_http_request *req,
		  struct gw_pick *out);
bool gw_grpc_pick(const struct gw_route *const *routes, size_t n, const struct gw_grpc_request *req,
		  struct gw_pick *out);

/* One match of one rule of one route: routes[route].rules[rule].http[match]. */
struct gw_match_ref {
	size_t route, rule, match;
};

/*
 * Every match of every rule of the HTTPRoutes routes[0..n), in precedence
 * order: a data plane that tries them in this order and takes the first
 * that holds decides as gw_http_pick(). Writes up to max into out; returns
 * how many there are.
 */
size_t gw_http_order(const struct gw_route *const *routes, size_t n, struct gw_match_ref *out, size_t max);

/* As gw_http_order() for the GRPCRoutes among routes[0..n) (refs name rules[].grpc[]), as gw_grpc_pick() ranks. */
size_t gw_grpc_order(const struct gw_route *const *routes, size_t n, struct gw_match_ref *out, size_t max);

/* True when the route has a parentRef to Service svc_ns/svc covering `port`. */
bool gw_route_binds(const struct gw_route *r, const char *svc_ns, const char *svc, uint16_t port);

/* True for a consumer route: bound to a Service of another namespace. */
bool gw_route_is_consumer(const struct gw_route *r, const char *svc_ns);

/*
 * The routes of `kind` that apply to a request from a client in client_ns
 * to Service svc_ns/svc on `port`: the client namespace's consumer routes
 * when it has any, else the producer routes (the Service namespace's).
 * Writes up to `max` into out; returns how many apply (may exceed max).
 */
size_t gw_routes_for(const struct gw_set *gw, enum gw_kind kind, const char *svc_ns, const char *svc,
		     uint16_t port, const char *client_ns, const struct gw_route **out, size_t max);

/* ---- what a request should come to (judging a mesh) ---- */

enum gw_outcome_kind {
	GW_OUT_NOT_FOUND,	/* no rule takes it: 404 from the mesh, no backend reached */
	GW_OUT_REDIRECT,	/* a RequestRedirect: its status and Location, no backend reached */
	GW_OUT_BACKEND,		/* forwarded to one of the rule's backends */
};

#define GW_OUT_MAX_HEADERS 48
#define GW_OUT_MAX_RESP_HEADERS 16

/* A request header as the backend must receive it: value NULL = absent. */
struct gw_out_header {
	char name[64];
	char *value;		/* every field line of the name joined with ",", in order; in the outcome */
};

struct gw_outcome {
	enum gw_outcome_kind kind;
	struct gw_pick pick;
	int status;			/* GW_OUT_NOT_FOUND: 404; GW_OUT_REDIRECT: its code */
	char location[1400];		/* GW_OUT_REDIRECT */
	char path[2100];		/* GW_OUT_BACKEND: the request target the backend must receive */
	char host[256];			/* GW_OUT_BACKEND: a rewritten Host, or "" (unchanged) */
	size_t n_backends;		/* GW_OUT_BACKEND: backendRefs of weight > 0 */
	const struct gw_backend *backends[16];
	bool backend_filters_unknown;	/* several backends, and some carry their own filters */
	size_t n_mirrors;		/* GW_OUT_BACKEND: RequestMirrors of every request (the rule's, the backend's) */
	const struct gw_backend *mirrors[8];
	size_t n_mirrors_partial;	/* RequestMirrors of a share of the requests (not listed) */
	size_t n_headers;		/* GW_OUT_BACKEND: the sent and modified headers */
	struct gw_out_header headers[GW_OUT_MAX_HEADERS];
	/*
	 * GW_OUT_BACKEND: each response header a ResponseHeaderModifier of the
	 * rule (or of its one backend) touched, as the client must receive it,
	 * the backend sending none of those names itself.
	 */
	size_t n_resp_headers;
	struct gw_out_header resp_headers[GW_OUT_MAX_RESP_HEADERS];
	char buf[8192];			/* storage of header values */
	size_t used;
};

/*
 * What a request sent with Host `host` to a Service port `svc_port` must
 * come to under the HTTPRoutes routes[0..n) that apply to it (gw_routes_for):
 * the rule gw_http_pick() chooses, with its filters worked out (docs/gamma.md):
 * the redirect's status and Location, or the path and headers the backend
 * must receive and which backends may serve it. Fills *out; returns 0, or
 * -E2BIG when a value does not fit.
 */
int gw_http_outcome(const struct gw_route *const *routes, size_t n, const struct gw_http_request *req,
		    const char *host, uint16_t svc_port, struct gw_outcome *out);

/*
 * What a gRPC call to `path` ("/pkg.Service/Method") must come to under the
 * GRPCRoutes routes[0..n): 404 when no rule takes it, else the backends of
 * the rule gw_grpc_pick() chooses and the request headers they must
 * receive after its RequestHeaderModifiers (the rule's, and the backend's
 * when it has one backend of weight > 0); the path is unchanged. Fills
 * *out; returns 0, or -E2BIG when a value does not fit.
 */
int gw_grpc_outcome(const struct gw_route *const *routes, size_t n, const char *path, size_t n_headers,
		    const struct gw_header *headers, struct gw_outcome *out);

/*
 * Adds to out[0..*n) (max entries) each response header name the
 * HTTPRoutes of gw set, add or remove (ResponseHeaderModifier of rules and
 * backendRefs), once, compared case-insensitively; the strings belong to gw.
 * Returns false when some did not fit.
 */
bool gw_response_header_names(const struct gw_set *gw, const char **out, size_t max, size_t *n);

/* ---- output ---- */

/* One-line summary for tables: "echo:80 -> 2 rules, 3 backends". Returns buf. */
char *gw_route_summary(const struct gw_route *r, char *buf, size_t len);

struct json_t;
/* The normalised route as JSON (lint -j); a new reference. */
struct json_t *gw_route_json(const struct gw_route *r);

#endif
