/*
 * smi.h - the SMI object model: load, validate and normalise every SMI API
 * version into one version-independent model, and answer what SHOULD happen
 * to a request or connection under a loaded set of objects.
 *
 * Groups and versions handled (see docs/smi-model.md for the details):
 *   split.smi-spec.io    TrafficSplit                     v1alpha1..v1alpha4
 *   access.smi-spec.io   TrafficTarget                    v1alpha1..v1alpha4
 *                        IdentityBinding                  v1alpha4
 *   specs.smi-spec.io    HTTPRouteGroup, TCPRoute         v1alpha1..v1alpha4
 *                        UDPRoute                         v1alpha4
 *   metrics.smi-spec.io  TrafficMetrics, TrafficMetricsList v1alpha1
 *
 * Life cycle: smi_set_new() -> smi_set_load_file()/smi_set_load_buffer()
 * (any number) -> smi_set_finish() (resolves references across files) ->
 * read the arrays and call the decision functions -> smi_set_free(). A set
 * owns every object, string and compiled regex it hands out; pointers stay
 * valid until smi_set_free(). Objects are immutable after smi_set_finish().
 * Only objects without errors appear in the arrays; problems are collected
 * in set->diags (every one, with file, line and field path).
 *
 * Commands that only need a valid set call smi_load_files(): it prints one
 * clear error and returns NULL, never a half-loaded set.
 */
#ifndef SMIW_SMI_H
#define SMIW_SMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- groups, versions, kinds ------------------------------------------- */

enum smi_group {
	SMI_GROUP_SPLIT,	/* split.smi-spec.io */
	SMI_GROUP_ACCESS,	/* access.smi-spec.io */
	SMI_GROUP_SPECS,	/* specs.smi-spec.io */
	SMI_GROUP_METRICS,	/* metrics.smi-spec.io */
	SMI_GROUP_COUNT
};

/* API versions are small integers: 1 = v1alpha1 ... 4 = v1alpha4; 0 = none. */
#define SMI_V1ALPHA1 1
#define SMI_V1ALPHA2 2
#define SMI_V1ALPHA3 3
#define SMI_V1ALPHA4 4
#define SMI_VERSION_MAX 4

enum smi_kind {
	SMI_TRAFFIC_SPLIT,
	SMI_TRAFFIC_TARGET,
	SMI_IDENTITY_BINDING,
	SMI_HTTP_ROUTE_GROUP,
	SMI_TCP_ROUTE,
	SMI_UDP_ROUTE,
	SMI_TRAFFIC_METRICS,
	SMI_TRAFFIC_METRICS_LIST,
	SMI_KIND_COUNT
};

/* "TrafficSplit", ...; static storage. */
const char *smi_kind_name(enum smi_kind kind);
/* The API group a kind belongs to. */
enum smi_group smi_kind_group(enum smi_kind kind);
/* "split.smi-spec.io", ...; static storage. */
const char *smi_group_name(enum smi_group group);
/* Short group name as used by --api: "split", "access", "specs", "metrics". */
const char *smi_group_short(enum smi_group group);
/* "v1alpha3" for 3; static storage; "?" when out of range. */
const char *smi_version_name(int version);
/* Returns true when the (group, version) pair defines `kind`. */
bool smi_kind_in_version(enum smi_kind kind, int version);

/*
 * Parses a version list such as "split=v1alpha2,access=v1alpha2,specs=v1alpha3"
 * into versions[group] (entries not named are left as they are). Returns 0, or
 * -EINVAL with a message in err ("unknown group 'x'", "specs has no version
 * 'v1beta1'").
 */
int smi_parse_api_versions(const char *spec, int versions[SMI_GROUP_COUNT],
			   char *err, size_t errlen);

/* ---- diagnostics --------------------------------------------------------- */

enum smi_severity { SMI_WARNING, SMI_ERROR };

/* One problem: where it is and what is wrong. Strings are owned by the set. */
struct smi_diag {
	enum smi_severity severity;
	const char *file;	/* as given to the loader */
	int line;		/* 1-based; 0 when the problem has no position */
	int column;		/* 1-based; 0 when unknown */
	const char *path;	/* field path, "spec.backends[1].weight"; "" for the document */
	const char *message;	/* lowercase, no period: "not an integer" */
};

struct smi_diags {
	size_t n;
	struct smi_diag *v;
	size_t n_errors, n_warnings;
};

/*
 * Formats d as "'FILE': line N: PATH: MESSAGE" (parts that are empty are
 * left out) into buf. Returns buf.
 */
char *smi_diag_format(const struct smi_diag *d, char *buf, size_t len);

/* ---- the normalised model ----------------------------------------------- */

/* Where an object came from and what it is. First member of every object. */
struct smi_meta {
	enum smi_kind kind;
	int version;		/* API version it was loaded from */
	const char *name;
	const char *namespace;	/* defaulted from smi_load_opts.default_namespace */
	const char *file;
	int line;		/* line of the document start */
};

/* A compiled regular expression (PCRE2) and the text it was compiled from. */
struct smi_regex;
/* The pattern exactly as written in the object. */
const char *smi_regex_source(const struct smi_regex *re);

/* HTTP methods as a bit set; SMI_METHOD_ANY = every method (`*` or absent). */
enum smi_method {
	SMI_METHOD_GET = 1 << 0,
	SMI_METHOD_HEAD = 1 << 1,
	SMI_METHOD_PUT = 1 << 2,
	SMI_METHOD_POST = 1 << 3,
	SMI_METHOD_DELETE = 1 << 4,
	SMI_METHOD_CONNECT = 1 << 5,
	SMI_METHOD_OPTIONS = 1 << 6,
	SMI_METHOD_TRACE = 1 << 7,
	SMI_METHOD_PATCH = 1 << 8,
	SMI_METHOD_ANY = (1 << 9) - 1,
};
/* "GET" for SMI_METHOD_GET (one bit); NULL otherwise. */
const char *smi_method_name(unsigned method_bit);
/* The bit of a method name (case-sensitive, as HTTP says); 0 if not one of the nine. */
unsigned smi_method_bit(const char *name);

/* One header filter: the header `name` must have a value matching `value`. */
struct smi_header_filter {
	const char *name;	/* as written; compared case-insensitively */
	const struct smi_regex *value;	/* unanchored search, case-sensitive */
};

/*
 * One named HTTP match of an HTTPRouteGroup. A request matches when the method
 * is in `methods`, the path matches `path_regex` anchored at the start of the
 * URI (never at the end), and every header filter matches (AND).
 */
struct smi_http_match {
	const char *name;
	const struct smi_regex *path_regex;	/* NULL: any path */
	unsigned methods;			/* SMI_METHOD_ANY: any method */
	size_t n_headers;
	const struct smi_header_filter *headers;
	int line;
};

struct smi_http_route_group {
	struct smi_meta meta;
	size_t n_matches;
	const struct smi_http_match *matches;
};

/* TCPRoute and UDPRoute: the ports they cover; none listed = all ports. */
struct smi_port_route {
	struct smi_meta meta;		/* SMI_TCP_ROUTE or SMI_UDP_ROUTE */
	size_t n_ports;
	const uint16_t *ports;
};

struct smi_label {
	const char *key, *value;
};

/* access v1alpha4: the identities of one workload (schemes are OR'd). */
struct smi_identity_binding {
	struct smi_meta meta;
	const char *service_account;	/* in the binding's namespace; NULL if unset */
	bool has_selector;		/* podLabelSelector given */
	size_t n_match_labels;
	const struct smi_label *match_labels;
	size_t n_spiffe;
	const char *const *spiffe;
};

enum smi_identity_kind { SMI_ID_SERVICE_ACCOUNT, SMI_ID_IDENTITY_BINDING };

/* A TrafficTarget destination or source. */
struct smi_identity {
	enum smi_identity_kind kind;
	const char *name;
	const char *namespace;	/* defaulted to the TrafficTarget's namespace */
	const struct smi_identity_binding *binding;	/* resolved, for IdentityBinding */
	int line;
};

/*
 * One TrafficTarget rule (v1alpha1 `specs`, later `rules`), resolved: `route`
 * points at the HTTPRouteGroup / TCPRoute / UDPRoute of that name in the
 * target's namespace; `selected` lists the HTTP matches this rule allows (all
 * the group's matches when the rule names none).
 */
struct smi_rule {
	enum smi_kind kind;	/* SMI_HTTP_ROUTE_GROUP, SMI_TCP_ROUTE, SMI_UDP_ROUTE */
	const char *name;
	size_t n_match_names;	/* as written; 0 = all matches */
	const char *const *match_names;
	const struct smi_http_route_group *http;	/* when kind is HTTPRouteGroup */
	const struct smi_port_route *ports;		/* when TCPRoute / UDPRoute */
	size_t n_selected;
	const struct smi_http_match *const *selected;
	int line;
};

struct smi_traffic_target {
	struct smi_meta meta;
	struct smi_identity destination;
	uint16_t port;		/* v1alpha1/v1alpha2 destination.port; 0 = all ports */
	size_t n_rules;
	const struct smi_rule *rules;
	size_t n_sources;
	const struct smi_identity *sources;
};

/*
 * A TrafficSplit backend. weight_milli is the weight in thousandths whatever
 * the version (v1alpha1 quantity "500m" = 500, integer 50 = 50000); share is
 * weight / sum of weights, in [0, 1].
 */
struct smi_backend {
	const char *service;
	int64_t weight_milli;
	double share;
};

/* One v1alpha3/v1alpha4 spec.matches entry, resolved to its HTTPRouteGroup. */
struct smi_split_match {
	const char *name;
	const struct smi_http_route_group *group;
	int line;
};

struct smi_traffic_split {
	struct smi_meta meta;
	const char *service;	/* the apex service */
	size_t n_backends;
	const struct smi_backend *backends;
	size_t n_matches;	/* 0: applies to every request for the apex */
	const struct smi_split_match *matches;
};

struct smi_object_ref {
	const char *kind, *name, *namespace;	/* any may be NULL */
};

struct smi_metric {
	const char *name;
	const char *unit;	/* NULL when not given */
	const char *raw;	/* the quantity read: "10m" as written, a number as JSON writes it */
	double value;		/* its value, 0.01 */
};

struct smi_traffic_metrics {
	struct smi_meta meta;	/* name/namespace are those of `resource` */
	struct smi_object_ref resource;
	const char *edge_direction;	/* "to" / "from"; NULL when no edge */
	const char *edge_side;		/* "client" / "server" */
	struct smi_object_ref edge_resource;
	bool has_backend;
	const char *backend_apex, *backend_name;
	int64_t backend_weight;
	const char *timestamp;	/* RFC 3339 as written */
	uint64_t window_ns;
	size_t n_metrics;
	const struct smi_metric *metrics;
	const struct smi_traffic_metrics_list *list;	/* the list it came in, or NULL */
};

struct smi_traffic_metrics_list {
	struct smi_meta meta;
	struct smi_object_ref resource;
	size_t n_selector_labels;
	const struct smi_label *selector_labels;
	size_t n_items;
	const struct smi_traffic_metrics *const *items;	/* also in set->metrics */
};

/* ---- loading -------------------------------------------------------------- */

struct smi_set;
struct ynode;

/*
 * A model of another API group read through the same loader, so one file
 * may mix its objects with SMI ones (the Gateway API routes, gateway/gateway.h).
 * decode() is called for every document of `group`, List items included,
 * with the apiVersion and kind in force; it reports problems with
 * smi_set_report(). Such documents are neither SMI objects nor skipped.
 */
struct smi_foreign {
	const char *group;
	void (*decode)(struct smi_set *set, void *arg, const char *file, struct ynode *root,
		       const char *api_version, const char *kind);
	void *arg;
};

struct smi_load_opts {
	/* Namespace of objects that name none; NULL means "default". */
	const char *default_namespace;
	/*
	 * Version assumed for documents without apiVersion (most examples in the
	 * SMI documents have none), per group; 0 makes apiVersion required.
	 */
	int default_version[SMI_GROUP_COUNT];
	/* Documents of this group go to its decoder; NULL: they are skipped. */
	const struct smi_foreign *foreign;
};

struct smi_set_priv;

/* A loaded set. Arrays list valid objects in load order; read-only. */
struct smi_set {
	size_t n_objects;
	const struct smi_meta *const *objects;	/* every kind, load order */
	size_t n_splits;
	const struct smi_traffic_split *const *splits;
	size_t n_targets;
	const struct smi_traffic_target *const *targets;
	size_t n_bindings;
	const struct smi_identity_binding *const *bindings;
	size_t n_http_routes;
	const struct smi_http_route_group *const *http_routes;
	size_t n_tcp_routes;
	const struct smi_port_route *const *tcp_routes;
	size_t n_udp_routes;
	const struct smi_port_route *const *udp_routes;
	size_t n_metrics;
	const struct smi_traffic_metrics *const *metrics;
	size_t n_metrics_lists;
	const struct smi_traffic_metrics_list *const *metrics_lists;
	size_t n_skipped;	/* documents of other APIs (Service, Deployment...) */
	struct smi_diags diags;
	struct smi_set_priv *priv;
};

/* Returns a new empty set (opts may be NULL), or NULL on allocation failure. */
struct smi_set *smi_set_new(const struct smi_load_opts *opts);

/*
 * Loads every document of a YAML stream or JSON file (object, List or *List).
 * Problems go to set->diags. Returns 0, or a negative errno when the file
 * cannot be read (that is recorded in diags too).
 */
int smi_set_load_file(struct smi_set *set, const char *path);

/* As smi_set_load_file() on a buffer; `name` is used in diagnostics. */
int smi_set_load_buffer(struct smi_set *set, const char *name, const char *buf, size_t len);

/*
 * Resolves references between objects (rules -> routes, split matches ->
 * HTTPRouteGroups, IdentityBindings), checks duplicates and computes shares;
 * call once after the last load. Returns 0 when set->diags has no errors,
 * -EINVAL otherwise.
 */
int smi_set_finish(struct smi_set *set);

/*
 * Records a problem at node `at` (a mapping or list at the line of its key;
 * NULL: no position) for field `path` of `file`; file, path and message are
 * copied into the set. For foreign decoders.
 */
void smi_set_report(struct smi_set *set, enum smi_severity sev, const char *file,
		    const struct ynode *at, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Frees the set and everything it handed out; NULL is fine. */
void smi_set_free(struct smi_set *set);

/* Prints the set's first error as one line, with how many more there are (nothing when none). */
void smi_set_print_first_error(const struct smi_set *set);

/*
 * Loads and finishes the files. On any error prints one error via error()
 * ("cannot load 'x.yaml': line 12: spec.backends[1].weight: not an integer",
 * plus how many more problems there are) and returns NULL; warnings are
 * printed with pr_warn(). The caller frees the result with smi_set_free().
 */
struct smi_set *smi_load_files(const char *const *paths, size_t n,
			       const struct smi_load_opts *opts);

/* Finds an object by kind, namespace and name; NULL if absent. */
const struct smi_meta *smi_set_find(const struct smi_set *set, enum smi_kind kind,
				    const char *namespace, const char *name);

/* ---- decisions: what SHOULD happen ---------------------------------------- */

/* One side of a connection, as the observer knows it. */
struct smi_peer {
	const char *service_account;
	const char *namespace;
	const char *spiffe_id;		/* optional */
	size_t n_labels;		/* optional pod labels */
	const struct smi_label *labels;
};

struct smi_header {
	const char *name, *value;
};

struct smi_http_request {
	const char *method;
	const char *path;	/* request-target; a query string is ignored */
	size_t n_headers;
	const struct smi_header *headers;
};

/* Returns true when the request matches the HTTP match (method, path, headers). */
bool smi_http_match_request(const struct smi_http_match *m, const struct smi_http_request *req);

/* Returns true when the TCPRoute/UDPRoute covers the port (no ports = all). */
bool smi_port_route_covers(const struct smi_port_route *r, uint16_t port);

/* Returns true when the peer holds the identity (ServiceAccount or IdentityBinding). */
bool smi_identity_holds(const struct smi_identity *id, const struct smi_peer *peer);

enum smi_access_verdict {
	SMI_ALLOW,
	SMI_DENY_NO_TARGET,	/* no TrafficTarget names this destination */
	SMI_DENY_SOURCE,	/* targets exist, none lists this source */
	SMI_DENY_PORT,		/* source listed, the port is not allowed */
	SMI_DENY_ROUTE,		/* source and port allowed, no rule matches */
};
/* "allow", "deny-no-target", ...; static storage. */
const char *smi_access_verdict_name(enum smi_access_verdict v);

enum smi_proto { SMI_PROTO_TCP, SMI_PROTO_UDP };

struct smi_access_result {
	enum smi_access_verdict verdict;
	const struct smi_traffic_target *target;	/* the allowing target (ALLOW) */
	const struct smi_rule *rule;			/* the allowing rule */
	const struct smi_http_match *match;		/* the HTTP match; NULL for L4 */
};

/*
 * Decides an HTTP request from src to dst on destination port `port`, with
 * access control enforced (everything not allowed is denied). Always fills
 * out; returns 0, or -EINVAL when an argument is missing.
 */
int smi_access_http(const struct smi_set *set, const struct smi_peer *src,
		    const struct smi_peer *dst, uint16_t port,
		    const struct smi_http_request *req, struct smi_access_result *out);

/* As smi_access_http() for a TCP connection or UDP flow that is not HTTP. */
int smi_access_l4(const struct smi_set *set, const struct smi_peer *src,
		  const struct smi_peer *dst, uint16_t port, enum smi_proto proto,
		  struct smi_access_result *out);

struct smi_split_result {
	/* The split in force; NULL: none applies, the apex service gets the traffic. */
	const struct smi_traffic_split *split;
	/* The spec.matches entry and HTTP match that selected it; NULL when unconditional. */
	const struct smi_split_match *split_match;
	const struct smi_http_match *match;
};

/*
 * Which TrafficSplit applies to a request for `service` in `namespace`
 * (req may be NULL for non-HTTP traffic: then only splits without matches
 * apply). Splits whose matches select the request win over unconditional
 * ones. Returns 0, or -EINVAL on a missing argument; the expected share of
 * each backend is result.split->backends[i].share.
 */
int smi_split_lookup(const struct smi_set *set, const char *namespace, const char *service,
		     const struct smi_http_request *req, struct smi_split_result *out);

/* ---- output ----------------------------------------------------------------- */

/*
 * Writes `obj` as one YAML document (with a leading "---") in API `version`
 * of its group. Returns 0, or -ENOTSUP with the reason in err when that
 * version cannot express the object ("TrafficSplit 'default/ab-test':
 * spec.matches needs split.smi-spec.io v1alpha3 or later"), or -EINVAL for
 * an unknown version.
 */
int smi_render(const struct smi_meta *obj, int version, FILE *out, char *err, size_t errlen);

/*
 * Writes every object of the set, each in versions[its group] (0 = the
 * version it was loaded from). Stops at the first object that cannot be
 * expressed: returns -ENOTSUP with the reason in err.
 */
int smi_render_set(const struct smi_set *set, const int versions[SMI_GROUP_COUNT],
		   FILE *out, char *err, size_t errlen);

struct json_t;
/*
 * The normalised object as JSON (the `lint -j` format, see docs/smi-model.md).
 * With `with_source` false, the loaded version and file/line are left out, so
 * two loads of the same object in different versions compare equal.
 * Returns a new reference, or NULL on allocation failure.
 */
struct json_t *smi_object_json(const struct smi_meta *obj, bool with_source);

/* Every object of the set, as smi_object_json(), in a JSON array; a new reference. */
struct json_t *smi_set_json(const struct smi_set *set, bool with_source);

/* One line summary for tables ("website -> website-v1 90%, website-v2 10%"). */
char *smi_object_summary(const struct smi_meta *obj, char *buf, size_t len);

#endif
