/* observe.c - `smi-witness observe`: capture exchanges of watched pods to JSON lines. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "capture/capture.h"
#include "capture/jsonl.h"
#include "cli/cli.h"
#include "inventory/inventory.h"
#include "smiw_abi.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/parse.h"

#define MAX_CGROUPS 256
#define MAX_PROGS 64
#define NS 1000000000ull

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct observe_args {
	const char *inventory, *out;
	const char *cgroups[MAX_CGROUPS];
	int ncgroups;
	uint64_t duration_ns, stats_ns;
	uint64_t snaplen, ring_bytes;
	bool unredacted;
};

static int parse_args(int argc, char **argv, struct observe_args *a)
{
	extern const struct command cmd_observe;
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
		{ 0 }
	};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "i:c:o:d:s:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			a->inventory = optarg;
			break;
		case 'c':
			if (a->ncgroups == MAX_CGROUPS)
				return error("observe: at most %d --cgroup options", MAX_CGROUPS), EXIT_USAGE;
			a->cgroups[a->ncgroups++] = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'd':
			if (parse_duration_ns(optarg, 365 * 24 * 3600 * NS, &a->duration_ns))
				return error("observe: --duration '%s': not a duration", optarg), EXIT_USAGE;
			break;
		case 'S':
			if (parse_duration_ns(optarg, 24 * 3600 * NS, &a->stats_ns))
				return error("observe: --stats-interval '%s': not a duration", optarg), EXIT_USAGE;
			break;
		case 's':
			if (parse_u64(optarg, SMIW_SNAPLEN_MIN, SMIW_SNAPLEN_MAX, &a->snaplen))
				return error("observe: --snaplen '%s': not an integer in [%d, %d]", optarg,
					     SMIW_SNAPLEN_MIN, SMIW_SNAPLEN_MAX), EXIT_USAGE;
			break;
		case 'R':
			if (parse_u64(optarg, 4096, 1ull << 30, &a->ring_bytes) ||
			    (a->ring_bytes & (a->ring_bytes - 1)))
				return error("observe: --ring-size '%s': not a power of two in [4096, 2^30]",
					     optarg), EXIT_USAGE;
			break;
		case 'U':
			a->unredacted = true;
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_observe)) != CLI_CONTINUE)
				return r;
		}
	}
	if (optind < argc)
		return error("observe: unexpected argument '%s'", argv[optind]), EXIT_USAGE;
	if (!a->inventory && !a->ncgroups)
		return error("observe: nothing to watch: give --inventory FILE or --cgroup PATH"), EXIT_USAGE;
	return CLI_CONTINUE;
}

/* Watches the inventory's pods and the --cgroup trees; returns how many cgroups, or -errno. */
static int watch_all(struct capture *c, const struct observe_args *a)
{
	int n = capture_watch_inventory(c), r;

	if (n < 0)
		return error_errno(n, "observe: cannot watch the inventory's cgroups"), n;
	for (int i = 0; i < a->ncgroups; i++) {
		r = capture_watch_path(c, a->cgroups[i], true);
		if (r < 0)
			return error_errno(r, "observe: cannot watch cgroup '%s'", a->cgroups[i]), r;
		n += r;
	}
	return n;
}

static void live_line(const struct capture_stats *st, uint64_t prev_exchanges, double secs)
{
	fprintf(stderr, "\r\033[Kexchanges %llu (%.0f/s)  conns %llu open %llu  kernel drops %llu  "
		"user drops %llu  gaps %llu  unparsed %llu B",
		(unsigned long long)st->exchanges, secs > 0 ? (st->exchanges - prev_exchanges) / secs : 0.0,
		(unsigned long long)st->conns, (unsigned long long)st->conns_open,
		(unsigned long long)st->kernel_drops, (unsigned long long)st->user_drops,
		(unsigned long long)st->gaps, (unsigned long long)st->unparsed_bytes);
}

static void summary(const struct capture_stats *st, const char *reason, double secs, bool json)
{
	if (json) {
		json_t *o = json_pack("{s:s, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"reason", reason, "seconds", secs, "events", (json_int_t)st->events,
			"exchanges", (json_int_t)st->exchanges, "conns", (json_int_t)st->conns,
			"kernel_drops", (json_int_t)st->kernel_drops, "user_drops", (json_int_t)st->user_drops,
			"gaps", (json_int_t)st->gaps, "unparsed_bytes", (json_int_t)st->unparsed_bytes,
			"unpaired", (json_int_t)st->unpaired, "h2_lost_bytes", (json_int_t)st->h2_lost_bytes);

		json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(o);
		return;
	}
	fprintf(stderr, "observe: %s after %.1f s: %llu exchanges on %llu connections (%llu events); "
		"kernel drops %llu, user drops %llu, gaps %llu, unparsed %llu bytes, unpaired %llu\n",
		reason, secs, (unsigned long long)st->exchanges, (unsigned long long)st->conns,
		(unsigned long long)st->events, (unsigned long long)st->kernel_drops,
		(unsigned long long)st->user_drops, (unsigned long long)st->gaps,
		(unsigned long long)st->unparsed_bytes, (unsigned long long)st->unpaired);
	if (st->h2_lost_bytes)
		fprintf(stderr, "observe: %llu bytes on HTTP/2 connections whose state was lost were not decoded "
			"(their conn records say why: h2_lost)\n", (unsigned long long)st->h2_lost_bytes);
	if (st->kernel_drops)
		fprintf(stderr, "observe: kernel drops by cause: ring buffer full %llu data + %llu "
			"connection records, syscall table full %llu, connection table full %llu\n",
			(unsigned long long)st->kernel_drops_by[SMIW_DROP_RING_DATA],
			(unsigned long long)st->kernel_drops_by[SMIW_DROP_RING_CONN],
			(unsigned long long)st->kernel_drops_by[SMIW_DROP_PENDING_FULL],
			(unsigned long long)st->kernel_drops_by[SMIW_DROP_CONNS_FULL]);
}

/* Runs until the duration passes or a signal arrives; returns the end reason. */
static const char *loop(struct capture *c, struct jsonl_sink *sink, const struct observe_args *a,
			uint64_t start)
{
	bool tty = isatty(STDERR_FILENO) && !log_json;
	uint64_t next_tick = start + NS, next_stats = start + a->stats_ns, prev_ex = 0, prev_t = start;
	struct capture_stats st;

	for (;;) {
		uint64_t t;
		int r = capture_poll(c, 100);

		if (r < 0 && r != -EINTR) {
			error_errno(r, "observe: ring buffer");
			return "error";
		}
		t = mono_ns();
		if (stop_signal)
			return "signal";
		if (a->duration_ns && t - start >= a->duration_ns)
			return "duration";
		if (t >= next_tick) {
			jsonl_flush(sink, true);
			if (tty) {
				capture_stats(c, &st);
				live_line(&st, prev_ex, (t - prev_t) / 1e9);
				prev_ex = st.exchanges;
				prev_t = t;
			}
			next_tick = t + NS;
		}
		if (a->stats_ns && t >= next_stats) {
			capture_stats(c, &st);
			jsonl_stats(sink, &st, NULL);
			next_stats = t + a->stats_ns;
		}
	}
}

static int run(int argc, char **argv)
{
	struct observe_args a = { .stats_ns = 10 * NS };
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART: poll returns */
	struct inventory *inv = NULL;
	struct jsonl_sink sink = { 0 };
	struct capture *c = NULL;
	struct capture_stats st;
	const char *reason = "error";
	char host[256] = "";
	uint64_t start;
	uint32_t progs[MAX_PROGS];
	int r, ret = EXIT_FAILED, n, nprogs;
	bool sink_open = false;

	r = parse_args(argc, argv, &a);
	if (r != CLI_CONTINUE)
		return r;
	if (a.inventory && inventory_load(a.inventory, &inv))
		return EXIT_USAGE;
	gethostname(host, sizeof(host) - 1);
	r = jsonl_open(&sink, a.out, inv && *inv->node ? inv->node : host);
	if (r) {
		error_errno(r, "observe: cannot open '%s'", a.out);
		goto out;
	}
	sink_open = true;
	r = capture_open(&(struct capture_opts){
		.snaplen = a.snaplen, .ring_bytes = a.ring_bytes, .inv = inv,
		.unredacted = a.unredacted, .sink = jsonl_capture_sink(&sink) }, &c);
	if (r)
		goto out;
	n = watch_all(c, &a);
	if (n < 0) {
		ret = n == -ENOENT || n == -ENOTDIR ? EXIT_USAGE : EXIT_FAILED;
		goto out;
	}
	if (n == 0) {
		error("observe: no cgroup to watch (the inventory names none that exists)");
		ret = EXIT_USAGE;
		goto out;
	}
	/* Attached and watching: nothing privileged is left to do but what the kernel measures. */
	if (capture_drop_caps(c, NULL))
		goto out;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	nprogs = capture_prog_ids(c, progs, MAX_PROGS);
	jsonl_meta(&sink, &(struct jsonl_meta){ .inventory = a.inventory, .snaplen = capture_snaplen(c),
						 .capture_tag = capture_tag(c), .watched_cgroups = n,
						 .prog_ids = progs, .nprogs = nprogs });
	jsonl_flush(&sink, true);
	pr_info("observe: watching %d cgroup(s), snaplen %u, writing %s", n, capture_snaplen(c),
		a.out ? a.out : "stdout");
	start = mono_ns();
	reason = loop(c, &sink, &a, start);
	capture_finish(c);
	capture_stats(c, &st);
	jsonl_stats(&sink, &st, reason);
	if (isatty(STDERR_FILENO) && !log_json)
		fputc('\n', stderr);
	summary(&st, reason, (mono_ns() - start) / 1e9, log_json && a.out && strcmp(a.out, "-"));
	ret = strcmp(reason, "error") ? EXIT_OK : EXIT_FAILED;
out:
	capture_close(c);
	if (sink_open && (r = jsonl_close(&sink))) {
		error_errno(r, "observe: cannot write '%s'", a.out ? a.out : "stdout");
		ret = EXIT_FAILED;
	}
	inventory_free(inv);
	return ret;
}

const struct command cmd_observe = {
	.name = "observe",
	.summary = "capture the HTTP exchanges and connections of watched pods as JSON lines",
	.usage = "smi-witness observe (--inventory FILE | --cgroup PATH)... [--out FILE[.gz]]\n"
		 "                         [--duration D] [--snaplen N] [--ring-size BYTES]",
	.options =
		"  -i, --inventory FILE     watch every pod of this inventory and name them in records\n"
		"  -c, --cgroup PATH        also watch this cgroup v2 directory and those below it\n"
		"                           (repeatable)\n"
		"  -o, --out FILE           write records here; gzip when FILE ends in .gz\n"
		"                           (default: standard output)\n"
		"  -d, --duration D         stop after D (\"30s\", \"5m\"); default: until SIGINT/SIGTERM\n"
		"  -s, --snaplen N          bytes copied per syscall, 64..16384 (default 4096)\n"
		"      --ring-size BYTES    kernel ring buffer, a power of two (default 16 MiB)\n"
		"      --stats-interval D   write a stats record every D (default 10s; 0: only at the end)\n"
		"      --unredacted         keep Authorization, Proxy-Authorization, Cookie and\n"
		"                           Set-Cookie header values (default: \"<redacted>\")\n",
	.examples =
		"  smi-witness observe --inventory /run/smi-witness/lab/inventory.json --out obs.jsonl.gz\n"
		"  smi-witness observe --cgroup /sys/fs/cgroup/unified/myapp --duration 30s | jq -c 'select(.t == \"exchange\")'\n"
		"  smi-witness -j observe --inventory inv.json --out obs.jsonl --duration 1m   # JSON summary\n",
	.run = run,
};
