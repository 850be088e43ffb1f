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
	char base[512];		/* "http://ip:port" (direct) or an API server pod-proxy path */
	bool via_api;		/* base is a path on the API server in `api` */
};

/* The query every agent answers (empty strings / 0 = no filter). */
struct fetch_query {
	const char *since, *until;	/* durations back from now ("5m") */
	const char *ns, *pod, *request_id, *type;
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

/* Writes the merged stream: a meta line, the records, an end line with the summed counters. */
void fetch_write(const struct fetch_result *r, FILE *out);

/* --- shared by `fetch` and `verify --agent/--cluster` ---------------------- */

#define FETCH_MAX_AGENTS 256

/* Which agents to read and what to ask them; zero-initialise. */
struct fetch_spec {
	const char *agents[FETCH_MAX_AGENTS];
	unsigned nagents;
	bool cluster, direct;
	const char *agent_ns, *kubeconfig, *context, *token_file;
	struct fetch_query q;
};

/* Long option codes, above any character a command uses for its short options. */
enum {
	FETCH_OPT_AGENT = 0x1000, FETCH_OPT_CLUSTER, FETCH_OPT_DIRECT, FETCH_OPT_AGENT_NS,
	FETCH_OPT_KUBECONFIG, FETCH_OPT_CONTEXT, FETCH_OPT_TOKEN_FILE, FETCH_OPT_SINCE,
	FETCH_OPT_UNTIL,
};

/* The options above, to splice into a command's getopt_long table. */
#define FETCH_LONGOPTS \
	{ "agent", required_argument, NULL, FETCH_OPT_AGENT }, \
	{ "cluster", no_argument, NULL, FETCH_OPT_CLUSTER }, \
	{ "direct", no_argument, NULL, FETCH_OPT_DIRECT }, \
	{ "agent-namespace", required_argument, NULL, FETCH_OPT_AGENT_NS }, \
	{ "kubeconfig", required_argument, NULL, FETCH_OPT_KUBECONFIG }, \
	{ "context", required_argument, NULL, FETCH_OPT_CONTEXT }, \
	{ "token-file", required_argument, NULL, FETCH_OPT_TOKEN_FILE }, \
	{ "since", required_argument, NULL, FETCH_OPT_SINCE }, \
	{ "until", required_argument, NULL, FETCH_OPT_UNTIL }

/* Help lines for those options. */
#define FETCH_OPTIONS_HELP \
	"      --agent URL           an agent's base URL (repeat for several nodes)\n" \
	"      --cluster             every running agent pod, found through the API server\n" \
	"      --agent-namespace NS  where the agents run (default smi-witness)\n" \
	"      --direct              reach agent pods on their pod IP instead of through\n" \
	"                            the API server's pod proxy\n" \
	"      --kubeconfig FILE     (default $KUBECONFIG, ~/.kube/config, in-cluster)\n" \
	"      --context NAME        kubeconfig context (default current-context)\n" \
	"      --token-file FILE     the agents' bearer token (or $SMIW_AGENT_TOKEN)\n" \
	"      --since DUR           records from DUR ago (5m, 1h)\n" \
	"      --until DUR           records up to DUR ago\n"

/*
 * Takes one of the FETCH_OPT_* options into `spec`. Returns 1 when `opt`
 * was one of them, 0 when it was not (the caller handles it), or -1 after
 * printing why the value is wrong.
 */
int fetch_spec_opt(struct fetch_spec *spec, int opt, const char *arg);

/* True when the spec names agents to read (--agent or --cluster). */
bool fetch_spec_active(const struct fetch_spec *spec);

/*
 * Reads the agents `spec` names and writes the merged records to `obs_path`
 * (NULL: stdout) and the merged inventory to `inv_path` (NULL: not
 * written), then says on stderr what was read. Returns an exit code:
 * EXIT_OK, EXIT_USAGE (bad options, no token), EXIT_FAILED (some agent
 * could not be read, or none).
 */
int fetch_to_files(const struct fetch_spec *spec, const char *obs_path, const char *inv_path);

/* Frees what fetch_merge() allocated. */
void fetch_result_free(struct fetch_result *r);

#endif
