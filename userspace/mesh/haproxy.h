/*
 * haproxy.h - the reference mesh's data plane: a mesh policy rendered as
 * HAProxy 2.6 configuration, and the proxy names its Prometheus exporter
 * reports.
 *
 * Two proxies per hop, as a sidecar mesh has two: the service side
 * "svc.<ns>.<service>.<port>" (listens on the service address, picks a pod
 * by weight) and the pod side "pod.<ns>.<pod>.<port>" (on 127.0.0.1, told
 * the original client address with the PROXY protocol, enforces access
 * control for the destination pod's identity, forwards to the pod).
 * Servers are named "<ns>.<pod>" in both.
 */
#ifndef SMIW_MESH_HAPROXY_H
#define SMIW_MESH_HAPROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mesh/policy.h"

/* Pod-side proxies listen on 127.0.0.1 from this port up, one per (pod, port). */
#define MESH_POD_SIDE_BASE_PORT 20000

/* HAProxy's largest server weight. */
#define MESH_HAPROXY_MAX_WEIGHT 256

struct mesh_render_opts {
	enum mesh_variant variant;
	const char *stats_socket;	/* unix socket of the workers (admin level, passes listeners on reload) */
	unsigned generation;	/* shown as "description: generation N" by `show info` */
	const char *node;	/* shown as "node:" */
	bool h2;		/* HTTP hops to pod sides and pods speak HTTP/2 (h2c), so gRPC passes */
	const char *mirror_lua;	/* mirror-to-zero-weight, RequestMirror: where MESH_MIRROR_LUA is installed */
};

/*
 * The Lua action of the mirror-to-zero-weight variant and of RequestMirror
 * filters (HAProxy 2.6 has no request mirroring of its own): `http-response lua.mirror ADDR` sends a
 * copy of the request that was just answered (method, path and query,
 * X-Request-Id; no body) to http://ADDR with HAProxy's own HTTP client and
 * waits for its answer. The lab installs it where mirror_lua says.
 */
extern const char MESH_MIRROR_LUA[];

/*
 * Writes the HAProxy configuration for policy `p` to `out`. Returns 0, or
 * -1 after printing why the policy cannot be rendered (an unsafe header
 * name or method, a control character in a regex, a pod port used as both
 * HTTP and TCP).
 */
int mesh_render_haproxy(const struct mesh_policy *p, const struct mesh_render_opts *o, FILE *out);

/*
 * HAProxy weights (0..256) for relative weights in[0..n): the reference
 * reduces them by their common divisor and scales them down only when they
 * exceed 256, never turning a non-zero weight into 0; `faulty` pulls every
 * share 20% toward an even split first (75/25 becomes 70/30, 1/0 becomes
 * 90/10). All zero stays all zero.
 */
void mesh_haproxy_weights(const uint32_t *in, int n, bool faulty, unsigned *out);

#endif
