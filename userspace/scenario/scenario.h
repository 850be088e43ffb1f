/*
 * scenario.h - conformance scenarios (docs/scenarios.md): steps that apply
 * SMI manifests, drive traffic and state what must be observed.
 */
#ifndef SMIW_SCENARIO_SCENARIO_H
#define SMIW_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/strpool.h"
#include "scenario/background.h"

struct gw_route;

/* What the access assertion of a traffic entry expects. */
enum sc_access {
	SC_ACCESS_NONE,		/* no access assertion */
	SC_ACCESS_DERIVED,	/* from the SMI access decision of the applied policy */
	SC_ACCESS_ALLOW,	/* every request reaches the destination and succeeds */
	SC_ACCESS_DENY,		/* no request reaches the destination; the client sees a denial */
};

/* How a denied request may look to the client (bit set of accepted forms). */
enum sc_denial {
	SC_DENY_STATUS = 1 << 0,	/* an HTTP status from sc_expect.deny_statuses */
	SC_DENY_RESET = 1 << 1,		/* connection reset */
	SC_DENY_REFUSED = 1 << 2,	/* connection refused */
	SC_DENY_CLOSED = 1 << 3,	/* connection closed without a response */
};

enum sc_split {
	SC_SPLIT_NONE,
	SC_SPLIT_DERIVED,	/* shares from the applied TrafficSplit of the target service */
	SC_SPLIT_EXPLICIT,	/* shares written in the scenario */
};

enum sc_via { SC_VIA_CALL, SC_VIA_DIRECT };
/* Where a request is addressed: the Service (its name), or the one pod behind it (its own address). */
enum sc_address { SC_ADDR_SERVICE, SC_ADDR_POD };

/*
 * The client connections a traffic entry's requests travel on, towards the
 * destination service (through /call: the source app's connections to it).
 */
enum sc_conn {
	SC_CONN_DEFAULT,	/* not given: new with a split expectation, else keep-alive */
	SC_CONN_NEW,		/* a new connection per request (Connection: close) */
	SC_CONN_KEEP_ALIVE,	/* `concurrency` connections, each carrying many requests */
};

/*
 * What an entry's requests are sent as. The run's --protocol applies to
 * entries that do not say; one that does (a GRPCRoute test's calls) keeps it.
 */
enum sc_proto {
	SC_PROTO_RUN,		/* not given: the run's */
	SC_PROTO_H1,		/* HTTP/1.1 */
	SC_PROTO_H2,		/* HTTP/2 streams over cleartext */
	SC_PROTO_GRPC,		/* unary gRPC calls to `path` */
};

#define SC_MAX_DENY_STATUSES 8
#define SC_MAX_SHARES 64
#define SC_MAX_HEADERS 32	/* what the traffic driver sends at most */
#define SC_MAX_BODY 4096	/* request body bytes (passed to the driver as an argument) */
#define SC_MAX_EDGES 32		/* edges one metrics assertion names */
#define SC_MAX_ROUTES 32	/* Gateway API routes that may apply to one request */
#define SC_MAX_RESP_NAMES 16	/* response header names judged at the client (capture keeps as many) */

struct sc_share {
	const char *service;	/* backend service name (namespace of the target) */
	double weight;
};

struct sc_expect {
	enum sc_access access;
	unsigned denial;	/* enum sc_denial bits */
	int deny_statuses[SC_MAX_DENY_STATUSES];
	size_t n_deny_statuses;
	enum sc_split split;
	struct sc_share shares[SC_MAX_SHARES];
	size_t n_shares;
	/*
	 * `route: derived`: what the Gateway API routes in force say of the
	 * request (backend, 404 or redirect; path and headers at the backend;
	 * the split of a weighted rule). Alone in its entry.
	 */
	bool route;
	/* Once resolved (verify/expect.h): the routes that apply to the entry's requests. */
	const struct gw_route *routes[SC_MAX_ROUTES];
	size_t n_routes;
	/*
	 * The response header names a ResponseHeaderModifier of any route in
	 * force at the step touches: each is judged at the client, as the
	 * routes that apply give it or else absent.
	 */
	const char *resp_names[SC_MAX_RESP_NAMES];
	size_t n_resp_names;
};

struct sc_header {
	const char *name, *value;
};

/* One kind of request a step sends. */
struct sc_traffic {
	unsigned index;			/* 1-based position in its step */
	const char *name;
	const char *from_ns, *from;	/* source pod */
	const char *to_ns, *to;		/* destination service */
	unsigned port;
	const char *method, *path;
	const char *body;		/* request body ("" for none) */
	struct sc_header *headers;
	size_t n_headers;
	uint64_t count;			/* requests to send, or 0 when duration is set */
	uint64_t duration_ns;
	unsigned concurrency;
	enum sc_via via;
	enum sc_address address;
	enum sc_conn connections;	/* never SC_CONN_DEFAULT once loaded */
	enum sc_proto protocol;
	struct sc_expect expect;
	unsigned line;
};

/* After applying a step's manifests: probe until the policy's effect is seen. */
struct sc_converge {
	bool enabled;
	uint64_t timeout_ns, interval_ns;
	unsigned consecutive;	/* matching probes in a row that count as converged */
};

/*
 * A step's metrics assertion: the mesh's own per-edge numbers, scraped
 * before and after the step's traffic, against what was observed.
 */
struct sc_metrics {
	bool enabled;
	const char *name;	/* names the assertion (default: the profile's name) */
	const char *profile;	/* mapping profile: a name, or a file resolved against the scenario */
	const char *scrape;	/* "mesh" (the inventory's mesh.metrics_url) or an http(s) URL */
	const char **edges;	/* "SRC=DST"; none: every edge with traffic */
	size_t n_edges;
	unsigned line;
};

/* An SMI (or other) object found in a manifest. */
struct sc_object {
	const char *group, *version, *kind, *name, *ns;
	/*
	 * The document's own text, preceded by line - 1 newlines so that a
	 * parser of just this text reports the manifest's line numbers.
	 */
	const char *text;
	unsigned line;
};

struct sc_manifest {
	const char *given;	/* as written in the scenario */
	const char *path;	/* resolved against the scenario's directory */
	struct sc_object *objects;
	size_t n_objects;
};

struct sc_step {
	unsigned index;		/* 1-based */
	const char *name, *description;
	struct sc_manifest *apply, *del;
	size_t n_apply, n_del;
	struct sc_converge converge;
	struct sc_traffic *traffic;
	size_t n_traffic;
	struct sc_metrics metrics;
	struct sc_background *background;	/* the step's own rules (the scenario's apply too) */
	size_t n_background;
	unsigned line;
};

struct scenario {
	struct strpool strings;
	const char *path, *dir;
	const char *name, *description, *smispec, *ns;
	bool access_control;	/* the mesh enforces SMI access control during the scenario */
	double alpha, power, effect;	/* statistics: test level, required power, effect size */
	struct sc_background *background;	/* declared background traffic of every step */
	size_t n_background;
	struct sc_step *steps;
	size_t n_steps;
};

/*
 * Loads and validates a scenario file and the manifests it names. Errors are
 * printed as "cannot load 'FILE': line N: FIELD: WHY"; returns 0 or
 * -EINVAL / -EIO / -ENOMEM. Free with scenario_free() either way.
 */
int scenario_load(struct scenario *sc, const char *path);

/*
 * As scenario_load(), placing the scenario in namespace `ns` (NULL: its
 * own): names without a namespace, in the scenario and in its manifests,
 * are in `ns`, and so are those that name the scenario's own namespace
 * (a route's metadata, parentRefs and backendRefs move with it; other
 * namespaces stay as written). A cluster run puts the suites into the namespace it was
 * given this way.
 */
int scenario_load_in(struct scenario *sc, const char *path, const char *ns);

/*
 * The API version of the scenario's SMI spec as of step `step` (1-based):
 * the version of the latest object of that spec applied up to then, else
 * the first one the scenario applies at all, else "" ("v1alpha1", the only
 * version, for traffic-metrics). Static storage of sc.
 */
const char *scenario_spec_version(const struct scenario *sc, unsigned step);

/* Whether a traffic entry asserts anything itself (it may be traffic for a metrics assertion only). */
bool sc_traffic_asserts(const struct sc_traffic *t);

/* The API group of an SMI spec name ("traffic-split" -> "split.smi-spec.io"), or NULL. */
const char *scenario_spec_group(const char *smispec);

/* Whether s (or its first n bytes) is a plain name: 1-63 of letters, digits, '.', '_', '-'. */
bool sc_plain_name(const char *s);
bool sc_plain_name_n(const char *s, size_t n);

/*
 * Whether an exchange at pod ns/pod in that role, method and request target
 * is background that step st (or the whole scenario) declares.
 */
bool sc_step_background(const struct scenario *sc, const struct sc_step *st, const struct inventory *inv,
			const char *ns, const char *pod, bool server, const char *method, const char *path);

/* Frees everything the scenario owns; safe after a failed load. */
void scenario_free(struct scenario *sc);

#endif
