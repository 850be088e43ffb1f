/*
 * apply.h - writing objects to the API server the way a controller does:
 * server-side apply under a field manager, delete, and the REST path of
 * an object from its apiVersion and kind.
 */
#ifndef SMIW_K8S_APPLY_H
#define SMIW_K8S_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "k8s/client.h"

/*
 * The REST path of the collection of `kind` in `api_version` ("v1",
 * "split.smi-spec.io/v1alpha2") in namespace `ns` (ignored for kinds not
 * namespaced), with "/NAME" appended when `name` is not NULL. Kinds known:
 * the core ones the sample app uses, the SMI kinds and the Gateway API
 * route kinds (k8s/routes.h). Returns 0, -ENOENT
 * for another kind, or -ENAMETOOLONG.
 */
int k8s_object_path(const char *api_version, const char *kind, const char *ns, const char *name, char *buf,
		    size_t len);

/* The path of object `obj` itself (from its apiVersion, kind, namespace and name), as above. */
int k8s_path_of(json_t *obj, char *buf, size_t len);

/*
 * Server-side apply of `obj` as field manager `manager`, taking over
 * fields other managers hold (force). *out (when not NULL) gets the object
 * as the server stored it. Returns 0 or a client error (c->err says why).
 */
int k8s_apply(struct k8s_client *c, json_t *obj, const char *manager, json_t **out);

/*
 * Deletes the object at `path` (foreground propagation off: the server
 * collects dependents). An object already gone is success. Returns 0 or
 * a client error.
 */
int k8s_delete(struct k8s_client *c, const char *what, const char *path);

/* "Kind namespace/name" (or "Kind name") of `obj`, for messages. */
void k8s_object_name(json_t *obj, char *buf, size_t len);

#endif
