/* capture.c - see capture.h */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "capture/capture_int.h"
#include "records/inventory.h"
#include "util/array.h"
#include "util/clock.h"
#include "util/kernfs.h"
#include "util/log.h"
#include "util/u64.h"

#define DRAIN_MS_DEFAULT 20

static void make_tag(char *tag, size_t len)
{
	unsigned int r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		r = (unsigned int)(ts.tv_nsec ^ ts.tv_sec ^ getpid());
	}
	snprintf(tag, len, "%08x", r);
}

int capture_backend_parse(const char *s, int *out)
{
	static const char *const names[] = { "auto", "cgroup", "syscalls" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

const char *capture_backend_name(const struct capture *c)
{
	return c->backend == CAPTURE_CGROUP ? "cgroup" : "syscalls";
}

const char *capture_backend_reason(const struct capture *c)
{
	return c->backend_reason;
}

/*
 * The cgroup backend when asked for, or (auto) when its programs load and
 * a program can be attached to a cgroup here; otherwise the syscall one.
 * Auto tries quietly and keeps the reason it fell back.
 */
static int open_backend(struct capture *c, const struct capture_opts *o)
{
	struct loader_opts lo = { .snaplen = o->snaplen, .ring_bytes = o->ring_bytes };
	bool quiet = o->backend == CAPTURE_AUTO;
	int err;

	if (o->backend != CAPTURE_SYSCALLS) {
		err = skb_loader_open(&lo, quiet, &c->sl);
		if (!err && (err = skb_loader_probe_attach(c->sl)) && !quiet)
			error_errno(err, "capture: cannot attach a cgroup program here");
		if (!err) {
			c->backend = CAPTURE_CGROUP;
			pr_info("capture: cgroup backend: cgroup_skb and sockops programs on the watched cgroups only");
			return 0;
		}
		if (!quiet)
			return err;
		skb_loader_close(c->sl);
		c->sl = NULL;
		snprintf(c->backend_reason, sizeof(c->backend_reason), "the cgroup programs %s: %s",
			 err == -ENOENT ? "need a cgroup v2 hierarchy" : "cannot be loaded and attached here",
			 strerror(-err));
		pr_info("capture: syscall backend (%s)", c->backend_reason);
	}
	c->backend = CAPTURE_SYSCALLS;
	return loader_open(&lo, &c->ld);
}

int capture_open(const struct capture_opts *o, struct capture **out)
{
	struct capture *c = calloc(1, sizeof(*c));
	int err;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->o = *o;
	c->drain_ms = o->drain_ms ? o->drain_ms : DRAIN_MS_DEFAULT;
	make_tag(c->tag, sizeof(c->tag));
	c->acfg = (struct asm_cfg){
		.emit = capture_on_exchange, .ctx = c, .pool = &c->pool,
		.counters = &c->counters, .unredacted = o->unredacted,
	};
	/* The names are copied: the caller's list need not outlive capture_open. */
	for (unsigned i = 0; i < o->n_response_headers && c->n_resp_names < CAP_RESP_NAMES_MAX; i++)
		if (strlen(o->response_headers[i]) < sizeof(c->resp_names[0])) {
			snprintf(c->resp_names[c->n_resp_names], sizeof(c->resp_names[0]), "%s", o->response_headers[i]);
			c->resp_name_ptrs[c->n_resp_names] = c->resp_names[c->n_resp_names];
			c->n_resp_names++;
		}
	c->o.response_headers = NULL;
	c->o.n_response_headers = 0;
	c->acfg.resp_names = c->resp_name_ptrs;
	c->acfg.n_resp_names = c->n_resp_names;
	err = ct_init(&c->conns, CAPTURE_CONNS_MAX);
	if (!err)
		err = open_backend(c, o);
	if (err)
		goto fail;
	c->rb = c->backend == CAPTURE_CGROUP ?
		ring_buffer__new(skb_loader_ring_fd(c->sl), capture_on_skb_record, c, NULL) :
		ring_buffer__new(loader_ring_fd(c->ld), capture_on_record, c, NULL);
	if (!c->rb) {
		err = -errno;
		error_errno(err, "capture: cannot set up the ring buffer consumer");
		goto fail;
	}
	c->now_ns = mono_ns();
	*out = c;
	return 0;
fail:
	capture_close(c);
	return err;
}

int capture_watch_cgroup(struct capture *c, uint64_t id)
{
	if (c->backend == CAPTURE_CGROUP)
		return skb_watch_id(c, id);
	return loader_watch(c->ld, id, true);
}

/* Watches dir and, when deep, every cgroup directory below it. Returns the count or -errno. */
static int watch_tree(struct capture *c, const char *dir, bool deep)
{
	uint64_t id = cgroup_id_of(dir);
	struct dirent *d;
	int n = 1, r;
	DIR *dh;

	if (!id)
		return -errno ? -errno : -ENOENT;
	r = capture_watch_cgroup(c, id);
	if (r || !deep)
		return r ? r : 1;
	dh = opendir(dir);
	if (!dh)
		return n;
	while ((d = readdir(dh))) {
		char sub[4096];

		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name);
		r = watch_tree(c, sub, true);
		if (r < 0) {
			n = r;
			break;
		}
		n += r;
	}
	closedir(dh);
	return n;
}

/* Counts dir and, when deep, the cgroup directories below it. */
static int count_tree(const char *dir, bool deep)
{
	struct dirent *d;
	int n = 1;
	DIR *dh;

	if (!deep || !(dh = opendir(dir)))
		return n;
	while ((d = readdir(dh))) {
		char sub[4096];

		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name);
		n += count_tree(sub, true);
	}
	closedir(dh);
	return n;
}

int capture_watch_path(struct capture *c, const char *path, bool descendants)
{
	int r;

	if (c->backend != CAPTURE_CGROUP)
		return watch_tree(c, path, descendants);
	/* Programs attached to a cgroup run for every cgroup below it, those created later too. */
	r = skb_watch_path(c, path);
	if (!r)
		skb_scan_listeners(c);
	return r ? r : count_tree(path, descendants);
}

int capture_watch_inventory(struct capture *c)
{
	const struct inventory *inv = c->o.inv;
	int n = 0, r;

	if (c->backend == CAPTURE_CGROUP) {
		n = skb_watch_inventory(c);
		if (n >= 0)
			skb_scan_listeners(c);
		return n;
	}
	for (size_t i = 0; inv && i < inv->npods; i++) {
		const struct inv_pod *p = &inv->pods[i];

		if (!p->cgroup_id) {
			pr_warn("capture: pod %s has no cgroup (cgroup_id 0, '%s' not found): not watched",
				p->ref, p->cgroup_path);
			continue;
		}
		r = capture_watch_cgroup(c, p->cgroup_id);
		if (r)
			return r;
		n++;
	}
	return n;
}

/* Kernel connection ids, sorted, for membership tests. */
struct idset {
	uint64_t *ids;
	size_t n, cap;
	bool oom;
};

static void idset_add(void *ctx, uint64_t id)
{
	struct idset *s = ctx;

	if (array_reserve(&s->ids, &s->cap, s->n, sizeof(*s->ids), 1024)) {
		s->oom = true;
		return;
	}
	s->ids[s->n++] = id;
}

/* The kernel's drop counters, from whichever backend is loaded. */
static int backend_drops(const struct capture *c, uint64_t out[SMIW_DROP__COUNT])
{
	if (c->sl)
		return skb_loader_drops(c->sl, out);
	return c->ld ? loader_drops(c->ld, out) : -ENODEV;
}

static int backend_each_conn(const struct capture *c, void (*fn)(void *ctx, uint64_t id), void *ctx)
{
	return c->sl ? skb_loader_each_conn(c->sl, fn, ctx) : loader_each_conn(c->ld, fn, ctx);
}

/*
 * A lost END record would leave its connection open here forever. When the
 * kernel has dropped connection records, every connection it no longer
 * tracks is ended (its exchanges still waiting are marked "gap"). The ring
 * is drained first so END records already there are used, not guessed.
 */
static void sweep(struct capture *c)
{
	uint64_t drops[SMIW_DROP__COUNT] = { 0 };
	struct idset set = { 0 };
	struct ct_conn **victims = NULL;
	size_t nv = 0;

	if (backend_drops(c, drops) || drops[SMIW_DROP_RING_CONN] == c->conn_drops_swept)
		return;
	ring_buffer__consume(c->rb);
	if (backend_each_conn(c, idset_add, &set) || set.oom)
		goto out;
	qsort(set.ids, set.n, sizeof(*set.ids), u64_cmp);
	victims = calloc(c->conns.n + 1, sizeof(*victims));
	if (!victims)
		goto out;
	for (size_t b = 0; b < c->conns.nbuckets; b++)
		for (struct ct_conn *k = c->conns.buckets[b]; k; k = k->next)
			if (!bsearch(&k->info.id, set.ids, set.n, sizeof(*set.ids), u64_cmp))
				victims[nv++] = k;
	for (size_t i = 0; i < nv; i++) {
		c->counters.gaps++;
		victims[i]->as.gaps++;
		capture_end_conn(c, victims[i], "gap", NULL);
	}
	c->conn_drops_swept = drops[SMIW_DROP_RING_CONN];
out:
	free(victims);
	free(set.ids);
}

/*
 * The cgroup backend's periodic work: holes held longer than REASM_HOLD_NS
 * are given up (once a second), and listeners outside the watched cgroups
 * are looked for (every 5 s; also after every change of what is watched).
 */
static void cgroup_backend_tick(struct capture *c)
{
	if (c->now_ns >= c->next_expire_ns) {
		uint64_t before = c->now_ns - REASM_HOLD_NS;

		for (size_t b = 0; b < c->conns.nbuckets; b++)
			for (struct ct_conn *k = c->conns.buckets[b]; k; k = k->next)
				if (reasm_holding(&k->rs)) {
					struct reasm_cfg rc = capture_reasm_cfg(c, k);

					reasm_expire(&k->rs, &rc, before);
				}
		c->next_expire_ns = c->now_ns + 1000000000ull;
	}
	if (c->now_ns >= c->next_scan_ns) {
		skb_scan_listeners(c);
		c->next_scan_ns = c->now_ns + 5000000000ull;
	}
}

/*
 * The thread that drains the ring runs as SCHED_BATCH: with its fair share
 * of the CPU, as before, but its wakeups no longer preempt the task on the
 * CPU. Every drain is a burst of a millisecond or two; preempting wrk or the
 * app for it cost the watched workload more than the agent's CPU time (the
 * sample app under wrk kept 0.910 of its throughput against 0.891, in 20
 * alternated rounds: docs/benchmarks.md). Nothing is lost by waiting: the
 * ring holds far more than a time slice of records. Unprivileged, and only
 * this thread's; a refusal (a seccomp filter, say) changes nothing else.
 */
static void poll_as_batch(struct capture *c)
{
	struct sched_param sp = { 0 };

	c->batch_tried = true;
	if (sched_getscheduler(0) == SCHED_OTHER && sched_setscheduler(0, SCHED_BATCH, &sp))
		pr_debug("capture: the polling thread stays SCHED_OTHER: %s", strerror(errno));
}

int capture_poll(struct capture *c, int timeout_ms)
{
	int t = timeout_ms < 0 || (unsigned int)timeout_ms > c->drain_ms ? (int)c->drain_ms : timeout_ms;
	int n, m;

	if (!c->batch_tried)
		poll_as_batch(c);

	/*
	 * Records are submitted without waking us: epoll returns only when the
	 * kernel forced a wakeup (ring past its threshold) or after t ms, and
	 * the consume below drains whatever is there either way.
	 */
	n = ring_buffer__poll(c->rb, t);
	if (n < 0 && n != -EINTR)
		return n;
	c->now_ns = mono_ns();
	m = ring_buffer__consume(c->rb);
	if (m < 0)
		return m;
	c->now_ns = mono_ns();
	if (c->now_ns >= c->next_sweep_ns) {
		sweep(c);
		c->next_sweep_ns = mono_ns() + 5000000000ull;
	}
	if (c->backend == CAPTURE_CGROUP)
		cgroup_backend_tick(c);
	return n < 0 ? n : n + m;
}

void capture_stats(struct capture *c, struct capture_stats *st)
{
	uint64_t drops[SMIW_DROP__COUNT] = { 0 };

	memset(st, 0, sizeof(*st));
	st->ts_ns = mono_ns();
	backend_drops(c, drops);
	for (int i = 0; i < SMIW_DROP__COUNT; i++) {
		st->kernel_drops_by[i] = drops[i];
		st->kernel_drops += drops[i];
	}
	st->user_drops = c->counters.user_drops + c->rcounters.user_drops;
	st->gaps = c->counters.gaps;
	st->unparsed_bytes = c->counters.unparsed_bytes;
	st->unpaired = c->counters.unpaired;
	st->h2_lost_bytes = c->counters.h2_lost_bytes;
	st->events = c->events;
	st->exchanges = c->counters.exchanges;
	st->conns = c->conns_total;
	st->conns_open = c->conns.n;
	st->listeners_outside = c->outside.n;
}

void capture_finish(struct capture *c)
{
	struct ct_conn *k;

	if (c->rb)
		ring_buffer__consume(c->rb);
	while ((k = ct_any(&c->conns)))
		capture_end_conn(c, k, "capture-ended", NULL);
}

const char *capture_tag(const struct capture *c)
{
	return c->tag;
}

unsigned int capture_snaplen(const struct capture *c)
{
	return c->sl ? c->sl->snaplen : c->ld ? c->ld->snaplen : 0;
}

int capture_prog_ids(const struct capture *c, uint32_t *ids, int max)
{
	if (c->sl)
		return skb_loader_prog_ids(c->sl, ids, max);
	return c->ld ? loader_prog_ids(c->ld, ids, max) : 0;
}

int capture_check_maps(struct capture *c)
{
	uint64_t drops[SMIW_DROP__COUNT];
	int r = backend_drops(c, drops), w = 0;

	/* Cgroup id 0 is never watched: removing it writes nothing, and ENOENT means allowed. */
	if (c->ld)
		w = loader_watch(c->ld, 0, false);
	/* The cgroup backend runs release_slots when it stops watching a cgroup: once, on no ids (frees none). */
	if (c->sl)
		w = skb_loader_release_slots(c->sl, NULL, 0);
	return r ? r : w == -ENOENT ? 0 : w;
}

void capture_close(struct capture *c)
{
	struct ct_conn *k;

	if (!c)
		return;
	ring_buffer__free(c->rb);
	loader_close(c->ld);
	skb_loader_close(c->sl);
	skb_watch_free(c);
	if (c->conns.buckets) {
		while ((k = ct_any(&c->conns))) {
			ct_remove(&c->conns, k);
			asm_free(&k->as);
			reasm_free(&k->rs);
			free(k);
		}
	}
	ct_fini(&c->conns);
	asm_pool_free(&c->pool);
	free(c);
}
