/* cmd_fetch.c - `smi-witness fetch`: observations from one agent, several, or every agent of a cluster. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/fetch.h"
#include "cli/cli.h"
#include "k8s/config.h"
#include "util/log.h"

#define MAX_AGENTS 256

struct fetch_opts {
	const char *agents[MAX_AGENTS];
	unsigned nagents;
	bool cluster, direct;
	const char *agent_ns, *kubeconfig, *context, *token_file, *output;
	struct fetch_query q;
};

static int parse(int argc, char **argv, struct fetch_opts *o)
{
	extern const struct command cmd_fetch;
	static const struct option longopts[] = {
		{ "agent", required_argument, NULL, 'a' },
		{ "cluster", no_argument, NULL, 'C' },
		{ "direct", no_argument, NULL, 'D' },
		{ "agent-namespace", required_argument, NULL, 'A' },
		{ "kubeconfig", required_argument, NULL, 'K' },
		{ "context", required_argument, NULL, 'X' },
		{ "token-file", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "pod", required_argument, NULL, 'p' },
		{ "request-id", required_argument, NULL, 'r' },
		{ "type", required_argument, NULL, 'T' },
		CLI_COMMON_LONGOPTS,
		{ 0 }
	};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "a:t:o:s:u:n:p:r:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (o->nagents == MAX_AGENTS)
				return error("at most %d --agent options", MAX_AGENTS), EXIT_USAGE;
			o->agents[o->nagents++] = optarg;
			break;
		case 'C': o->cluster = true; break;
		case 'D': o->direct = true; break;
		case 'A': o->agent_ns = optarg; break;
		case 'K': o->kubeconfig = optarg; break;
		case 'X': o->context = optarg; break;
		case 't': o->token_file = optarg; break;
		case 'o': o->output = optarg; break;
		case 's': o->q.since = optarg; break;
		case 'u': o->q.until = optarg; break;
		case 'n': o->q.ns = optarg; break;
		case 'p': o->q.pod = optarg; break;
		case 'r': o->q.request_id = optarg; break;
		case 'T': o->q.type = optarg; break;
		default:
			if ((r = cli_common_opt(opt, &cmd_fetch)) != CLI_CONTINUE)
				return r;
		}
	}
	if (optind < argc)
		return error("fetch takes no arguments (got '%s')", argv[optind]), EXIT_USAGE;
	if (!o->nagents == !o->cluster)
		return error("give --agent URL (one or more) or --cluster"), EXIT_USAGE;
	return CLI_CONTINUE;
}

static int run(int argc, char **argv)
{
	struct fetch_opts o = { .agent_ns = "smi-witness" };
	struct fetch_target *targets = NULL;
	struct k8s_config api = { 0 };
	struct fetch_result res;
	char err[512], *token;
	int n = 0, r;
	FILE *out = stdout;

	r = parse(argc, argv, &o);
	if (r != CLI_CONTINUE)
		return r;
	token = agent_token_read(o.token_file);
	if (!token)
		return error("the agents' token is needed: --token-file FILE or $SMIW_AGENT_TOKEN"), EXIT_USAGE;
	if (o.cluster) {
		if (k8s_config_auto(&api, o.kubeconfig, o.context, err, sizeof(err))) {
			free(token);
			return error("%s", err), EXIT_FAILED;
		}
		n = fetch_discover(&api, o.agent_ns, o.direct, &targets);
		if (n <= 0) {
			if (!n)
				error("no running agent pods in namespace '%s'", o.agent_ns);
			r = EXIT_FAILED;
			goto out;
		}
	} else {
		targets = calloc(o.nagents, sizeof(*targets));
		if (!targets) {
			r = EXIT_FAILED;
			goto out;
		}
		for (unsigned i = 0; i < o.nagents; i++) {
			snprintf(targets[i].name, sizeof(targets[i].name), "%s", o.agents[i]);
			snprintf(targets[i].base, sizeof(targets[i].base), "%s", o.agents[i]);
		}
		n = (int)o.nagents;
	}
	r = fetch_merge(targets, (unsigned)n, o.cluster ? &api : NULL, token, &o.q, &res);
	if (r) {
		error("no agent could be read");
		r = EXIT_FAILED;
		goto out;
	}
	if (o.output && !(out = fopen(o.output, "we"))) {
		error_errno(errno, "cannot write '%s'", o.output);
		fetch_result_free(&res);
		r = EXIT_FAILED;
		goto out;
	}
	fetch_write(&res, out);
	if (out != stdout && fclose(out)) {
		error_errno(errno, "cannot write '%s'", o.output);
		r = EXIT_FAILED;
	} else {
		r = res.failed ? EXIT_FAILED : EXIT_OK;
	}
	pr_info("%zu records from %d agent(s)%s; kernel drops %llu, user drops %llu, evicted %llu%s",
		json_array_size(res.records), n - (int)res.failed, res.failed ? " (some failed)" : "",
		(unsigned long long)res.kernel_drops, (unsigned long long)res.user_drops,
		(unsigned long long)res.store_evicted, res.complete ? "" : "; the window is NOT complete");
	fetch_result_free(&res);
out:
	free(targets);
	free(token);
	k8s_config_free(&api);
	return r;
}

const struct command cmd_fetch = {
	.name = "fetch",
	.summary = "gather observations from node agents into one records stream",
	.usage = "smi-witness fetch (--agent URL... | --cluster) [--since 5m] [filters] [-o FILE]",
	.options =
		"  -a, --agent URL           an agent's base URL (repeat for several nodes)\n"
		"      --cluster             every running agent pod, found through the API server\n"
		"      --agent-namespace NS  where the agents run (default smi-witness)\n"
		"      --direct              reach agent pods on their pod IP instead of through\n"
		"                            the API server's pod proxy\n"
		"      --kubeconfig FILE     (default $KUBECONFIG, ~/.kube/config, in-cluster)\n"
		"      --context NAME        kubeconfig context (default current-context)\n"
		"  -t, --token-file FILE     the agents' bearer token (or $SMIW_AGENT_TOKEN)\n"
		"  -s, --since DUR           records from DUR ago (5m, 1h)\n"
		"  -u, --until DUR           records up to DUR ago\n"
		"  -n, --namespace NS        only records of pods in NS\n"
		"  -p, --pod NAME            only records of this pod\n"
		"  -r, --request-id PREFIX   only exchanges whose X-Request-Id starts with PREFIX\n"
		"      --type TYPE           only records of this type (exchange, conn, ...)\n"
		"  -o, --output FILE         write the merged JSONL here (default stdout)\n"
		"\nThe output is one records stream (docs/records.md): every agent's times are\n"
		"moved onto the first agent's monotonic clock through their wall clocks, records\n"
		"are ordered by time, peers on other nodes are named from the agents' inventories,\n"
		"and the last line sums the drop counters ('complete' is false when any agent\n"
		"failed or lost records in the window).\n",
	.examples =
		"  smi-witness fetch --agent http://10.244.1.7:9469 --token-file tok --since 10m\n"
		"  smi-witness fetch --cluster --token-file tok --request-id run42- -o run42.jsonl\n",
	.run = run,
};
