/*
 * checks.h - the verdict rules (docs/verdicts.md) for one traffic entry's
 * measured requests: access (allow / deny) and weighted split, plus what a
 * single convergence probe must show; and a step's metrics assertion.
 */
#ifndef SMIW_VERIFY_CHECKS_H
#define SMIW_VERIFY_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "verify/evidence.h"

struct vindex;

/*
 * Access: with SC_ACCESS_DENY no request may be served by a workload other
 * than the source and the client must have seen an accepted denial; with
 * SC_ACCESS_ALLOW every request must be served by an endpoint of the
 * destination service and succeed (2xx/3xx). Fills *out (evidence owned by it).
 */
void check_access(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		  const struct vreq *r, size_t n, struct eval *out);

/*
 * Split: backends are found from the pod that served each request. *split
 * gets the goodness-of-fit + power verdict over the backends with a weight
 * above 0; *zero (when *has_zero) the "weight 0 sees exactly 0" verdict.
 */
void check_split(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		 const struct vreq *r, size_t n, struct eval *split, struct eval *zero, bool *has_zero);

/*
 * Metrics: the mesh's own per-edge numbers for step st, from the scrapes the
 * runner recorded in dir (scrapes.h; NULL: none given), against the
 * exchanges observed between the two scrapes (docs/metrics.md), each
 * exchange paired with its request's others as ix followed them (ix may
 * be NULL: by request id only). Fills *out.
 */
void check_metrics(const struct check_ctx *c, const struct vindex *ix, const struct sc_step *st, const char *dir,
		   struct eval *out);

/*
 * Whether one convergence probe shows the expected effect. For splits,
 * *backend is set to the share index that served it (-1 otherwise).
 */
bool check_probe(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		 const struct vreq *r, int *backend);

#endif
