/* haproxy_int.h - pieces of the HAProxy renderer shared by its files, not by users. */
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
};

struct render {
	const struct mesh_policy *p;
	const struct mesh_render_opts *o;
	FILE *f;
	struct pod_side *sides;
	int n_sides;
};

/* Writes s as one strongly quoted configuration word; -1 after printing for a control character. */
int mesh_quote(FILE *f, const char *s, const char *what);

/* Header names and methods go into the configuration unquoted: 0, or -1 after printing for other characters. */
int mesh_check_token(const char *s, const char *what);

/* Writes "balance roundrobin" and the weighted servers of a backend section. Returns 0 or -1 after printing. */
int mesh_render_servers(struct render *r, const struct mesh_server *servers, int n, bool tcp);

/*
 * Writes the rest of frontend `name` for a listener with Gateway API rules
 * (the rule choice, the filters, 404 when no match holds) and one backend
 * section per rule. Returns 0 or -1 after printing.
 */
int mesh_render_rules(struct render *r, const struct mesh_listener *l, const char *name);

#endif
