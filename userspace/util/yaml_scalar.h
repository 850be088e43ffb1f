/* yaml_scalar.h - scalar resolution, shared by the YAML reader's files (not by its users). */
#ifndef SMIW_UTIL_YAML_SCALAR_H
#define SMIW_UTIL_YAML_SCALAR_H

#include <stdbool.h>
#include <stddef.h>

#include "util/yaml.h"

/*
 * Resolves scalar n (str and len set) given its tag ("" for none) and
 * whether libyaml calls it plain-implicit (unquoted, no tag): sets kind,
 * the value and text. Returns 0, or -EINVAL with the reason in err (a tag
 * the text does not fit, invalid !!binary).
 */
int yscalar_resolve(struct arena *a, struct ynode *n, const char *tag, bool plain, char *err,
		    size_t errlen);

/*
 * The JSON name of mapping key k (a resolved scalar): a new node in `a` with
 * k's position, or k itself when it is a string. NULL with the reason in
 * err for keys JSON cannot name (null, an integer beyond int64).
 */
struct ynode *yscalar_key(struct arena *a, struct ynode *k, char *err, size_t errlen);

/* Go's strconv.FormatFloat(v, 'g', -1, 32): the shortest text of v as a float32. */
void yscalar_format_g32(double v, char *buf, size_t len);

#endif
