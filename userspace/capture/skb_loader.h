/*
 * skb_loader.h - the cgroup backend's BPF object: load, knobs, attach to and
 * detach from cgroups, drops, the list of live connections, the listener scan.
 */
#ifndef SMIW_CAPTURE_SKB_LOADER_H
#define SMIW_CAPTURE_SKB_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/loader.h"
#include "smiw_abi.h"

struct capture_skb_bpf;
struct bpf_link;

/* Programs attached to one cgroup: sockops, ingress, egress. */
#define SKB_LINKS 3

struct skb_attachment {
	char *path;			/* the cgroup directory */
	uint64_t id;			/* its cgroup v2 id */
	struct bpf_link *links[SKB_LINKS];
};

struct skb_loader {
	struct capture_skb_bpf *skel;
	unsigned int snaplen;
	size_t ring_bytes;
	int ncpus;
	char cg2[4096];			/* the cgroup v2 mount point */
	struct skb_attachment *att;
	size_t natt, capatt;
};

/*
 * Opens the object, applies the knobs and loads the programs (nothing is
 * attached yet). On success *out is owned by the caller (skb_loader_close).
 * Returns 0 or -errno; with `quiet` a failure is not logged (auto selection).
 */
int skb_loader_open(const struct loader_opts *o, bool quiet, struct skb_loader **out);

/*
 * Attaches a program that does nothing to the root of the cgroup v2
 * hierarchy and detaches it at once: whether cgroup programs can be
 * attached here, with the capabilities in effect. Returns 0 or -errno.
 */
int skb_loader_probe_attach(struct skb_loader *l);

/*
 * Attaches the three programs to cgroup directory `path` (id `id`) and
 * lists it among the attachment roots. Returns 0 or -errno (nothing stays
 * attached on failure).
 */
int skb_loader_attach(struct skb_loader *l, const char *path, uint64_t id);

/* Detaches attachment i (an index into l->att; later entries move down). */
void skb_loader_detach(struct skb_loader *l, size_t i);

/*
 * Frees the slots of connections ids[0..n) that still hold one: connections
 * whose cgroup's programs were detached while they were open, whose END the
 * kernel will not write (a slot of a connection that did end is not freed
 * twice, nor one taken since). Runs the program once even for n 0 (which
 * frees nothing): the privilege check. Returns how many were freed, or -errno.
 */
int skb_loader_release_slots(const struct skb_loader *l, const uint64_t *ids, size_t n);

/* File descriptor of the ring buffer map. */
int skb_loader_ring_fd(const struct skb_loader *l);

/* Sums the per-CPU drop counters into out[SMIW_DROP__COUNT]. Returns 0 or -errno. */
int skb_loader_drops(const struct skb_loader *l, uint64_t out[SMIW_DROP__COUNT]);

/* Calls fn for the id of every connection the kernel follows now (its slot array). Returns 0 or -errno. */
int skb_loader_each_conn(const struct skb_loader *l, void (*fn)(void *ctx, uint64_t id), void *ctx);

/*
 * Runs the listener scan: fn is called for every listening socket a task of
 * a watched cgroup holds while the socket belongs to an unwatched cgroup.
 * Returns the number found, or -errno.
 */
int skb_loader_scan_listeners(const struct skb_loader *l,
			      void (*fn)(void *ctx, const struct smiw_listener *li), void *ctx);

/* Writes the kernel ids of the loaded programs to ids (at most max); returns how many. */
int skb_loader_prog_ids(const struct skb_loader *l, uint32_t *ids, int max);

/* Detaches and frees everything; NULL-safe. */
void skb_loader_close(struct skb_loader *l);

#endif
