/*
 * converge.h - did the mesh put an applied policy into effect? After a
 * step's manifests are applied the runner sends convergence probes until
 * the last `consecutive` probes all show the expected effect (and, for a
 * split, every backend with a weight above 0 has served one of them), or
 * until the timeout. This module judges the recorded probes the same way,
 * so a replay reaches the same conclusion as the live run.
 */
#ifndef SMIW_VERIFY_CONVERGE_H
#define SMIW_VERIFY_CONVERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "verify/checks.h"

struct convergence {
	bool checked;		/* probes were recorded and the step asks for convergence */
	bool converged;
	size_t probes;
	uint64_t after_ns;	/* first probe sent -> last probe answered */
	uint64_t timeout_ns;
};

/*
 * Judges probes r[0..n-1] (in sending order) of one traffic entry into *cv
 * (initialised with converge_init()). Each entry converges on its own: an
 * entry whose probes show the effect keeps its verdict even when another
 * entry of the step never converges.
 */
void converge_add(const struct check_ctx *c, const struct sc_step *st, const struct sc_traffic *t,
		  const struct sc_expect *x, const struct vreq *r, size_t n, struct convergence *cv);

/*
 * The rounds of probes a step always gets, whatever the clock says: twice
 * `consecutive`. The bound on convergence is the step's timeout or these
 * rounds, whichever ends later, so a loaded machine, whose rounds are
 * slow, cannot make a mesh look as if it never applied the policy.
 */
unsigned converge_min_rounds(unsigned consecutive);

/* Starts a convergence record (of an entry, or of a whole step). */
void converge_init(const struct sc_step *st, struct convergence *cv);

/* Folds an entry's record into the step's: converged when every checked entry is. */
void converge_merge(struct convergence *step, const struct convergence *entry);

/*
 * Whether the probe sequence has converged: true when its last `consecutive`
 * (or more) probes all matched and, when `need` is non-zero, the matching
 * suffix covers every bit of `need` in `seen` (one bit per backend).
 * match[i] says whether probe i showed the effect; seen[i] has the bit of
 * the backend it reached (0 for none).
 */
bool converge_decide(const bool *match, const uint64_t *seen, size_t n, unsigned consecutive,
		     uint64_t need);

/* The step's convergence as JSON (new reference). */
json_t *converge_json(const struct convergence *cv);

#endif
