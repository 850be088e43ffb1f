/* smi.h - SMI resources on the API server: which versions it serves, and the objects. */
#ifndef SMIW_K8S_SMI_H
#define SMIW_K8S_SMI_H

#include <jansson.h>

#include "k8s/client.h"

/* One SMI kind as the API server serves it. */
struct smi_kind_ref {
	const char *group, *kind, *plural;
};

/* The SMI kinds that live as custom resources (TrafficMetrics is an aggregated API: not here). */
extern const struct smi_kind_ref smi_kinds[];
extern const unsigned smi_kinds_count;

/*
 * Asks the API server which SMI groups and versions it serves (discovery).
 * *out gets a new array of {"group", "version", "kind", "plural", "path",
 * "served_versions": [...]}: one per kind, at the group's preferred version.
 * Groups not installed are left out. Returns 0 or a client error.
 */
int k8s_smi_discover(struct k8s_client *c, json_t **out);

/*
 * Lists every object of the discovered kinds (`kinds` from
 * k8s_smi_discover) into a new array of full objects with apiVersion and
 * kind set. Returns 0 or a client error.
 */
int k8s_smi_list(struct k8s_client *c, json_t *kinds, json_t **out);

/*
 * The apiVersion an object was written with (from metadata.managedFields),
 * which differs from the served one when a CRD serves several versions
 * without conversion. Returns a borrowed string or NULL.
 */
const char *k8s_applied_version(json_t *obj);

#endif
