/*
 * fetch_opts.h - the options naming node agents to read (--agent, --cluster,
 * ...), shared by `fetch` and `verify`, into a struct fetch_spec.
 */
#ifndef SMIW_CLI_FETCH_OPTS_H
#define SMIW_CLI_FETCH_OPTS_H

#include <getopt.h>

#include "agent/fetch.h"

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

#endif
