/*
 * check.h - the metrics cross-check as a library call: mesh-reported metrics
 * (two Prometheus scrapes, or SMI TrafficMetrics) against observed exchanges.
 * `smi-witness metrics check` and the scenario runner's metrics step both use it.
 */
#ifndef SMIW_METRICS_CHECK_H
#define SMIW_METRICS_CHECK_H

#include <stdio.h>
#include <jansson.h>

#include "metrics/compare.h"
#include "metrics/edge.h"
#include "metrics/prom.h"
#include "records/obs.h"

/*
 * What to check. Every pointer may be NULL unless said otherwise; nothing is
 * taken over: the caller keeps ownership.
 */
struct metrics_check_req {
	/* Observations: a loaded set, or else a file to load (one of the two is required). */
	const struct obs_set *obs;
	const char *observations;
	/* Mapping profile name or file; required for Prometheus input. */
	const char *profile;
	/*
	 * The reported side: scrapes already parsed (prom_parse), or else
	 * sources (file, "-", or http(s) URL) to read now. `after` is required;
	 * a TrafficMetrics JSON document as `after` needs no `before`.
	 */
	const struct prom_scrape *before_scrape, *after_scrape;
	const char *before, *after;
	/* Edges to check as "SRC=DST" ("ns/name", "name" or "*"); none: every edge seen. */
	const char *const *edges;
	size_t nedges;
	/*
	 * The step's window on CLOCK_MONOTONIC. Unset: the times at which both
	 * scrapes were fetched from URLs, or else the whole observation file.
	 */
	struct mx_window window;
	/* Pods that are the mesh ("ns/name"), in addition to the inventory's. */
	const char *const *mesh_pods;
	size_t nmesh_pods;
	/* Inventory file; NULL: the one the observation file names, when readable. */
	const char *inventory;
	/* "ns/workload" whose proxy the scrape came from (profiles with `fallback: scrape`). */
	const char *scrape_of;
	/* Optional: the request each exchange of obs belongs to (mx_obs_params.request_of). */
	const uint64_t *request_of;
};

struct metrics_result {
	enum verdict verdict;
	char profile[64];
	char reported[512];	/* source of the reported side */
	char observations[512];
	bool server_side;
	bool trafficmetrics;
	struct mx_window window;
	struct mx_edge_result *edges;
	size_t nedges;
	char **notes;		/* about the data as a whole: losses, restarts, ... */
	size_t nnotes;
};

/*
 * Runs the check. Returns 0 and *out (free with metrics_result_free) when a
 * verdict was reached (PASS, FAIL or INCONCLUSIVE), or a negative errno with
 * the reason in err for invalid input (-EINVAL, -ENOENT) and failures (-EIO,
 * -ENOMEM).
 */
int metrics_check(const struct metrics_check_req *req, struct metrics_result **out,
		  char *err, size_t errlen);

/* Prints the result as a table with both numbers side by side. */
void metrics_result_print(const struct metrics_result *r, FILE *f);

/*
 * One line for a verdict's reason, both numbers side by side: for a PASS
 * the counts of every edge ("* -> default/app-b: success_count 50 = 50,
 * ..."), otherwise the checks that did not pass on the edges that decided
 * the verdict ("success_count 60 reported, 50 observed, ..."). Truncated to len.
 */
void metrics_result_summary(const struct metrics_result *r, char *buf, size_t len);

/* Returns the result as a new JSON object (caller decrefs). */
json_t *metrics_result_json(const struct metrics_result *r);

/* Frees a result; NULL is fine. */
void metrics_result_free(struct metrics_result *r);

#endif
