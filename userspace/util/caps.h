/*
 * caps.h - Linux capabilities of the calling thread: read, limit, name.
 *
 * Capability sets belong to threads, not processes: every thread that must
 * give up a capability calls caps_limit() itself, and threads created later
 * inherit the creator's sets.
 */
#ifndef SMIW_UTIL_CAPS_H
#define SMIW_UTIL_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAPS_BIT(cap) (1ULL << (cap))

/* The sets of the calling thread. */
struct caps {
	uint64_t effective, permitted, inheritable;
};

/* Reads the calling thread's sets. Returns 0 or -errno. */
int caps_get(struct caps *c);

/* Sets effective and permitted (inheritable cleared). Returns 0 or -errno. */
int caps_set(uint64_t effective, uint64_t permitted);

/* Highest capability number the kernel knows (/proc/sys/kernel/cap_last_cap), at least 31. */
int caps_last(void);

/* True when the running kernel knows capability `cap` (e.g. CAP_BPF needs 5.8). */
bool caps_known(int cap);

/*
 * Keeps only `keep` (and only what is permitted now): drops everything else
 * from the bounding set (as far as CAP_SETPCAP allows: then exec cannot
 * bring a capability back, not even to uid 0), clears the ambient and
 * inheritable sets and sets effective = permitted = keep. Returns 0 or
 * -errno from capset.
 */
int caps_limit(uint64_t keep);

/*
 * Runs fn(arg) with an empty effective set (permitted kept, so the sets
 * are restored afterwards) and returns what fn returned: a measurement of
 * what works without any capability.
 */
int caps_without(int (*fn)(void *arg), void *arg);

/* "CAP_BPF CAP_PERFMON" for a mask, "none" for 0. Returns buf. */
const char *caps_format(uint64_t mask, char *buf, size_t len);

#endif
