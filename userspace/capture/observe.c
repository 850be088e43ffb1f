/* observe.c - see observe.h */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "capture/capture.h"
#include "capture/observe.h"
#include "capture/record_sink.h"
#include "records/inventory.h"
#include "smiw_abi.h"
#include "util/clock.h"
#include "util/exitcode.h"
#include "util/log.h"

#define MAX_PROGS 64
#define NS 1000000000ull

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Watches the inventory's pods and the --cgroup trees; returns how many cgroups, or -errno. */
static int watch_all(struct capture *c, const struct observe_opts *o)
{
	int n = capture_watch_inventory(c), r;

	if (n < 0)
		return error_errno(n, "observe: cannot watch the inventory's cgroups"), n;
	for (int i = 0; i < o->ncgroups; i++) {
		r = capture_watch_path(c, o->cgroups[i], true);
		if (r < 0)
			return error_errno(r, "observe: cannot watch cgroup '%s'", o->cgroups[i]), r;
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
static const char *loop(struct capture *c, struct obs_writer *out, const struct observe_opts *o, uint64_t start)
{
	bool tty = isatty(STDERR_FILENO) && !log_json;
	uint64_t next_tick = start + NS, next_stats = start + o->stats_ns, prev_ex = 0, prev_t = start;
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
		if (o->duration_ns && t - start >= o->duration_ns)
			return "duration";
		if (t >= next_tick) {
			obs_writer_flush(out, true);
			if (tty) {
				capture_stats(c, &st);
				live_line(&st, prev_ex, (t - prev_t) / 1e9);
				prev_ex = st.exchanges;
				prev_t = t;
			}
			next_tick = t + NS;
		}
		if (o->stats_ns && t >= next_stats) {
			capture_stats(c, &st);
			capture_write_stats(out, &st, NULL);
			next_stats = t + o->stats_ns;
		}
	}
}

/*
 * Attached and watching n cgroups: writes the meta record, captures until
 * the end, writes the end record. Returns the exit code.
 */
static int capture_until_end(struct capture *c, struct obs_writer *out, const struct observe_opts *o, int n)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART: poll returns */
	uint32_t progs[MAX_PROGS];
	struct capture_stats st;
	const char *reason;
	uint64_t start;
	int nprogs;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	nprogs = capture_prog_ids(c, progs, MAX_PROGS);
	obs_write_meta(out, &(struct obs_write_meta){ .inventory = o->inventory, .snaplen = capture_snaplen(c),
						      .capture_tag = capture_tag(c), .backend = capture_backend_name(c),
						      .watched_cgroups = n,
						      .prog_ids = progs, .nprogs = nprogs });
	obs_writer_flush(out, true);
	pr_info("observe: watching %d cgroup(s), %s backend, snaplen %u, writing %s", n, capture_backend_name(c),
		capture_snaplen(c), o->out ? o->out : "stdout");
	start = mono_ns();
	reason = loop(c, out, o, start);
	capture_finish(c);
	capture_stats(c, &st);
	capture_write_stats(out, &st, reason);
	if (isatty(STDERR_FILENO) && !log_json)
		fputc('\n', stderr);
	summary(&st, reason, (mono_ns() - start) / 1e9, log_json && o->out && strcmp(o->out, "-"));
	return strcmp(reason, "error") ? EXIT_OK : EXIT_ERROR;
}

int observe_run(const struct observe_opts *o)
{
	int ret = EXIT_ERROR;
	struct inventory *inv = NULL;
	struct obs_writer out = { 0 };
	struct capture *c = NULL;
	char host[256] = "";
	bool out_open = false;
	int r, n;

	if (o->inventory && inventory_load(o->inventory, &inv))
		return EXIT_USAGE;
	gethostname(host, sizeof(host) - 1);
	r = obs_writer_open(&out, o->out, inv && *inv->node ? inv->node : host);
	if (r) {
		error_errno(r, "observe: cannot open '%s'", o->out);
		goto out;
	}
	out_open = true;
	r = capture_open(&(struct capture_opts){
		.snaplen = o->snaplen, .ring_bytes = o->ring_bytes, .inv = inv,
		.unredacted = o->unredacted, .backend = o->backend, .response_headers = o->response_headers,
		.n_response_headers = o->n_response_headers, .sink = capture_record_sink(&out) }, &c);
	if (r)
		goto out;
	n = watch_all(c, o);
	if (n < 0) {
		ret = n == -ENOENT || n == -ENOTDIR ? EXIT_USAGE : EXIT_ERROR;
		goto out;
	}
	if (n == 0) {
		error("observe: no cgroup to watch (the inventory names none that exists)");
		ret = EXIT_USAGE;
		goto out;
	}
	/* Attached and watching: nothing privileged is left to do but what the kernel measures. */
	if (!capture_drop_caps(c, NULL))
		ret = capture_until_end(c, &out, o, n);
out:
	capture_close(c);
	if (out_open && (r = obs_writer_close(&out))) {
		error_errno(r, "observe: cannot write '%s'", o->out ? o->out : "stdout");
		ret = EXIT_ERROR;
	}
	inventory_free(inv);
	return ret;
}
