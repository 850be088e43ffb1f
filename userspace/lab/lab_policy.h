/* lab_policy.h - the mesh policy of a lab: its topology plus the SMI objects applied to it. */
#ifndef SMIW_LAB_POLICY_H
#define SMIW_LAB_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "lab/topology.h"
#include "mesh/policy.h"

/*
 * The policy with no SMI object: every service port forwards to the
 * service's own endpoints with equal weights; access control as given.
 * Returns 0 or -ENOMEM. Free with mesh_policy_free().
 */
int lab_policy_base(const struct topology *t, bool access_control, struct mesh_policy *p);

/* One backend of a traffic split. */
struct lab_split_backend {
	const char *service;	/* a service in the split's namespace */
	uint32_t weight;
};

/*
 * Routes the traffic of every port of service ns/apex to the pods of the
 * backends, each pod weighted weight / (pods of its service), so a service
 * keeps its share whatever its pod count. A backend port is the one with
 * the apex port's number (the only port, when it has one). With no match
 * the split replaces the apex's own endpoints; with matches it becomes a
 * conditional route (copies of them), tried before earlier-added ones are
 * not: routes are tried in the order added. Returns 0, or -1 after printing
 * the error prefixed with `origin`.
 */
int lab_policy_split(struct mesh_policy *p, const struct topology *t, const char *origin, const char *ns,
		     const char *apex, const struct lab_split_backend *b, int n,
		     const struct mesh_http_match *matches, int n_matches);

struct smi_set;

/*
 * Adds what the SMI objects of `set` ask of the mesh to policy p (built by
 * lab_policy_base): TrafficSplits become weighted servers or conditional
 * routes, TrafficTargets allow rules on the pods holding their identities.
 * Returns 0 or -1 after printing.
 */
int lab_policy_add_smi(struct mesh_policy *p, const struct topology *t, const struct smi_set *set);

/*
 * Appends the endpoints of service `svc` on its port `sp` to a server list,
 * each with `weight`. Returns 0 or -ENOMEM.
 */
int lab_policy_endpoints(const struct mesh_policy *p, const struct topology *t, const struct topo_service *svc,
			 const struct topo_svc_port *sp, struct mesh_server **servers, int *n, uint32_t weight);

struct gw_set;

/*
 * Adds the Gateway API HTTPRoutes and GRPCRoutes of `gw` to policy p: every
 * service port a route binds takes its rules (in the spec's precedence)
 * instead of its endpoints. What the lab cannot render (filters of one
 * backend among several, a RequestMirror of a share of the requests or of
 * gRPC calls, both kinds of route on one port) is refused. Returns 0 or -1
 * after printing.
 */
int lab_policy_add_routes(struct mesh_policy *p, const struct topology *t, const struct gw_set *gw);

/*
 * The policy of the lab topology plus the SMI objects and Gateway API
 * routes of files paths[0..n), into p (built by lab_policy_base). Returns
 * 0 or -1 after printing (one error naming file, line and field for an
 * invalid file).
 */
int lab_policy_add_files(struct mesh_policy *p, const struct topology *t, const char *const *paths, size_t n);

/* Index of pod ns/name in p->pods, or -1. */
int lab_policy_pod(const struct mesh_policy *p, const char *ns, const char *name);

#endif
