// SPDX-License-Identifier: GPL-2.0
/*
 * capture_skb.bpf.c - the cgroup backend: TCP payload and connection
 * lifecycle of the sockets of watched cgroups, with no hook on any syscall.
 *
 * The programs are attached to the cgroups of watched pods only (cgroup
 * programs of a cgroup also run for its descendants), so a socket of any
 * other cgroup never runs one: the node pays nothing for what is not
 * watched. docs/capture.md has the whole design.
 *
 *   cgroup_skb/egress, cgroup_skb/ingress   each TCP segment with payload (or
 *       a FIN or RST) of a socket of the cgroup: its stream offset, length and
 *       first snaplen bytes, one ring record; payload-less segments leave
 *       before anything is looked up.
 *   sockops   a connect() (client: the process is current), an accepted
 *       connection becoming established (server: softirq, no process), and
 *       the socket reaching CLOSE (END, with connect()'s error if it failed).
 *   iter/task_file   on demand: listening sockets held by watched processes
 *       but created in another cgroup (their connections are never seen).
 *
 * A socket belongs to the cgroup of the task that created it, and an
 * accepted socket to its listener's: that, not the process moving the
 * bytes, decides what is captured.
 *
 * Identity and offsets. Socket local storage keeps a 64-bit id from a
 * counter that only grows and, per direction, the sequence number of stream
 * offset 0 (from sockops at establishment; for a connection already open
 * when capture started, the first segment seen). Records carry offsets
 * modulo 2^32; userspace widens them and puts each direction in order.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "smiw_abi.h"
#include "ring.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET		2
#define AF_INET6	10
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define PF_KTHREAD	0x00200000
#define S_IFMT		00170000
#define S_IFSOCK	0140000
/* The smallest kernel stack (x86-64, arm64 without KASAN): a frame inside it is on the task's stack. */
#define TASK_STACK_MIN	16384

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04

/* More load-time knobs (rodata) beside those of ring.bpf.h. */
/* A forced wakeup at most this often: above the fill level every record would force one. */
const volatile __u64 wakeup_gap_ns = 1000000;

__u64 next_conn_id = 0;
__u64 last_wakeup_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct smiw_skb_conn);
} skconn SEC(".maps");

/*
 * The id of every connection the kernel follows, in a slot of conn_slots
 * (0: free), which userspace lists for the sweep that ends connections whose
 * END record the full ring lost. A connection claims a free slot by
 * compare-and-swap, from the one its id hashes to onwards (linear probing),
 * and clears it at END. Hashed, because ids are handed out in order and
 * connections opened together (a client's pool) often stay open together:
 * slot = id mod size would put them side by side, and once the ids came
 * round again every new connection landing in that run of busy slots would
 * probe through it. Twice as many slots as SMIW_CONNS_MAX: with that many
 * connections open the table is half full and probes stay short.
 *
 * It replaces a hash map of live ids, whose entries were allocated and freed
 * one by one: about 1 µs of sockops time per connection (docs/benchmarks.md).
 * A map, not a global array: libbpf maps global data into the agent, whose
 * RSS would carry it.
 */
#define SLOT_BITS	17
#define SLOTS		(1u << SLOT_BITS)
_Static_assert(SLOTS >= 2 * SMIW_CONNS_MAX, "half full at SMIW_CONNS_MAX connections");
/* Slots probed for a new connection before it is given up as conns_full. */
#define SLOT_TRIES	32

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} conn_slots SEC(".maps");

/* Attachment roots (cgroup v2 ids), for the listener scan; written by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SMIW_ATTACHED_MAX);
	__type(key, __u64);
	__type(value, __u8);
} attached SEC(".maps");

/* A segment's TCP facts, from its headers. */
struct seg {
	__u32 seq;
	__u32 hdr_len;	/* IP + TCP headers: the payload starts here */
	__u32 len;	/* payload bytes */
	__u16 sport, dport;	/* host order */
	__u8 flags;	/* TH_* */
};

/*
 * The payload of a segment that completes a handshake (a listener with
 * TCP_DEFER_ACCEPT creates the connection only when data comes, TCP Fast
 * Open data rides the SYN): it passes the ingress hook as the listener's,
 * before the connection exists. It waits here, per CPU, for the
 * established callback that follows on the same CPU in the same softirq.
 */
struct accept_stash {
	__u32 seq;			/* of the first payload byte */
	__u16 sport, dport;		/* the segment's: the peer's port, the listener's */
	struct smiw_skb_event hdr;	/* conn_id and off filled when it is emitted */
	__u8 data[SMIW_SNAPLEN_MAX];	/* right after hdr: the two go out as one record */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct accept_stash);
} stash SEC(".maps");

/*
 * Records go without a wakeup: the consumer drains on a timer. Once the ring
 * is filling up it is woken, but at most once per wakeup_gap_ns: a forced
 * wakeup costs microseconds and would otherwise come with every record.
 */
static __always_inline __u64 wake_flags(void)
{
	__u64 now;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	now = bpf_ktime_get_ns();
	if (now - last_wakeup_ns < wakeup_gap_ns)
		return BPF_RB_NO_WAKEUP;
	last_wakeup_ns = now;
	return BPF_RB_FORCE_WAKEUP;
}

/*
 * True when the program runs in the context of a user task (a send from
 * its syscall), not in a softirq that interrupted whatever task was
 * current: the frame is on the current task's own stack (softirqs run on
 * the per-CPU irq stack) and the task is no kernel thread (ksoftirqd).
 */
static __always_inline bool in_task(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 sp;

	if (t->flags & PF_KTHREAD)
		return false;
	asm volatile("%0 = r10" : "=r"(sp));
	return sp - (__u64)t->stack < TASK_STACK_MIN;
}

/* The TCP headers of skb (data at the network header): false when it is no TCP segment we follow. */
static __always_inline bool parse_seg(struct __sk_buff *skb, struct seg *s)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct tcphdr th, *tp;
	__u32 l3;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ih, *ip = data;

		if ((void *)(ip + 1) > end) {
			if (bpf_skb_load_bytes(skb, 0, &ih, sizeof(ih)))
				return false;
			ip = &ih;
		}
		if (ip->protocol != IPPROTO_TCP)
			return false;
		l3 = (ip->ihl & 0xf) * 4;
		if (l3 < sizeof(*ip))
			return false;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ih6, *ip6 = data;

		if ((void *)(ip6 + 1) > end) {
			if (bpf_skb_load_bytes(skb, 0, &ih6, sizeof(ih6)))
				return false;
			ip6 = &ih6;
		}
		/* Extension headers before TCP are not followed: such a segment becomes a counted gap. */
		if (ip6->nexthdr != IPPROTO_TCP)
			return false;
		l3 = sizeof(*ip6);
	} else {
		return false;
	}
	tp = data + l3;
	if ((void *)(tp + 1) > end) {
		if (bpf_skb_load_bytes(skb, l3, &th, sizeof(th)))
			return false;
		tp = &th;
	}
	s->seq = bpf_ntohl(tp->seq);
	s->sport = bpf_ntohs(tp->source);
	s->dport = bpf_ntohs(tp->dest);
	s->hdr_len = l3 + tp->doff * 4;
	s->flags = ((__u8 *)tp)[13];
	s->len = skb->len > s->hdr_len ? skb->len - s->hdr_len : 0;
	return true;
}

/*
 * Socket fields are read through the typed pointer bpf_skc_to_tcp_sock
 * gives: plain loads the kernel guards, where each BPF_CORE_READ step was a
 * helper call (the OPEN record's fields were about a dozen of them).
 */
static __always_inline __u64 sock_cgroup_id(struct sock *sk)
{
	return sk->sk_cgrp_data.cgroup->kn->id;
}

/* Reserves a lifecycle record for connection id with the fields every type carries; NULL (counted) when full. */
static __always_inline struct smiw_conn_event *conn_event(__u8 type, __u64 id, __u8 flags)
{
	struct smiw_conn_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_drop(SMIW_DROP_RING_CONN);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->flags = flags;
	e->conn_id = id;
	e->ts_ns = bpf_ktime_get_ns();
	return e;
}

/* The process fields of e from the current task (called only in its context). */
static __always_inline void current_process(struct smiw_conn_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->tgid = id >> 32;
	e->pid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* Addresses, family, cgroup and network namespace of sk (a full TCP socket, a typed pointer). */
static __always_inline void sock_fields(struct smiw_conn_event *e, struct sock *sk)
{
	struct sock_common *k = &sk->__sk_common;

	e->family = k->skc_family;
	e->cgroup_id = sock_cgroup_id(sk);
	e->netns = k->skc_net.net->ns.inum;
	e->sport = k->skc_num;
	e->dport = bpf_ntohs(k->skc_dport);
	if (e->family == AF_INET) {
		*(__u32 *)e->saddr = k->skc_rcv_saddr;
		*(__u32 *)e->daddr = k->skc_daddr;
	} else {
		for (int i = 0; i < 4; i++) {
			((__u32 *)e->saddr)[i] = k->skc_v6_rcv_saddr.in6_u.u6_addr32[i];
			((__u32 *)e->daddr)[i] = k->skc_v6_daddr.in6_u.u6_addr32[i];
		}
	}
}

/* Fibonacci hashing: consecutive ids land far apart. */
static __always_inline __u32 slot_of(__u64 id)
{
	return (id * 0x9E3779B97F4A7C15ull) >> (64 - SLOT_BITS);
}

/*
 * A new id for the connection of c, listed in a free slot. False (counted)
 * when SLOT_TRIES slots in a row are taken: the socket is then not followed.
 */
static __always_inline bool conn_new_id(struct smiw_skb_conn *c)
{
	__u64 id = __sync_fetch_and_add(&next_conn_id, 1) + 1;
	__u32 first = slot_of(id);

	/* Almost always one pass: a loop for the verifier, not SLOT_TRIES copies at every caller. */
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < SLOT_TRIES; i++) {
		__u32 slot = (first + i) & (SLOTS - 1);
		__u64 *v = bpf_map_lookup_elem(&conn_slots, &slot);

		if (v && __sync_val_compare_and_swap(v, 0, id) == 0) {
			c->id = id;
			c->slot = slot;
			return true;
		}
	}
	count_drop(SMIW_DROP_CONNS_FULL);
	c->id = 0;
	return false;
}

/* The END record of connection c: final offsets per direction, err and the state left. */
static __always_inline void emit_end(const struct smiw_skb_conn *c, __s32 err, __u32 oldstate, __u8 flags)
{
	struct smiw_conn_event *e = conn_event(SMIW_EV_END, c->id, flags | SMIW_CONN_OFF32);

	if (!e)
		return;
	e->err = err;
	e->oldstate = oldstate;
	e->bytes[0] = c->end[0];
	e->bytes[1] = c->end[1];
	bpf_ringbuf_submit(e, wake_flags());
}

/* Connection c is over: END, and its slot is free again. */
static __always_inline void conn_end(struct smiw_skb_conn *c, __s32 err, __u32 oldstate, __u8 flags)
{
	__u32 slot = c->slot;
	__u64 *v = bpf_map_lookup_elem(&conn_slots, &slot);

	emit_end(c, err, oldstate, flags);
	/*
	 * Only if the slot is still this connection's: userspace frees the slots
	 * of connections whose cgroup it stopped watching (release_slots), and
	 * such a socket's END can still come if the cgroup is watched again.
	 */
	if (v)
		__sync_val_compare_and_swap(v, c->id, 0);
	c->id = 0;
}

/* ---- segments ---- */

/*
 * A record of the segment reserved in the ring at a fixed size and filled
 * in place (its unused tail is ring space; userspace reads cap_len). The
 * length of the copy is bounded to [1, size] by arithmetic on one register
 * the compiler cannot see through: clang 14 otherwise tests a copy of it
 * and hands the verifier an unbounded one ("invalid zero-sized read").
 */
#define EMIT_SEG(size)									\
static __always_inline void emit_seg_##size(struct __sk_buff *skb, const struct smiw_skb_event *h, \
					    __u32 hdr_len, __u32 cap)				\
{											\
	struct {									\
		struct smiw_skb_event hdr;						\
		__u8 data[size];							\
	} *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);				\
	__u32 n;									\
											\
	if (!e) {									\
		count_drop(SMIW_DROP_RING_DATA);					\
		return;									\
	}										\
	e->hdr = *h;									\
	e->hdr.cap_len = 0;								\
	if (cap) {									\
		n = cap;								\
		asm volatile("" : "+r"(n));						\
		n = ((n - 1) & (size - 1)) + 1;						\
		if (!bpf_skb_load_bytes(skb, hdr_len, e->data, n))			\
			e->hdr.cap_len = n;						\
	}										\
	bpf_ringbuf_submit(e, wake_flags());						\
}
EMIT_SEG(128)
EMIT_SEG(512)
EMIT_SEG(2048)
EMIT_SEG(4096)
EMIT_SEG(16384)

static __always_inline void emit_seg(struct __sk_buff *skb, struct smiw_skb_event *h, __u32 hdr_len)
{
	__u32 cap = h->len < snaplen ? h->len : snaplen;

	if (cap <= 128)
		emit_seg_128(skb, h, hdr_len, cap);
	else if (cap <= 512)
		emit_seg_512(skb, h, hdr_len, cap);
	else if (cap <= 2048)
		emit_seg_2048(skb, h, hdr_len, cap);
	else if (cap <= 4096)
		emit_seg_4096(skb, h, hdr_len, cap);
	else
		emit_seg_16384(skb, h, hdr_len, cap);
}

/*
 * A socket with payload that capture has not seen start: it was open
 * before the programs were attached. Its state starts here (this
 * direction's offset 0 is this segment) and an OPEN marked late says so.
 */
static __always_inline struct smiw_skb_conn *late_start(struct __sk_buff *skb, struct bpf_sock *bsk, bool task)
{
	struct smiw_skb_conn *c = bpf_sk_storage_get(&skconn, bsk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(bsk);
	struct smiw_conn_event *e;

	if (!c || !tp) {
		count_drop(SMIW_DROP_CONNS_FULL);
		return NULL;
	}
	if (c->id)
		return c;	/* sockops or the other direction got there first */
	if (!conn_new_id(c)) {
		bpf_sk_storage_delete(&skconn, bsk);
		return NULL;
	}
	c->flags = SMIW_SKC_LATE;
	e = conn_event(SMIW_EV_OPEN, c->id, SMIW_CONN_LATE);
	if (!e)
		return c;
	sock_fields(e, (struct sock *)tp);
	if (task) {
		current_process(e);
		c->flags |= SMIW_SKC_PROC;
	}
	bpf_ringbuf_submit(e, wake_flags());
	return c;
}

/* Reports the sending process of connection c once (the first send in its context). */
static __always_inline void report_process(struct smiw_skb_conn *c)
{
	struct smiw_conn_event *e;

	c->flags |= SMIW_SKC_PROC;
	e = conn_event(SMIW_EV_PROC, c->id, 0);
	if (!e)
		return;
	current_process(e);
	bpf_ringbuf_submit(e, wake_flags());
}

/* Keeps the payload of a segment a listener got (see struct accept_stash) for its connection. */
static __always_inline void stash_for_accept(struct __sk_buff *skb, const struct seg *s)
{
	__u32 zero = 0, n, cap = s->len < snaplen ? s->len : snaplen;
	struct accept_stash *st = bpf_map_lookup_elem(&stash, &zero);

	if (!st || !cap)
		return;
	st->hdr = (struct smiw_skb_event){ .type = SMIW_EV_SKB, .dir = SMIW_DIR_RECV, .len = s->len,
					   .ts_ns = bpf_ktime_get_ns() };
	st->seq = s->seq + !!(s->flags & TH_SYN);
	st->sport = s->sport;
	st->dport = s->dport;
	n = cap;
	asm volatile("" : "+r"(n));
	n = ((n - 1) & (SMIW_SNAPLEN_MAX - 1)) + 1;
	if (!bpf_skb_load_bytes(skb, s->hdr_len, st->data, n))
		st->hdr.cap_len = n;
}

/*
 * The segment's stream offset in direction dir of connection c, the
 * direction's state brought up to date. False for an egress
 * retransmission: egress segments leave in order, so one whose payload ends
 * at or before the highest end sent so far, or a second FIN, was seen.
 */
static __always_inline bool seg_offset(struct smiw_skb_conn *c, const struct seg *s, __u8 dir, __u32 *off)
{
	__u32 d = dir & 1, endoff;

	if (!c->known[d]) {
		c->base[d] = s->seq + !!(s->flags & TH_SYN);
		c->known[d] = 1;
	}
	*off = s->seq + !!(s->flags & TH_SYN) - c->base[d];
	endoff = *off + s->len;
	if (dir == SMIW_DIR_SEND && !(s->flags & TH_RST)) {
		if (s->len ? (__s32)(endoff - c->end[SMIW_DIR_SEND]) <= 0 : !!(c->flags & SMIW_SKC_FIN_SENT))
			return false;
		if (s->flags & TH_FIN)
			c->flags |= SMIW_SKC_FIN_SENT;
	}
	if (s->len && (__s32)(endoff - c->end[d]) > 0)
		c->end[d] = endoff;
	if (dir == SMIW_DIR_RECV && (s->flags & TH_FIN))
		c->flags |= SMIW_SKC_FIN_RECV;
	return true;
}

/* The data record of a segment at stream offset off (its FIN and RST flags too). */
static __always_inline void seg_record(struct __sk_buff *skb, const struct smiw_skb_conn *c, const struct seg *s,
				       __u8 dir, __u32 off, bool task)
{
	struct smiw_skb_event h = {
		.type = SMIW_EV_SKB, .dir = dir, .conn_id = c->id, .off = off, .len = s->len,
		.flags = (s->flags & TH_FIN ? SMIW_SKB_FIN : 0) | (s->flags & TH_RST ? SMIW_SKB_RST : 0),
		.ts_ns = bpf_ktime_get_ns(),
	};

	if (task) {
		__u64 id = bpf_get_current_pid_tgid();

		h.tgid = id >> 32;
		h.pid = (__u32)id;
	}
	emit_seg(skb, &h, s->hdr_len);
}

/* A reset (received or, dir SEND, sent); and the end of a connection sockops does not report. */
static __always_inline void seg_close(struct smiw_skb_conn *c, const struct seg *s, __u8 dir)
{
	if (s->flags & TH_RST) {
		struct smiw_conn_event *e = conn_event(SMIW_EV_RESET, c->id, 0);

		if (e) {
			e->err = dir == SMIW_DIR_SEND;
			bpf_ringbuf_submit(e, wake_flags());
		}
	}
	/*
	 * Opened before capture, no CLOSE from sockops: a reset or a FIN each
	 * way ends it. The state stays, without id: a late retransmission must
	 * not look like a new connection.
	 */
	if (!(c->flags & SMIW_SKC_STATE_CB) && ((s->flags & TH_RST) ||
	    (c->flags & (SMIW_SKC_FIN_SENT | SMIW_SKC_FIN_RECV)) == (SMIW_SKC_FIN_SENT | SMIW_SKC_FIN_RECV)))
		conn_end(c, 0, 0, 0);
}

static __always_inline int on_skb(struct __sk_buff *skb, __u8 dir)
{
	struct bpf_sock *bsk = skb->sk;
	struct smiw_skb_conn *c;
	bool task = false;
	struct seg s;
	__u32 off;

	/* Pure ACKs and handshake segments carry nothing for a stream: they leave first. */
	if (!bsk || !parse_seg(skb, &s) || (!s.len && !(s.flags & (TH_FIN | TH_RST))))
		return 1;
	bsk = bpf_sk_fullsock(bsk);
	if (!bsk || bsk->protocol != IPPROTO_TCP)
		return 1;
	/* A listener here: data completing a handshake, for the connection about to be established. */
	if (bsk->state == BPF_TCP_LISTEN) {
		if (dir == SMIW_DIR_RECV && s.len)
			stash_for_accept(skb, &s);
		return 1;
	}
	if (dir == SMIW_DIR_SEND)
		task = in_task();
	c = bpf_sk_storage_get(&skconn, bsk, 0, 0);
	if (!c && s.len)
		c = late_start(skb, bsk, task);
	/* No state: a FIN or RST of a socket never seen, or the table was full; no id: it is over. */
	if (!c || !c->id || !seg_offset(c, &s, dir, &off))
		return 1;
	/* Before the segment: an exchange its bytes complete names the process already. */
	if (task && !(c->flags & SMIW_SKC_PROC))
		report_process(c);
	if (s.len || (s.flags & TH_FIN))
		seg_record(skb, c, &s, dir, off, task);
	seg_close(c, &s, dir);
	return 1;
}

SEC("cgroup_skb/egress")
int skb_egress(struct __sk_buff *skb)
{
	return on_skb(skb, SMIW_DIR_SEND);
}

SEC("cgroup_skb/ingress")
int skb_ingress(struct __sk_buff *skb)
{
	return on_skb(skb, SMIW_DIR_RECV);
}

/* Does nothing: attached and detached to learn whether cgroup programs can be attached here. */
SEC("cgroup_skb/egress")
int skb_attach_probe(struct __sk_buff *skb)
{
	return 1;
}

/* ---- connection lifecycle (sockops) ---- */

/* connect(): a client connection starts; the process calling it is current. */
static __always_inline void client_start(struct bpf_sock_ops *ops, struct bpf_sock *bsk)
{
	struct smiw_skb_conn *c = bpf_sk_storage_get(&skconn, bsk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(bsk);
	struct smiw_conn_event *e;

	if (!c || !tp) {
		count_drop(SMIW_DROP_CONNS_FULL);
		return;
	}
	/* A second connect() on a socket whose first one failed: the old id ends, never continues. */
	if (c->id)
		conn_end(c, 0, 0, SMIW_CONN_SUPERSEDED);
	__builtin_memset(c, 0, sizeof(*c));
	if (!conn_new_id(c)) {
		bpf_sk_storage_delete(&skconn, bsk);
		return;
	}
	c->role = SMIW_ROLE_CLIENT;
	c->flags = SMIW_SKC_PROC | SMIW_SKC_STATE_CB;
	bpf_sock_ops_cb_flags_set(ops, ops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
	e = conn_event(SMIW_EV_OPEN, c->id, 0);
	if (!e)
		return;
	e->role = SMIW_ROLE_CLIENT;
	e->err = -115;	/* EINPROGRESS: the outcome comes with END when it fails */
	sock_fields(e, (struct sock *)tp);
	current_process(e);
	bpf_ringbuf_submit(e, wake_flags());
}

/* Both directions' offset 0 at establishment: the first byte after each SYN. */
static __always_inline void set_bases(struct smiw_skb_conn *c, struct bpf_sock_ops *ops)
{
	if (!c->known[SMIW_DIR_SEND]) {
		c->base[SMIW_DIR_SEND] = ops->snd_nxt;
		c->known[SMIW_DIR_SEND] = 1;
	}
	if (!c->known[SMIW_DIR_RECV]) {
		c->base[SMIW_DIR_RECV] = ops->rcv_nxt;
		c->known[SMIW_DIR_RECV] = 1;
	}
}

/*
 * The data that completed this connection's handshake, stashed on this CPU
 * moments ago by the ingress program as the listener's: its first record.
 * (sockops keeps the peer's port, in network order, in the upper half.)
 */
static __always_inline void stashed_data(struct smiw_skb_conn *c, struct bpf_sock_ops *ops)
{
	__u32 zero = 0, n;
	struct accept_stash *st = bpf_map_lookup_elem(&stash, &zero);

	if (!st || !st->hdr.len || st->sport != bpf_ntohs((__u16)(ops->remote_port >> 16)) ||
	    st->dport != (__u16)ops->local_port || st->seq != c->base[SMIW_DIR_RECV]) {
		if (st)
			st->hdr.len = 0;
		return;
	}
	st->hdr.conn_id = c->id;
	st->hdr.off = 0;
	if ((__s32)(st->hdr.len - c->end[SMIW_DIR_RECV]) > 0)
		c->end[SMIW_DIR_RECV] = st->hdr.len;
	n = st->hdr.cap_len;
	asm volatile("" : "+r"(n));
	n &= SMIW_SNAPLEN_MAX - 1 + SMIW_SNAPLEN_MAX;
	if (n > SMIW_SNAPLEN_MAX)
		n = SMIW_SNAPLEN_MAX;
	if (bpf_ringbuf_output(&events, &st->hdr, sizeof(st->hdr) + n, wake_flags()))
		count_drop(SMIW_DROP_RING_DATA);
	st->hdr.len = 0;
}

/* An accepted connection is established (softirq: no process is known yet). */
static __always_inline void server_start(struct bpf_sock_ops *ops, struct bpf_sock *bsk)
{
	struct smiw_skb_conn *c = bpf_sk_storage_get(&skconn, bsk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(bsk);
	struct smiw_conn_event *e;

	if (!c || !tp) {
		count_drop(SMIW_DROP_CONNS_FULL);
		return;
	}
	/* A segment racing this callback on another CPU may have started the state: keep its id. */
	if (!c->id && !conn_new_id(c)) {
		bpf_sk_storage_delete(&skconn, bsk);
		return;
	}
	c->role = SMIW_ROLE_SERVER;
	c->flags = (c->flags & ~SMIW_SKC_LATE) | SMIW_SKC_STATE_CB;
	set_bases(c, ops);
	bpf_sock_ops_cb_flags_set(ops, ops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
	e = conn_event(SMIW_EV_OPEN, c->id, 0);
	if (!e)
		return;
	e->role = SMIW_ROLE_SERVER;
	sock_fields(e, (struct sock *)tp);
	bpf_ringbuf_submit(e, wake_flags());
	stashed_data(c, ops);
}

/* The socket reached CLOSE: the connection is over (a failed connect says why in sk_err). */
static __always_inline void conn_close(struct bpf_sock_ops *ops, struct bpf_sock *bsk)
{
	struct smiw_skb_conn *c = bpf_sk_storage_get(&skconn, bsk, 0, 0);
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(bsk);

	if (!c || !c->id)
		return;
	conn_end(c, tp ? tp->inet_conn.icsk_inet.sk.sk_err : 0, ops->args[0], 0);
	bpf_sk_storage_delete(&skconn, bsk);
}

/* clang 14 refuses a function named like its section ("sockops"). */
SEC("sockops")
int skb_sockops(struct bpf_sock_ops *ops)
{
	struct bpf_sock *bsk = ops->sk;
	struct smiw_skb_conn *c;

	if (!bsk)
		return 1;
	switch (ops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		client_start(ops, bsk);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		c = bpf_sk_storage_get(&skconn, bsk, 0, 0);
		if (c && c->id)
			set_bases(c, ops);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		server_start(ops, bsk);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (ops->args[1] == BPF_TCP_CLOSE)
			conn_close(ops, bsk);
		break;
	}
	return 1;
}

/* ---- slots of connections that will not end here ---- */

/* Frees the slot of connection id if it still holds it; returns 1 when it did. */
static __always_inline __u32 release_slot(__u64 id)
{
	__u32 first = slot_of(id);

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < SLOT_TRIES; i++) {
		__u32 slot = (first + i) & (SLOTS - 1);
		__u64 *v = bpf_map_lookup_elem(&conn_slots, &slot);

		if (v && id && __sync_val_compare_and_swap(v, id, 0) == id)
			return 1;
	}
	return 0;
}

/*
 * Frees the slots of up to SMIW_RELEASE_MAX connections that still hold
 * one, run from userspace (BPF_PROG_TEST_RUN; args[0] the count, the ids
 * after it; returns how many it freed) after it detached the programs from
 * the connections' cgroup: a socket closed after that never runs conn_end,
 * and its slot would stay taken for as long as the capture runs. Compare-
 * and-swap on the id: ids are never reused, so a slot holding it is that
 * connection's, never one claimed since. A raw tracepoint program that is
 * never attached, because this kernel refuses to load `syscall` programs.
 */
SEC("raw_tp")
int release_slots(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 n = ctx->args[0];
	__u32 freed = 0;

	/* Unrolled: a context field is read at a constant offset only. */
#pragma clang loop unroll(full)
	for (int k = 0; k < SMIW_RELEASE_MAX; k++)
		if ((__u64)k < n)
			freed += release_slot(ctx->args[k + 1]);
	return freed;
}

/* ---- listeners outside the watched cgroups ---- */

/* True when cgroup cg is an attachment root or below one (climbing at most SMIW_CGROUP_DEPTH levels). */
static __always_inline bool under_attached(struct cgroup *cg)
{
	int level = BPF_CORE_READ(cg, level);

	for (int i = 0; i < SMIW_CGROUP_DEPTH; i++) {
		struct cgroup *a;
		__u64 id;

		if (i > level)
			break;
		a = BPF_CORE_READ(cg, ancestors[level - i]);
		id = BPF_CORE_READ(a, kn, id);
		if (id && bpf_map_lookup_elem(&attached, &id))
			return true;
	}
	return false;
}

/*
 * For every open file of every task: a TCP listener held by a task of a
 * watched cgroup whose socket belongs to an unwatched cgroup is written out
 * as a struct smiw_listener.
 */
SEC("iter/task_file")
int scan_listeners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct smiw_listener l = {};
	struct socket *sock;
	struct sock *sk;
	struct cgroup *tcg, *scg;

	if (!task || !file || (BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP ||
	    BPF_CORE_READ(sk, __sk_common.skc_state) != BPF_TCP_LISTEN)
		return 0;
	tcg = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	scg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
	if (!under_attached(tcg) || under_attached(scg))
		return 0;
	l.sock_cgroup = BPF_CORE_READ(scg, kn, id);
	l.task_cgroup = BPF_CORE_READ(tcg, kn, id);
	l.ino = BPF_CORE_READ(file, f_inode, i_ino);
	l.tgid = BPF_CORE_READ(task, tgid);
	l.fd = ctx->fd;
	l.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	l.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	BPF_CORE_READ_STR_INTO(&l.comm, task, comm);
	bpf_seq_write(ctx->meta->seq, &l, sizeof(l));
	return 0;
}
