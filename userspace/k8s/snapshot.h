/*
 * snapshot.h - what `smi-witness kube` writes: one reading of the API
 * server, as smi-witness uses it (this node's inventory, the cluster's SMI
 * objects as one List).
 */
#ifndef SMIW_K8S_SNAPSHOT_H
#define SMIW_K8S_SNAPSHOT_H

#include "k8s/client.h"

/*
 * Lists the pods on `node` and every service, joins them with the container
 * cgroups under `cgroup_root` (NULL: the cgroup v2 mount) and writes the
 * inventory (docs/inventory.md) to `output` (NULL: stdout). Returns 0, or
 * -1 with the error printed.
 */
int k8s_snapshot_inventory(struct k8s_client *c, const char *node, const char *cgroup_root, const char *output);

/*
 * Lists every SMI object the API server serves, warns about objects served
 * in another version than they were written in, checks them with the SMI
 * model and writes them as one JSON List to `output` (NULL: stdout), also
 * when the model finds errors. Returns 0, or -1 with the errors printed.
 */
int k8s_snapshot_smi(struct k8s_client *c, const char *output);

/*
 * As k8s_snapshot_smi() for the Gateway API routes (HTTPRoute, GRPCRoute)
 * the API server serves, each listed in the newest version served and
 * checked with the route model. Returns 0, or -1 with the errors printed.
 */
int k8s_snapshot_routes(struct k8s_client *c, const char *output);

#endif
