/* cmd_agent.c - `smi-witness agent`: the long-running node agent. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/source.h"
#include "capture/capture.h"
#include "cli/cli.h"
#include "k8s/config.h"
#include "k8s/nodewatch.h"
#include "records/inventory.h"
#include "util/caps.h"
#include "util/kernfs.h"
#include "util/log.h"
#include "util/parse.h"

/* Where --kube writes the inventory when capture runs in-process and no --inventory-out is given. */
#define DEFAULT_INVENTORY "/run/smi-witness/inventory.json"

struct agent_opts {
	const char *listen, *token_file, *spool_dir, *source, *node, *inventory_out;
	const char *kubeconfig, *cgroup_root, *inventory_in;
	uint64_t store_records, spool_bytes, spool_files, stats_ns;
	bool kube, follow, unredacted;
	int capture;			/* enum capture_backend */
};

static int read_token(const char *file, char *buf, size_t len)
{
	char *t = agent_token_read(file);

	if (!t && file)
		return error_errno(errno, "cannot read token file '%s'", file);
	snprintf(buf, len, "%s", t ? t : "");
	free(t);
	/* A short token is guessable; refuse it rather than serve node traffic to anyone. */
	if (strlen(buf) < 16)
		return error("the agent API needs a bearer token of at least 16 characters: pass "
			     "--token-file FILE or set SMIW_AGENT_TOKEN");
	return 0;
}

static void on_inventory(void *arg, json_t *inv, json_t *status)
{
	agent_set_inventory(arg, inv, status);
}

/* The options that only store (cli_store_opt()). */
static const struct cli_store stores[] = {
	CLI_STR('l', struct agent_opts, listen), CLI_STR('t', struct agent_opts, token_file),
	CLI_STR('d', struct agent_opts, spool_dir), CLI_STR('s', struct agent_opts, source),
	CLI_STR('N', struct agent_opts, node), CLI_STR('c', struct agent_opts, cgroup_root),
	CLI_STR('i', struct agent_opts, inventory_out), CLI_STR('I', struct agent_opts, inventory_in),
	CLI_SET('f', struct agent_opts, follow), CLI_SET('k', struct agent_opts, kube),
	CLI_SET('U', struct agent_opts, unredacted),
};

/* The options that check or convert their argument. Returns CLI_CONTINUE, or an exit code after printing. */
static int take_opt(int opt, struct agent_opts *o)
{
	extern const struct command cmd_agent;

	switch (opt) {
	case 'K':
		o->kubeconfig = optarg;
		o->kube = true;
		return CLI_CONTINUE;
	case 'C':
		if (capture_backend_parse(optarg, &o->capture))
			return error("--capture '%s': not auto, cgroup or syscalls", optarg), EXIT_USAGE;
		return CLI_CONTINUE;
	case 'B':
		if (parse_u64(optarg, 4096, 1ULL << 40, &o->spool_bytes))
			return error("--spool-max-bytes: '%s' is not a number in [4096, 2^40]", optarg), EXIT_USAGE;
		return CLI_CONTINUE;
	case 'F':
		if (parse_u64(optarg, 0, 100000, &o->spool_files))
			return error("--spool-max-files: '%s' is not a number in [0, 100000]", optarg), EXIT_USAGE;
		return CLI_CONTINUE;
	case 'S':
		if (parse_duration_ns(optarg, 60000000000ULL, &o->stats_ns) || o->stats_ns < 100000000ULL)
			return error("--stats-every: '%s' is not a duration in [100ms, 60s]", optarg), EXIT_USAGE;
		return CLI_CONTINUE;
	case 'n':
		if (parse_u64(optarg, 1, 50000000, &o->store_records))
			return error("--store-records: '%s' is not a number in [1, 50000000]", optarg), EXIT_USAGE;
		return CLI_CONTINUE;
	default:
		return cli_common_opt(opt, &cmd_agent);
	}
}

/* Parses argv into o (whose fields hold the defaults). Returns CLI_CONTINUE, or an exit code after printing. */
static int parse_opts(int argc, char **argv, struct agent_opts *o)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 't' },
		{ "spool-dir", required_argument, NULL, 'd' },
		{ "spool-max-bytes", required_argument, NULL, 'B' },
		{ "spool-max-files", required_argument, NULL, 'F' },
		{ "store-records", required_argument, NULL, 'n' },
		{ "source", required_argument, NULL, 's' },
		{ "follow", no_argument, NULL, 'f' },
		{ "node", required_argument, NULL, 'N' },
		{ "kube", no_argument, NULL, 'k' },
		{ "kubeconfig", required_argument, NULL, 'K' },
		{ "cgroup-root", required_argument, NULL, 'c' },
		{ "inventory-out", required_argument, NULL, 'i' },
		{ "inventory", required_argument, NULL, 'I' },
		{ "unredacted", no_argument, NULL, 'U' },
		{ "capture", required_argument, NULL, 'C' },
		{ "stats-every", required_argument, NULL, 'S' },
		CLI_COMMON_LONGOPTS,
		{ 0 }
	};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "l:t:d:s:fN:", longopts, NULL)) != -1)
		if (!cli_store_opt(opt, stores, sizeof(stores) / sizeof(stores[0]), o) &&
		    (r = take_opt(opt, o)) != CLI_CONTINUE)
			return r;
	if (o->kube && o->inventory_in)
		return error("--inventory and --kube both name the inventory: pick one"), EXIT_USAGE;
	if (optind < argc)
		return error("agent takes no arguments (got '%s')", argv[optind]), EXIT_USAGE;
	if (!o->source)
		return error("--source is required: 'capture' (in-process kernel capture), or a JSONL "
			     "records file, FIFO or '-'"), EXIT_USAGE;
	return CLI_CONTINUE;
}

/* --node, else $NODE_NAME, else the host name (written into host). */
static void default_node(struct agent_opts *o, char *host, size_t len)
{
	if (!o->node)
		o->node = getenv("NODE_NAME");
	if (!o->node) {
		gethostname(host, len);
		host[len - 1] = '\0';
		o->node = host;
	}
}

/*
 * Blocked before any thread starts (capture, Kubernetes watches), so
 * every thread inherits the mask and SIGINT/SIGTERM reach only the
 * loop's signalfd instead of killing the process from another thread.
 */
static void block_stop_signals(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
}

/* Opens --source: in-process capture, or a records file, FIFO or stdin. Returns an exit code. */
static int open_source(struct agent_opts *o, struct record_source *src)
{
	int r;

	if (!strcmp(o->source, "capture")) {
		if (o->kube && !o->inventory_out) {
			mkdir("/run/smi-witness", 0755);
			o->inventory_out = DEFAULT_INVENTORY;
		}
		r = source_capture_open(src, &(struct capture_source_opts){
			.inventory_path = o->inventory_in ? o->inventory_in : o->inventory_out, .node = o->node,
			.unredacted = o->unredacted, .backend = o->capture, .stats_ns = o->stats_ns });
		if (r)
			return error_errno(r, "cannot start capture"), EXIT_ERROR;
	} else if ((r = source_file_open(src, o->source, o->follow))) {
		return error_errno(r, "cannot open record source '%s'", o->source), EXIT_ERROR;
	}
	return EXIT_OK;
}

/* The store, the spool and the API socket. Returns an exit code; on failure the source is closed. */
static int start_agent(const struct agent_opts *o, const char *token, struct record_source *src,
		       struct agent *a)
{
	int r;

	r = agent_init(a, o->node, token, o->store_records, o->spool_dir, o->spool_bytes,
		       (unsigned)o->spool_files);
	if (r) {
		src->close(src);
		return error_errno(r, "cannot set up the agent (spool '%s')", o->spool_dir ? o->spool_dir : "-"),
		       EXIT_ERROR;
	}
	/* A failed listen holds nothing: only the loop is to be closed then. */
	r = evloop_init(&a->http_loop);
	if (!r && (r = http_server_listen(&a->http, &a->http_loop, o->listen,
					  &(struct http_server_config){ .headers = "Cache-Control: no-store\r\n" },
					  agent_http, a)))
		evloop_fini(&a->http_loop);
	if (r) {
		agent_shutdown(a, "signal");
		src->close(src);
		return error_errno(r, "cannot listen on '%s'", o->listen), EXIT_ERROR;
	}
	return EXIT_OK;
}

/*
 * Programs attached, the API socket bound: the rest (records, files, the
 * API server's watches, started later, inheriting this) needs no more
 * than the source measured. Returns an exit code.
 */
static int limit_caps(struct agent *a, const struct record_source *src)
{
	int r = caps_limit(src->caps_needed);

	if (r) {
		error_errno(r, "cannot give up capabilities");
		return EXIT_ERROR;
	}
	caps_format(src->caps_needed, a->caps_kept, sizeof(a->caps_kept));
	pr_info("agent: capabilities kept: %s", a->caps_kept);
	return EXIT_OK;
}

/* --inventory: the agent serves this file's inventory, checked by the one reader. Returns an exit code. */
static int load_inventory(const char *path, struct agent *a)
{
	json_t *inv;

	if (inventory_load_doc(path, &inv))
		return EXIT_USAGE;
	agent_set_inventory(a, inv, NULL);
	return EXIT_OK;
}

/*
 * --kube: this node's pods and the services, watched on the API server,
 * keep the inventory. Returns an exit code; *kcfg is set up on EXIT_OK
 * only (the caller frees it after nodewatch_stop()).
 */
static int start_kube(const struct agent_opts *o, struct agent *a, struct k8s_config *kcfg, struct nodewatch *nw)
{
	char cgmount[256] = "", err[512];
	int r;

	if (k8s_config_auto(kcfg, o->kubeconfig, NULL, err, sizeof(err))) {
		error("%s", err);
		return EXIT_ERROR;
	}
	if (o->cgroup_root)
		snprintf(cgmount, sizeof(cgmount), "%s", o->cgroup_root);
	else if (cgroup2_mount_point(cgmount, sizeof(cgmount)))
		pr_warn("no cgroup v2 mount: containers cannot be attributed");
	if ((r = nodewatch_start(nw, kcfg, o->node, cgmount, o->inventory_out, on_inventory, a))) {
		error_errno(r, "cannot start the Kubernetes watches");
		k8s_config_free(kcfg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* Everything after the API socket is bound, up to the end of the loop. Returns an exit code. */
static int run_agent(const struct agent_opts *o, struct agent *a, struct record_source *src)
{
	struct k8s_config kcfg = { 0 };
	struct nodewatch nw;
	int r;

	if ((r = limit_caps(a, src)) != EXIT_OK)
		return r;
	if (o->inventory_in && (r = load_inventory(o->inventory_in, a)) != EXIT_OK)
		return r;
	if (o->kube && (r = start_kube(o, a, &kcfg, &nw)) != EXIT_OK)
		return r;
	pr_info("agent on node '%s' serving http://%s (records from '%s')", o->node, a->http.bound, o->source);
	if (log_json)
		pr_json("{s:s, s:s}", "listen", a->http.bound, "node", o->node);
	r = agent_serve(a, src) ? EXIT_ERROR : EXIT_OK;
	if (o->kube) {
		nodewatch_stop(&nw);
		k8s_config_free(&kcfg);
	}
	return r;
}

static int run(int argc, char **argv)
{
	struct agent_opts o = { .listen = "127.0.0.1:9469", .store_records = 200000,
				.spool_bytes = 64ULL << 20, .spool_files = 32 };
	char token[512] = "", host[256];
	struct record_source src;
	struct agent a;
	int r;

	r = parse_opts(argc, argv, &o);
	if (r != CLI_CONTINUE)
		return r;
	if (read_token(o.token_file, token, sizeof(token)))
		return EXIT_USAGE;
	default_node(&o, host, sizeof(host));
	/* A reader that went away must be an error on write, not a signal that kills the agent. */
	signal(SIGPIPE, SIG_IGN);
	block_stop_signals();
	if ((r = open_source(&o, &src)) != EXIT_OK || (r = start_agent(&o, token, &src, &a)) != EXIT_OK)
		return r;
	r = run_agent(&o, &a, &src);
	http_server_close(&a.http);
	evloop_fini(&a.http_loop);
	agent_shutdown(&a, "signal");
	src.close(&src);
	return r;
}

const struct command cmd_agent = {
	.name = "agent",
	.summary = "long-running node agent: keeps observations, serves them over HTTP",
	.usage = "smi-witness agent --source capture|FILE|- --token-file FILE [--listen ADDR:PORT]\n"
		 "                        [--spool-dir DIR] [--kube] [options]",
	.options =
		"  -s, --source SRC          where records come from: 'capture' (kernel capture\n"
		"                            in-process, pods from the inventory), or a JSONL\n"
		"                            file, FIFO or '-' (stdin)\n"
		"  -f, --follow              keep reading a regular file as it grows (like tail -f)\n"
		"  -t, --token-file FILE     bearer token the API requires (or $SMIW_AGENT_TOKEN);\n"
		"                            the agent refuses to start without one (>= 16 chars)\n"
		"  -l, --listen ADDR:PORT    API address (default 127.0.0.1:9469; [::]:PORT for IPv6)\n"
		"  -d, --spool-dir DIR       also keep records on disk as JSONL.gz files here\n"
		"      --spool-max-bytes N   rotate a spool file at N compressed bytes (default 64 MiB)\n"
		"      --spool-max-files N   closed spool files kept, oldest removed (default 32, 0 = all)\n"
		"      --store-records N     records kept in memory, oldest evicted (default 200000)\n"
		"  -N, --node NAME           node name (default $NODE_NAME, else the hostname)\n"
		"      --kube                watch this node's pods and the services on the API server\n"
		"                            (in-cluster, or --kubeconfig) and keep the inventory\n"
		"      --kubeconfig FILE     use this kubeconfig instead of the in-cluster account\n"
		"      --cgroup-root DIR     cgroup v2 mount to look for container cgroups in\n"
		"      --inventory-out FILE  write the inventory here on every change (atomically)\n"
		"      --inventory FILE      serve this inventory (docs/inventory.md), e.g. the lab's\n"
		"      --capture B           with --source capture: the backend, auto (default: cgroup\n"
		"                            where its programs attach, else syscalls), cgroup or\n"
		"                            syscalls (docs/capture.md)\n"
		"      --stats-every DUR     with --source capture: a stats record this often (default 5s;\n"
		"                            a reader knows everything before the newest one arrived)\n"
		"      --unredacted          with --source capture: keep Authorization, Proxy-Authorization,\n"
		"                            Cookie and Set-Cookie values (default: \"<redacted>\")\n"
		"\nAPI (all but /healthz need 'Authorization: Bearer TOKEN'):\n"
		"  GET /v1/observations?since=5m&until=1m&namespace=NS&pod=POD&request_id=PREFIX&type=exchange\n"
		"      records as JSONL: a meta line, the matches, a stats line (window_complete,\n"
		"      drop counters); since_ns/until_ns take Unix nanoseconds instead\n"
		"  GET /v1/stats      store, spool, capture drop and Kubernetes counters (JSON)\n"
		"  GET /v1/inventory  the current inventory (docs/inventory.md)\n"
		"  GET /metrics       Prometheus metrics\n"
		"  GET /healthz       'ok'\n",
	.examples =
		"  head -c 24 /dev/urandom | base64 > /run/smiw-token\n"
		"  smi-witness agent --source capture --inventory /run/smi-witness/lab/inventory.json \\\n"
		"      --token-file /run/smiw-token\n"
		"  smi-witness agent --source obs.jsonl --follow --token-file /run/smiw-token \\\n"
		"      --spool-dir /var/log/smi-witness\n"
		"  curl -H \"Authorization: Bearer $(cat /run/smiw-token)\" \\\n"
		"      'http://127.0.0.1:9469/v1/observations?since=5m&namespace=default'\n"
		"(An agent runs until SIGTERM or Ctrl-C; the last command asks one that runs.)\n",
	.run = run,
};
