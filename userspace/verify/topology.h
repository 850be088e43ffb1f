/*
 * topology.h - the verifier's view of the inventory (docs/inventory.md):
 * which pods exist, which service account they run as, and which pods are
 * behind each service. This is what turns "an exchange was served at pod
 * default/app-b-1" into "backend app-b got the request".
 */
#ifndef SMIW_VERIFY_TOPOLOGY_H
#define SMIW_VERIFY_TOPOLOGY_H

#include <stddef.h>

#include "verify/arena.h"

struct topo_pod {
	const char *ns, *name, *sa, *ip;
};

struct topo_service {
	const char *ns, *name, *ip;
	const char **endpoints;	/* "namespace/pod" */
	size_t n_endpoints;
};

/* Zero-initialise; filled by topo_load(). */
struct topology {
	struct arena strings;
	const char *path;
	const char *mesh_name, *mesh_pod;	/* "" when the inventory names no mesh */
	struct topo_pod *pods;
	size_t n_pods;
	struct topo_service *services;
	size_t n_services;
};

/* Loads an inventory file (version 1). Prints errors; returns 0 or -EINVAL / -EIO / -ENOMEM. */
int topo_load(struct topology *t, const char *path);

/* The pod "ns/name" (or "name" in namespace `ns`), or NULL. */
const struct topo_pod *topo_pod(const struct topology *t, const char *ns, const char *name);

/* The service "ns/name" (or "name" in namespace `ns`), or NULL. */
const struct topo_service *topo_service(const struct topology *t, const char *ns, const char *name);

/* 1 when pod ns/name is an endpoint of the service, else 0. */
int topo_service_has_pod(const struct topo_service *svc, const char *ns, const char *name);

/* Frees everything. */
void topo_free(struct topology *t);

#endif
