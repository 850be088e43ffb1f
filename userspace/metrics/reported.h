/* reported.h - per-edge numbers a mesh reports: from two Prometheus scrapes, or SMI TrafficMetrics. */
#ifndef SMIW_METRICS_REPORTED_H
#define SMIW_METRICS_REPORTED_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "metrics/edge.h"
#include "metrics/profile.h"
#include "metrics/prom.h"

/* One cumulative histogram bucket, summed over the series of an edge (delta between scrapes). */
struct mx_bucket {
	double le;		/* upper bound, in the metric's unit; +Inf last */
	double count;
	int nseries;
};

#define MX_SUMMARY_MAX 16

struct mx_rep_edge {
	struct mx_endpoint src, dst;
	double ok, fail, other;	/* request counter deltas by outcome ("other": neither list) */
	int nseries;
	bool reset;		/* a series went down, or vanished in a restart: counts before it are lost */
	bool reset_ok, reset_fail;	/* the same, for the series counted as successes / as failures */
	bool nan;		/* a counter was NaN */
	/* latency, as the profile's type says */
	int lat_series;
	struct mx_bucket *buckets;
	size_t nbuckets;
	char lat_problem[160];	/* non-empty: the latency series cannot be used, and why */
	bool lat_reset;
	double lat_count;	/* histogram/summary observations in the window */
	double sq[MX_SUMMARY_MAX], sv[MX_SUMMARY_MAX];	/* summary quantiles and values (unit) */
	int nsq;
	double max_before, max_after;	/* max gauge (unit); NaN when absent */
};

/*
 * Whether the exposition has what the profile reads: when it does not (the
 * family is absent, or none of its series is one the profile reads), the
 * mesh does not report that metric, and its checks say so instead of failing.
 */
enum mx_presence {
	MX_ABSENT,	/* no sample of the metric */
	MX_UNMATCHED,	/* samples, but none that `match` selects, or only the proxy's own (`skip`) */
	MX_PRESENT,
};

/* A label value the profile does not recognise as a name, and how many series carried it. */
struct mx_unrecognised {
	char label[64];
	char value[160];
	size_t nseries;
};

#define MX_UNREC_MAX 8

/* Whether the exporter restarted between the scrapes, judged on the start time it reports. */
enum mx_restart {
	MX_RESTART_NONE,	/* the profile's restart metric did not change (or there is none) */
	MX_RESTART_SEEN,	/* it moved forward to a time between the two scrapes: counts before are lost */
	MX_RESTART_IMPOSSIBLE,	/* it changed to a time that cannot be a restart between them: no restart */
	MX_RESTART_UNPLACED,	/* it changed, but no wall clock places the scrapes: no restart is taken */
};

/* When the two scrapes were taken (seconds since the epoch), to judge a reported restart by. */
struct mx_scrape_times {
	bool known;
	double before_s, after_s;
	/* Take no restart whatever the start time says (the counters contradicted it). */
	bool refuse;
};

/* A start time may sit this much before the first scrape: exporters write it in whole seconds. */
#define MX_START_SLACK_S 1.0

struct mx_reported {
	struct mx_rep_edge *edges;	/* ends named MX_OUTSIDE are outside the mesh, never compared */
	size_t n, cap;
	bool have_before;	/* counts are deltas (else totals since the exporter started) */
	bool restarted;		/* restart == MX_RESTART_SEEN */
	enum mx_restart restart;
	double start_before, start_after;	/* the restart metric in each scrape (NaN when absent) */
	enum mx_presence requests, latency;
	char req_metric[128];	/* the request metric read: the first of the profile's the exposition has */
	size_t unnamed;		/* series skipped: an end label missing and no --scrape-of */
	size_t skipped;		/* series of the proxy's own traffic (the profile's `skip`) */
	size_t no_result;	/* request series without any of the result labels */
	/* Series whose end label held a value no pattern of the profile reads: not edges, listed. */
	struct mx_unrecognised unrec[MX_UNREC_MAX];
	size_t nunrec;
	size_t unrec_series;	/* all of them, also those past MX_UNREC_MAX distinct values */
};

/*
 * Reads the edges `p` describes from `after` (and `before`, NULL when there
 * is none), taking counter and bucket deltas, with `scrape_of` (NULL or
 * "ns/workload") naming the scraped proxy's workload for `fallback: scrape`.
 * A counter is reset (its delta is its value after) when it went down, or
 * in a restart: the profile's restart metric moved forward to a time within
 * [times->before_s - MX_START_SLACK_S, times->after_s + MX_START_SLACK_S];
 * changed otherwise, or with times unknown (NULL), it is no restart. A
 * series that vanished is reset only in a restart. Returns 0 and *out
 * (free with mx_reported_free) or a negative errno with err.
 */
int mx_report_from_prom(const struct profile *p, const struct prom_scrape *before,
			const struct prom_scrape *after, const struct mx_endpoint *scrape_of,
			const struct mx_scrape_times *times, struct mx_reported **out, char *err, size_t errlen);

/* Frees reported edges; NULL is fine. */
void mx_reported_free(struct mx_reported *r);

/* Finds the edge with these ends, or NULL. */
const struct mx_rep_edge *mx_reported_find(const struct mx_reported *r, const struct mx_endpoint *src,
					   const struct mx_endpoint *dst);

/* The quantiles SMI TrafficMetrics carries. */
#define MX_TM_NQ 3
extern const double mx_tm_quantiles[MX_TM_NQ];

/* One SMI TrafficMetrics item, decoded. */
struct mx_tm_item {
	struct mx_endpoint src, dst;	/* "*" name for an empty edge resource */
	struct ep_spec src_ep, dst_ep;	/* how to name observed ends to match (kinds, any) */
	bool server_side;
	char resource[200];		/* "Kind ns/name" as written, for messages */
	int64_t ts_real_ns;		/* timestamp; window ends there */
	uint64_t window_ns;
	double success, failure;	/* NaN when absent */
	double q_ns[MX_TM_NQ];		/* p50, p90, p99 in ns; NaN when absent */
	bool unsupported;		/* a resource kind the checks cannot name; reason in note */
	char note[160];
};

/*
 * Decodes a TrafficMetrics or TrafficMetricsList document. Returns 0 with
 * *items (caller frees) and *n, or -EINVAL with the reason in err.
 */
int mx_tm_decode(json_t *doc, const char *source, struct mx_tm_item **items, size_t *n,
		 char *err, size_t errlen);

/*
 * Parses a Kubernetes quantity ("10m", "100", "1.5k", "250u", "1e3", "2Ki").
 * Returns 0 or -EINVAL.
 */
int mx_quantity_parse(const char *s, double *out);

/* Writes nano * 1e-9 as an exact quantity: "0", "12", "2500m", "1370u", "1370001n". */
void mx_quantity_format_nano(uint64_t nano, char *buf, size_t len);

/* Parses a Go-style duration ("30s", "1m30s", "500ms"). Returns 0 or -EINVAL. */
int mx_go_duration_parse(const char *s, uint64_t *ns);

/* Parses an RFC 3339 UTC time ("2019-04-08T22:25:55Z", fractions allowed). Returns 0 or -EINVAL. */
int mx_rfc3339_parse(const char *s, int64_t *ns);

#endif
