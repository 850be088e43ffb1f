/*
 * haproxy_int.h - what the HAProxy renderer's files share, not its users:
 * the state of one rendering and the helpers that write configuration
 * words. haproxy.c renders the reference mesh; haproxy_route.c the Gateway
 * API rules; haproxy_variants.c the additions of the faulty variants that
 * need more than a changed word.
 */
#ifndef SMIW_MESH_HAPROXY_INT_H
#define SMIW_MESH_HAPROXY_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mesh/haproxy.h"

/* One pod-side proxy: traffic for pod `pod` on `port`. */
struct pod_side {
	int pod;
	uint16_t port;
	bool tcp;
	bool h2;	/* gRPC goes through it: HTTP/2 to the pod whatever the lab speaks */
};

struct render {
	const struct mesh_policy *p;
	const struct mesh_render_opts *o;
	FILE *f;
	struct pod_side *sides;
	int n_sides;
	int n_backends;	/* service-side HTTP backends written so far (names per-backend variables) */
};

/* Dotted quad of a host-order address into buf (16 bytes); returns buf. */
const char *mesh_ip4(uint32_t ip, char *buf);

/* Global settings: the mirror's Lua script, for the mirror variant or RequestMirror filters. */
void variant_global(struct render *r);

/* First rules of a service-side HTTP frontend (regenerate-id replaces the request id). */
void variant_listener(struct render *r);

/*
 * route-by-host, at the top of HTTP listener l's frontend `name`: a request
 * whose Host names another service on the same port skips l's routes and
 * goes to that service's frontend (variant_host_backends writes where).
 * Nothing for other variants.
 */
void variant_host_front(struct render *r, const struct mesh_listener *l, const char *name);
void variant_host_backends(struct render *r, const struct mesh_listener *l, const char *name);

/*
 * Rules of a service-side HTTP backend over servers[0..n) with HAProxy
 * weights w[0..n): per-connection stickiness, retries, the mirror.
 */
void variant_backend(struct render *r, const struct mesh_server *servers, const unsigned *w, int n);

/*
 * The access rule of an HTTP pod side for variants that do not simply
 * deny: `cond` is the allowed alternatives (" or "-joined, "" for none),
 * `sources` the source ACLs of the allow rules that have one here
 * (" !allowN.src ..."). Returns true when it wrote the rule, false when the
 * reference's deny rule is due.
 */
bool variant_access(struct render *r, const char *cond, const char *sources);

/* Writes s as one strongly quoted configuration word; -1 after printing for a control character. */
int mesh_quote(FILE *f, const char *s, const char *what);

/* Header names and methods go into the configuration unquoted: 0, or -1 after printing for other characters. */
int mesh_check_token(const char *s, const char *what);

/*
 * Writes "balance roundrobin" and the weighted servers of a backend section;
 * h2: HTTP/2 to them and on from their pod sides (gRPC). Returns 0 or -1
 * after printing.
 */
int mesh_render_servers(struct render *r, const struct mesh_server *servers, int n, bool tcp, bool h2);

/*
 * Writes the rest of frontend `name` for a listener with Gateway API rules
 * (the rule choice, the filters, 404 when no match holds) and one backend
 * section per rule. Returns 0 or -1 after printing.
 */
int mesh_render_rules(struct render *r, const struct mesh_listener *l, const char *name);

#endif
