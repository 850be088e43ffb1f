/* topology.h - the lab's pods, services and mesh pod, as read from a topology file. */
#ifndef SMIW_LAB_TOPOLOGY_H
#define SMIW_LAB_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOPO_NAME_MAX 64	/* Kubernetes names are DNS-1123 labels: 63 characters */
#define TOPO_LABEL_MAX 128
#define TOPO_MAX_PODS 32
#define TOPO_MAX_SERVICES 32
#define TOPO_MAX_LABELS 8
#define TOPO_MAX_PORTS 4
#define TOPO_MAX_ENV 8
#define TOPO_MAX_ARGS 16
#define TOPO_ARG_MAX 256

/* The lab's own network: every address lies in 198.18.0.0/15 (RFC 2544 benchmarking). */
#define TOPO_RANGE_NET 0xc6120000u	/* 198.18.0.0 */
#define TOPO_RANGE_BITS 15

struct topo_label {
	char key[TOPO_LABEL_MAX];
	char value[TOPO_NAME_MAX];
};

struct topo_env {
	char name[TOPO_NAME_MAX];
	char value[TOPO_ARG_MAX];
};

struct topo_pod {
	char name[TOPO_NAME_MAX];
	char namespace[TOPO_NAME_MAX];
	char service_account[TOPO_NAME_MAX];
	struct topo_label labels[TOPO_MAX_LABELS];
	int n_labels;
	uint32_t ip;	/* host byte order */
	uint16_t ports[TOPO_MAX_PORTS];	/* container ports; PORT= the first */
	int n_ports;
	char args[TOPO_MAX_ARGS][TOPO_ARG_MAX];	/* command; args[0] without '/' is looked up */
	int n_args;
	struct topo_env env[TOPO_MAX_ENV];
	int n_env;
	bool is_mesh;	/* the mesh pod: no command of its own, the lab runs the proxy */
};

enum topo_proto { TOPO_HTTP, TOPO_TCP };

struct topo_svc_port {
	uint16_t port, target_port;
	enum topo_proto proto;
};

struct topo_service {
	char name[TOPO_NAME_MAX];
	char namespace[TOPO_NAME_MAX];
	struct topo_label selector[TOPO_MAX_LABELS];
	int n_selector;
	struct topo_svc_port ports[TOPO_MAX_PORTS];
	int n_ports;
	uint32_t ip;	/* the address the name resolves to: the mesh listener */
	int endpoints[TOPO_MAX_PODS];	/* indexes into topology.pods, computed from the selector */
	int n_endpoints;
};

struct topology {
	char node[TOPO_NAME_MAX];
	uint32_t net;	/* lab network address, host byte order */
	int prefix;	/* its prefix length */
	struct topo_pod pods[TOPO_MAX_PODS];	/* the mesh pod is the last one */
	int n_pods;
	struct topo_service services[TOPO_MAX_SERVICES];
	int n_services;
	int mesh;	/* index of the mesh pod */
	uint16_t metrics_port;	/* the mesh's Prometheus endpoint, on the mesh pod address */
};

/*
 * Loads and validates a topology file: names, unique addresses inside the
 * lab network, selectors. Fills defaults (addresses, namespace "default",
 * port 9091, command sample-app). Returns a calloc'd topology (free() it)
 * or NULL after printing the error.
 */
struct topology *topology_load(const char *path);

/* As topology_load() from memory; `name` is what messages call the text. */
struct topology *topology_load_string(const char *name, const char *text, size_t len);

/* Index of pod `ns/name`, or -1. */
int topology_pod(const struct topology *t, const char *ns, const char *name);

/* Index of service `ns/name`, or -1. */
int topology_service(const struct topology *t, const char *ns, const char *name);

/* Index of the pod with address `ip` (host order), or -1. */
int topology_pod_by_ip(const struct topology *t, uint32_t ip);

/* Formats a host-order IPv4 address into buf (at least 16 bytes); returns buf. */
const char *topo_ip_str(uint32_t ip, char *buf);

#endif
