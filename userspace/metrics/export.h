/* export.h - observed per-edge metrics out: Prometheus text (the agent's /metrics) and SMI TrafficMetrics. */
#ifndef SMIW_METRICS_EXPORT_H
#define SMIW_METRICS_EXPORT_H

#include <jansson.h>

#include "metrics/observed.h"

/* Also write smiw_capture_{kernel_drops,user_drops,gaps}_total (the agent has its own). */
#define MX_EXPORT_CAPTURE_COUNTERS 1u

/*
 * Renders every exchange of `obs` (minus those inside mesh pods, `mesh` may
 * be NULL) as Prometheus text: smiw_requests_total by side, source and
 * destination workload and classification; smiw_request_duration_seconds
 * histograms per side and edge; with MX_EXPORT_CAPTURE_COUNTERS in `flags`
 * the capture's loss counters. Returns a new string (caller frees) or NULL
 * on allocation failure.
 */
char *mx_export_prometheus(const struct obs_set *obs, const struct mx_meshinfo *mesh, unsigned flags);

/*
 * Builds an SMI TrafficMetricsList (metrics.smi-spec.io/v1alpha1) with one
 * item per pod edge and side: success/failure counts and p50/p90/p99 latency
 * over the span of the observations. Returns a new object (caller decrefs)
 * or NULL on allocation failure.
 */
json_t *mx_export_trafficmetrics(const struct obs_set *obs, const struct mx_meshinfo *mesh);

#endif
