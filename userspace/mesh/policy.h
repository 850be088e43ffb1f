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
};

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
