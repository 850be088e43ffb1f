/* loader.h - the capture BPF object: open, knobs, load, attach, watch, drops. */
#ifndef SMIW_CAPTURE_LOADER_H
#define SMIW_CAPTURE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smiw_abi.h"

struct bpf_map;
struct bpf_object;
struct bpf_program;

struct capture_bpf;

struct loader_opts {
	unsigned int snaplen;	/* 0 = SMIW_SNAPLEN_DEFAULT */
	size_t ring_bytes;	/* 0 = SMIW_RING_DEFAULT; a power of two >= page size */
};

/* What the loader found missing and worked around (for the meta record and logs). */
struct loader_features {
	bool destroy_tp;	/* tcp/tcp_destroy_sock: exact end of a socket */
	bool reset_tps;		/* tcp/tcp_receive_reset and tcp/tcp_send_reset */
	bool sendfile_tp;	/* sendfile bytes counted */
	bool tracefs_mounted;	/* the loader had to mount tracefs */
};

struct loader {
	struct capture_bpf *skel;
	struct loader_features feat;
	unsigned int snaplen;
	size_t ring_bytes;
	int ncpus;
};

/*
 * Opens the capture object, applies the knobs, loads and attaches every
 * program the kernel supports (mounting tracefs when needed). On success
 * *out is owned by the caller (loader_close). Returns 0 or -errno, with the
 * reason logged.
 */
int loader_open(const struct loader_opts *o, struct loader **out);

/*
 * The knobs both capture backends share: snaplen and ring size from o (0 =
 * the defaults) checked against their bounds, and the possible CPU count.
 * Returns 0, or -ERANGE / -EINVAL / -errno with the reason logged.
 */
int loader_knobs(const struct loader_opts *o, unsigned int *snaplen, size_t *ring_bytes, int *ncpus);

/*
 * Sums the per-CPU values of keys 0..n-1 of a per-CPU array map into out[]
 * (ncpus: the possible CPU count). Shared by both backends' drop counters.
 * Returns 0 or -errno (out[] valid up to the failing key).
 */
int loader_sum_percpu(const struct bpf_map *map, int ncpus, uint64_t *out, uint32_t n);

/* Adds (watch) or removes a cgroup v2 id from the in-kernel filter. Returns 0 or -errno. */
int loader_watch(struct loader *l, uint64_t cgroup_id, bool watch);

/* File descriptor of the ring buffer map. */
int loader_ring_fd(const struct loader *l);

/* Sums the per-CPU drop counters into out[SMIW_DROP__COUNT]. Returns 0 or -errno. */
int loader_drops(const struct loader *l, uint64_t out[SMIW_DROP__COUNT]);

/*
 * Calls fn for the id of every connection the kernel tracks now. Returns 0
 * or -errno.
 */
int loader_each_conn(const struct loader *l, void (*fn)(void *ctx, uint64_t id), void *ctx);

/*
 * The kernel ids of obj's loaded programs but the nskip in skip[], at most
 * max of them into ids. Returns how many were written.
 */
int loader_obj_prog_ids(const struct bpf_object *obj, const struct bpf_program *const *skip, int nskip,
			uint32_t *ids, int max);

/* Writes the kernel ids of the loaded programs to ids (at most max); returns how many. */
int loader_prog_ids(const struct loader *l, uint32_t *ids, int max);

/* Detaches and frees everything; NULL-safe. */
void loader_close(struct loader *l);

#endif
