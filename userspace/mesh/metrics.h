/* metrics.h - the metrics variants: HAProxy's Prometheus text, rewritten to lie. */
#ifndef SMIW_MESH_METRICS_H
#define SMIW_MESH_METRICS_H

#include <stddef.h>

#include "mesh/policy.h"

/*
 * Rewrites Prometheus text exposition `in` (len bytes), scraped at real
 * time `now` (seconds since the epoch), as variant `v` reports it:
 * - inflate-metrics: every *_http_requests_total and *_http_responses_total
 *   sample x becomes x + ceil(x / 5) (20% high, and +1 from a count of 1);
 * - drop-failures-metrics: every *_http_responses_total sample with
 *   code="4xx" or code="5xx", and every sample of a metric whose name holds
 *   "_denied_" or ends in "_errors_total", becomes 0;
 * - bogus-restart: every *_http_responses_total sample with code="5xx"
 *   becomes 0, and every *_process_start_time_seconds sample becomes
 *   now + 60: a restart claimed on every scrape, at a time after it;
 * - any other variant: unchanged.
 * Comments, other samples and line order are kept. Returns a malloc'd,
 * NUL-terminated text (length in *out_len), or NULL when out of memory.
 */
char *mesh_metrics_rewrite(enum mesh_variant v, const char *in, size_t len, double now, size_t *out_len);

/* How far after the scrape bogus-restart puts the process start time, in seconds. */
#define MESH_BOGUS_START_AHEAD 60

#endif
