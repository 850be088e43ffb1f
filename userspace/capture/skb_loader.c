/* skb_loader.c - see skb_loader.h */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture_skb.skel.h"
#include "capture/skb_loader.h"
#include "util/array.h"
#include "util/kernfs.h"
#include "util/log.h"

static int apply_knobs(struct skb_loader *l, const struct loader_opts *o, bool quiet)
{
	int err = loader_knobs(o, &l->snaplen, &l->ring_bytes, &l->ncpus);

	if (err)
		return err;
	err = bpf_map__set_max_entries(l->skel->maps.events, l->ring_bytes);
	if (err) {
		if (!quiet)
			error_errno(err, "capture: cannot size the ring buffer");
		return err;
	}
	l->skel->rodata->snaplen = l->snaplen;
	/* Wake the consumer early only when a quarter of the ring is waiting. */
	l->skel->rodata->wakeup_bytes = l->ring_bytes / 4;
	return 0;
}

int skb_loader_open(const struct loader_opts *o, bool quiet, struct skb_loader **out)
{
	struct skb_loader *l = calloc(1, sizeof(*l));
	int err;

	*out = NULL;
	if (!l)
		return -ENOMEM;
	err = cgroup2_mount_point(l->cg2, sizeof(l->cg2));
	if (err) {
		if (!quiet)
			error("capture: no cgroup v2 hierarchy is mounted: the cgroup backend attaches to its cgroups");
		goto fail;
	}
	l->skel = capture_skb_bpf__open();
	if (!l->skel) {
		err = -errno;
		if (!quiet)
			error_errno(err, "capture: cannot open the cgroup backend's BPF object");
		goto fail;
	}
	err = apply_knobs(l, o, quiet);
	if (err)
		goto fail;
	err = capture_skb_bpf__load(l->skel);
	if (err) {
		if (!quiet)
			error_errno(err, "capture: cannot load the cgroup_skb / sockops programs "
				    "(run with -v for the verifier log)");
		goto fail;
	}
	*out = l;
	return 0;
fail:
	skb_loader_close(l);
	return err;
}

int skb_loader_probe_attach(struct skb_loader *l)
{
	int fd = open(l->cg2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct bpf_link *link;
	int err;

	if (fd < 0)
		return -errno;
	link = bpf_program__attach_cgroup(l->skel->progs.skb_attach_probe, fd);
	err = link ? 0 : -errno;
	bpf_link__destroy(link);
	close(fd);
	return err;
}

int skb_loader_attach(struct skb_loader *l, const char *path, uint64_t id)
{
	/* sockops first: a connection established meanwhile then starts with its OPEN, not late. */
	struct bpf_program *progs[SKB_LINKS] = {
		l->skel->progs.skb_sockops, l->skel->progs.skb_ingress, l->skel->progs.skb_egress,
	};
	struct skb_attachment a = { .id = id };
	__u64 key = id;
	__u8 one = 1;
	int fd, err = 0;

	if (array_reserve(&l->att, &l->capatt, l->natt, sizeof(*l->att), 16))
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (int i = 0; i < SKB_LINKS && !err; i++) {
		a.links[i] = bpf_program__attach_cgroup(progs[i], fd);
		if (!a.links[i])
			err = -errno;
	}
	close(fd);
	if (!err && bpf_map__update_elem(l->skel->maps.attached, &key, sizeof(key), &one, sizeof(one), BPF_ANY))
		err = -errno;
	if (!err && !(a.path = strdup(path)))
		err = -ENOMEM;
	if (err) {
		for (int i = 0; i < SKB_LINKS; i++)
			bpf_link__destroy(a.links[i]);
		bpf_map__delete_elem(l->skel->maps.attached, &key, sizeof(key), 0);
		return err;
	}
	l->att[l->natt++] = a;
	return 0;
}

void skb_loader_detach(struct skb_loader *l, size_t i)
{
	struct skb_attachment *a = &l->att[i];
	__u64 key = a->id;

	for (int k = 0; k < SKB_LINKS; k++)
		bpf_link__destroy(a->links[k]);
	bpf_map__delete_elem(l->skel->maps.attached, &key, sizeof(key), 0);
	free(a->path);
	memmove(a, a + 1, (l->natt - i - 1) * sizeof(*a));
	l->natt--;
}

int skb_loader_ring_fd(const struct skb_loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

int skb_loader_drops(const struct skb_loader *l, uint64_t out[SMIW_DROP__COUNT])
{
	return loader_sum_percpu(l->skel->maps.drops, l->ncpus, out, SMIW_DROP__COUNT);
}

int skb_loader_each_conn(const struct skb_loader *l, void (*fn)(void *ctx, uint64_t id), void *ctx)
{
	enum { CHUNK = 4096 };
	int fd = bpf_map__fd(l->skel->maps.conn_slots);
	__u32 keys[CHUNK], batch = 0, *in = NULL;
	__u64 ids[CHUNK];

	/* A few batch lookups per sweep: the array is read while the programs claim and free slots. */
	for (;;) {
		__u32 n = CHUNK;
		int err = bpf_map_lookup_batch(fd, in, &batch, keys, ids, &n, NULL) ? -errno : 0;

		if (err && err != -ENOENT)
			return err;
		for (__u32 i = 0; i < n; i++)
			if (ids[i])
				fn(ctx, ids[i]);
		if (err == -ENOENT)
			return 0;
		in = &batch;
	}
}

int skb_loader_release_slots(const struct skb_loader *l, const uint64_t *ids, size_t n)
{
	int fd = bpf_program__fd(l->skel->progs.release_slots), freed = 0;
	size_t at = 0;

	/* At least one run: with n 0, whether the program may be run at all (the privilege check). */
	do {
		uint64_t args[1 + SMIW_RELEASE_MAX] = { n - at < SMIW_RELEASE_MAX ? n - at : SMIW_RELEASE_MAX };
		LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = args, .ctx_size_in = sizeof(args));

		if (args[0])
			memcpy(args + 1, ids + at, args[0] * sizeof(*ids));
		if (bpf_prog_test_run_opts(fd, &run))
			return -errno;
		freed += (int)run.retval;
		at += SMIW_RELEASE_MAX;
	} while (at < n);
	return freed;
}

int skb_loader_scan_listeners(const struct skb_loader *l,
			      void (*fn)(void *ctx, const struct smiw_listener *li), void *ctx)
{
	struct bpf_link *link = bpf_program__attach_iter(l->skel->progs.scan_listeners, NULL);
	struct smiw_listener li;
	size_t got = 0;
	int fd, n = 0;
	ssize_t r;

	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		n = -errno;
		bpf_link__destroy(link);
		return n;
	}
	/* Records are whole structs; a read may end inside one. */
	while ((r = read(fd, (char *)&li + got, sizeof(li) - got)) > 0) {
		got += r;
		if (got < sizeof(li))
			continue;
		fn(ctx, &li);
		got = 0;
		n++;
	}
	if (r < 0)
		n = -errno;
	close(fd);
	bpf_link__destroy(link);
	return n;
}

int skb_loader_prog_ids(const struct skb_loader *l, uint32_t *ids, int max)
{
	/* The probe, the listener scan and the slot release run on demand: not part of the capture. */
	const struct bpf_program *skip[] = {
		l->skel->progs.skb_attach_probe, l->skel->progs.scan_listeners, l->skel->progs.release_slots,
	};

	return loader_obj_prog_ids(l->skel->obj, skip, (int)(sizeof(skip) / sizeof(skip[0])), ids, max);
}

void skb_loader_close(struct skb_loader *l)
{
	if (!l)
		return;
	while (l->natt)
		skb_loader_detach(l, l->natt - 1);
	free(l->att);
	capture_skb_bpf__destroy(l->skel);
	free(l);
}
