/* skb_events.c - records of the cgroup backend to connections and exchanges. */
#include <string.h>

#include "capture/capture_int.h"

/* Reassembled bytes go to the connection's exchange assembler. */
static void to_assembler(void *ctx, const struct smiw_data_event *e, const void *payload)
{
	struct ct_conn *k = ctx;

	asm_data(&k->as, e, payload);
}

struct reasm_cfg capture_reasm_cfg(struct capture *c, struct ct_conn *k)
{
	return (struct reasm_cfg){ .out = to_assembler, .ctx = k, .counters = &c->rcounters };
}

/* The process sending on a connection, first seen in its own context (a server's connection learns it here). */
static void on_proc(struct capture *c, const struct smiw_conn_event *e)
{
	struct ct_conn *k = capture_conn_get(c, e->conn_id);
	struct cap_conn *i;

	if (!k || k->info.tgid)
		return;
	i = &k->info;
	i->pid = e->pid;
	i->tgid = e->tgid;
	memcpy(i->comm, e->comm, sizeof(i->comm));
	i->comm[sizeof(i->comm) - 1] = '\0';
	i->gen++;
}

int capture_on_skb_record(void *ctx, void *data, size_t len)
{
	struct capture *c = ctx;
	const struct smiw_skb_event *e = data;
	struct ct_conn *k;

	c->events++;
	if (len >= sizeof(*e) && e->type == SMIW_EV_SKB) {
		struct reasm_cfg rc;

		if (sizeof(*e) + e->cap_len > len)
			return 0;
		k = capture_conn_get(c, e->conn_id);
		if (!k)
			return 0;
		rc = capture_reasm_cfg(c, k);
		reasm_segment(&k->rs, &rc, e, e + 1, c->now_ns);
	} else if (len >= sizeof(struct smiw_conn_event)) {
		const struct smiw_conn_event *ce = data;

		if (ce->type == SMIW_EV_PROC)
			on_proc(c, ce);
		else
			capture_conn_event(c, ce);
	}
	return 0;
}
