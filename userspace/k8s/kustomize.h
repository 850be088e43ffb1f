/*
 * kustomize.h - the part of kustomize the sample app's manifests use
 * (deploy/sample-app/<mesh>/kustomization.yaml), so `run --cluster` applies
 * exactly what `kubectl apply -k` would, without kubectl: `resources`
 * (files, and directories holding a kustomization.yaml), `namespace`, and
 * `patches` with an inline JSON 6902 patch (add, replace, remove) and a
 * target of kind and name. Anything else in a kustomization is refused by
 * name, never ignored.
 */
#ifndef SMIW_K8S_KUSTOMIZE_H
#define SMIW_K8S_KUSTOMIZE_H

#include <stddef.h>
#include <jansson.h>

/*
 * The objects the kustomization in directory `dir` builds, in the order
 * its resources list them, as a new JSON array. `ns` (NULL: the one the
 * kustomization sets) puts every namespaced object into that namespace and
 * renames the Namespace objects to it. Returns NULL with "FILE: FIELD:
 * WHY" in err.
 */
json_t *kustomize_build(const char *dir, const char *ns, char *err, size_t errlen);

/*
 * Applies a JSON 6902 patch (an array of {op, path, value}) to `doc` in
 * place. Returns 0, or -EINVAL with "ops[I]: WHY" in err.
 */
int json_patch_apply(json_t *doc, json_t *ops, char *err, size_t errlen);

/* True for the kinds that live in a namespace, among those the sample app uses (Namespace is not one). */
int k8s_kind_namespaced(const char *kind);

#endif
