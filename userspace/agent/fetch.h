/* fetch.h - observations gathered from one or many agents and merged into one records stream. */
#ifndef SMIW_AGENT_FETCH_H
#define SMIW_AGENT_FETCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "k8s/config.h"

/* Where one agent is and how to reach it. */
struct fetch_target {
	char name[256];		/* node or pod name, for messages */
	char node[128];		/* the node it runs on, when known ("" otherwise) */
	char base[512];		/* "http://ip:port" (direct) or an API server pod-proxy path */
	bool via_api;		/* base is a path on the API server in `api` */
};

/* The query every agent answers (empty strings / 0 = no filter). */
struct fetch_query {
	const char *since, *until;	/* durations back from now ("5m") */
	uint64_t since_ns, until_ns;	/* or instants in Unix nanoseconds (0: none) */
	const char *ns, *pod, *request_id, *type;
	/*
	 * Not sent to the agents: the timeline to put the records on, a
	 * CLOCK_MONOTONIC reading and the wall clock read with it (0: the
	 * first agent's clock as it answers), so several fetches of one run
	 * share one timeline.
	 */
	uint64_t ref_mono_ns, ref_real_ns;
};

/*
 * What the agents returned, merged: records on one timeline, the sum of
 * their drop counters, and whether every window was complete.
 */
struct fetch_result {
	json_t *records;	/* array, ordered by time */
	json_t *sources;	/* array of {"node", "target", "records", "kernel_drops", ...} */
	json_t *pods_by_ip;	/* ip -> "namespace/name" from the agents' inventories */
	json_t *inventory;	/* the agents' inventories as one (docs/inventory.md) */
	uint64_t kernel_drops, user_drops, gaps, store_evicted;
	uint64_t counters_ts_ns;	/* time of the newest counters: how far the stream is known whole */
	bool complete;		/* every agent answered and no window lost records */
	unsigned failed;	/* agents that could not be read */
	uint64_t ref_mono_ns, ref_real_ns;	/* the timeline: the first agent's clock */
};

/*
 * Reads observations (and inventories) from every target and merges them:
 * each record's *_ns times are moved onto the first agent's monotonic clock
 * through the wall-clock readings of each agent's meta line, `node` is set
 * when missing, and an empty `peer_pod` is filled from the inventories.
 * `api` is needed for targets reached through the API server; `token` is
 * the agents' bearer token. Agents that fail are reported on stderr and
 * counted. Returns 0 or -errno (nothing usable at all).
 */
int fetch_merge(const struct fetch_target *targets, unsigned n, const struct k8s_config *api,
		const char *token, const struct fetch_query *q, struct fetch_result *out);

/*
 * Finds the agents of a cluster: the pods labelled as smi-witness agents in
 * `ns`, reached through the API server's pod proxy (or directly on their pod
 * IP with `direct`). Returns the number found (>= 0, *targets malloc'd) or a
 * negative errno with the reason printed.
 */
int fetch_discover(const struct k8s_config *api, const char *ns, bool direct,
		   struct fetch_target **targets);

/*
 * Reads the inventory of every target: *out gets a new array, one element
 * per target in order, null for an agent that could not be read (the
 * reason printed). Returns 0, or -EIO when no agent answered.
 */
int fetch_inventories(const struct fetch_target *targets, unsigned n, const struct k8s_config *api,
		      const char *token, json_t **out);

/*
 * Adds one agent's inventory to `merged`: pods are per node, so appended;
 * a service is cluster-wide but each agent knows only the endpoints on its
 * node, so the endpoint lists are joined.
 */
void fetch_inventory_add(json_t *merged, json_t *inv);

/* Writes the merged stream: a meta line, the records, an end line with the summed counters. */
void fetch_write(const struct fetch_result *r, FILE *out);

/* --- shared by `fetch` and `verify --agent/--cluster` (options: cli/fetch_opts.h) --- */

#define FETCH_MAX_AGENTS 256

/* Which agents to read and what to ask them; zero-initialise. */
struct fetch_spec {
	const char *agents[FETCH_MAX_AGENTS];
	unsigned nagents;
	bool cluster, direct;
	const char *agent_ns, *kubeconfig, *context, *token_file;
	struct fetch_query q;
};

/* True when the spec names agents to read (--agent or --cluster). */
bool fetch_spec_active(const struct fetch_spec *spec);

/*
 * Reads the agents `spec` names and writes the merged records to `obs_path`
 * (NULL: stdout) and the merged inventory to `inv_path` (NULL: not
 * written), then says on stderr what was read. Returns an exit code:
 * EXIT_OK, EXIT_USAGE (bad options, no token), EXIT_ERROR (some agent
 * could not be read, or none).
 */
int fetch_to_files(const struct fetch_spec *spec, const char *obs_path, const char *inv_path);

/* Frees what fetch_merge() allocated. */
void fetch_result_free(struct fetch_result *r);

#endif
