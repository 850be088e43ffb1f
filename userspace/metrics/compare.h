/* compare.h - one edge's reported numbers against what was observed: checks and their verdicts. */
#ifndef SMIW_METRICS_COMPARE_H
#define SMIW_METRICS_COMPARE_H

#include <jansson.h>

#include "metrics/edge.h"
#include "metrics/observed.h"
#include "metrics/profile.h"
#include "metrics/reported.h"

#define MX_MAX_CHECKS 12

/* One comparison, with both numbers as text (table) and as JSON (details). */
struct mx_check {
	char name[24];		/* success_count, failure_count, p50_latency, max_latency, ... */
	enum verdict verdict;
	char reported[80];
	char observed[120];
	char resolution[80];	/* what the reported value can distinguish; "" when exact */
	char note[240];
	bool not_reported;	/* the mesh does not report this metric: shown NONE, counts toward no verdict */
	json_t *detail;
};

struct mx_edge_result {
	struct mx_endpoint src, dst;
	bool server_side;	/* the side the reported numbers were measured at */
	enum verdict verdict;
	struct mx_check checks[MX_MAX_CHECKS];
	int nchecks;
	char note[512];		/* about the edge as a whole (not observed, ...) */
};

/* What lowers confidence in the observed side of every edge. */
struct mx_quality {
	bool loss;		/* drops, gaps or a cut-short file: observed counts are lower bounds */
	bool bypass_unknown;	/* standalone proxy with no known address: bypassing traffic counted too */
};

/* The observed numbers of one edge, with what could belong to it but was not attributed. */
struct mx_obs_view {
	const struct mx_obs_edge *edge;	/* NULL: nothing observed on the edge */
	uint64_t unattributed;		/* exchanges with this edge's known end but an unknown other end */
	bool watched;			/* the end the mesh measures at was under capture */
};

/* The request counts a mesh reports for one edge. */
struct mx_rep_counts {
	double ok, fail;
	bool have;		/* the edge has series */
	bool reported;		/* the mesh reports this metric at all: false makes the checks NONE */
	bool reset_ok, reset_fail;	/* a success / failure counter was reset in the window */
	/*
	 * What the mesh counted at this edge's measured end against an end it
	 * places outside itself: requests of this edge it could not name.
	 */
	double outside_ok, outside_fail;
};

/*
 * Compares request counts of one edge: the reported value must lie between
 * what surely happened inside the window and that plus what straddled its
 * edges. Adds the success_count / failure_count checks to `er`.
 */
void mx_compare_counts(struct mx_edge_result *er, const struct mx_rep_counts *rc, const struct mx_obs_view *ov,
		       const struct mx_quality *q);

/*
 * Adds the latency checks of one edge reported through Prometheus series
 * (type as the profile says); `reported` false: the mesh does not report the
 * latency family, and the checks are NONE.
 */
void mx_compare_latency(struct mx_edge_result *er, const struct lat_spec *lat, const struct mx_rep_edge *rep,
			const struct mx_obs_view *ov, bool have_before, bool reported);

/*
 * Adds one latency check of a quantile value reported as a number (SMI
 * TrafficMetrics); `buckets` (unit_ns per unit, may be NULL) gives the
 * resolution of the value when the implementation computes it from a histogram.
 */
void mx_compare_quantile_value(struct mx_edge_result *er, double q, double rep_ns,
			       const struct lat_spec *buckets, const struct mx_obs_view *ov);

/*
 * Sets er->verdict from its checks (the worst of those the mesh reports), or
 * from `fallback` when it has none.
 */
void mx_edge_finish(struct mx_edge_result *er, enum verdict fallback);

/* Writes a duration in nanoseconds for people: "850ns", "12.5us", "3.21ms", "1.5s". */
void mx_format_ns(double ns, char *buf, size_t len);

#endif
