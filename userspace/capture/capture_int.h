/* capture_int.h - the capture's internals, shared by capture.c, events.c and the cgroup backend's files. */
#ifndef SMIW_CAPTURE_INT_H
#define SMIW_CAPTURE_INT_H

#include "capture/assemble.h"
#include "capture/capture.h"
#include "capture/conntrack.h"
#include "capture/loader.h"
#include "capture/reasm.h"
#include "capture/skb_loader.h"

/* Connections followed at once before new ones are dropped (counted). */
#define CAPTURE_CONNS_MAX (1u << 20)

/* A cgroup the caller asked the cgroup backend to watch (skb_watch.c). */
struct skb_want {
	char *path;
	uint64_t id;
	bool from_inventory;		/* replaced whenever the inventory is watched again */
};

/* Listening sockets found outside the watched cgroups, by socket inode (reported once each). */
struct skb_outside {
	uint64_t *ino;
	size_t n, cap;
};

struct capture {
	int backend;			/* CAPTURE_SYSCALLS or CAPTURE_CGROUP, once open */
	char backend_reason[160];	/* why auto did not take the cgroup backend; "" otherwise */
	struct loader *ld;		/* the syscall backend */
	struct skb_loader *sl;		/* the cgroup backend */
	struct ring_buffer *rb;
	struct capture_opts o;
	char tag[12];
	struct conntable conns;
	struct asm_pool pool;
	struct asm_counters counters;
	struct asm_cfg acfg;
	char resp_names[CAP_RESP_NAMES_MAX][64];	/* capture_opts.response_headers, copied */
	const char *resp_name_ptrs[CAP_RESP_NAMES_MAX];
	unsigned n_resp_names;
	struct reasm_counters rcounters;
	uint64_t events;
	uint64_t conns_total;
	unsigned int drain_ms;
	uint64_t now_ns;		/* CLOCK_MONOTONIC at the last poll */
	uint64_t next_sweep_ns;		/* when to look for connections whose END was lost */
	uint64_t conn_drops_swept;	/* ring drops of connection records already accounted for */
	uint64_t next_expire_ns;	/* cgroup backend: when to give up holes held too long */
	uint64_t next_scan_ns;		/* cgroup backend: when to look for listeners outside */
	bool batch_tried;		/* the polling thread asked for SCHED_BATCH (capture_poll) */
	struct skb_want *want;		/* cgroup backend: what the caller watches */
	size_t nwant, capwant;
	struct skb_outside outside;
};

/* libbpf ring-buffer callback: one record of the syscall backend. Always returns 0. */
int capture_on_record(void *ctx, void *data, size_t len);

/* libbpf ring-buffer callback: one record of the cgroup backend. Always returns 0. */
int capture_on_skb_record(void *ctx, void *data, size_t len);

/* A lifecycle record (OPEN, FD_CLOSE, TCP_CLOSE, RESET, END) of either backend. */
void capture_conn_event(struct capture *c, const struct smiw_conn_event *e);

/* The connection with kernel id `id`, created when new; NULL when the table is full (counted). */
struct ct_conn *capture_conn_get(struct capture *c, uint64_t id);

/* Ends connection k: pending exchanges out (as `reason`), its record to the sink, k freed. */
void capture_end_conn(struct capture *c, struct ct_conn *k, const char *reason, const uint64_t *final_bytes);

/* The assembler's emit callback: attaches the connection and hands x to the sink. */
void capture_on_exchange(void *ctx, const struct assembler *a, struct cap_exchange *x);

/* The reassembly callbacks for connection k. */
struct reasm_cfg capture_reasm_cfg(struct capture *c, struct ct_conn *k);

/* ---- the cgroup backend's watched set (skb_watch.c) ---- */

/* Watches cgroup directory `path` (the programs go to the topmost cgroups asked for). Returns 0 or -errno. */
int skb_watch_path(struct capture *c, const char *path);

/* Watches the cgroup with v2 id `id`, found by walking the hierarchy. Returns 0 or -errno. */
int skb_watch_id(struct capture *c, uint64_t id);

/*
 * Watches exactly the inventory's pods (a Kubernetes container's pod-level
 * cgroup): pods new since the last call are attached, pods gone are
 * detached and their connections end. Returns how many pods are watched,
 * or -errno.
 */
int skb_watch_inventory(struct capture *c);

/*
 * The inventory pod for a cgroup the inventory does not list (a container
 * started or restarted since it was written): the pod whose cgroup is
 * attached above it. NULL when none is.
 */
const struct inv_pod *skb_pod_of_cgroup(struct capture *c, uint64_t id);

/* Runs the listener scan; new findings are warned about once. */
void skb_scan_listeners(struct capture *c);

/* Frees the watched set (the loader detaches). */
void skb_watch_free(struct capture *c);

#endif
