/* yaml.h - YAML documents as jansson trees (kubeconfig files, manifests). */
#ifndef SMIW_K8S_YAML_H
#define SMIW_K8S_YAML_H

#include <stddef.h>
#include <jansson.h>

/*
 * Parses every document of a YAML stream into a JSON array (one element per
 * document). Plain scalars become null/true/false/integers/reals when they
 * read as such (YAML 1.2 core schema), quoted scalars stay strings; aliases
 * are resolved. Returns a new reference, or NULL with "line N: reason" in err.
 */
json_t *yaml_load_buffer(const char *buf, size_t len, char *err, size_t errlen);

/* As yaml_load_buffer() for the file at `path`; err names no file (callers do). */
json_t *yaml_load_file(const char *path, char *err, size_t errlen);

#endif
