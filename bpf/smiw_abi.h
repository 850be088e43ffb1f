/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * smiw_abi.h - the one ABI between smi-witness kernel programs and userspace.
 *
 * Types, limits and enums only: both sides include this file, so a change
 * here rebuilds the BPF objects, their skeletons and every userspace file
 * that includes it.
 */
#ifndef SMIW_ABI_H
#define SMIW_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* ---- probe.bpf.c: the capability probes run by `smi-witness doctor` ---- */

/* Which probe program counted a hit (index into the `hits` array map). */
enum probe_kind {
	PROBE_SYSCALL_TP = 0,	/* tp/syscalls/sys_enter_getppid */
	PROBE_SOCK_TP,		/* tp/sock/inet_sock_set_state */
	PROBE_TP_BTF,		/* tp_btf/sys_enter */
	PROBE_RAW_TP,		/* raw_tp/sys_enter */
	PROBE_KPROBE,		/* kprobe on the getppid syscall */
	PROBE_FENTRY,		/* fentry on the getppid syscall */
	PROBE_UPROBE,		/* uprobe on a function of our own binary */
	PROBE_TC,		/* TC classifier on a private loopback */
	PROBE__COUNT,
};

/* Emitted by the syscall probe for watched cgroups only. */
struct probe_event {
	__u64 cgroup_id;
	__u64 ts_ns;
	__u32 tgid;
	__u32 pid;
	char comm[16];
};

#endif /* SMIW_ABI_H */
