// SPDX-License-Identifier: GPL-2.0
/*
 * capture.bpf.c - TCP connections and socket payload of watched cgroups.
 *
 * Only tracepoints: syscall exits (and the entries of sends, for their
 * time) for the bytes a process moves, sock/inet_sock_set_state and the tcp
 * tracepoints for what happens to a socket outside any syscall (refused
 * connects, resets, destruction). docs/capture.md has the whole design.
 *
 * Identity. A connection is keyed in the kernel by its struct sock address
 * and gets a 64-bit id from a counter that only grows, so a descriptor number
 * or a socket address reused later always gets a new id. The entry is
 * retired when the socket is destroyed (tcp/tcp_destroy_sock), the exact
 * moment the address may be reused; kernels without that tracepoint retire
 * it at TCP CLOSE and tell a reused address apart by the inode number.
 *
 * Cost. Programs on syscalls check the watched-cgroup map (or, on a send's
 * exit, the per-thread slot that only watched threads have) before anything
 * else. Records are written with BPF_RB_NO_WAKEUP: the consumer drains on a
 * short timer and is woken only when the ring is filling up, because a wakeup
 * per record costs far more than the copying.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "smiw_abi.h"
#include "ring.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET		2
#define AF_INET6	10
#define SOCK_STREAM	1
#define S_IFMT		00170000
#define S_IFSOCK	0140000
#define MSG_PEEK	0x2
#define MSG_TRUNC	0x20

/* More load-time knobs (rodata) beside those of ring.bpf.h. */
/* Kernels without tcp/tcp_destroy_sock: retire connections at TCP_CLOSE instead. */
const volatile bool end_at_tcp_close = false;

__u64 next_conn_id = 0;

/* The watched cgroups, direct-mapped (smiw_abi.h: SMIW_WATCH_SLOTS); written by the loader. */
__u64 watched_fast[SMIW_WATCH_SLOTS];

/* What a syscall's entry saved for its exit, per thread. */
struct pending {
	__u64 buf;	/* buffer, iovec array, or connect()'s sockaddr */
	__u64 enter_ns;
	__u64 sk;	/* connect(): the socket */
	__s32 nr;	/* syscall number: the exit must be the same call's */
	__u32 fd;
	__u32 iovcnt;
	__u8 dir;
	__u8 sys;
	__u8 iov;	/* buf is an iovec array */
	__u8 fresh;	/* connect(): this call started a new connection */
	__u8 active;	/* set by the entry, cleared by the exit */
};

/* Per-CPU staging area for a data record: header, then payload. */
struct scratch {
	struct smiw_data_event hdr;
	/* Twice the maximum so an iovec segment at any offset below the maximum fits. */
	__u8 data[2 * SMIW_SNAPLEN_MAX];
};

struct sock_ref {
	struct file *file;
	struct inode *inode;
	struct sock *sk;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SMIW_WATCHED_MAX);
	__type(key, __u64);	/* cgroup v2 id */
	__type(value, __u8);
} watched_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SMIW_CONNS_MAX);
	__type(key, __u64);	/* struct sock address */
	__type(value, struct smiw_conn);
} conns SEC(".maps");

/* Per-thread: saved by a syscall's entry for its exit (no hash update per syscall). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending SEC(".maps");

/* One slot per possible CPU (the loader sets max_entries): larger than a per-CPU map allows. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* A read-only cast of a kernel pointer for direct loads (6.2+; absent: NULL, older paths taken). */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/* Before 6.13 the file reference count was a plain counter. */
struct file___pre613 {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

/*
 * What bpf_get_current_cgroup_id() returns (the cgroup v2 id), read through
 * the BTF task pointer: about 30 ns less than the helper on the
 * development VM, on every hooked syscall of every process.
 */
static __always_inline __u64 current_cgroup_id(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return task->cgroups->dfl_cgrp->kn->id;
}

/*
 * Runs on every hooked syscall of every process on the node, so it must be
 * cheap for the unwatched: one load from the direct-mapped table answers
 * exactly, unless two watched cgroups share the slot (then the hash does).
 */
static __always_inline bool watched(void)
{
	__u64 cg = current_cgroup_id();
	__u64 v = watched_fast[cg & (SMIW_WATCH_SLOTS - 1)];

	if (v == cg)
		return cg != 0;
	if (v != SMIW_WATCH_SHARED)
		return false;
	return bpf_map_lookup_elem(&watched_cgroups, &cg) != NULL;
}

static __always_inline __u64 wake_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* A file's f_inode and private_data (neighbours) with one read when they are close. */
static __always_inline bool file_fields(struct file *file, struct inode **inode, struct socket **sock)
{
	__u32 oi = bpf_core_field_offset(struct file, f_inode);
	__u32 op = bpf_core_field_offset(struct file, private_data);
	__u32 lo = oi < op ? oi : op, hi = oi < op ? op : oi;
	__u8 win[64];

	if (hi - lo + 8 > sizeof(win)) {
		*inode = BPF_CORE_READ(file, f_inode);
		*sock = BPF_CORE_READ(file, private_data);
		return true;
	}
	if (bpf_probe_read_kernel(win, hi - lo + 8, (void *)file + lo))
		return false;
	*inode = *(struct inode **)(win + (oi - lo));
	*sock = *(struct socket **)(win + (op - lo));
	return true;
}

/*
 * Fills r with the socket behind descriptor fd of the current task; false if
 * it is no socket. Hot path: the task and fd table through the BTF task
 * pointer (plain loads), one read for the descriptor's file. From the file
 * on, kernels with bpf_rdonly_cast (6.2+) read the fields with direct
 * loads (a read-only cast of the file pointer): about 90 ns less per data
 * syscall than the helper reads that older kernels still take.
 */
static __always_inline bool socket_of_fd(__u32 fd, struct sock_ref *r)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file **fds, *file = NULL;
	struct socket *sock;
	struct inode *inode;

	if (!fdt || fd >= fdt->max_fds)
		return false;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return false;
	if (bpf_rdonly_cast) {
		struct file *f = bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));

		inode = f->f_inode;
		if (!inode || (f->f_inode->i_mode & S_IFMT) != S_IFSOCK)
			return false;
		sock = bpf_rdonly_cast(f->private_data, bpf_core_type_id_kernel(struct socket));
		r->sk = sock->sk;
	} else if (!file_fields(file, &inode, &sock) || (BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFSOCK) {
		return false;
	} else {
		r->sk = BPF_CORE_READ(sock, sk);
	}
	r->file = file;
	r->inode = inode;
	return r->sk != NULL;
}

/* True for IPv4/IPv6 TCP sockets: checked once, when a connection is first seen. */
static __always_inline bool sk_is_tcp(struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	return (family == AF_INET || family == AF_INET6) && BPF_CORE_READ(sk, sk_type) == SOCK_STREAM &&
	       BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP;
}

static __always_inline bool tcp_sock_of_fd(__u32 fd, struct sock_ref *r)
{
	return socket_of_fd(fd, r) && sk_is_tcp(r->sk);
}

static __always_inline __u64 ino_of(const struct sock_ref *r)
{
	struct inode *inode = r->inode;

	return BPF_CORE_READ(inode, i_ino);
}

/*
 * The entry for r's sock belongs to r's socket. With tcp_destroy_sock an
 * entry lives exactly as long as its sock, so the address says it all;
 * without it the inode number tells a reused address apart.
 */
static __always_inline bool conn_matches(const struct smiw_conn *c, const struct sock_ref *r)
{
	return !end_at_tcp_close || c->ino == ino_of(r);
}

/* True when the descriptor being closed holds the file's last reference. */
static __always_inline bool file_last_ref(struct file *f)
{
	if (bpf_core_field_exists(f->f_ref))
		return BPF_CORE_READ(f, f_ref.refcnt.counter) == 0;	/* file_ref_t counts from -1 */
	return BPF_CORE_READ((struct file___pre613 *)f, f_count.counter) == 1;
}

/* Reserves a lifecycle record for c with the fields every type carries; NULL (counted) when full. */
static __always_inline struct smiw_conn_event *conn_event(__u8 type, const struct smiw_conn *c, __u8 flags,
							  __s32 err)
{
	struct smiw_conn_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		count_drop(SMIW_DROP_RING_CONN);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->flags = flags;
	e->err = err;
	e->conn_id = c->id;
	e->ts_ns = bpf_ktime_get_ns();
	e->tgid = id >> 32;
	e->pid = (__u32)id;
	return e;
}

/* Emits a lifecycle record carrying ids, time, byte counts (plus err/oldstate). */
static __always_inline void emit_conn_simple(__u8 type, const struct smiw_conn *c, __s32 err, __u32 oldstate,
					     __u8 flags)
{
	struct smiw_conn_event *e = conn_event(type, c, flags, err);

	if (!e)
		return;
	e->oldstate = oldstate;
	e->bytes[0] = c->off[0];
	e->bytes[1] = c->off[1];
	bpf_ringbuf_submit(e, wake_flags());
}

/* Reads a user sockaddr_in/in6 into the peer fields of e. */
static __always_inline void peer_from_user(struct smiw_conn_event *e, __u64 uaddr)
{
	struct sockaddr_in6 sa = {};

	if (!uaddr || bpf_probe_read_user(&sa, sizeof(sa), (void *)uaddr))
		return;
	e->dport = bpf_ntohs(sa.sin6_port);
	if (sa.sin6_family == AF_INET)
		__builtin_memcpy(e->daddr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
	else if (sa.sin6_family == AF_INET6)
		__builtin_memcpy(e->daddr, &sa.sin6_addr, 16);
}

/* Emits OPEN for c with the socket's addresses; uaddr (connect's argument) names the peer when set. */
static __always_inline void emit_open(struct sock *sk, const struct smiw_conn *c, __u8 role, __u8 flags,
				      __s32 err, __u64 uaddr)
{
	struct smiw_conn_event *e = conn_event(SMIW_EV_OPEN, c, flags, err);

	if (!e)
		return;
	e->role = role;
	e->cgroup_id = current_cgroup_id();
	e->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (e->family == AF_INET) {
		bpf_core_read(e->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(e->daddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(e->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(e->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	if (uaddr)
		peer_from_user(e, uaddr);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, wake_flags());
}

/*
 * Starts a new connection on sk with a fresh id. An entry still there for
 * the same address is retired first (END, superseded), so its id is never
 * continued by another connection. Returns the entry or NULL (table full).
 */
static __always_inline struct smiw_conn *conn_start(struct sock *sk, __u64 ino)
{
	struct smiw_conn *old = bpf_map_lookup_elem(&conns, &sk);
	struct smiw_conn c = { .ino = ino };

	if (old)
		emit_conn_simple(SMIW_EV_END, old, 0, 0, SMIW_CONN_SUPERSEDED);
	c.id = __sync_fetch_and_add(&next_conn_id, 1) + 1;
	if (bpf_map_update_elem(&conns, &sk, &c, BPF_ANY)) {
		count_drop(SMIW_DROP_CONNS_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&conns, &sk);
}

/* Copies the first bytes the syscall moved (at most snaplen) into s->data; returns how many. */
static __always_inline __u32 copy_payload(struct scratch *s, const struct pending *p, __u64 moved)
{
	__u64 want = moved < snaplen ? moved : snaplen;
	__u64 copied = 0;

	if (want > SMIW_SNAPLEN_MAX)
		want = SMIW_SNAPLEN_MAX;
	if (!p->iov)
		return bpf_probe_read_user(s->data, want, (void *)p->buf) ? 0 : want;
	for (int i = 0; i < SMIW_IOV_MAX; i++) {
		struct iovec iov;
		__u64 seg;

		if ((__u32)i >= p->iovcnt || copied >= want)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(p->buf + i * sizeof(iov))))
			break;
		seg = iov.iov_len < want - copied ? iov.iov_len : want - copied;
		if (seg > SMIW_SNAPLEN_MAX || copied >= SMIW_SNAPLEN_MAX)
			break;
		if (bpf_probe_read_user(s->data + copied, seg, iov.iov_base))
			break;
		copied += seg;
	}
	return copied;
}

/* The header every data record starts with. */
static __always_inline void data_header(struct smiw_data_event *h, const struct pending *p, __u64 conn_id,
					__u64 off, long moved)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->type = SMIW_EV_DATA;
	h->dir = p->dir;
	h->syscall = p->sys;
	h->flags = moved == 0 ? SMIW_DATA_EOF : 0;
	h->conn_id = conn_id;
	h->off = off;
	h->len = moved;
	h->enter_ns = p->enter_ns;
	h->exit_ns = bpf_ktime_get_ns();
	h->tgid = id >> 32;
	h->pid = (__u32)id;
}

/*
 * A record of a plain buffer whose copied part fits `cap` bytes, reserved in
 * the ring at that fixed size and filled in place: no staging copy. The
 * record's unused tail is ring space spent to save the copy; userspace reads
 * cap_len. Returns false when the ring is full (counted).
 */
#define EMIT_IN_PLACE(cap)								\
static __always_inline bool emit_in_place_##cap(const struct pending *p, __u64 conn_id, __u64 off,	\
						 long moved, __u64 want)			\
{											\
	struct {									\
		struct smiw_data_event hdr;						\
		__u8 data[cap];								\
	} *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);				\
											\
	if (!e) {									\
		count_drop(SMIW_DROP_RING_DATA);					\
		return false;								\
	}										\
	data_header(&e->hdr, p, conn_id, off, moved);					\
	want &= 2 * cap - 1;								\
	e->hdr.cap_len = want <= cap && p->buf && !bpf_probe_read_user(e->data, want <= cap ? want : 0, \
								(void *)p->buf) ? want : 0; \
	bpf_ringbuf_submit(e, wake_flags());						\
	return true;									\
}
EMIT_IN_PLACE(256)
EMIT_IN_PLACE(1024)

static __always_inline void emit_data(const struct pending *p, __u64 conn_id, __u64 off, long moved)
{
	__u64 want = moved < snaplen ? moved : snaplen;
	__u32 cpu, cap = 0;
	struct scratch *s;

	/* Most heads are short: written in place. */
	if (!p->iov && want <= 256) {
		emit_in_place_256(p, conn_id, off, moved, want);
		return;
	}
	if (!p->iov && want <= 1024) {
		emit_in_place_1024(p, conn_id, off, moved, want);
		return;
	}
	cpu = bpf_get_smp_processor_id();
	s = bpf_map_lookup_elem(&scratch, &cpu);
	if (!s) {
		count_drop(SMIW_DROP_RING_DATA);
		return;
	}
	data_header(&s->hdr, p, conn_id, off, moved);
	if (moved > 0 && p->buf)
		cap = copy_payload(s, p, moved);
	if (cap > SMIW_SNAPLEN_MAX)
		cap = SMIW_SNAPLEN_MAX;
	s->hdr.cap_len = cap;
	if (bpf_ringbuf_output(&events, s, sizeof(s->hdr) + cap, wake_flags()))
		count_drop(SMIW_DROP_RING_DATA);
}

/* ---- data syscalls: one body, thin entry points ---- */

/* This thread's slot for saved arguments (created on first use), or NULL. */
static __always_inline struct pending *pending_slot(bool create)
{
	return bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* The slot the entry of syscall nr filled, now claimed by its exit; NULL if none. */
static __always_inline struct pending *pending_claim(int nr)
{
	struct pending *p = pending_slot(false);

	if (!p || !p->active || p->nr != nr)
		return NULL;
	p->active = 0;
	return p;
}

static __always_inline int data_enter(int nr, __u64 fd, __u64 buf, __u64 iovcnt, __u8 iov, __u8 dir,
				      __u8 sys)
{
	struct pending *p;

	if (!watched())
		return 0;
	p = pending_slot(true);
	if (!p) {
		count_drop(SMIW_DROP_PENDING_FULL);
		return 0;
	}
	p->buf = buf;
	p->enter_ns = bpf_ktime_get_ns();
	p->nr = nr;
	p->fd = fd;
	p->iovcnt = iovcnt;
	p->iov = iov;
	p->dir = dir;
	p->sys = sys;
	p->active = 1;
	return 0;
}

/* The shared body: bytes moved by one syscall described by p. */
static __always_inline int data_done(const struct pending *p, long ret)
{
	struct sock_ref r;
	struct smiw_conn *c;
	__u64 off;

	/* Failed calls move nothing; a receive of 0 is the peer's FIN. */
	if (ret < 0 || (ret == 0 && p->dir != SMIW_DIR_RECV))
		return 0;
	if (!socket_of_fd(p->fd, &r))
		return 0;
	c = bpf_map_lookup_elem(&conns, &r.sk);
	if (!c || !conn_matches(c, &r)) {
		if (ret == 0 || !sk_is_tcp(r.sk))
			return 0;
		c = conn_start(r.sk, ino_of(&r));
		if (!c)
			return 0;
		emit_open(r.sk, c, SMIW_ROLE_UNKNOWN, SMIW_CONN_LATE, 0, 0);
	}
	off = __sync_fetch_and_add(&c->off[p->dir & 1], ret);
	emit_data(p, c->id, off, ret);
	return 0;
}

/* Sends: the entry saved the arguments and the time the first byte was handed over. */
static __always_inline int send_exit(int nr, long ret)
{
	struct pending *pp = pending_claim(nr);
	struct pending p;

	if (!pp)
		return 0;
	p = *pp;
	return data_done(&p, ret);
}

enum recv_args {
	RECV_PLAIN,	/* read(fd, buf, n) */
	RECV_FROM,	/* recvfrom(fd, buf, n, flags, ...) */
	RECV_IOV,	/* readv(fd, iov, iovcnt) */
	RECV_MSG,	/* recvmsg(fd, msghdr, flags) */
	RECV_COUNT,	/* bytes counted, nothing to copy */
};

/*
 * Receives need no entry program: the bytes are in place at exit, which is
 * the time they reached the process, and the arguments are still in the
 * task's saved user registers. Failed calls (EAGAIN) leave at once.
 */
static __always_inline int recv_exit(long ret, enum recv_args kind, __u8 sys)
{
	struct pending p = { .dir = SMIW_DIR_RECV, .sys = sys };
	struct user_msghdr m = {};
	struct pt_regs *regs;

	if (ret < 0 || !watched())
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	p.fd = PT_REGS_PARM1_SYSCALL(regs);
	p.buf = PT_REGS_PARM2_SYSCALL(regs);
	if (kind == RECV_FROM || kind == RECV_MSG) {
		__u64 flags = kind == RECV_FROM ? PT_REGS_PARM4_SYSCALL(regs) : PT_REGS_PARM3_SYSCALL(regs);

		/* A peek leaves the bytes for the next receive: they are counted then. */
		if (flags & MSG_PEEK)
			return 0;
		/* TCP discards the bytes instead of copying them: count, do not read. */
		if (flags & MSG_TRUNC)
			kind = RECV_COUNT;
	}
	if (kind == RECV_COUNT) {
		p.buf = 0;
	} else if (kind == RECV_IOV) {
		p.iovcnt = PT_REGS_PARM3_SYSCALL(regs);
		p.iov = 1;
	} else if (kind == RECV_MSG) {
		if (bpf_probe_read_user(&m, sizeof(m), (void *)p.buf))
			m.msg_iov = NULL;
		p.buf = (__u64)m.msg_iov;
		p.iovcnt = m.msg_iovlen;
		p.iov = 1;
	}
	return data_done(&p, ret);
}

/* The tracepoints record the syscall number as an int: the upper half of ctx->id is padding. */
#define ENTER_SEND(name, sys, buf, iovcnt, iov)					\
SEC("tp/syscalls/sys_enter_" #name)						\
int enter_##name(struct trace_event_raw_sys_enter *ctx)			\
{										\
	return data_enter((int)ctx->id, ctx->args[0], buf, iovcnt, iov, SMIW_DIR_SEND, sys); \
}										\
SEC("tp/syscalls/sys_exit_" #name)						\
int exit_##name(struct trace_event_raw_sys_exit *ctx)			\
{										\
	return send_exit((int)ctx->id, ctx->ret);				\
}
#define EXIT_RECV(name, kind, sys)						\
SEC("tp/syscalls/sys_exit_" #name)						\
int exit_##name(struct trace_event_raw_sys_exit *ctx)			\
{										\
	return recv_exit(ctx->ret, kind, sys);					\
}

ENTER_SEND(write, SMIW_SYS_WRITE, ctx->args[1], 0, 0)
ENTER_SEND(writev, SMIW_SYS_WRITEV, ctx->args[1], ctx->args[2], 1)
ENTER_SEND(sendto, SMIW_SYS_SENDTO, ctx->args[1], 0, 0)
/* sendfile(out_fd, in_fd, ...): counted so stream offsets stay exact; the bytes come from a file. */
ENTER_SEND(sendfile64, SMIW_SYS_SENDFILE, 0, 0, 0)

/* sendmsg: the iovec array is inside the user's msghdr. */
SEC("tp/syscalls/sys_enter_sendmsg")
int enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct user_msghdr m = {};

	if (!watched())
		return 0;
	if (bpf_probe_read_user(&m, sizeof(m), (void *)ctx->args[1]))
		m.msg_iov = NULL;
	return data_enter((int)ctx->id, ctx->args[0], (__u64)m.msg_iov, m.msg_iovlen, 1, SMIW_DIR_SEND,
			  SMIW_SYS_SENDMSG);
}

SEC("tp/syscalls/sys_exit_sendmsg")
int exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	return send_exit((int)ctx->id, ctx->ret);
}

EXIT_RECV(read, RECV_PLAIN, SMIW_SYS_READ)
EXIT_RECV(readv, RECV_IOV, SMIW_SYS_READV)
EXIT_RECV(recvfrom, RECV_FROM, SMIW_SYS_RECVFROM)
EXIT_RECV(recvmsg, RECV_MSG, SMIW_SYS_RECVMSG)

/* ---- connection lifecycle ---- */

SEC("tp/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	struct sock_ref r;
	struct pending *p;
	struct sock *sk;
	struct smiw_conn *c;
	bool fresh = false;

	if (!watched() || !tcp_sock_of_fd(ctx->args[0], &r))
		return 0;
	/*
	 * The entry must exist before the SYN leaves: a refusal can move the
	 * socket to CLOSE inside this very call. A repeated connect() on a
	 * socket still connecting or connected continues the same connection.
	 */
	sk = r.sk;
	c = bpf_map_lookup_elem(&conns, &sk);
	if (!c || !conn_matches(c, &r) || BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_CLOSE) {
		if (!conn_start(sk, ino_of(&r)))
			return 0;
		fresh = true;
	}
	p = pending_slot(true);
	if (!p) {
		count_drop(SMIW_DROP_PENDING_FULL);
		return 0;
	}
	p->buf = ctx->args[1];
	p->sk = (__u64)sk;
	p->nr = (int)ctx->id;
	p->fresh = fresh;
	p->active = 1;
	return 0;
}

SEC("tp/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	struct pending *pp = pending_claim((int)ctx->id);
	struct sock *sk;
	struct smiw_conn *c;

	if (!pp)
		return 0;
	sk = (struct sock *)pp->sk;
	c = pp->fresh ? bpf_map_lookup_elem(&conns, &sk) : NULL;
	if (c)
		emit_open(sk, c, SMIW_ROLE_CLIENT, 0, ctx->ret, pp->buf);
	return 0;
}

static __always_inline int accept_exit(long ret)
{
	struct sock_ref r;
	struct smiw_conn *c;

	if (ret < 0 || !watched() || !tcp_sock_of_fd(ret, &r))
		return 0;
	c = conn_start(r.sk, ino_of(&r));
	if (c)
		emit_open(r.sk, c, SMIW_ROLE_SERVER, 0, 0, 0);
	return 0;
}

SEC("tp/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx->ret);
}

SEC("tp/syscalls/sys_exit_accept")
int exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx->ret);
}

SEC("tp/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx)
{
	struct sock_ref r;
	struct smiw_conn *c;

	if (!watched() || !socket_of_fd(ctx->args[0], &r))
		return 0;
	c = bpf_map_lookup_elem(&conns, &r.sk);
	if (c && conn_matches(c, &r) && file_last_ref(r.file))
		emit_conn_simple(SMIW_EV_FD_CLOSE, c, 0, 0, 0);
	return 0;
}

/* Runs in any context (often softirq): the socket, not the current task, decides. */
SEC("tp/sock/inet_sock_set_state")
int on_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct sock *sk = (struct sock *)ctx->skaddr;
	struct smiw_conn *c;

	if (ctx->newstate != TCP_CLOSE || ctx->protocol != IPPROTO_TCP)
		return 0;
	c = bpf_map_lookup_elem(&conns, &sk);
	if (!c)
		return 0;
	emit_conn_simple(SMIW_EV_TCP_CLOSE, c, BPF_CORE_READ(sk, sk_err), ctx->oldstate, 0);
	if (end_at_tcp_close) {
		emit_conn_simple(SMIW_EV_END, c, 0, 0, 0);
		bpf_map_delete_elem(&conns, &sk);
	}
	return 0;
}

static __always_inline int on_reset(const void *skaddr, __s32 sent)
{
	struct sock *sk = (struct sock *)skaddr;
	struct smiw_conn *c;

	if (!sk)
		return 0;
	c = bpf_map_lookup_elem(&conns, &sk);
	if (c)
		emit_conn_simple(SMIW_EV_RESET, c, sent, 0, 0);
	return 0;
}

SEC("tp/tcp/tcp_receive_reset")
int on_receive_reset(struct trace_event_raw_tcp_event_sk *ctx)
{
	return on_reset(ctx->skaddr, 0);
}

SEC("tp/tcp/tcp_send_reset")
int on_send_reset(struct trace_event_raw_tcp_send_reset *ctx)
{
	return on_reset(ctx->skaddr, 1);
}

SEC("tp/tcp/tcp_destroy_sock")
int on_destroy(struct trace_event_raw_tcp_event_sk *ctx)
{
	struct sock *sk = (struct sock *)ctx->skaddr;
	struct smiw_conn *c = bpf_map_lookup_elem(&conns, &sk);

	if (!c)
		return 0;
	emit_conn_simple(SMIW_EV_END, c, 0, 0, 0);
	bpf_map_delete_elem(&conns, &sk);
	return 0;
}
