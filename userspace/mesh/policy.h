/*
 * policy.h - what the reference mesh must do, in its own terms: service
 * listeners with weighted servers, and access rules on source identity and
 * route. The lab builds it from the topology and the applied SMI objects;
 * the HAProxy renderer turns it into configuration.
 */
#ifndef SMIW_MESH_POLICY_H
#define SMIW_MESH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

#define MESH_NAME_MAX 64

/* The deliberately faulty renderings: each one breaks exactly one behaviour. */
enum mesh_variant {
	MESH_REFERENCE,
	MESH_FAULTY_WEIGHTS,	/* split weights pulled 20% toward an even split */
	MESH_FAIL_OPEN,	/* access control on, but nothing is denied */
	MESH_IGNORE_PATH,	/* allow rules without their pathRegex */
	MESH_IGNORE_METHOD,	/* allow rules without their methods */
	MESH_IGNORE_HEADERS,	/* allow rules without their header filters */
	MESH_INFLATE_METRICS,	/* request/response counters reported 20% high */
	MESH_DROP_FAILURES_METRICS,	/* 4xx/5xx and error counters reported as 0 */
	MESH_ROUTE_LIST_ORDER,	/* Gateway API matches tried in list order, first wins (no precedence) */
	MESH_ROUTE_LOOSE_PREFIX,	/* PathPrefix compared by characters, not segments (/v2 takes /v2x) */
	MESH_ROUTE_ADD_AS_SET,	/* RequestHeaderModifier add replaces the values instead of appending */
	MESH_ROUTE_REDIRECT_HOST,	/* RequestRedirect keeps the request's host, ignoring hostname */
	MESH_ROUTE_NO_REWRITE,	/* URLRewrite paths left as they came */
	MESH_ROUTE_CONSUMER_EVERYWHERE,	/* consumer routes applied to every client, not only their namespace's */
	MESH_STRIP_ID,	/* denied requests forwarded without X-Request-Id, answered 403 */
	MESH_MIRROR_TO_ZERO_WEIGHT,	/* a copy of each request to the split's weight-0 backends */
	MESH_REGENERATE_ID,	/* every X-Request-Id replaced; denied requests forwarded, answered 403 */
	MESH_PER_CONNECTION_SPLIT,	/* the backend is chosen once per client connection */
	MESH_RETRY_FLAKY_BACKEND,	/* one backend fails every 2nd request; the mesh retries elsewhere */
	MESH_BOGUS_RESTART,	/* 5xx counts dropped, a process start time after every scrape */
	MESH_ALLOW_OTHER_METHODS,	/* a source no rule allows is denied GET only */
	MESH_LOOSE_MATCH,	/* header values matched ignoring case, path regexes unanchored */
	MESH_ROUTE_NO_MIRROR,	/* RequestMirror filters left out: no copies */
	MESH_ROUTE_ANY_PORT,	/* an HTTPRoute bound to one port of a Service taken on its other ports too */
	MESH_ROUTE_NO_RESPONSE_HEADERS,	/* ResponseHeaderModifier filters left out */
	MESH_ROUTE_BY_HOST,	/* a request whose Host names another Service is handled as that Service's */
	MESH_VARIANT_COUNT
};

/* The variant's command-line name ("fail-open"), never NULL for a valid variant. */
const char *mesh_variant_name(enum mesh_variant v);

/* What the variant does, in one line (static text; "" for an invalid variant). */
const char *mesh_variant_summary(enum mesh_variant v);

/* Parses a variant name. Returns 0 or -EINVAL. */
int mesh_variant_parse(const char *s, enum mesh_variant *v);

/* True for the variants whose Prometheus numbers are rewritten (traffic untouched). */
bool mesh_variant_rewrites_metrics(enum mesh_variant v);

/*
 * How often the variant's flaky backend fails: every Nth request to its
 * /echo is answered 503 (the sample app's FAIL_EVERY). 0 for a variant
 * without one.
 */
unsigned mesh_variant_fail_every(enum mesh_variant v);

/* A workload endpoint. */
struct mesh_pod {
	char ns[MESH_NAME_MAX], name[MESH_NAME_MAX];
	uint32_t ip;	/* host byte order */
};

/* One backend endpoint: pod `pod` (index into mesh_policy.pods) on `port`, with a relative weight. */
struct mesh_server {
	int pod;
	uint16_t port;
	uint32_t weight;	/* any scale; 0 = no traffic */
};

struct mesh_header_match {
	char *name;	/* compared case-insensitively */
	char *regex;	/* unanchored: matches anywhere in one value of the header */
};

/* One HTTP match (an HTTPRouteGroup entry): method AND path AND every header. */
struct mesh_http_match {
	char **methods;	/* none = every method */
	int n_methods;
	char *path_regex;	/* anchored at the start of the path (query excluded); NULL = every path */
	struct mesh_header_match *headers;
	int n_headers;
};

/* A conditional route of a listener: requests matching any of `matches` go to `servers`. */
struct mesh_route {
	char origin[2 * MESH_NAME_MAX + 2];	/* "namespace/name" of the TrafficSplit */
	struct mesh_http_match *matches;
	int n_matches;
	struct mesh_server *servers;
	int n_servers;
};

/* A header or query-parameter condition of a Gateway API match. */
struct mesh_value_match {
	const char *name, *value;
	bool regex;	/* value is a regex matching the whole value; else equality */
};

enum mesh_path_kind { MESH_PATH_ANY, MESH_PATH_EXACT, MESH_PATH_PREFIX, MESH_PATH_REGEX };

/*
 * One match of a Gateway API rule, in the order the mesh must try them (the
 * spec's precedence, computed by the model): the first that holds picks
 * rule `rule` of the listener.
 */
struct mesh_rule_match {
	int rule;
	enum mesh_path_kind path_kind;
	const char *path;	/* PREFIX: without a trailing '/'; REGEX: whole path */
	const char *method;	/* NULL: any */
	const struct mesh_value_match *headers, *query;
	int n_headers, n_query;
	/*
	 * Whose requests it takes (consumer and producer routes): a client
	 * among src_pods (indexes into mesh_policy.pods), or with src_not one
	 * that is not; n_src 0: every client.
	 */
	const int *src_pods;
	int n_src;
	bool src_not;
};

/* A header modifier: set replaces, add appends a field line, remove deletes. */
struct mesh_header_edit {
	const struct mesh_value_match *set, *add;	/* name, value (regex unused) */
	const char *const *remove;
	int n_set, n_add, n_remove;
};

enum mesh_path_edit { MESH_PATH_KEEP, MESH_PATH_FULL, MESH_PATH_REPLACE_PREFIX };

/* Where a RequestMirror sends its copies: a Service port, through the mesh like any request to it. */
struct mesh_mirror {
	const char *origin;	/* "namespace/name:port" of the Service */
	uint32_t ip;
	uint16_t port;
};

/* What a Gateway API rule does to the requests it takes. */
struct mesh_rule {
	char origin[3 * MESH_NAME_MAX];	/* "HTTPRoute ns/name rule 2" */
	struct mesh_header_edit request, response;
	enum mesh_path_edit path_edit;
	const char *path_value;		/* the full path, or the prefix's replacement */
	const char *match_prefix;	/* REPLACE_PREFIX: the prefix its one match has */
	const char *host;		/* URLRewrite hostname; NULL: unchanged */
	bool redirect;
	const char *redirect_scheme;	/* NULL: http (the lab serves no TLS) */
	const char *redirect_host;	/* NULL: the request's host */
	uint16_t redirect_port;		/* 0: left out of the Location */
	int redirect_status;
	struct mesh_server *servers;	/* weighted; none and no redirect: 500 */
	int n_servers;
	bool h2;	/* a GRPCRoute rule: HTTP/2 (h2c) to its servers, as gRPC needs */
	const struct mesh_mirror *mirrors;	/* a copy of every request it forwards to each */
	int n_mirrors;
};

/* A service port: where its name resolves to, and where its traffic goes. */
struct mesh_listener {
	char ns[MESH_NAME_MAX], service[MESH_NAME_MAX];
	uint32_t ip;
	uint16_t port;
	bool tcp;	/* plain TCP instead of HTTP/1 */
	struct mesh_route *routes;	/* HTTP only: tried in order before `servers` */
	int n_routes;
	struct mesh_server *servers;	/* everything no route takes */
	int n_servers;
	/*
	 * Gateway API routes bound here replace all of the above: a request
	 * takes the rule of the first match that holds, or gets 404.
	 */
	bool routed;
	struct mesh_rule *rules;
	int n_rules;
	struct mesh_rule_match *rule_matches;
	int n_rule_matches;
};

/*
 * One TrafficTarget: connections from `src_pods` to `dst_pods` are allowed
 * when the port passes (dst_port; with L4 rules, one of their ports) and,
 * with HTTP rules, the request matches one of `matches`. With only L4
 * rules every request on an allowed connection passes; with none, nothing.
 */
struct mesh_allow {
	char origin[2 * MESH_NAME_MAX + 2];	/* "namespace/name" of the TrafficTarget */
	int *dst_pods, n_dst;	/* indexes into mesh_policy.pods */
	int *src_pods, n_src;
	uint16_t dst_port;	/* 0 = every port */
	bool has_l4;	/* has TCPRoute rules */
	bool l4_all_ports;	/* one of them lists no port: every port */
	uint16_t *l4_ports;	/* union of their ports */
	int n_l4_ports;
	bool has_http;	/* has HTTPRouteGroup rules */
	struct mesh_http_match *matches;	/* what they select */
	int n_matches;
};

struct mesh_policy {
	bool access_control;	/* on: everything not allowed is denied */
	struct mesh_pod *pods;
	int n_pods;
	struct mesh_listener *listeners;
	int n_listeners;
	struct mesh_allow *allows;
	int n_allows;
	uint32_t mesh_ip;	/* the mesh pod's own address */
	uint16_t metrics_port;	/* its Prometheus endpoint */
	struct arena arena;	/* what the Gateway API rules point to */
};

/* True when a Gateway API rule of the policy mirrors requests (the renderer then needs the mirror action). */
bool mesh_policy_has_mirrors(const struct mesh_policy *p);

/* Frees everything the policy owns (not the struct itself); leaves it zeroed. */
void mesh_policy_free(struct mesh_policy *p);

/* Frees what one HTTP match owns (not the struct itself). */
void mesh_http_match_free(struct mesh_http_match *m);

/* Frees matches[0..n) and the array. */
void mesh_http_matches_free(struct mesh_http_match *matches, int n);

/* Greatest common divisor (gcd(0, b) = b). */
uint64_t mesh_gcd(uint64_t a, uint64_t b);

/* Deep copy of src into *dst. Returns 0 or -ENOMEM (dst then owns nothing). */
int mesh_http_match_copy(struct mesh_http_match *dst, const struct mesh_http_match *src);

/* Appends a zeroed element of `size` bytes to *array (count elements); returns it or NULL. */
void *mesh_grow(void **array, int *count, size_t size);

/* Typed mesh_grow(): MESH_PUSH(p->pods, p->n_pods) returns a struct mesh_pod * or NULL. */
#define MESH_PUSH(arr, n) ((__typeof__(arr))mesh_grow((void **)&(arr), &(n), sizeof(*(arr))))

#endif
