/*
 * yaml_json.h - YAML documents as jansson trees, as sigs.k8s.io/yaml turns
 * YAML into JSON for Kubernetes (kubeconfig files, manifests).
 */
#ifndef SMIW_UTIL_YAML_JSON_H
#define SMIW_UTIL_YAML_JSON_H

#include <stddef.h>
#include <jansson.h>

#include "util/yaml.h"

/*
 * The JSON value of node n (NULL: JSON null): a new reference, or NULL
 * with the reason in err (a string that is not UTF-8).
 */
json_t *yaml_to_json(const struct ynode *n, struct yerr *err);

/*
 * Every document of `len` bytes of YAML or JSON (util/yaml.h) as a JSON
 * array, one element per document. Returns a new reference, or NULL with
 * "line N: reason" in err.
 */
json_t *yaml_json_load_buffer(const char *buf, size_t len, char *err, size_t errlen);

/* As yaml_json_load_buffer() for the file at `path`; err names no file (callers do). */
json_t *yaml_json_load_file(const char *path, char *err, size_t errlen);

/*
 * One document of the file at `path` as client-go decodes a kubeconfig: a
 * YAML stream's first document (null when there is none), or the one JSON
 * value of a JSON text (more than one is an error). A new reference, or
 * NULL with "line N: reason" or the system's reason in err.
 */
json_t *yaml_json_load_first(const char *path, char *err, size_t errlen);

#endif
