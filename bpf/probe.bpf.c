// SPDX-License-Identifier: GPL-2.0
/*
 * probe.bpf.c - tiny programs, one per kernel hook type smi-witness may use.
 *
 * `smi-witness doctor` loads this object once per hook with only that
 * program enabled, attaches it, triggers it and reads the hit counter, so a
 * feature is reported available only when a program really ran there.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "smiw_abi.h"

char LICENSE[] SEC("license") = "GPL";

/* Count hits only from this process (0 = from anyone). */
const volatile __u32 target_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PROBE__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);	/* cgroup v2 id */
	__type(value, __u8);
} watched_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline void count_hit(__u32 kind)
{
	__u64 *v;

	if (target_tgid && (bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return;
	v = bpf_map_lookup_elem(&hits, &kind);
	if (v)
		__sync_fetch_and_add(v, 1);
}

/* The watched-cgroup check comes first: unwatched callers leave at once. */
SEC("tp/syscalls/sys_enter_getppid")
int probe_syscall_tp(void *ctx)
{
	__u64 cg = bpf_get_current_cgroup_id();
	__u64 id = bpf_get_current_pid_tgid();
	struct probe_event *e;

	if (!bpf_map_lookup_elem(&watched_cgroups, &cg))
		return 0;
	count_hit(PROBE_SYSCALL_TP);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->cgroup_id = cg;
	e->ts_ns = bpf_ktime_get_ns();
	e->tgid = id >> 32;
	e->pid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/sock/inet_sock_set_state")
int probe_sock_tp(void *ctx)
{
	count_hit(PROBE_SOCK_TP);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(probe_tp_btf, struct pt_regs *regs, long id)
{
	count_hit(PROBE_TP_BTF);
	return 0;
}

SEC("raw_tp/sys_enter")
int probe_raw_tp(void *ctx)
{
	count_hit(PROBE_RAW_TP);
	return 0;
}

SEC("kprobe/__x64_sys_getppid")
int probe_kprobe(void *ctx)
{
	count_hit(PROBE_KPROBE);
	return 0;
}

SEC("fentry/__x64_sys_getppid")
int BPF_PROG(probe_fentry)
{
	count_hit(PROBE_FENTRY);
	return 0;
}

/* Attached by doctor to a function of its own binary. */
SEC("uprobe")
int probe_uprobe(void *ctx)
{
	count_hit(PROBE_UPROBE);
	return 0;
}

SEC("tc")
int probe_tc(struct __sk_buff *skb)
{
	count_hit(PROBE_TC);
	return 0; /* TC_ACT_OK */
}
