/* agent.h - the long-running node agent: records in, store + spool, HTTP API out. */
#ifndef SMIW_AGENT_AGENT_H
#define SMIW_AGENT_AGENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "agent/spool.h"
#include "agent/store.h"
#include "http/server.h"
#include "util/clock.h"
#include "util/evloop.h"

struct agent {
	char node[256];
	char token[512];	/* bearer token every API call but /healthz must carry */
	struct store store;
	struct spool spool;
	bool spool_on;
	struct evloop http_loop;	/* the API server's own loop, watched by the agent's */
	struct http_server http;
	uint64_t mono0_ns, real0_ns;	/* one instant on both clocks, taken at start */

	pthread_mutex_t mu;	/* guards the JSON below (the Kubernetes thread writes inventory) */
	json_t *source_meta;	/* the source's own meta record, when it sent one */
	json_t *last_stats;	/* latest stats/end record of the source */
	json_t *inventory;	/* current inventory (docs/inventory.md), or NULL */
	json_t *kube_status;	/* counters of the Kubernetes watches, or NULL */
	uint64_t records_in, records_rejected, spool_errors;
	bool source_ended;	/* the record source is finished: nothing newer will come */
	char caps_kept[128];	/* capabilities kept after start-up ("none"), for /v1/stats */
	uint64_t spool_flushed_ns;
};

/*
 * Prepares the agent: a store of `store_records` records, and a spool in
 * `spool_dir` (NULL: no spool) rotated at `spool_bytes` keeping `spool_files`.
 * Returns 0 or -errno.
 */
int agent_init(struct agent *a, const char *node, const char *token, size_t store_records,
	       const char *spool_dir, uint64_t spool_bytes, unsigned spool_files);

/* Takes one record from a source: meta/stats update the counters, the rest is stored and spooled. */
int agent_ingest(void *agent, const char *line, size_t len);

/*
 * Called on every turn of the agent's loop: once a second the spool file is
 * flushed, so a crash loses at most the last second of records.
 */
void agent_tick(struct agent *a);

/* The HTTP handler (http_handler) of the agent's API. */
void agent_http(void *agent, const struct http_request *req, struct http_response *resp);

/* Replaces the inventory (takes the reference) and the Kubernetes counters (borrowed, copied). */
void agent_set_inventory(struct agent *a, json_t *inventory, json_t *kube_status);

/* Closes the spool's open file with an `end` record for `reason`, frees everything. */
void agent_shutdown(struct agent *a, const char *reason);

struct record_source;

/*
 * The agent's loop: records from `src` into the store and spool, API
 * requests served, until SIGINT or SIGTERM (which must be blocked in every
 * thread). A live source is then asked to stop and given a few seconds to
 * hand over its last records; a source that ends leaves the API serving.
 * Returns 0, or -1 with the error printed when the loop cannot run.
 */
int agent_serve(struct agent *a, struct record_source *src);

/* Writes the agent's Prometheus metrics (text format 0.0.4) to `out`. */
void agent_metrics(struct agent *a, FILE *out);

/*
 * The agents' API token: the contents of `file` when given, else
 * $SMIW_AGENT_TOKEN. Returns a new string or NULL when there is none.
 */
char *agent_token_read(const char *file);

#endif
