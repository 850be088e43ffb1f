/*
 * evidence.h - the shared pieces of assertion evaluation: the result of one
 * check, and evidence entries naming the exchanges behind a verdict.
 */
#ifndef SMIW_VERIFY_EVIDENCE_H
#define SMIW_VERIFY_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "records/inventory.h"
#include "records/obs.h"
#include "scenario/scenario.h"
#include "verdict/verdict.h"
#include "verify/requests.h"

/* Evidence lists keep this many entries (the total is always given). */
#define EVIDENCE_MAX_ITEMS 50

struct gw_set;

/* What the checks share: the data and the statistical settings. */
struct check_ctx {
	const struct scenario *sc;
	const struct obs_set *obs;
	const struct inventory *inv;
	double ci_level;
	struct gw_set *const *routes;	/* per step (index step - 1): the Gateway API routes in force; may be NULL */
};

/* The outcome of one assertion before step-level conditions are applied. */
struct eval {
	enum verdict verdict;
	bool positive;		/* a FAIL shown by individual exchanges, not by a statistic */
	/*
	 * A FAIL shown by requests served where the policy forbids (a denied
	 * request at a workload, one outside the backends or at a weight-0
	 * one): a mesh that went away explains failures, never these.
	 */
	bool misdelivered;
	char reason[768];
	json_t *evidence;	/* owned object */
};

/* Sets verdict and reason (printf-style). */
void eval_set(struct eval *e, enum verdict v, bool positive, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "2025-11-27T10:35:12.345Z" from a monotonic timestamp, or "+12.345678s" without wall time. */
void evidence_time(const struct obs_set *obs, uint64_t mono_ns, char *buf, size_t len);

/* A capped list: {"total": N, "items": [...]}. */
json_t *evidence_list(void);

/* Appends item to a capped list (taking it over); drops it past EVIDENCE_MAX_ITEMS. */
void evidence_list_add(json_t *list, json_t *item);

/* Total count of a capped list. */
size_t evidence_list_total(const json_t *list);

/*
 * One request as evidence: id, what happened (`what`), the client outcome,
 * the pod that served it (if any) with method, path, status and time, and
 * its copies when there were several or one was found by following.
 */
json_t *evidence_request(const struct check_ctx *c, const struct vreq *r, const char *what);

/*
 * Every copy of a request (a server exchange of a workload that received
 * it): pod, time, status, connection, peer, the request id it carried, how
 * it was tied to the request (id, followed, followed-to-entry) and whether
 * its response is the one the client got. A new array.
 */
json_t *evidence_copies(const struct check_ctx *c, const struct vreq *r);

/* Writes "403 ×47, reset ×3" for an object of label -> count (most frequent first). */
void evidence_counts_text(const json_t *counts, char *buf, size_t len);

/* Increments counts[label]. */
void evidence_count(json_t *counts, const char *label);

#endif
