/* cmd_agent.c - `smi-witness agent`: the long-running node agent. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/source.h"
#include "cli/cli.h"
#include "k8s/config.h"
#include "k8s/nodewatch.h"
#include "util/caps.h"
#include "util/kernfs.h"
#include "util/log.h"
#include "util/parse.h"

#define TICK_MS 200
#define STOP_GRACE_MS 5000
/* Where --kube writes the inventory when capture runs in-process and no --inventory-out is given. */
#define DEFAULT_INVENTORY "/run/smi-witness/inventory.json"

static uint64_t mono_deadline(unsigned ms)
{
	return mono_ns() + (uint64_t)ms * 1000000ULL;
}

struct agent_opts {
	const char *listen, *token_file, *spool_dir, *source, *node, *inventory_out;
	const char *kubeconfig, *cgroup_root, *inventory_in;
	uint64_t store_records, spool_bytes, spool_files;
	bool kube, follow, unredacted;
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

static int add_fd(int ep, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* The loop: source records in, API requests served, until a signal or the source ends. */
static int serve(struct agent *a, struct record_source *src)
{
	static char tag_http, tag_src, tag_sig;
	struct epoll_event evs[8];
	uint64_t stopping = 0;
	bool src_done = false;
	sigset_t mask;
	int ep, sfd, r = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || ep < 0 || add_fd(ep, sfd, &tag_sig) || add_fd(ep, httpd_fd(&a->httpd), &tag_http) ||
	    (src->fd >= 0 && add_fd(ep, src->fd, &tag_src)))
		return error_errno(errno, "cannot set up the event loop");
	for (;;) {
		int n = epoll_wait(ep, evs, 8, TICK_MS);

		if (n < 0 && errno != EINTR) {
			r = error_errno(errno, "event loop");
			break;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &tag_sig) {
				/* A live source is asked to finish, and its last records are still taken. */
				if (!src->stop || src_done || stopping)
					goto out;
				src->stop(src);
				stopping = mono_deadline(STOP_GRACE_MS);
			}
			if (evs[i].data.ptr == &tag_http)
				httpd_poll(&a->httpd, 0);
		}
		if (stopping && (src_done || mono_ns() > stopping))
			goto out;
		if (!src_done) {
			int d = src->drain(src, agent_ingest, a);

			if (d == -ENODATA) {
				/* The API stays up so what was captured can still be fetched. */
				pr_info("record source ended; still serving %zu records", a->store.count);
				src_done = true;
				a->source_ended = true;
				if (src->fd >= 0)
					epoll_ctl(ep, EPOLL_CTL_DEL, src->fd, NULL);
			} else if (d < 0) {
				pr_warn("record source: %s", strerror(-d));
			}
		}
		agent_tick(a);
	}
out:
	close(ep);
	close(sfd);
	return r;
}

static int parse_opts(int argc, char **argv, struct agent_opts *o)
{
	extern const struct command cmd_agent;
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
		CLI_COMMON_LONGOPTS,
		{ 0 }
	};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "l:t:d:s:fN:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l': o->listen = optarg; break;
		case 't': o->token_file = optarg; break;
		case 'd': o->spool_dir = optarg; break;
		case 's': o->source = optarg; break;
		case 'f': o->follow = true; break;
		case 'N': o->node = optarg; break;
		case 'k': o->kube = true; break;
		case 'K': o->kubeconfig = optarg; o->kube = true; break;
		case 'c': o->cgroup_root = optarg; break;
		case 'i': o->inventory_out = optarg; break;
		case 'I': o->inventory_in = optarg; break;
		case 'U': o->unredacted = true; break;
		case 'B':
			if (parse_u64(optarg, 4096, 1ULL << 40, &o->spool_bytes))
				return error("--spool-max-bytes: '%s' is not a number in [4096, 2^40]", optarg), EXIT_USAGE;
			break;
		case 'F':
			if (parse_u64(optarg, 0, 100000, &o->spool_files))
				return error("--spool-max-files: '%s' is not a number in [0, 100000]", optarg), EXIT_USAGE;
			break;
		case 'n':
			if (parse_u64(optarg, 1, 50000000, &o->store_records))
				return error("--store-records: '%s' is not a number in [1, 50000000]", optarg), EXIT_USAGE;
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_agent)) != CLI_CONTINUE)
				return r;
		}
	}
	if (o->kube && o->inventory_in)
		return error("--inventory and --kube both name the inventory: pick one"), EXIT_USAGE;
	if (optind < argc)
		return error("agent takes no arguments (got '%s')", argv[optind]), EXIT_USAGE;
	if (!o->source)
		return error("--source is required: 'capture' (in-process kernel capture), or a JSONL "
			     "records file, FIFO or '-'"), EXIT_USAGE;
	return CLI_CONTINUE;
}

static int run(int argc, char **argv)
{
	struct agent_opts o = { .listen = "127.0.0.1:9469", .store_records = 200000,
				.spool_bytes = 64ULL << 20, .spool_files = 32 };
	char token[512] = "", host[256], cgmount[256] = "", err[512];
	struct k8s_config kcfg = { 0 };
	struct nodewatch nw;
	struct record_source src;
	struct agent a;
	sigset_t mask;
	int r;

	r = parse_opts(argc, argv, &o);
	if (r != CLI_CONTINUE)
		return r;
	if (read_token(o.token_file, token, sizeof(token)))
		return EXIT_USAGE;
	if (!o.node)
		o.node = getenv("NODE_NAME");
	if (!o.node) {
		gethostname(host, sizeof(host));
		host[sizeof(host) - 1] = '\0';
		o.node = host;
	}
	/* A reader that went away must be an error on write, not a signal that kills the agent. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Blocked before any thread starts (capture, Kubernetes watches), so
	 * every thread inherits the mask and SIGINT/SIGTERM reach only the
	 * loop's signalfd instead of killing the process from another thread.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (!strcmp(o.source, "capture")) {
		if (o.kube && !o.inventory_out) {
			mkdir("/run/smi-witness", 0755);
			o.inventory_out = DEFAULT_INVENTORY;
		}
		r = source_capture_open(&src, &(struct capture_source_opts){
			.inventory_path = o.inventory_in ? o.inventory_in : o.inventory_out, .node = o.node,
			.unredacted = o.unredacted });
		if (r)
			return error_errno(r, "cannot start capture"), EXIT_FAILED;
	} else if ((r = source_file_open(&src, o.source, o.follow))) {
		return error_errno(r, "cannot open record source '%s'", o.source), EXIT_FAILED;
	}
	r = agent_init(&a, o.node, token, o.store_records, o.spool_dir, o.spool_bytes,
		       (unsigned)o.spool_files);
	if (r) {
		src.close(&src);
		return error_errno(r, "cannot set up the agent (spool '%s')", o.spool_dir ? o.spool_dir : "-"),
		       EXIT_FAILED;
	}
	r = httpd_listen(&a.httpd, o.listen, agent_http, &a);
	if (r) {
		agent_shutdown(&a, "signal");
		src.close(&src);
		return error_errno(r, "cannot listen on '%s'", o.listen), EXIT_FAILED;
	}
	/*
	 * Programs attached, the API socket bound: the rest (records, files, the
	 * API server's watches, started below, inheriting this) needs no more
	 * than the source measured.
	 */
	if ((r = caps_limit(src.caps_needed))) {
		error_errno(r, "cannot give up capabilities");
		r = EXIT_FAILED;
		goto out_http;
	}
	caps_format(src.caps_needed, a.caps_kept, sizeof(a.caps_kept));
	pr_info("agent: capabilities kept: %s", a.caps_kept);
	if (o.inventory_in) {
		json_error_t jerr;
		json_t *inv = json_load_file(o.inventory_in, 0, &jerr);

		if (!json_is_object(inv) || json_integer_value(json_object_get(inv, "version")) != 1) {
			error("cannot load inventory '%s': %s", o.inventory_in,
			      inv ? "not an inventory of version 1" : jerr.text);
			json_decref(inv);
			r = EXIT_USAGE;
			goto out_http;
		}
		agent_set_inventory(&a, inv, NULL);
	}
	if (o.kube) {
		if (k8s_config_auto(&kcfg, o.kubeconfig, NULL, err, sizeof(err))) {
			error("%s", err);
			r = EXIT_FAILED;
			goto out_http;
		}
		if (o.cgroup_root)
			snprintf(cgmount, sizeof(cgmount), "%s", o.cgroup_root);
		else if (cgroup2_mount_point(cgmount, sizeof(cgmount)))
			pr_warn("no cgroup v2 mount: containers cannot be attributed");
		if ((r = nodewatch_start(&nw, &kcfg, o.node, cgmount, o.inventory_out, on_inventory, &a))) {
			error_errno(r, "cannot start the Kubernetes watches");
			r = EXIT_FAILED;
			goto out_cfg;
		}
	}
	pr_info("agent on node '%s' serving http://%s (records from '%s')", o.node, a.httpd.bound, o.source);
	if (log_json) {
		printf("{\"listen\": \"%s\", \"node\": \"%s\"}\n", a.httpd.bound, o.node);
		fflush(stdout);
	}
	r = serve(&a, &src) ? EXIT_FAILED : EXIT_OK;
	if (o.kube)
		nodewatch_stop(&nw);
out_cfg:
	k8s_config_free(&kcfg);
out_http:
	httpd_close(&a.httpd);
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
		"  smi-witness agent --source observe.jsonl --follow --token-file /run/smiw-token \\\n"
		"      --spool-dir /var/log/smi-witness\n"
		"  curl -H \"Authorization: Bearer $(cat /run/smiw-token)\" \\\n"
		"      'http://127.0.0.1:9469/v1/observations?since=5m&namespace=default'\n",
	.run = run,
};
