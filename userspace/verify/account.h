/*
 * account.h - every exchange the kernel saw is accounted for (docs/verdicts.md,
 * "Accounting"). Each exchange of the capture is given to one step - the
 * step of the request it belongs to, or else the step during whose window
 * it began - and counted there in exactly one class. What nothing explains
 * bears on the verdicts of the step's traffic entries: a FAIL where it can
 * only be a request the policy forbids, INCONCLUSIVE where it could be one.
 */
#ifndef SMIW_VERIFY_ACCOUNT_H
#define SMIW_VERIFY_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "scenario/scenario.h"
#include "verify/evidence.h"
#include "verify/requests.h"

enum xclass {
	XC_JOINED,	/* a workload's exchange of a measured request, by its request id */
	XC_FOLLOWED,	/* a workload's exchange of a measured request, by following (id removed or changed) */
	XC_PROBE,	/* any exchange of a convergence probe */
	XC_RELAY,	/* the relay POST /call at the source pod (the driver's request and the app serving it) */
	XC_MESH,	/* a mesh proxy's leg of a request */
	XC_SCRAPE,	/* the runner's scrape of the mesh's metrics endpoint */
	XC_BACKGROUND,	/* what the scenario declares as background */
	XC_UNEXPLAINED,
	XC_COUNT
};

/* The classes as the report names them. */
extern const char *const xclass_names[XC_COUNT];

/* The capture's exchanges, each given to a step and a class. */
struct accounting {
	const struct vindex *ix;
	const struct scenario *sc;
	const struct inventory *inv;
	uint32_t *step_of;	/* per exchange: 1-based step, 0 for none (outside every step's window) */
	uint8_t *cls;		/* per exchange: enum xclass */
	uint64_t *start, *end;	/* per step (index - 1): its window, [start, end); 0, 0 when it sent nothing */
	uint32_t *order;	/* exchange indexes grouped by step, in file order within each */
	size_t *first;		/* per step (index - 1): where its exchanges begin in order[]; first[n_steps] ends the last */
	size_t outside;		/* exchanges before the first step or after the last */
};

/* What a step's traffic entry needs to know of the unexplained exchanges. */
struct acct_entry {
	size_t deny_hits;	/* at the destination of a denied entry, its method and path, during its traffic */
	size_t zero_hits;	/* at a weight-0 backend only, its method and path, during its traffic */
	size_t concerns;	/* others that could be this entry's requests */
	json_t *hits;		/* capped list of the exchanges behind deny_hits / zero_hits */
	json_t *concerned;	/* capped list of the others */
	char first_hit[320], first_concern[320];
	size_t lost_no_id, lost_other_id;	/* unexplained at its destination or backends, with its method and path */
};

/*
 * Gives every exchange of ix's capture a step and a class. Returns 0 or
 * -ENOMEM (free with account_free either way).
 */
int account_build(struct accounting *a, const struct vindex *ix, const struct scenario *sc,
		  const struct inventory *inv);

/* The step's accounting for the report (new reference): counts per class and the unexplained ones. */
json_t *account_step_json(const struct accounting *a, const struct check_ctx *c, const struct sc_step *st);

/*
 * What the unexplained exchanges of step st mean for its entry t (whose
 * expectation is x, whose measured requests ran in [t0, t1]; x NULL when it
 * has none). xs[k], t0s[k], t1s[k] are the same for every entry k of the step.
 */
void account_entry(const struct accounting *a, const struct check_ctx *c, const struct sc_step *st,
		   size_t k, const struct sc_expect *const *xs, const uint64_t *t0s, const uint64_t *t1s,
		   struct acct_entry *out);

/*
 * Applies an entry's accounting to one of its assertions (kind "access",
 * "split", "zero-weight"; single_backend: a split with one backend of weight
 * above 0, whose split assertion also judges the weight-0 ones).
 */
void account_apply(const struct acct_entry *ae, const char *kind, bool single_backend, struct eval *e);

/* How the mesh treated the request ids of an entry's measured requests. */
struct acct_ids {
	size_t followed;	/* requests tied to a copy by following, not by their id */
	size_t removed, rewritten;	/* requests (and unexplained exchanges) without their id, with another */
	size_t lost;		/* unexplained exchanges that look like the entry's requests */
};

/* Counts ids for an entry's requests r[0..n) and its accounting. */
void account_ids(const struct acct_entry *ae, const struct vreq *r, size_t n, struct acct_ids *out);

/*
 * "; the mesh removed X-Request-Id from 310 requests; followed through the
 * proxy: 310 of 310", or "" when the ids arrived as sent.
 */
void account_ids_text(const struct acct_ids *ids, char *buf, size_t len);

/* The same as an evidence object (new reference). */
json_t *account_ids_json(const struct acct_ids *ids);

/* Frees the lists of an entry's accounting. */
void acct_entry_free(struct acct_entry *ae);

/* Frees what account_build allocated. */
void account_free(struct accounting *a);

#endif
