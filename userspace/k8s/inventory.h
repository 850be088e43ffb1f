/* inventory.h - the inventory (docs/inventory.md) built from API objects and cgroups. */
#ifndef SMIW_K8S_INVENTORY_H
#define SMIW_K8S_INVENTORY_H

#include <stdbool.h>
#include <jansson.h>

/*
 * Container cgroups on this node, by container id: a JSON object
 * id -> {"path": ..., "cgroup_id": ..., "runtime": ..., "pod_uid": ...}.
 * Returns 0 with *out a new reference, or -errno when `mount` (the cgroup
 * v2 mount) cannot be walked.
 */
int k8s_cgroup_index(const char *mount, json_t **out);

/*
 * The inventory entries of one Pod object: one per running container whose
 * cgroup is in `cgroups` (from k8s_cgroup_index), each with the pod's
 * namespace, name, service account, labels and IP plus `container`,
 * `container_id`, `uid`. Containers not found there are counted in
 * *unresolved. Returns a new array (empty for pods not running).
 */
json_t *k8s_pod_entries(json_t *pod, json_t *cgroups, unsigned *unresolved);

/*
 * One inventory service entry for a Service object: cluster IP, ports,
 * selector and the pods among `pods` (cache "ns/name" -> Pod) it selects.
 * Returns a new object, or NULL for services without a cluster IP.
 */
json_t *k8s_service_entry(json_t *svc, json_t *pods);

/* True when every label of `selector` is on `labels` (an empty selector selects nothing). */
bool k8s_selector_matches(json_t *selector, json_t *labels);

/*
 * The whole inventory document (version 1, source "kubernetes") for `node`
 * from the pod and service caches. Returns a new reference.
 */
json_t *k8s_inventory_build(const char *node, json_t *pods, json_t *services, json_t *cgroups,
			    unsigned *unresolved);

#endif
