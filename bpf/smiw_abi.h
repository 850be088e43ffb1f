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

/* ---- capture.bpf.c: connections and socket data of watched cgroups ---- */

/*
 * Bytes of payload copied per syscall. The default holds the whole head of
 * nearly every real HTTP/1.x message (browsers send 0.5-2 KiB, meshes add a
 * few hundred bytes of headers, common server limits are 8 KiB) and a few
 * small pipelined requests read at once; bytes beyond it are counted, not
 * copied, so bodies cost nothing but their byte count.
 */
#define SMIW_SNAPLEN_DEFAULT	4096
#define SMIW_SNAPLEN_MIN	64
#define SMIW_SNAPLEN_MAX	16384		/* power of two: used as a mask bound */
#define SMIW_IOV_MAX		8		/* iovec segments copied from per syscall */
#define SMIW_RING_DEFAULT	(16u << 20)	/* ring buffer bytes */
#define SMIW_CONNS_MAX		65536		/* connections tracked at once */
#define SMIW_WATCHED_MAX	4096		/* watched cgroups */
/*
 * The watched-cgroup filter's fast table (a global array the loader fills):
 * slot id % SMIW_WATCH_SLOTS holds the one watched id that maps there, 0,
 * or SMIW_WATCH_SHARED when several do (then the watched_cgroups hash decides).
 */
#define SMIW_WATCH_SLOTS	8192
#define SMIW_WATCH_SHARED	(~0ULL)

/* First byte of every ring-buffer record. */
enum smiw_event_type {
	SMIW_EV_DATA = 1,	/* struct smiw_data_event: bytes moved by one syscall */
	SMIW_EV_OPEN,		/* struct smiw_conn_event: connection first seen */
	SMIW_EV_FD_CLOSE,	/* the last descriptor of the socket was closed */
	SMIW_EV_TCP_CLOSE,	/* TCP state reached CLOSE (err = sk_err, oldstate) */
	SMIW_EV_RESET,		/* RST received (err 0) or sent (err 1) */
	SMIW_EV_END,		/* socket destroyed: the connection id is retired */
	SMIW_EV_SKB,		/* struct smiw_skb_event: payload of one TCP segment (cgroup backend) */
	SMIW_EV_PROC,		/* the process sending on a connection (cgroup backend: pid, tgid, comm) */
};

/* Direction of a data event, seen from the observed process. */
enum smiw_dir {
	SMIW_DIR_SEND = 0,
	SMIW_DIR_RECV = 1,
};

enum smiw_role {
	SMIW_ROLE_UNKNOWN = 0,	/* socket already open when capture started */
	SMIW_ROLE_CLIENT,	/* this process called connect() */
	SMIW_ROLE_SERVER,	/* this process got it from accept() */
};

/* Which syscall moved the bytes (for diagnostics and the record's `syscall`). */
enum smiw_syscall {
	SMIW_SYS_READ = 0,
	SMIW_SYS_WRITE,
	SMIW_SYS_READV,
	SMIW_SYS_WRITEV,
	SMIW_SYS_RECVFROM,
	SMIW_SYS_SENDTO,
	SMIW_SYS_RECVMSG,
	SMIW_SYS_SENDMSG,
	SMIW_SYS_SENDFILE,	/* counted only: the bytes come from a file */
	SMIW_SYS__COUNT,
};

/* smiw_data_event.flags */
#define SMIW_DATA_EOF		0x1	/* a receive returned 0: the peer closed its side */

/* smiw_conn_event.flags */
#define SMIW_CONN_LATE		0x1	/* first seen mid-stream (opened before capture) */
#define SMIW_CONN_SUPERSEDED	0x2	/* END because the socket was reused by a new connect */
#define SMIW_CONN_OFF32		0x4	/* END: bytes[] are stream offsets modulo 2^32 (cgroup backend) */

/* Per-CPU counters of everything the kernel side had to give up on. */
enum smiw_drop {
	SMIW_DROP_RING_DATA = 0,	/* data event lost: ring buffer full */
	SMIW_DROP_RING_CONN,		/* connection event lost: ring buffer full */
	SMIW_DROP_PENDING_FULL,		/* syscall arguments could not be saved */
	SMIW_DROP_CONNS_FULL,		/* connection table full: socket not tracked */
	SMIW_DROP__COUNT,
};

/*
 * Value of the `conns` map (key: struct sock address). Userspace reads the
 * map only to find connections whose END record was lost.
 */
struct smiw_conn {
	__u64 id;
	__u64 off[2];		/* bytes so far per direction (enum smiw_dir) */
	__u64 ino;		/* socket inode number: generation check */
};

/* Bytes moved by one syscall on a tracked socket, followed by cap_len bytes. */
struct smiw_data_event {
	__u8 type;		/* SMIW_EV_DATA */
	__u8 dir;		/* enum smiw_dir */
	__u8 syscall;		/* enum smiw_syscall */
	__u8 flags;		/* SMIW_DATA_* */
	__u32 cap_len;		/* payload bytes that follow (<= snaplen) */
	__u64 conn_id;
	__u64 off;		/* stream offset of the first byte, this direction */
	__u64 len;		/* bytes the syscall moved (>= cap_len) */
	__u64 enter_ns;		/* syscall entry (sends only; 0 for receives) */
	__u64 exit_ns;		/* syscall exit */
	__u32 tgid;
	__u32 pid;
	/* cap_len payload bytes follow the header */
};

/* Connection lifecycle; which fields are set depends on type (see docs/capture.md). */
struct smiw_conn_event {
	__u8 type;		/* SMIW_EV_OPEN .. SMIW_EV_END */
	__u8 role;		/* enum smiw_role (OPEN) */
	__u8 family;		/* AF_INET or AF_INET6 (OPEN) */
	__u8 flags;		/* SMIW_CONN_* */
	__s32 err;		/* OPEN: connect() result; TCP_CLOSE: sk_err; RESET: 0 rx, 1 tx */
	__u64 conn_id;
	__u64 ts_ns;
	__u64 cgroup_id;
	__u64 netns;		/* network namespace inode */
	__u64 bytes[2];		/* END: stream length per direction (enum smiw_dir) */
	__u32 tgid;
	__u32 pid;
	__u32 oldstate;		/* TCP_CLOSE: state before CLOSE */
	__u16 sport;		/* local port, host order */
	__u16 dport;		/* peer port, host order */
	__u8 saddr[16];		/* local address (IPv4 in the first 4 bytes) */
	__u8 daddr[16];		/* peer address */
	char comm[16];
};

/* ---- capture_skb.bpf.c: the cgroup backend (cgroup_skb + sockops) ---- */

/* smiw_skb_event.flags: TCP flags of the segment that matter to a stream. */
#define SMIW_SKB_FIN		0x1	/* the direction ends after this segment's payload */
#define SMIW_SKB_RST		0x2

/*
 * One TCP segment with payload (or a FIN) on a socket of a watched cgroup,
 * seen by cgroup_skb ingress (dir RECV) or egress (dir SEND); followed by
 * cap_len payload bytes. Ingress segments are whole GRO super-packets,
 * egress ones whole GSO/TSO super-packets; egress retransmissions are left
 * out in the kernel, ingress duplicates and overlaps in userspace.
 */
struct smiw_skb_event {
	__u8 type;		/* SMIW_EV_SKB */
	__u8 dir;		/* enum smiw_dir, seen from the socket's owner */
	__u8 flags;		/* SMIW_SKB_* */
	__u8 pad;
	__u32 cap_len;		/* payload bytes that follow (<= snaplen) */
	__u64 conn_id;
	__u64 ts_ns;		/* when the segment passed the hook */
	__u32 off;		/* stream offset of its first payload byte, modulo 2^32 */
	__u32 len;		/* payload bytes of the segment (>= cap_len) */
	__u32 tgid;		/* the sending thread when the program ran in its context, else 0 */
	__u32 pid;
	/* cap_len payload bytes follow the header */
};

/* Per-socket state of the cgroup backend (socket local storage). */
struct smiw_skb_conn {
	__u64 id;
	__u32 base[2];		/* sequence number of stream offset 0, per direction */
	__u32 end[2];		/* highest stream end offset seen, per direction (modulo 2^32) */
	__u8 known[2];		/* base[] set */
	__u8 role;		/* enum smiw_role */
	__u8 flags;		/* SMIW_SKC_* */
	__u32 slot;		/* where id is listed for the sweep (conn_slots) */
};

#define SMIW_SKC_PROC		0x1	/* the sending process has been reported (SMIW_EV_PROC) */
#define SMIW_SKC_LATE		0x2	/* first seen mid-stream */
#define SMIW_SKC_FIN_SENT	0x4	/* a FIN left: another one is a retransmission */
#define SMIW_SKC_FIN_RECV	0x8	/* a FIN arrived */
#define SMIW_SKC_STATE_CB	0x10	/* sockops reports this socket's CLOSE (else FINs and RST end it) */

/* Cgroups the listener scan counts as watched: attachment roots, at most this many. */
#define SMIW_ATTACHED_MAX	4096
/* Ancestor levels the listener scan climbs from a cgroup to find an attachment root. */
#define SMIW_CGROUP_DEPTH	16

/*
 * A listening TCP socket held by a process of a watched cgroup while the
 * socket itself belongs to a cgroup no program is attached to (created
 * before the process joined, inherited, or passed): connections accepted
 * from it are not captured. Written by the listener scan (iter/task_file).
 */
struct smiw_listener {
	__u64 sock_cgroup;	/* the socket's cgroup v2 id */
	__u64 task_cgroup;	/* the holding process's cgroup v2 id */
	__u64 ino;		/* socket inode: one socket held by several processes is one listener */
	__u32 tgid;
	__u32 fd;
	__u16 family;
	__u16 port;		/* local port, host order */
	__u32 pad;
	char comm[16];
};

/*
 * Connection ids handed to the cgroup backend's release_slots program per
 * run: a raw tracepoint's context holds at most 12 u64 arguments, the first
 * is the count.
 */
#define SMIW_RELEASE_MAX	11

#endif /* SMIW_ABI_H */
