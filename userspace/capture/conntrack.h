/* conntrack.h - the connections of a capture, keyed by the kernel's connection id. */
#ifndef SMIW_CAPTURE_CONNTRACK_H
#define SMIW_CAPTURE_CONNTRACK_H

#include <stddef.h>
#include <stdint.h>

#include "capture/assemble.h"
#include "capture/capture.h"
#include "capture/reasm.h"

struct ct_conn {
	struct cap_conn info;
	struct assembler as;
	struct reasm rs;		/* cgroup backend: segments put in stream order */
	struct ct_conn *next;		/* hash chain */
};

struct conntable {
	struct ct_conn **buckets;
	size_t nbuckets, n, max;
};

/* Prepares an empty table holding at most max connections. Returns 0 or -ENOMEM. */
int ct_init(struct conntable *t, size_t max);

/* Returns the connection with kernel id `id`, or NULL. */
struct ct_conn *ct_find(const struct conntable *t, uint64_t id);

/*
 * Adds a zeroed connection with id `id` (which must not be present). Returns
 * it, or NULL when the table is full or memory ran out.
 */
struct ct_conn *ct_insert(struct conntable *t, uint64_t id);

/* Unlinks c (the caller frees it). */
void ct_remove(struct conntable *t, struct ct_conn *c);

/* Returns any connection (still linked), or NULL when the table is empty. */
struct ct_conn *ct_any(const struct conntable *t);

/* Frees the table itself (connections must have been removed). */
void ct_fini(struct conntable *t);

#endif
