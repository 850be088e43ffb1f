/* obs_write.c - see obs_write.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records/format.h"
#include "records/obs_write.h"
#include "util/clock.h"

/* The naming members of one connection's records, formatted (see who). */
struct obs_write_who_entry {
	uint64_t key;
	uint32_t gen;
	uint32_t pid, tgid;
	uint8_t role;
	uint16_t len;			/* 0: empty */
	char json[522];
};

static const char *role_name(enum obs_role role)
{
	return role == OBS_ROLE_CLIENT ? "client" : role == OBS_ROLE_SERVER ? "server" : "unknown";
}

/* The members every exchange and conn record carries about the observing process and the peer. */
static void who_fields(struct obs_writer *o, enum obs_role role, uint32_t pid, uint32_t tgid,
		       const struct obs_write_who *who)
{
	struct jsonw *w = &o->w;

	jsonw_str(w, "role", role_name(role));
	jsonw_u64(w, "pid", pid);
	jsonw_u64(w, "tgid", tgid);
	jsonw_str(w, "node", o->node);
	jsonw_str(w, "namespace", who->ns);
	jsonw_str(w, "pod", who->pod);
	jsonw_str(w, "service_account", who->sa);
	jsonw_str(w, "comm", who->comm);
	jsonw_u64(w, "cgroup_id", who->cgroup_id);
	jsonw_str(w, "local", who->local);
	jsonw_str(w, "peer", who->peer);
	jsonw_str(w, "peer_pod", who->peer_pod);
	if (who->peer_service)
		jsonw_str(w, "peer_service", who->peer_service);
}

/*
 * who_fields, from a per-connection cache: a connection's exchanges all carry
 * the same thirteen members, so they are escaped and formatted once (again
 * when the connection's gen says its names changed, or the process fields
 * differ: the syscall backend names the thread of each exchange). The cache
 * is direct-mapped by connection id: a bounded 1,024 entries, a collision
 * only costs a reformat.
 */
static void who(struct obs_writer *o, enum obs_role role, uint32_t pid, uint32_t tgid,
		const struct obs_write_who *who)
{
	struct obs_write_who_entry *e = o->who ? &o->who[who->key & (OBS_WRITE_WHO_CACHE - 1)] : NULL;
	size_t from = o->w.out.len, n;
	const char *json;

	if (e && e->len && e->key == who->key && e->gen == who->gen && e->pid == pid && e->tgid == tgid &&
	    e->role == (uint8_t)role) {
		jsonw_raw(&o->w, e->json, e->len);
		return;
	}
	who_fields(o, role, pid, tgid, who);
	json = jsonw_since(&o->w, from, &n);
	if (e && n <= sizeof(e->json) && !o->w.err) {
		memcpy(e->json, json, n);
		e->len = (uint16_t)n;
		e->key = who->key;
		e->gen = who->gen;
		e->pid = pid;
		e->tgid = tgid;
		e->role = (uint8_t)role;
	}
}

int obs_writer_open(struct obs_writer *o, const char *path, const char *node)
{
	int r;

	snprintf(o->node, sizeof(o->node), "%s", node ? node : "");
	r = jsonw_open(&o->w, path);
	/* Without the cache, records are formatted in full: slower, not wrong. */
	o->who = r ? NULL : calloc(OBS_WRITE_WHO_CACHE, sizeof(*o->who));
	return r;
}

void obs_write_meta(struct obs_writer *o, const struct obs_write_meta *m)
{
	struct jsonw *w = &o->w;

	jsonw_begin(w);
	jsonw_str(w, "t", "meta");
	jsonw_u64(w, "v", RECORDS_VERSION);
	jsonw_str(w, "tool", RECORDS_TOOL);
	jsonw_str(w, "node", o->node);
	jsonw_u64(w, "snaplen", m->snaplen);
	jsonw_u64(w, "mono_ns", mono_ns());
	jsonw_u64(w, "real_ns", real_ns());
	if (m->inventory)
		jsonw_str(w, "inventory", m->inventory);
	jsonw_str(w, "capture", m->capture_tag);
	if (m->backend)
		jsonw_str(w, "capture_backend", m->backend);
	jsonw_u64(w, "watched_cgroups", m->watched_cgroups);
	jsonw_arr(w, "bpf_prog_ids");
	for (int i = 0; i < m->nprogs; i++)
		jsonw_elem_u64(w, m->prog_ids[i]);
	jsonw_arr_end(w);
	jsonw_end(w);
}

static void h2_stream_fields(struct jsonw *w, const struct obs_write_h2_stream *h)
{
	jsonw_str(w, "protocol", h->protocol);
	jsonw_u64(w, "stream", h->stream_id);
	if (h->has_grpc_status)
		jsonw_i64(w, "grpc_status", h->grpc_status);
	if (h->grpc_message && *h->grpc_message)
		jsonw_str(w, "grpc_message", h->grpc_message);
	if (h->rst) {
		jsonw_str(w, "rst", h->rst);
		jsonw_str(w, "rst_by", role_name(h->rst_by));
	}
}

static void h2_conn_fields(struct jsonw *w, const struct obs_write_h2_conn *h)
{
	static const char *const keys[2][2] = {
		{ "client_goaway", "client_goaway_last_stream" }, { "server_goaway", "server_goaway_last_stream" },
	};

	jsonw_str(w, "protocol", "h2");
	jsonw_str(w, "h2_start", h->start);
	if (h->lost) {
		jsonw_str(w, "h2_lost", h->lost);
		jsonw_u64(w, "h2_lost_ns", h->lost_ns);
	}
	for (int i = 0; i < 2; i++)
		if (h->goaway[i]) {
			jsonw_str(w, keys[i][0], h->goaway[i]);
			jsonw_u64(w, keys[i][1], h->goaway_last_stream[i]);
		}
}

/* A header table as an object of name: value members (repeated names kept as repeated keys). */
static void header_object(struct jsonw *w, const char *key, const char *buf, const struct obs_write_header *v,
			  unsigned int n)
{
	jsonw_obj(w, key);
	for (unsigned int i = 0; i < n; i++)
		/* header names are tokens: nothing to escape */
		jsonw_strkn_fast(w, buf + v[i].name, v[i].name_len < 63 ? v[i].name_len : 63, buf + v[i].value,
				 v[i].value_len);
	jsonw_obj_end(w);
}

void obs_write_exchange(struct obs_writer *o, const struct obs_write_exchange *x)
{
	struct jsonw *w = &o->w;

	jsonw_begin(w);
	jsonw_str(w, "t", "exchange");
	jsonw_str(w, "conn", x->conn);
	jsonw_u64(w, "seq", x->seq);
	who(o, x->role, x->pid, x->tgid, x->who);
	jsonw_str(w, "method", x->method);
	jsonw_str(w, "path", x->path);
	jsonw_str(w, "host", x->host);
	jsonw_str(w, "request_id", x->request_id);
	jsonw_i64(w, "status", x->status);
	if (x->location && *x->location)
		jsonw_str(w, "location", x->location);
	jsonw_u64(w, "start_ns", x->start_ns);
	jsonw_u64(w, "end_ns", x->end_ns);
	jsonw_u64(w, "req_bytes", x->req_bytes);
	jsonw_u64(w, "resp_bytes", x->resp_bytes);
	jsonw_bool(w, "complete", x->complete);
	if (!x->complete)
		jsonw_str(w, "incomplete", x->incomplete);
	if (x->truncated)
		jsonw_bool(w, "truncated", true);
	if (x->h2)
		h2_stream_fields(w, x->h2);
	header_object(w, "headers", x->hdrbuf, x->headers, x->nheaders);
	if (x->has_resp_headers)
		header_object(w, "response_headers", x->resp_hdrbuf, x->resp_headers, x->nresp_headers);
	jsonw_end(w);
}

void obs_write_conn(struct obs_writer *o, const struct obs_write_conn *c)
{
	struct jsonw *w = &o->w;

	jsonw_begin(w);
	jsonw_str(w, "t", "conn");
	jsonw_str(w, "conn", c->conn);
	who(o, c->role, c->pid, c->tgid, c->who);
	jsonw_u64(w, "netns", c->netns);
	jsonw_u64(w, "open_ns", c->open_ns);
	jsonw_u64(w, "close_ns", c->close_ns);
	jsonw_u64(w, "bytes_sent", c->bytes_sent);
	jsonw_u64(w, "bytes_recv", c->bytes_recv);
	jsonw_bool(w, "reset", c->reset);
	if (c->connect_error)
		jsonw_str(w, "connect_error", c->connect_error);
	jsonw_u64(w, "gaps", c->gaps);
	jsonw_u64(w, "exchanges", c->exchanges);
	if (c->late)
		jsonw_bool(w, "late", true);
	if (c->open_lost)
		jsonw_bool(w, "open_lost", true);
	if (c->h2)
		h2_conn_fields(w, c->h2);
	jsonw_end(w);
}

void obs_write_stats(struct obs_writer *o, const struct obs_write_counters *k, const char *end_reason)
{
	struct jsonw *w = &o->w;

	jsonw_begin(w);
	jsonw_str(w, "t", end_reason ? "end" : "stats");
	jsonw_u64(w, "ts_ns", k->ts_ns);
	jsonw_u64(w, "kernel_drops", k->kernel_drops);
	jsonw_obj(w, "kernel_drops_by");
	jsonw_u64(w, "ring_data", k->drops_ring_data);
	jsonw_u64(w, "ring_conn", k->drops_ring_conn);
	jsonw_u64(w, "pending_full", k->drops_pending_full);
	jsonw_u64(w, "conns_full", k->drops_conns_full);
	jsonw_obj_end(w);
	jsonw_u64(w, "user_drops", k->user_drops);
	jsonw_u64(w, "gaps", k->gaps);
	jsonw_u64(w, "unparsed_bytes", k->unparsed_bytes);
	jsonw_u64(w, "unpaired", k->unpaired);
	jsonw_u64(w, "h2_lost_bytes", k->h2_lost_bytes);
	jsonw_u64(w, "events", k->events);
	jsonw_u64(w, "exchanges", k->exchanges);
	jsonw_u64(w, "conns", k->conns);
	jsonw_u64(w, "conns_open", k->conns_open);
	if (k->listeners_outside)
		jsonw_u64(w, "listeners_outside", k->listeners_outside);
	if (end_reason)
		jsonw_str(w, "reason", end_reason);
	jsonw_end(w);
}

int obs_writer_flush(struct obs_writer *o, bool sync)
{
	return jsonw_flush(&o->w, sync);
}

int obs_writer_close(struct obs_writer *o)
{
	free(o->who);
	o->who = NULL;
	return jsonw_close(&o->w);
}
