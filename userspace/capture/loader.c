/* loader.c - see loader.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture.skel.h"
#include "capture/loader.h"
#include "util/kernfs.h"
#include "util/log.h"

static bool tracepoint_exists(const char *category, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/events/%s/%s", TRACEFS_PATH, category, name);
	return access(path, F_OK) == 0;
}

/* Disables programs whose tracepoints this kernel lacks; fails only on required ones. */
static int check_tracepoints(struct loader *l)
{
	struct bpf_program *p;
	char cat[64], name[64];

	bpf_object__for_each_program(p, l->skel->obj) {
		const char *sec = bpf_program__section_name(p);

		if (sscanf(sec, "tp/%63[^/]/%63s", cat, name) != 2)
			continue;
		if (tracepoint_exists(cat, name))
			continue;
		if (!strcmp(name, "tcp_destroy_sock") || !strcmp(name, "tcp_receive_reset") ||
		    !strcmp(name, "tcp_send_reset") || !strcmp(name, "sys_enter_sendfile64") ||
		    !strcmp(name, "sys_exit_sendfile64") || !strcmp(name, "sys_exit_accept")) {
			pr_debug("capture: tracepoint %s/%s missing; program %s disabled",
				 cat, name, bpf_program__name(p));
			bpf_program__set_autoload(p, false);
			continue;
		}
		error("capture: required tracepoint %s/%s does not exist on this kernel", cat, name);
		return -ENOENT;
	}
	l->feat.destroy_tp = bpf_program__autoload(l->skel->progs.on_destroy);
	l->feat.reset_tps = bpf_program__autoload(l->skel->progs.on_receive_reset) &&
			    bpf_program__autoload(l->skel->progs.on_send_reset);
	l->feat.sendfile_tp = bpf_program__autoload(l->skel->progs.enter_sendfile64) &&
			      bpf_program__autoload(l->skel->progs.exit_sendfile64);
	if (!l->feat.sendfile_tp) {
		bpf_program__set_autoload(l->skel->progs.enter_sendfile64, false);
		bpf_program__set_autoload(l->skel->progs.exit_sendfile64, false);
	}
	if (!l->feat.destroy_tp)
		pr_warn("capture: no tcp/tcp_destroy_sock tracepoint; connections end at TCP CLOSE");
	if (!l->feat.reset_tps)
		pr_warn("capture: no tcp reset tracepoints; resets are reported only through socket errors");
	return 0;
}

int loader_knobs(const struct loader_opts *o, unsigned int *snaplen, size_t *ring_bytes, int *ncpus)
{
	long page = sysconf(_SC_PAGESIZE);

	*snaplen = o->snaplen ? o->snaplen : SMIW_SNAPLEN_DEFAULT;
	*ring_bytes = o->ring_bytes ? o->ring_bytes : SMIW_RING_DEFAULT;
	if (*snaplen < SMIW_SNAPLEN_MIN || *snaplen > SMIW_SNAPLEN_MAX) {
		error("capture: snaplen %u out of range [%d, %d]", *snaplen, SMIW_SNAPLEN_MIN,
		      SMIW_SNAPLEN_MAX);
		return -ERANGE;
	}
	if (*ring_bytes < (size_t)page || (*ring_bytes & (*ring_bytes - 1))) {
		error("capture: ring buffer size %zu is not a power of two >= %ld", *ring_bytes, page);
		return -EINVAL;
	}
	*ncpus = libbpf_num_possible_cpus();
	if (*ncpus <= 0) {
		error_errno(*ncpus, "capture: cannot count possible CPUs");
		return *ncpus ? *ncpus : -EINVAL;
	}
	return 0;
}

static int apply_knobs(struct loader *l, const struct loader_opts *o)
{
	int err = loader_knobs(o, &l->snaplen, &l->ring_bytes, &l->ncpus);

	if (err)
		return err;
	err = bpf_map__set_max_entries(l->skel->maps.scratch, l->ncpus);
	if (!err)
		err = bpf_map__set_max_entries(l->skel->maps.events, l->ring_bytes);
	if (err) {
		error_errno(err, "capture: cannot size maps");
		return err;
	}
	l->skel->rodata->snaplen = l->snaplen;
	/* Wake the consumer early only when a quarter of the ring is waiting. */
	l->skel->rodata->wakeup_bytes = l->ring_bytes / 4;
	l->skel->rodata->end_at_tcp_close = !l->feat.destroy_tp;
	return 0;
}

int loader_open(const struct loader_opts *o, struct loader **out)
{
	struct loader *l = calloc(1, sizeof(*l));
	int err;

	*out = NULL;
	if (!l)
		return -ENOMEM;
	err = kernfs_ensure_tracefs(&l->feat.tracefs_mounted);
	if (err) {
		error_errno(err, "capture: cannot mount tracefs at '%s'", TRACEFS_PATH);
		goto fail;
	}
	l->skel = capture_bpf__open();
	if (!l->skel) {
		err = -errno;
		error_errno(err, "capture: cannot open the BPF object");
		goto fail;
	}
	err = check_tracepoints(l);
	if (!err)
		err = apply_knobs(l, o);
	if (err)
		goto fail;
	err = capture_bpf__load(l->skel);
	if (err) {
		error_errno(err, "capture: cannot load the BPF programs (run with -v for the verifier log)");
		goto fail;
	}
	err = capture_bpf__attach(l->skel);
	if (err) {
		error_errno(err, "capture: cannot attach the BPF programs");
		goto fail;
	}
	*out = l;
	return 0;
fail:
	loader_close(l);
	return err;
}

/* What slot `slot` of the fast table must hold, from the watched_cgroups hash. */
static __u64 fast_slot(struct loader *l, size_t slot)
{
	int fd = bpf_map__fd(l->skel->maps.watched_cgroups);
	__u64 key, next, *prev = NULL, v = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if ((next & (SMIW_WATCH_SLOTS - 1)) == slot)
			v = v ? SMIW_WATCH_SHARED : next;
		key = next;
		prev = &key;
	}
	return v;
}

int loader_watch(struct loader *l, uint64_t cgroup_id, bool watch)
{
	size_t slot = cgroup_id & (SMIW_WATCH_SLOTS - 1);
	__u64 key = cgroup_id, *fast = l->skel->bss->watched_fast;
	__u8 one = 1;
	int err;

	if (watch)
		err = bpf_map__update_elem(l->skel->maps.watched_cgroups, &key, sizeof(key), &one,
					   sizeof(one), BPF_ANY);
	else
		err = bpf_map__delete_elem(l->skel->maps.watched_cgroups, &key, sizeof(key), 0);
	if (err < 0)
		return -errno;
	/* The hash first: a slot marked shared always finds the full answer there. */
	if (!watch)
		fast[slot] = fast_slot(l, slot);
	else if (fast[slot] && fast[slot] != key)
		fast[slot] = SMIW_WATCH_SHARED;
	else
		fast[slot] = key;
	return 0;
}

int loader_ring_fd(const struct loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

int loader_sum_percpu(const struct bpf_map *map, int ncpus, uint64_t *out, uint32_t n)
{
	__u64 *vals = calloc((size_t)ncpus, sizeof(*vals));
	int err = 0;

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < n; k++) {
		out[k] = 0;
		if (bpf_map__lookup_elem(map, &k, sizeof(k), vals, sizeof(*vals) * (size_t)ncpus, 0)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < ncpus; c++)
			out[k] += vals[c];
	}
	free(vals);
	return err;
}

int loader_drops(const struct loader *l, uint64_t out[SMIW_DROP__COUNT])
{
	return loader_sum_percpu(l->skel->maps.drops, l->ncpus, out, SMIW_DROP__COUNT);
}

int loader_each_conn(const struct loader *l, void (*fn)(void *ctx, uint64_t id), void *ctx)
{
	int fd = bpf_map__fd(l->skel->maps.conns);
	__u64 key, next, *prev = NULL;
	struct smiw_conn v;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &v))
			fn(ctx, v.id);
		key = next;
		prev = &key;
	}
	return errno == ENOENT ? 0 : -errno;
}

int loader_obj_prog_ids(const struct bpf_object *obj, const struct bpf_program *const *skip, int nskip,
			uint32_t *ids, int max)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);
		bool skipped = false;

		for (int i = 0; i < nskip; i++)
			skipped |= p == skip[i];
		if (skipped)
			continue;
		if (n < max && fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			ids[n++] = info.id;
	}
	return n;
}

int loader_prog_ids(const struct loader *l, uint32_t *ids, int max)
{
	return loader_obj_prog_ids(l->skel->obj, NULL, 0, ids, max);
}

void loader_close(struct loader *l)
{
	if (!l)
		return;
	capture_bpf__destroy(l->skel);
	free(l);
}
