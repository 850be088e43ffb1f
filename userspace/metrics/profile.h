/* profile.h - metrics mapping profiles: how a mesh's metrics name edges, outcomes and latency. */
#ifndef SMIW_METRICS_PROFILE_H
#define SMIW_METRICS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* What the name an endpoint label carries stands for. */
enum ep_kind {
	EP_WORKLOAD,		/* Deployment/StatefulSet/... name: pod name without controller suffixes */
	EP_POD,
	EP_SERVICE_ACCOUNT,
	EP_SERVICE,		/* the Kubernetes service the client addressed (Host header) */
	EP_NAMESPACE,		/* only the namespace counts (SMI TrafficMetrics on Namespace) */
};

/* How one end of an edge (source or destination) is read from a series. */
struct ep_spec {
	bool any;		/* the metric does not tell this end apart: aggregate over it */
	char *label;		/* the first of `labels` (not separately owned) */
	char **labels;		/* labels that may hold the name, tried in order: the first present names the end */
	size_t nlabels;
	char *pod_label;	/* tried after `labels`: a pod's name, which names the end by the pod's workload */
	char *ns_label;		/* label holding the namespace, or NULL */
	enum ep_kind kind;
	pcre2_code **re;	/* patterns tried in order; groups `name` and `namespace` extract from the label */
	size_t nre;
	char **outside;		/* label values that stand for an end outside the mesh (Istio's "unknown") */
	size_t noutside;
	bool absent_outside;	/* no label at all: the end is outside the mesh (else the series is unnamed) */
	bool underscores;	/* the mesh writes '-' and '.' in names as '_' */
	bool fallback_scrape;	/* no label on the series: it is the workload whose proxy was scraped */
};

/* Which series label gives success / failure. */
struct result_spec {
	char *label;		/* the first of `labels` (not separately owned) */
	char **labels;		/* tried in order: the first present on a series gives its outcome */
	size_t nlabels;
	bool status;		/* the label holds a status code ("503") or class ("5xx", "5") */
	char **success, **failure;	/* label values, when !status */
	size_t nsuccess, nfailure;
};

/* Label conditions a series must satisfy to be read: equal, or (value "~RE") matching RE. */
struct match_spec {
	char **names, **values;
	pcre2_code **res;	/* res[i] non-NULL: values[i] was "~RE", compiled */
	size_t n;
};

/* How observed exchanges are classed, and how status labels are. */
struct outcome_rule {
	unsigned failure_classes;	/* bit c set: status c00-c99 is a failure */
	int failure_codes[16];
	size_t nfailure_codes;
	bool no_response_failure;	/* no response counts as a failure (else not counted) */
};

/*
 * A rename of samples whose name carries what should be labels (OSM's Envoy
 * statistics): a name matching `re` is read as `name` (where "${g}" stands
 * for the group g), with every other named group of `re` as a label.
 */
struct relabel_rule {
	pcre2_code *re;
	char *name;
};

enum lat_type { LAT_NONE, LAT_HISTOGRAM, LAT_SUMMARY, LAT_MAX };

#define PROFILE_MAX_OBJECTIVES 8

struct lat_spec {
	enum lat_type type;
	char *metric;		/* family name (histogram/summary) or gauge name (max) */
	double unit_ns;		/* nanoseconds per unit of the metric */
	char *unit;		/* "ms", "s", "us" as written */
	struct match_spec match;
	struct ep_spec src, dst;
	double quantiles[PROFILE_MAX_OBJECTIVES];	/* summary: objectives and rank errors */
	double rank_error[PROFILE_MAX_OBJECTIVES];
	size_t nobjectives;
	double resolution;	/* max: step of the gauge, in unit */
	double *buckets;	/* optional: bucket bounds (in unit) behind quantile values */
	size_t nbuckets;
};

struct profile {
	char *name;
	char *path;
	char *description;
	bool server_side;	/* the mesh measures at the server end of the edge */
	bool standalone_proxy;	/* the mesh is a proxy pod between client and server */
	char *restart_metric;	/* gauge that changes when the exporting process restarts */
	struct outcome_rule outcome;
	struct relabel_rule *relabel;
	size_t nrelabel;
	char *req_metric;	/* the first of `req_metrics` (not separately owned) */
	char **req_metrics;	/* names tried in order: the first the exposition has is read */
	size_t nreq_metrics;
	struct match_spec req_match;
	struct match_spec *skip;	/* series of the proxy's own traffic, left out (any of these matches) */
	size_t nskip;
	struct ep_spec src, dst;
	struct result_spec result;
	struct lat_spec lat;
};

/*
 * Loads profile `name_or_path`: a file path (contains '/' or ends in .yaml),
 * or a name looked up as NAME.yaml in $SMIW_PROFILE_DIR, ./specs/metrics-profiles,
 * the directory beside the binary, /usr/share/smi-witness/metrics-profiles.
 * Returns 0 and *out (free with profile_free), or a negative errno with the
 * message ("'FILE': line N: key.path: what") in err.
 */
int profile_load(const char *name_or_path, struct profile **out, char *err, size_t errlen);

/* Whether profile_load() takes `s` as a file path (it contains '/' or ends in .yaml / .yml) rather than a name. */
bool profile_is_path(const char *s);

/* Parses a profile from YAML text; `path` is used for messages. Same contract as profile_load. */
int profile_parse(const char *text, size_t len, const char *path, struct profile **out,
		  char *err, size_t errlen);

/* Frees a profile; NULL is fine. */
void profile_free(struct profile *p);

/* Whether status `status` (0: no response) is a failure under `r`; *counted false when not counted. */
bool outcome_is_failure(const struct outcome_rule *r, int status, bool *counted);

/*
 * Reads a status label value ("503", "5xx", "5", "other") as a status:
 * a code, a class as c*100, or 0 for "other"/no response. Returns 0 or -EINVAL.
 */
int outcome_parse_status(const char *v, int *status);

#endif
