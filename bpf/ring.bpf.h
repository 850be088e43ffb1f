/*
 * ring.bpf.h - what both capture programs hand to user space the same way:
 * the record ring, the per-CPU drop counters (read by the loaders as
 * "events" and "drops", see loader_sum_percpu) and the load-time knobs both
 * loaders set by these names. Each program keeps its own wakeup policy: they
 * differ on purpose.
 */
#ifndef SMIW_RING_BPF_H
#define SMIW_RING_BPF_H

/* Load-time knobs (rodata), set by the loader before load. */
const volatile __u32 snaplen = SMIW_SNAPLEN_DEFAULT;
const volatile __u64 wakeup_bytes = SMIW_RING_DEFAULT / 4;

/* The loader sizes the ring (max_entries) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SMIW_RING_DEFAULT);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SMIW_DROP__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Counts one record that could not be written, by why (enum smiw_drop). */
static __always_inline void count_drop(__u32 kind)
{
	__u64 *v = bpf_map_lookup_elem(&drops, &kind);

	if (v)
		*v += 1;
}

#endif
