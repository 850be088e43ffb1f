/* jsonl.c - see jsonl.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/h2frame.h"
#include "capture/jsonl.h"
#include "inventory/inventory.h"
#include "smiw_abi.h"

static const char *role_name(int role)
{
	return role == SMIW_ROLE_CLIENT ? "client" : role == SMIW_ROLE_SERVER ? "server" : "unknown";
}

/* Fields both record kinds carry about the observing process and the peer. */
static void who_fields(struct jsonl_sink *s, const struct cap_conn *c)
{
	struct jsonw *w = &s->w;

	jsonw_str(w, "node", s->node);
	jsonw_str(w, "namespace", c->pod ? c->pod->namespace : "");
	jsonw_str(w, "pod", c->pod ? c->pod->name : "");
	jsonw_str(w, "service_account", c->pod ? c->pod->service_account : "");
	jsonw_str(w, "comm", c->comm);
	jsonw_u64(w, "cgroup_id", c->cgroup_id);
	jsonw_str(w, "local", c->local);
	jsonw_str(w, "peer", c->peer);
	jsonw_str(w, "peer_pod", c->peer_pod ? c->peer_pod->ref : "");
	if (c->peer_service)
		jsonw_str(w, "peer_service", c->peer_service->ref);
}

/*
 * who_fields, from a per-connection cache: a connection's exchanges all carry
 * the same ten members, so they are escaped and formatted once (again only
 * when the connection's gen says its names changed). The cache is
 * direct-mapped by connection id: a bounded 1,024 entries, a collision only
 * costs a reformat.
 */
static void who(struct jsonl_sink *s, const struct cap_conn *c)
{
	struct jsonl_who *e = s->who ? &s->who[c->id & (JSONL_WHO_CACHE - 1)] : NULL;
	size_t from = s->w.len, n;
	const char *json;

	if (e && e->len && e->conn_id == c->id && e->gen == c->gen) {
		jsonw_raw(&s->w, e->json, e->len);
		return;
	}
	who_fields(s, c);
	json = jsonw_since(&s->w, from, &n);
	if (e && n <= sizeof(e->json) && !s->w.err) {
		memcpy(e->json, json, n);
		e->len = (uint16_t)n;
		e->conn_id = c->id;
		e->gen = c->gen;
	}
}

/* An HTTP/2 error code by name, or as a number when RFC 9113 does not name it. */
static void h2_error(struct jsonw *w, const char *key, uint32_t code)
{
	const char *name = h2_error_name(code);
	char num[16];

	if (!name) {
		snprintf(num, sizeof(num), "0x%x", code);
		name = num;
	}
	jsonw_str(w, key, name);
}

/* What an HTTP/2 stream adds to its exchange record. */
static void h2_exchange_fields(struct jsonw *w, const struct cap_exchange *x)
{
	jsonw_str(w, "protocol", x->protocol == CAP_GRPC ? "grpc" : "h2");
	jsonw_u64(w, "stream", x->stream_id);
	if (x->has_grpc_status)
		jsonw_i64(w, "grpc_status", x->grpc_status);
	if (x->grpc_message[0])
		jsonw_str(w, "grpc_message", x->grpc_message);
	if (x->rst) {
		h2_error(w, "rst", x->rst_code);
		jsonw_str(w, "rst_by", role_name(x->rst_by));
	}
}

/* What an HTTP/2 connection adds to its conn record. */
static void h2_conn_fields(struct jsonw *w, const struct cap_h2 *h)
{
	static const char *const goaway_keys[2][2] = {
		{ "client_goaway", "client_goaway_last_stream" }, { "server_goaway", "server_goaway_last_stream" },
	};

	jsonw_str(w, "protocol", "h2");
	jsonw_str(w, "h2_start", h->start);
	if (h->lost) {
		jsonw_str(w, "h2_lost", h->lost);
		jsonw_u64(w, "h2_lost_ns", h->lost_ns);
	}
	for (int i = 0; i < 2; i++) {
		if (!h->goaway[i].seen)
			continue;
		h2_error(w, goaway_keys[i][0], h->goaway[i].error);
		jsonw_u64(w, goaway_keys[i][1], h->goaway[i].last_stream);
	}
}

static void on_exchange(void *ctx, const struct cap_exchange *x)
{
	struct jsonl_sink *s = ctx;
	struct jsonw *w = &s->w;

	jsonw_begin(w);
	jsonw_str(w, "t", "exchange");
	jsonw_str(w, "conn", x->conn->name);
	jsonw_u64(w, "seq", x->seq);
	jsonw_str(w, "role", role_name(x->role));
	jsonw_u64(w, "pid", x->pid);
	jsonw_u64(w, "tgid", x->tgid);
	who(s, x->conn);
	jsonw_str(w, "method", x->method);
	jsonw_str(w, "path", x->path);
	jsonw_str(w, "host", x->host);
	jsonw_str(w, "request_id", x->request_id);
	jsonw_i64(w, "status", x->status);
	jsonw_u64(w, "start_ns", x->start_ns);
	jsonw_u64(w, "end_ns", x->end_ns);
	jsonw_u64(w, "req_bytes", x->req_bytes);
	jsonw_u64(w, "resp_bytes", x->resp_bytes);
	jsonw_bool(w, "complete", x->complete);
	if (!x->complete)
		jsonw_str(w, "incomplete", x->incomplete);
	if (x->truncated)
		jsonw_bool(w, "truncated", true);
	if (x->protocol != CAP_HTTP1)
		h2_exchange_fields(w, x);
	jsonw_obj(w, "headers");
	for (unsigned i = 0; i < x->nheaders; i++) {
		size_t n = x->headers[i].name_len < 63 ? x->headers[i].name_len : 63;

		/* header names are tokens: nothing to escape */
		jsonw_strkn_fast(w, x->hdrbuf + x->headers[i].name, n, x->hdrbuf + x->headers[i].value,
				 x->headers[i].value_len);
	}
	jsonw_obj_end(w);
	jsonw_end(w);
}

static void on_conn(void *ctx, const struct cap_conn *c)
{
	struct jsonl_sink *s = ctx;
	struct jsonw *w = &s->w;

	jsonw_begin(w);
	jsonw_str(w, "t", "conn");
	jsonw_str(w, "conn", c->name);
	jsonw_str(w, "role", role_name(c->role));
	jsonw_u64(w, "pid", c->pid);
	jsonw_u64(w, "tgid", c->tgid);
	who(s, c);
	jsonw_u64(w, "netns", c->netns);
	jsonw_u64(w, "open_ns", c->open_ns);
	jsonw_u64(w, "close_ns", c->close_ns);
	jsonw_u64(w, "bytes_sent", c->bytes_sent);
	jsonw_u64(w, "bytes_recv", c->bytes_recv);
	jsonw_bool(w, "reset", c->reset);
	if (c->connect_errno) {
		const char *name = strerrorname_np(c->connect_errno);

		jsonw_str(w, "connect_error", name ? name : "EIO");
	}
	jsonw_u64(w, "gaps", c->gaps);
	jsonw_u64(w, "exchanges", c->exchanges);
	if (c->late)
		jsonw_bool(w, "late", true);
	if (!c->open_seen)
		jsonw_bool(w, "open_lost", true);
	if (c->h2.start)
		h2_conn_fields(w, &c->h2);
	jsonw_end(w);
}

int jsonl_open(struct jsonl_sink *s, const char *path, const char *node)
{
	int r;

	snprintf(s->node, sizeof(s->node), "%s", node ? node : "");
	r = jsonw_open(&s->w, path);
	/* Without the cache, records are formatted in full: slower, not wrong. */
	s->who = r ? NULL : calloc(JSONL_WHO_CACHE, sizeof(*s->who));
	return r;
}

struct capture_sink jsonl_capture_sink(struct jsonl_sink *s)
{
	return (struct capture_sink){ .exchange = on_exchange, .conn = on_conn, .ctx = s };
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void jsonl_meta(struct jsonl_sink *s, const struct jsonl_meta *m)
{
	struct jsonw *w = &s->w;

	jsonw_begin(w);
	jsonw_str(w, "t", "meta");
	jsonw_u64(w, "v", 1);
	jsonw_str(w, "tool", "smi-witness " SMIW_VERSION);
	jsonw_str(w, "node", s->node);
	jsonw_u64(w, "snaplen", m->snaplen);
	jsonw_u64(w, "mono_ns", clock_ns(CLOCK_MONOTONIC));
	jsonw_u64(w, "real_ns", clock_ns(CLOCK_REALTIME));
	if (m->inventory)
		jsonw_str(w, "inventory", m->inventory);
	jsonw_str(w, "capture", m->capture_tag);
	jsonw_u64(w, "watched_cgroups", m->watched_cgroups);
	jsonw_arr(w, "bpf_prog_ids");
	for (int i = 0; i < m->nprogs; i++)
		jsonw_elem_u64(w, m->prog_ids[i]);
	jsonw_arr_end(w);
	jsonw_end(w);
}

void jsonl_stats(struct jsonl_sink *s, const struct capture_stats *st, const char *end_reason)
{
	static const char *const drop_names[] = { "ring_data", "ring_conn", "pending_full", "conns_full" };
	struct jsonw *w = &s->w;

	jsonw_begin(w);
	jsonw_str(w, "t", end_reason ? "end" : "stats");
	jsonw_u64(w, "ts_ns", st->ts_ns);
	jsonw_u64(w, "kernel_drops", st->kernel_drops);
	jsonw_obj(w, "kernel_drops_by");
	for (int i = 0; i < SMIW_DROP__COUNT; i++)
		jsonw_u64(w, drop_names[i], st->kernel_drops_by[i]);
	jsonw_obj_end(w);
	jsonw_u64(w, "user_drops", st->user_drops);
	jsonw_u64(w, "gaps", st->gaps);
	jsonw_u64(w, "unparsed_bytes", st->unparsed_bytes);
	jsonw_u64(w, "unpaired", st->unpaired);
	jsonw_u64(w, "h2_lost_bytes", st->h2_lost_bytes);
	jsonw_u64(w, "events", st->events);
	jsonw_u64(w, "exchanges", st->exchanges);
	jsonw_u64(w, "conns", st->conns);
	jsonw_u64(w, "conns_open", st->conns_open);
	if (end_reason)
		jsonw_str(w, "reason", end_reason);
	jsonw_end(w);
}

int jsonl_flush(struct jsonl_sink *s, bool sync)
{
	return jsonw_flush(&s->w, sync);
}

int jsonl_close(struct jsonl_sink *s)
{
	free(s->who);
	s->who = NULL;
	return jsonw_close(&s->w);
}

void jsonl_format_addr(char *buf, size_t len, int family, const uint8_t addr[16], uint16_t port)
{
	inv_addr_format(buf, len, family, addr, port);
}
