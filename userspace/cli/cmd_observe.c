/* cmd_observe.c - `smi-witness observe`: its options; the capture itself is capture/observe.c. */
#include <stdint.h>
#include <string.h>

#include "capture/capture.h"
#include "capture/observe.h"
#include "cli/cli.h"
#include "http/http.h"
#include "smiw_abi.h"
#include "util/log.h"
#include "util/parse.h"

#define MAX_CGROUPS 256
#define NS 1000000000ull

struct observe_args {
	struct observe_opts o;
	const char *cgroups[MAX_CGROUPS];
	int ncgroups;
	const char *resp_names[CAP_RESP_NAMES_MAX];
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{ "inventory", required_argument, NULL, 'i' },
	{ "cgroup", required_argument, NULL, 'c' },
	{ "out", required_argument, NULL, 'o' },
	{ "duration", required_argument, NULL, 'd' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "ring-size", required_argument, NULL, 'R' },
	{ "stats-interval", required_argument, NULL, 'S' },
	{ "unredacted", no_argument, NULL, 'U' },
	{ "capture", required_argument, NULL, 'C' },
	{ "response-header", required_argument, NULL, 'H' },
	{ 0 }
};

/* Reads the options of `observe` into a. Returns CLI_CONTINUE, or the exit code to return. */
static int parse_args(int argc, char **argv, struct observe_args *a)
{
	extern const struct command cmd_observe;
	int opt, r = CLI_CONTINUE;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "i:c:o:d:s:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			a->o.inventory = optarg;
			break;
		case 'c':
			if (a->ncgroups == MAX_CGROUPS)
				return error("observe: at most %d --cgroup options", MAX_CGROUPS), EXIT_USAGE;
			a->cgroups[a->ncgroups++] = optarg;
			break;
		case 'o':
			a->o.out = optarg;
			break;
		case 'd':
			r = cli_opt_duration("duration", optarg, 365 * 24 * 3600 * NS, false,
					     &a->o.duration_ns);
			break;
		case 'S':
			r = cli_opt_duration("stats-interval", optarg, 24 * 3600 * NS, false, &a->o.stats_ns);
			break;
		case 's':
			r = cli_opt_u64("snaplen", optarg, SMIW_SNAPLEN_MIN, SMIW_SNAPLEN_MAX, &a->o.snaplen);
			break;
		case 'R':
			if (parse_u64(optarg, 4096, 1ull << 30, &a->o.ring_bytes) ||
			    (a->o.ring_bytes & (a->o.ring_bytes - 1)))
				return error("observe: --ring-size '%s': not a power of two in [4096, 2^30]",
					     optarg), EXIT_USAGE;
			break;
		case 'U':
			a->o.unredacted = true;
			break;
		case 'C':
			if (capture_backend_parse(optarg, &a->o.backend))
				return error("observe: --capture '%s': not auto, cgroup or syscalls", optarg), EXIT_USAGE;
			break;
		case 'H':
			if (a->o.n_response_headers == CAP_RESP_NAMES_MAX)
				return error("observe: at most %d --response-header options", CAP_RESP_NAMES_MAX),
				       EXIT_USAGE;
			if (!http_is_token((struct http_str){ optarg, strlen(optarg) }) || strlen(optarg) > 63)
				return error("observe: --response-header '%s': not a header name (a token of at "
					     "most 63 characters)", optarg), EXIT_USAGE;
			a->resp_names[a->o.n_response_headers++] = optarg;
			break;
		default:
			r = cli_common_opt(opt, &cmd_observe);
		}
		if (r != CLI_CONTINUE)
			return r;
	}
	if (optind < argc)
		return error("observe: unexpected argument '%s'", argv[optind]), EXIT_USAGE;
	if (!a->o.inventory && !a->ncgroups)
		return error("observe: nothing to watch: give --inventory FILE or --cgroup PATH"), EXIT_USAGE;
	return CLI_CONTINUE;
}

static int run(int argc, char **argv)
{
	struct observe_args a = { .o.stats_ns = 10 * NS };
	int r = parse_args(argc, argv, &a);

	if (r != CLI_CONTINUE)
		return r;
	a.o.cgroups = a.cgroups;
	a.o.ncgroups = a.ncgroups;
	a.o.response_headers = a.resp_names;
	return observe_run(&a.o);
}

const struct command cmd_observe = {
	.name = "observe",
	.summary = "capture the HTTP exchanges and connections of watched pods as JSON lines",
	.usage = "smi-witness observe (--inventory FILE | --cgroup PATH)... [--out FILE[.gz]]\n"
		 "                         [--duration D] [--snaplen N] [--ring-size BYTES]\n"
		 "                         [--capture auto|cgroup|syscalls] [--response-header NAME]...",
	.options =
		"  -i, --inventory FILE     watch every pod of this inventory and name them in records\n"
		"  -c, --cgroup PATH        also watch this cgroup v2 directory and those below it\n"
		"                           (repeatable)\n"
		"  -o, --out FILE           write records here; gzip when FILE ends in .gz\n"
		"                           (default: standard output)\n"
		"  -d, --duration D         stop after D (\"30s\", \"5m\"); default: until SIGINT/SIGTERM\n"
		"  -s, --snaplen N          bytes copied per syscall or segment, 64..16384 (default 4096)\n"
		"      --ring-size BYTES    kernel ring buffer, a power of two (default 16 MiB)\n"
		"      --stats-interval D   write a stats record every D (default 10s; 0: only at the end)\n"
		"      --capture B          cgroup: cgroup_skb + sockops on the watched cgroups only;\n"
		"                           syscalls: syscall tracepoints; auto (default): cgroup\n"
		"                           where its programs attach, else syscalls\n"
		"      --unredacted         keep Authorization, Proxy-Authorization, Cookie and\n"
		"                           Set-Cookie header values (default: \"<redacted>\")\n"
		"      --response-header NAME  keep this response header field at client exchanges\n"
		"                           (`response_headers`; repeatable, at most 16)\n",
	.examples =
		"  smi-witness observe --inventory /run/smi-witness/lab/inventory.json --out obs.jsonl.gz --duration 10s\n"
		"  smi-witness observe --duration 10s --cgroup \\\n"
		"      \"$(smi-witness -j lab status | jq -r '.pods[] | select(.name == \"app-b\") | .cgroup_path')\" \\\n"
		"      | jq -c 'select(.t == \"exchange\")'\n"
		"  smi-witness -j observe --inventory /run/smi-witness/lab/inventory.json --out obs.jsonl --duration 10s\n"
		"(Without --duration it runs until interrupted: Ctrl-C ends the file cleanly.)\n",
	.run = run,
};
