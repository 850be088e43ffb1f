/* events.c - kernel records to connections and exchanges. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_int.h"
#include "records/inventory.h"
#include "util/u64.h"

#define TCP_SYN_SENT 2

_Static_assert(sizeof(((struct cap_conn *)0)->name) >= sizeof(((struct capture *)0)->tag) + 1 + 20,
	       "a connection's name holds the capture tag, '-' and any 64-bit id");

/*
 * "<capture tag>-<id>", without printf: a mesh that opens a connection per
 * request names one per request, and snprintf took ~900 of the ~5,000
 * instructions a connection costs the agent (tests/bench/agent_path N 1).
 */
static void conn_name(char *name, const char *tag, uint64_t id)
{
	size_t n = strlen(tag);

	memcpy(name, tag, n);
	name[n] = '-';
	*u64_digits(name + n + 1, id) = '\0';
}

struct ct_conn *capture_conn_get(struct capture *c, uint64_t id)
{
	struct ct_conn *k = ct_find(&c->conns, id);

	if (k)
		return k;
	k = ct_insert(&c->conns, id);
	if (!k) {
		c->counters.user_drops++;
		return NULL;
	}
	conn_name(k->info.name, c->tag, id);
	asm_init(&k->as, SMIW_ROLE_UNKNOWN, &c->acfg);
	c->conns_total++;
	return k;
}

static void attribute(struct capture *c, struct cap_conn *i)
{
	struct inv_addr peer;

	if (!c->o.inv)
		return;
	inv_addr_from_raw(&peer, i->family, i->peer_addr);
	i->pod = inventory_pod_by_cgroup(c->o.inv, i->cgroup_id);
	/* The cgroup backend also sees cgroups below a pod that the inventory does not list yet. */
	if (!i->pod && c->backend == CAPTURE_CGROUP)
		i->pod = skb_pod_of_cgroup(c, i->cgroup_id);
	i->peer_pod = inventory_pod_by_addr(c->o.inv, &peer);
	i->peer_service = inventory_service_by_addr(c->o.inv, &peer);
}

static void on_open(struct capture *c, struct ct_conn *k, const struct smiw_conn_event *e)
{
	struct cap_conn *i = &k->info;

	i->open_seen = true;
	i->role = e->role;
	i->late = e->flags & SMIW_CONN_LATE;
	i->pid = e->pid;
	i->tgid = e->tgid;
	memcpy(i->comm, e->comm, sizeof(i->comm));
	i->comm[sizeof(i->comm) - 1] = '\0';
	i->cgroup_id = e->cgroup_id;
	i->netns = e->netns;
	i->family = e->family;
	memcpy(i->local_addr, e->saddr, sizeof(i->local_addr));
	memcpy(i->peer_addr, e->daddr, sizeof(i->peer_addr));
	i->local_port = e->sport;
	i->peer_port = e->dport;
	inv_addr_format(i->local, sizeof(i->local), i->family, i->local_addr, i->local_port);
	inv_addr_format(i->peer, sizeof(i->peer), i->family, i->peer_addr, i->peer_port);
	i->open_ns = e->ts_ns;
	/* connect() returning at once with an error; EINPROGRESS resolves later. */
	if (e->err && e->err != -EINPROGRESS && !i->connect_errno)
		i->connect_errno = -e->err;
	attribute(c, i);
	i->gen++;
	asm_set_role(&k->as, e->role);
}

/*
 * END of the cgroup backend: what it still holds out of order is handed on
 * (holes become gaps) and its final offsets, kept modulo 2^32 in the
 * kernel, are widened against the reassembled streams.
 */
static void final_offsets(struct capture *c, struct ct_conn *k, const struct smiw_conn_event *e, uint64_t *final)
{
	struct reasm_cfg rc = capture_reasm_cfg(c, k);

	reasm_expire(&k->rs, &rc, 0);
	for (int d = 0; d < 2; d++)
		final[d] = reasm_widen(&k->rs.d[d], (uint32_t)e->bytes[d]);
}

void capture_conn_event(struct capture *c, const struct smiw_conn_event *e)
{
	struct ct_conn *k = e->type == SMIW_EV_END ? ct_find(&c->conns, e->conn_id) : capture_conn_get(c, e->conn_id);

	if (!k)
		return;
	switch (e->type) {
	case SMIW_EV_OPEN:
		on_open(c, k, e);
		break;
	case SMIW_EV_FD_CLOSE:
		if (!k->info.close_ns)
			k->info.close_ns = e->ts_ns;
		break;
	case SMIW_EV_TCP_CLOSE:
		/* Leaving SYN_SENT for CLOSE is a failed connect: refused, timed out, unreachable. */
		if (e->oldstate == TCP_SYN_SENT && e->err > 0)
			k->info.connect_errno = e->err;
		break;
	case SMIW_EV_RESET:
		k->info.reset = true;
		asm_reset(&k->as);
		break;
	case SMIW_EV_END: {
		uint64_t final[2] = { e->bytes[0], e->bytes[1] };

		/* The cgroup backend's END says why a connect failed (TCP_CLOSE above, for the other). */
		if (e->oldstate == TCP_SYN_SENT && e->err > 0)
			k->info.connect_errno = e->err;
		if (e->flags & SMIW_CONN_OFF32)
			final_offsets(c, k, e, final);
		if (!k->info.close_ns)
			k->info.close_ns = e->ts_ns;
		capture_end_conn(c, k, "closed", final);
		break;
	}
	}
}

int capture_on_record(void *ctx, void *data, size_t len)
{
	struct capture *c = ctx;
	const struct smiw_data_event *d = data;
	struct ct_conn *k;

	c->events++;
	if (len >= sizeof(*d) && d->type == SMIW_EV_DATA) {
		if (sizeof(*d) + d->cap_len > len)
			return 0;
		k = capture_conn_get(c, d->conn_id);
		if (k)
			asm_data(&k->as, d, d + 1);
	} else if (len >= sizeof(struct smiw_conn_event)) {
		capture_conn_event(c, data);
	}
	return 0;
}

void capture_on_exchange(void *ctx, const struct assembler *a, struct cap_exchange *x)
{
	struct capture *c = ctx;
	struct ct_conn *k = (struct ct_conn *)((char *)a - offsetof(struct ct_conn, as));

	x->conn = &k->info;
	x->conn_id = k->info.id;
	/*
	 * The cgroup backend sees a server's request arrive in softirq, where
	 * no process is known: the exchange names the process that sent on
	 * the connection (its first send in its own context), 0 before any.
	 */
	if (!x->tgid) {
		x->pid = k->info.pid;
		x->tgid = k->info.tgid;
	}
	k->info.exchanges++;
	if (c->o.sink.exchange)
		c->o.sink.exchange(c->o.sink.ctx, x);
}

void capture_end_conn(struct capture *c, struct ct_conn *k, const char *reason, const uint64_t *final_bytes)
{
	struct cap_conn *i = &k->info;

	if (reasm_holding(&k->rs)) {
		struct reasm_cfg rc = capture_reasm_cfg(c, k);

		reasm_expire(&k->rs, &rc, 0);
	}
	asm_end(&k->as, reason, final_bytes);
	if (i->role == SMIW_ROLE_UNKNOWN)
		i->role = k->as.role;
	i->gaps = k->as.gaps;
	i->h2 = k->as.h2info;
	i->bytes_sent = k->as.st[SMIW_DIR_SEND].next_off;
	i->bytes_recv = k->as.st[SMIW_DIR_RECV].next_off;
	if (c->o.sink.conn)
		c->o.sink.conn(c->o.sink.ctx, i);
	asm_free(&k->as);
	reasm_free(&k->rs);
	ct_remove(&c->conns, k);
	free(k);
}
