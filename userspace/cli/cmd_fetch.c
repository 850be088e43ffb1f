/* cmd_fetch.c - `smi-witness fetch`: observations from one agent, several, or every agent of a cluster. */
#include <stdio.h>

#include "agent/fetch.h"
#include "cli/cli.h"
#include "cli/fetch_opts.h"
#include "util/log.h"

static int run(int argc, char **argv)
{
	extern const struct command cmd_fetch;
	static const struct option longopts[] = {
		FETCH_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "inventory-out", required_argument, NULL, 'I' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "pod", required_argument, NULL, 'p' },
		{ "request-id", required_argument, NULL, 'r' },
		{ "type", required_argument, NULL, 'T' },
		CLI_COMMON_LONGOPTS,
		{ 0 }
	};
	struct fetch_spec spec = { 0 };
	const char *output = NULL, *inv_out = NULL;
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "o:n:p:r:", longopts, NULL)) != -1) {
		r = fetch_spec_opt(&spec, opt, optarg);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		switch (opt) {
		case 'o': output = optarg; break;
		case 'I': inv_out = optarg; break;
		case 'n': spec.q.ns = optarg; break;
		case 'p': spec.q.pod = optarg; break;
		case 'r': spec.q.request_id = optarg; break;
		case 'T': spec.q.type = optarg; break;
		default:
			if ((r = cli_common_opt(opt, &cmd_fetch)) != CLI_CONTINUE)
				return r;
		}
	}
	if (optind < argc)
		return error("fetch takes no arguments (got '%s')", argv[optind]), EXIT_USAGE;
	if (!fetch_spec_active(&spec))
		return error("give --agent URL (one or more) or --cluster"), EXIT_USAGE;
	return fetch_to_files(&spec, output, inv_out);
}

const struct command cmd_fetch = {
	.name = "fetch",
	.summary = "gather observations from node agents into one records stream",
	.usage = "smi-witness fetch (--agent URL... | --cluster) [--since 5m] [filters] [-o FILE]",
	.options =
		FETCH_OPTIONS_HELP
		"  -n, --namespace NS        only records of pods in NS\n"
		"  -p, --pod NAME            only records of this pod\n"
		"  -r, --request-id PREFIX   only exchanges whose X-Request-Id starts with PREFIX\n"
		"      --type TYPE           only records of this type (exchange, conn, ...)\n"
		"  -o, --output FILE         write the merged JSONL here (default stdout)\n"
		"      --inventory-out FILE  also write the agents' inventories as one\n"
		"\nThe output is one records stream (docs/records.md): every agent's times are\n"
		"moved onto the first agent's monotonic clock through their wall clocks, records\n"
		"are ordered by time, peers on other nodes are named from the agents' inventories,\n"
		"and the last line sums the drop counters ('complete' is false when any agent\n"
		"failed or lost records in the window).\n",
	.examples =
		"  smi-witness fetch --agent http://127.0.0.1:9469 --token-file /run/smiw-token --since 10m\n"
		"  smi-witness fetch --cluster --token-file tok --request-id run42- -o run42.jsonl\n"
		"(--agent names an agent's URL, e.g. one 'smi-witness agent' serves on this machine;\n"
		"--cluster needs a Kubernetes cluster running the agents of deploy/.)\n",
	.run = run,
};
