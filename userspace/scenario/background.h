/*
 * background.h - traffic a scenario declares as background: exchanges no
 * request of the scenario explains but that are expected on the pods
 * (health checks, a sidecar's own calls). The verifier counts them and
 * never judges them (docs/scenarios.md, docs/verdicts.md).
 */
#ifndef SMIW_SCENARIO_BACKGROUND_H
#define SMIW_SCENARIO_BACKGROUND_H

#include <stdbool.h>
#include <stddef.h>

#include "records/inventory.h"
#include "records/strpool.h"
#include "util/yaml_doc.h"

#define SC_MAX_BACKGROUND 32	/* rules in one list */
#define SC_MAX_BG_PODS 32	/* pod names or labels in one rule */

enum sc_bg_role { SC_BG_ANY, SC_BG_SERVER, SC_BG_CLIENT };

/* One rule: an exchange matches when every part given matches. */
struct sc_background {
	const char *pods[SC_MAX_BG_PODS];	/* "ns/name" or "*" (any pod); none: see labels */
	size_t n_pods;
	const char *label_keys[SC_MAX_BG_PODS], *label_values[SC_MAX_BG_PODS];
	size_t n_labels;			/* a label selector: every label must match */
	const char *method;			/* "" = any */
	const char *path;			/* regex source, "" = any */
	void *re;				/* the compiled path regex (PCRE2), NULL for any */
	enum sc_bg_role role;
	unsigned line;
};

/*
 * Parses a `background` list (node n, named `field` in messages) into a
 * malloc'ed *out of *n_out rules (free with sc_background_free, also after
 * an error), strings in pool, names without a namespace in `ns`. Errors are
 * printed with file, line and field; returns 0, -EINVAL or -ENOMEM.
 */
int sc_background_parse(struct ydoc *d, struct ynode *n, const char *field, struct strpool *pool,
			const char *ns, struct sc_background **out, size_t *n_out);

/*
 * Whether rule b matches an exchange seen at pod ns/pod (labels from the
 * inventory, which may be NULL: then label selectors match nothing) in the
 * given role, with that method and request target.
 */
bool sc_background_matches(const struct sc_background *b, const struct inventory *inv, const char *ns,
			   const char *pod, bool server, const char *method, const char *path);

/* Frees rules b[0..n) (their compiled regexes and the array); NULL is fine. */
void sc_background_free(struct sc_background *b, size_t n);

#endif
