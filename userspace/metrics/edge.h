/* edge.h - what the metrics checks compare: edges (source -> destination) and windows. */
#ifndef SMIW_METRICS_EDGE_H
#define SMIW_METRICS_EDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics/profile.h"
#include "verdict/verdict.h"

/* One end of an edge. name "*" stands for any; ns "" for a namespace the source does not give. */
struct mx_endpoint {
	char ns[64];
	char name[256];
};

/*
 * The name of an end the mesh places outside itself (Istio's "unknown", a
 * Linkerd outbound call without destination labels): never a workload, and
 * never compared with observed ends.
 */
#define MX_OUTSIDE "(outside)"

/* Whether e is an end outside the mesh (MX_OUTSIDE). */
bool mx_endpoint_outside(const struct mx_endpoint *e);

/* The time span a check covers, on CLOCK_MONOTONIC; unset means "the whole observation file". */
struct mx_window {
	bool set;
	uint64_t start_ns, end_ns;
};

/* How one edge is named on both sides of a comparison: which end the mesh measures, and how ends read. */
struct mx_view {
	bool server_side;
	const struct ep_spec *src, *dst;
};

/* Writes "ns/name" (or "name", or "*") into buf. Returns buf. */
char *mx_endpoint_str(const struct mx_endpoint *e, char *buf, size_t len);

/* Parses "ns/name", "name" or "*" into *e. Returns 0 or -EINVAL (empty, too long, several '/'). */
int mx_endpoint_parse(const char *s, struct mx_endpoint *e);

/*
 * Parses an edge "SRC=DST" and names its ends the way profile p can tell
 * them apart (mx_project). Returns 0, or -EINVAL with "edge 'SPEC': why" in err.
 */
int mx_edge_parse(const struct profile *p, const char *spec, struct mx_endpoint *s, struct mx_endpoint *d,
		  char *err, size_t errlen);

/* True when both ends are equal. */
bool mx_endpoint_eq(const struct mx_endpoint *a, const struct mx_endpoint *b);

/*
 * The workload a pod belongs to: the pod name without the suffixes Kubernetes
 * controllers add ("-<template hash>-<5 chars>" for Deployments, "-<5 chars>"
 * for DaemonSets and Jobs), written into buf. Names without them are kept.
 */
void mx_workload_of_pod(const char *pod, char *buf, size_t len);

/* The service a Host header names ("svc", "svc.ns", "svc.ns.svc.cluster.local", with port) into *e. */
void mx_service_of_host(const char *host, struct mx_endpoint *e);

/* Rewrites '-' and '.' as '_' in place (how Envoy-based meshes write names in metrics). */
void mx_underscores(char *s);

/* Whether the profile gives namespaces for this end (a namespace label, a pattern group, the scraped proxy). */
bool mx_ep_gives_namespace(const struct ep_spec *ep);

/*
 * Applies what the profile says about one end to a name read from
 * observations: "*" when the metric does not tell this end apart, no
 * namespace when the metric gives none, '_' for '-' and '.' when asked.
 */
void mx_project(const struct ep_spec *ep, struct mx_endpoint *e);

#endif
