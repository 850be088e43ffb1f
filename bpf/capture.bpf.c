// SPDX-License-Identifier: GPL-2.0
/*
 * capture.bpf.c - TCP connections and socket payload of watched cgroups.
 *
 * Only tracepoints: syscall enter/exit pairs for the bytes a process moves,
 * sock/inet_sock_set_state and the tcp tracepoints for what happens to the socket outside
 * any syscall (refused connects, resets, destruction).
 *
 * Identity. A connection is keyed in the kernel by its struct sock address
 * and gets a 64-bit id from a counter that only grows, so a descriptor number
 * or a socket address reused later always gets a new id. The socket inode
 * number is stored with the entry as a generation check: a socket address
 * freed and reused while its END was somehow missed is still told apart.
 * The entry is retired when the socket is destroyed (tcp/tcp_destroy_sock),
 * which is the exact moment the address may be reused.
 *
 * Cost. Programs on syscalls check the watched-cgroup map (or, on exit, the
 * map of saved arguments, which holds watched threads only) before anything
 * else. Records are written with BPF_RB_NO_WAKEUP: the consumer drains on a
 * short timer and is woken only when the ring is filling up, because a wakeup
 * per record costs far more than the copying.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "smiw_abi.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET		2
#define AF_INET6	10
#define SOCK_STREAM	1
#define S_IFMT		00170000
#define S_IFSOCK	0140000

/* Load-time knobs (rodata), set by the loader before load. */
const volatile __u32 snaplen = SMIW_SNAPLEN_DEFAULT;
const volatile __u64 wakeup_bytes = SMIW_RING_DEFAULT / 4;
/* Kernels without tcp/tcp_destroy_sock: retire connections at TCP_CLOSE instead. */
const volatile bool end_at_tcp_close = false;

__u64 next_conn_id = 0;

struct conn {
	__u64 id;
	__u64 off[2];	/* bytes so far per direction (enum smiw_dir) */
	__u64 ino;	/* socket inode number: generation check */
};

/* What a syscall's entry saved for its exit, per thread. */
struct pending {
	__u64 buf;	/* buffer, iovec array, or connect()'s sockaddr */
	__u64 enter_ns;
	__u64 sk;	/* connect(): the socket */
	__u32 fd;
	__u32 iovcnt;
	__u8 dir;
	__u8 sys;
	__u8 iov;	/* buf is an iovec array */
	__u8 fresh;	/* connect(): this call started a new connection */
};

/* Per-CPU staging area for a data record: header, then payload. */
struct scratch {
	struct smiw_data_event hdr;
	/* Twice the maximum so an iovec segment at any offset below the maximum fits. */
	__u8 data[2 * SMIW_SNAPLEN_MAX];
};

struct sock_ref {
	struct file *file;
	struct sock *sk;
	__u64 ino;
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
	__type(value, struct conn);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SMIW_PENDING_MAX);
	__type(key, __u64);	/* pid_tgid */
	__type(value, struct pending);
} pending SEC(".maps");

/* One slot per possible CPU (the loader sets max_entries): larger than a per-CPU map allows. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

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

/* Before 6.13 the file reference count was a plain counter. */
struct file___pre613 {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

static __always_inline bool watched(void)
{
	__u64 cg = bpf_get_current_cgroup_id();

	return bpf_map_lookup_elem(&watched_cgroups, &cg) != NULL;
}

static __always_inline void count_drop(__u32 kind)
{
	__u64 *v = bpf_map_lookup_elem(&drops, &kind);

	if (v)
		*v += 1;
}

static __always_inline __u64 wake_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* Fills r with the TCP socket behind descriptor fd of the current task; false if it is none. */
static __always_inline bool tcp_sock_of_fd(__u32 fd, struct sock_ref *r)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;
	struct inode *inode;
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return false;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return false;
	inode = BPF_CORE_READ(file, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFSOCK)
		return false;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return false;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if ((family != AF_INET && family != AF_INET6) ||
	    BPF_CORE_READ(sk, sk_type) != SOCK_STREAM ||
	    BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return false;
	r->file = file;
	r->sk = sk;
	r->ino = BPF_CORE_READ(inode, i_ino);
	return true;
}

/* True when the descriptor being closed holds the file's last reference. */
static __always_inline bool file_last_ref(struct file *f)
{
	if (bpf_core_field_exists(f->f_ref))
		return BPF_CORE_READ(f, f_ref.refcnt.counter) == 0;	/* file_ref_t counts from -1 */
	return BPF_CORE_READ((struct file___pre613 *)f, f_count.counter) == 1;
}

/* Emits a lifecycle record carrying only ids and a time (plus err/oldstate). */
static __always_inline void emit_conn_simple(__u8 type, const struct conn *c, __s32 err, __u32 oldstate,
					     __u8 flags)
{
	struct smiw_conn_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		count_drop(SMIW_DROP_RING_CONN);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->flags = flags;
	e->err = err;
	e->conn_id = c->id;
	e->ts_ns = bpf_ktime_get_ns();
	e->oldstate = oldstate;
	e->tgid = id >> 32;
	e->pid = (__u32)id;
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
static __always_inline void emit_open(struct sock *sk, const struct conn *c, __u8 role, __u8 flags,
				      __s32 err, __u64 uaddr)
{
	struct smiw_conn_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		count_drop(SMIW_DROP_RING_CONN);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = SMIW_EV_OPEN;
	e->role = role;
	e->flags = flags;
	e->err = err;
	e->conn_id = c->id;
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	e->tgid = id >> 32;
	e->pid = (__u32)id;
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
static __always_inline struct conn *conn_start(struct sock *sk, __u64 ino)
{
	struct conn *old = bpf_map_lookup_elem(&conns, &sk);
	struct conn c = { .ino = ino };

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

static __always_inline void emit_data(const struct pending *p, __u64 conn_id, __u64 off, long moved)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &cpu);
	__u64 id = bpf_get_current_pid_tgid();
	__u32 cap = 0;

	if (!s) {
		count_drop(SMIW_DROP_RING_DATA);
		return;
	}
	s->hdr.type = SMIW_EV_DATA;
	s->hdr.dir = p->dir;
	s->hdr.syscall = p->sys;
	s->hdr.flags = moved == 0 ? SMIW_DATA_EOF : 0;
	s->hdr.conn_id = conn_id;
	s->hdr.off = off;
	s->hdr.len = moved;
	s->hdr.enter_ns = p->enter_ns;
	s->hdr.exit_ns = bpf_ktime_get_ns();
	s->hdr.tgid = id >> 32;
	s->hdr.pid = (__u32)id;
	if (moved > 0 && p->buf)
		cap = copy_payload(s, p, moved);
	if (cap > SMIW_SNAPLEN_MAX)
		cap = SMIW_SNAPLEN_MAX;
	s->hdr.cap_len = cap;
	if (bpf_ringbuf_output(&events, s, sizeof(s->hdr) + cap, wake_flags()))
		count_drop(SMIW_DROP_RING_DATA);
}

/* ---- data syscalls: one body, thin entry points ---- */

static __always_inline int data_enter(__u64 fd, __u64 buf, __u64 iovcnt, __u8 iov, __u8 dir, __u8 sys)
{
	struct pending p = {};
	__u64 id;

	if (!watched())
		return 0;
	id = bpf_get_current_pid_tgid();
	p.buf = buf;
	p.enter_ns = bpf_ktime_get_ns();
	p.fd = fd;
	p.iovcnt = iovcnt;
	p.iov = iov;
	p.dir = dir;
	p.sys = sys;
	if (bpf_map_update_elem(&pending, &id, &p, BPF_ANY))
		count_drop(SMIW_DROP_PENDING_FULL);
	return 0;
}

/* sendmsg/recvmsg: the iovec array is inside the user's msghdr. */
static __always_inline int msg_enter(__u64 fd, __u64 umsg, __u8 dir, __u8 sys)
{
	struct user_msghdr m = {};

	if (!watched())
		return 0;
	if (bpf_probe_read_user(&m, sizeof(m), (void *)umsg))
		return data_enter(fd, 0, 0, 0, dir, sys);
	return data_enter(fd, (__u64)m.msg_iov, m.msg_iovlen, 1, dir, sys);
}

static __always_inline int data_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pending *pp = bpf_map_lookup_elem(&pending, &id);
	struct sock_ref r;
	struct pending p;
	struct conn *c;
	__u64 off;

	if (!pp)
		return 0;
	p = *pp;
	bpf_map_delete_elem(&pending, &id);
	/* Failed calls move nothing; a receive of 0 is the peer's FIN. */
	if (ret < 0 || (ret == 0 && p.dir != SMIW_DIR_RECV))
		return 0;
	if (!tcp_sock_of_fd(p.fd, &r))
		return 0;
	c = bpf_map_lookup_elem(&conns, &r.sk);
	if (!c || c->ino != r.ino) {
		if (ret == 0)
			return 0;
		c = conn_start(r.sk, r.ino);
		if (!c)
			return 0;
		emit_open(r.sk, c, SMIW_ROLE_UNKNOWN, SMIW_CONN_LATE, 0, 0);
	}
	off = __sync_fetch_and_add(&c->off[p.dir & 1], ret);
	emit_data(&p, c->id, off, ret);
	return 0;
}

#define ENTER_PLAIN(name, dir, sys)						\
SEC("tp/syscalls/sys_enter_" #name)						\
int enter_##name(struct trace_event_raw_sys_enter *ctx)			\
{										\
	return data_enter(ctx->args[0], ctx->args[1], 0, 0, dir, sys);	\
}
#define ENTER_IOV(name, dir, sys)						\
SEC("tp/syscalls/sys_enter_" #name)						\
int enter_##name(struct trace_event_raw_sys_enter *ctx)			\
{										\
	return data_enter(ctx->args[0], ctx->args[1], ctx->args[2], 1, dir, sys); \
}
#define ENTER_MSG(name, dir, sys)						\
SEC("tp/syscalls/sys_enter_" #name)						\
int enter_##name(struct trace_event_raw_sys_enter *ctx)			\
{										\
	return msg_enter(ctx->args[0], ctx->args[1], dir, sys);		\
}
#define EXIT_DATA(name)								\
SEC("tp/syscalls/sys_exit_" #name)						\
int exit_##name(struct trace_event_raw_sys_exit *ctx)			\
{										\
	return data_exit(ctx->ret);						\
}

ENTER_PLAIN(read, SMIW_DIR_RECV, SMIW_SYS_READ)
ENTER_PLAIN(write, SMIW_DIR_SEND, SMIW_SYS_WRITE)
ENTER_IOV(readv, SMIW_DIR_RECV, SMIW_SYS_READV)
ENTER_IOV(writev, SMIW_DIR_SEND, SMIW_SYS_WRITEV)
ENTER_PLAIN(recvfrom, SMIW_DIR_RECV, SMIW_SYS_RECVFROM)
ENTER_PLAIN(sendto, SMIW_DIR_SEND, SMIW_SYS_SENDTO)
ENTER_MSG(recvmsg, SMIW_DIR_RECV, SMIW_SYS_RECVMSG)
ENTER_MSG(sendmsg, SMIW_DIR_SEND, SMIW_SYS_SENDMSG)

/* sendfile(out_fd, in_fd, ...): counted so stream offsets stay exact; nothing to copy from user memory. */
SEC("tp/syscalls/sys_enter_sendfile64")
int enter_sendfile64(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], 0, 0, 0, SMIW_DIR_SEND, SMIW_SYS_SENDFILE);
}

EXIT_DATA(read)
EXIT_DATA(write)
EXIT_DATA(readv)
EXIT_DATA(writev)
EXIT_DATA(recvfrom)
EXIT_DATA(sendto)
EXIT_DATA(recvmsg)
EXIT_DATA(sendmsg)
EXIT_DATA(sendfile64)

/* ---- connection lifecycle ---- */

SEC("tp/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	struct pending p = {};
	struct sock_ref r;
	struct sock *sk;
	struct conn *c;
	__u64 id;

	if (!watched() || !tcp_sock_of_fd(ctx->args[0], &r))
		return 0;
	/*
	 * The entry must exist before the SYN leaves: a refusal can move the
	 * socket to CLOSE inside this very call. A repeated connect() on a
	 * socket still connecting or connected continues the same connection.
	 */
	sk = r.sk;
	c = bpf_map_lookup_elem(&conns, &sk);
	if (!c || c->ino != r.ino || BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_CLOSE) {
		if (!conn_start(r.sk, r.ino))
			return 0;
		p.fresh = 1;
	}
	id = bpf_get_current_pid_tgid();
	p.buf = ctx->args[1];
	p.sk = (__u64)r.sk;
	p.enter_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&pending, &id, &p, BPF_ANY))
		count_drop(SMIW_DROP_PENDING_FULL);
	return 0;
}

SEC("tp/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pending *pp = bpf_map_lookup_elem(&pending, &id);
	struct sock *sk;
	struct conn *c;

	if (!pp)
		return 0;
	sk = (struct sock *)pp->sk;
	c = pp->fresh ? bpf_map_lookup_elem(&conns, &sk) : NULL;
	if (c)
		emit_open(sk, c, SMIW_ROLE_CLIENT, 0, ctx->ret, pp->buf);
	bpf_map_delete_elem(&pending, &id);
	return 0;
}

static __always_inline int accept_exit(long ret)
{
	struct sock_ref r;
	struct conn *c;

	if (ret < 0 || !watched() || !tcp_sock_of_fd(ret, &r))
		return 0;
	c = conn_start(r.sk, r.ino);
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
	struct conn *c;

	if (!watched() || !tcp_sock_of_fd(ctx->args[0], &r))
		return 0;
	c = bpf_map_lookup_elem(&conns, &r.sk);
	if (c && c->ino == r.ino && file_last_ref(r.file))
		emit_conn_simple(SMIW_EV_FD_CLOSE, c, 0, 0, 0);
	return 0;
}

/* Runs in any context (often softirq): the socket, not the current task, decides. */
SEC("tp/sock/inet_sock_set_state")
int on_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct sock *sk = (struct sock *)ctx->skaddr;
	struct conn *c;

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
	struct conn *c;

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
	struct conn *c = bpf_map_lookup_elem(&conns, &sk);

	if (!c)
		return 0;
	emit_conn_simple(SMIW_EV_END, c, 0, 0, 0);
	bpf_map_delete_elem(&conns, &sk);
	return 0;
}
