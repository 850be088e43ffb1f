/* assemble.c - see assemble.h */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "capture/assemble.h"
#include "capture/exchange.h"
#include "capture/h2.h"
#include "util/b64.h"

/* Per-direction states. */
enum {
	ST_HEAD,	/* at or inside a message head */
	ST_BODY,	/* inside a body framed by s->body */
	ST_LOST,	/* out of step: waiting for a syscall that starts with a head */
	ST_TUNNEL,	/* the connection switched protocols: nothing more to parse */
	ST_H2,		/* HTTP/2: bytes go to h2.c */
};

/* x_alloc clears cap_exchange in ranges: the text fields, then the scalars up to the header table. */
_Static_assert(offsetof(struct cap_exchange, method) < offsetof(struct cap_exchange, path) &&
	       offsetof(struct cap_exchange, request_id) < offsetof(struct cap_exchange, grpc_message) &&
	       offsetof(struct cap_exchange, grpc_message) < offsetof(struct cap_exchange, truncated) &&
	       offsetof(struct cap_exchange, nheaders) < offsetof(struct cap_exchange, headers) &&
	       offsetof(struct cap_exchange, hdrbuf) < offsetof(struct cap_exchange, next),
	       "cap_exchange field order");

/* Recycled records kept for reuse; more are freed. */
#define POOL_KEEP 256

static int req_dir(const struct assembler *a)
{
	if (a->role == SMIW_ROLE_CLIENT)
		return SMIW_DIR_SEND;
	return a->role == SMIW_ROLE_SERVER ? SMIW_DIR_RECV : -1;
}

static enum http_kind kind_of(const struct assembler *a, int dir)
{
	return dir == req_dir(a) ? HTTP_REQUEST : HTTP_RESPONSE;
}

/* ---- records and the response queue ---- */

static struct cap_exchange *x_alloc(struct assembler *a)
{
	struct asm_pool *p = a->cfg->pool;
	struct cap_exchange *x = p->free;

	if (x) {
		p->free = x->next;
		p->nfree--;
	} else if (!(x = malloc(sizeof(*x)))) {
		return NULL;
	}
	/*
	 * Only the scalars are cleared: the text fields are read up to their
	 * NUL and the header table within nheaders, so their kilobytes stay as
	 * they were (clearing them cost more than assembling the exchange).
	 */
	memset(x, 0, offsetof(struct cap_exchange, method));
	x->method[0] = x->path[0] = x->host[0] = x->request_id[0] = x->grpc_message[0] = '\0';
	x->location[0] = '\0';
	memset(&x->truncated, 0, offsetof(struct cap_exchange, headers) - offsetof(struct cap_exchange, truncated));
	x->has_resp_headers = false;
	x->nresp_headers = 0;
	memset(&x->next, 0, sizeof(*x) - offsetof(struct cap_exchange, next));
	return x;
}

static void x_release(struct assembler *a, struct cap_exchange *x)
{
	struct asm_pool *p = a->cfg->pool;

	if (p->nfree >= POOL_KEEP) {
		free(x);
		return;
	}
	x->next = p->free;
	p->free = x;
	p->nfree++;
}

static void q_push(struct assembler *a, struct cap_exchange *x)
{
	x->next = NULL;
	if (a->tail)
		a->tail->next = x;
	else
		a->head = x;
	a->tail = x;
	a->queued++;
}

static void q_remove(struct assembler *a, struct cap_exchange *x)
{
	struct cap_exchange **pp = &a->head, *prev = NULL;

	while (*pp && *pp != x) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = x->next;
	if (a->tail == x)
		a->tail = prev;
	a->queued--;
}

/* Hands x to the sink (incomplete for `reason` unless already marked) and recycles it. */
static void emit(struct assembler *a, struct cap_exchange *x, const char *reason)
{
	q_remove(a, x);
	if (reason && !x->incomplete)
		x->incomplete = reason;
	x->complete = !x->incomplete;
	a->cfg->counters->exchanges++;
	a->cfg->emit(a->cfg->ctx, a, x);
	x_release(a, x);
}

static void maybe_emit(struct assembler *a, struct cap_exchange *x)
{
	if (x->req_done && x->resp_done)
		emit(a, x, NULL);
}

int asm_req_dir(const struct assembler *a)
{
	return req_dir(a);
}

struct cap_exchange *asm_x_new(struct assembler *a, const struct asm_ev *ev)
{
	struct cap_exchange *x = NULL;
	uint64_t seq = a->next_seq++;

	if (a->queued >= ASM_MAX_QUEUE || !(x = x_alloc(a))) {
		a->cfg->counters->user_drops++;
		return NULL;
	}
	x->seq = seq;
	x->role = a->role;
	x->pid = ev->pid;
	x->tgid = ev->tgid;
	x->start_ns = ev->first_ns;
	q_push(a, x);
	return x;
}

void asm_emit(struct assembler *a, struct cap_exchange *x, const char *reason)
{
	emit(a, x, reason);
}

/* Every exchange still waiting ends now, incomplete for `reason`. */
static void flush_all(struct assembler *a, const char *reason)
{
	while (a->head)
		emit(a, a->head, reason);
	a->st[0].cur = a->st[1].cur = NULL;
}

/* ---- message boundaries ---- */

/* Heads spread over syscalls are rare: no buffer is kept once one is done. */
static void head_drop(struct asm_stream *s)
{
	buf_free(&s->head);
}

static void msg_reset(struct asm_stream *s)
{
	s->in_msg = false;
	s->interim = false;
	s->msg_bytes = 0;
	s->cur = NULL;
	head_drop(s);
}

/*
 * The direction can no longer be followed. A request cut here still gets
 * its response paired (responses come in order) and is then reported
 * incomplete. Responses lost here may belong to any request waiting, so all
 * of those end now; a response that later arrives with nothing waiting is
 * counted as unpaired rather than guessed onto a newer request.
 */
static void lose(struct assembler *a, int dir, const char *reason)
{
	struct asm_stream *s = &a->st[dir];
	struct cap_exchange *x = s->cur;

	if (x && dir == req_dir(a)) {
		x->req_bytes += s->msg_bytes;
	} else if (x && s->msg_bytes) {
		x->resp_bytes += s->msg_bytes;
		x->end_ns = s->last_ns;	/* the last response byte that did arrive */
	}
	s->state = ST_LOST;
	msg_reset(s);
	if (dir != req_dir(a)) {
		flush_all(a, reason);
		return;
	}
	if (x) {
		if (!x->incomplete)
			x->incomplete = reason;
		x->req_done = true;
		maybe_emit(a, x);
	}
}

static void message_done(struct assembler *a, int dir, uint64_t end_ns)
{
	struct asm_stream *s = &a->st[dir];
	struct cap_exchange *x = s->cur;
	uint64_t bytes = s->msg_bytes;
	bool interim = s->interim;

	msg_reset(s);
	s->state = a->tunnel ? ST_TUNNEL : a->h2 ? ST_H2 : ST_HEAD;
	if (a->tunnel)
		a->st[!dir].state = ST_TUNNEL;
	/* After an accepted h2c upgrade the request direction turns HTTP/2 where its request ended. */
	if (a->h2 && a->st[!dir].state == ST_HEAD && !a->st[!dir].in_msg)
		a->st[!dir].state = ST_H2;
	if (!x)
		return;
	if (dir == req_dir(a)) {
		x->req_bytes += bytes;
		x->req_done = true;
	} else {
		x->resp_bytes += bytes;
		if (!interim) {
			x->resp_done = true;
			x->end_ns = end_ns;
		}
	}
	maybe_emit(a, x);
}

/*
 * SETTINGS_HEADER_TABLE_SIZE of an h2c upgrade request's HTTP2-Settings
 * (a base64url SETTINGS payload), UINT32_MAX when it has none.
 */
static uint32_t h2c_table_size(const struct http_head *h)
{
	const struct http_str *v = http_header_get(h, "http2-settings");
	uint32_t size = UINT32_MAX;
	size_t n = 0;
	char *b;

	if (!v || !(b = b64_decode(v->p, v->len, &n)))
		return size;
	for (size_t i = 0; i + 6 <= n; i += 6) {
		const uint8_t *q = (const uint8_t *)b + i;

		if ((q[0] << 8 | q[1]) == 1)	/* SETTINGS_HEADER_TABLE_SIZE */
			size = (uint32_t)q[2] << 24 | (uint32_t)q[3] << 16 | (uint32_t)q[4] << 8 | q[5];
	}
	free(b);
	return size;
}

static void request_head(struct assembler *a, struct asm_stream *s, const struct http_head *h)
{
	struct asm_ev ev = { .first_ns = s->msg_start_ns, .pid = s->msg_pid, .tgid = s->msg_tgid };
	const struct http_str *up = http_header_get(h, "upgrade");
	struct cap_exchange *x = asm_x_new(a, &ev);

	http_body_init(&s->body, h, false);
	if (x) {
		exchange_fill_request(x, h, a->cfg->unredacted);
		x->h2c_request = h->minor >= 1 && up && http_list_has(*up, "h2c");
		if (x->h2c_request)
			a->h2c_table_size = h2c_table_size(h);
	}
	s->cur = x;
}

/*
 * A 101 accepting an h2c upgrade: the request becomes HTTP/2 stream 1, the
 * 101 counts as an interim response of it, and both directions turn
 * HTTP/2 where their HTTP/1.1 message ends.
 */
static bool h2c_accepted(struct assembler *a, struct asm_stream *s, struct cap_exchange *x,
			 const struct http_head *h)
{
	const struct http_str *up;

	/* The status first: every response passes here, a 101 is rare. */
	if (h->status != 101 || !x || !x->h2c_request)
		return false;
	up = http_header_get(h, "upgrade");
	if (!up || !http_list_has(*up, "h2c") || h2_begin(a, "upgrade"))
		return false;
	h2_upgraded(a, x, a->h2c_table_size);
	http_body_init(&s->body, h, false);
	s->interim = true;
	return true;
}

static void response_head(struct assembler *a, struct asm_stream *s, const struct http_head *h)
{
	struct cap_exchange *x = a->head;

	while (x && x->resp_started)
		x = x->next;
	s->cur = x;
	if (h2c_accepted(a, s, x, h))
		return;
	if (h->status < 200 && h->status != 101) {
		/* 1xx interim: the final response for the same request follows. */
		http_body_init(&s->body, h, false);
		s->interim = true;
		return;
	}
	if (!x) {
		a->cfg->counters->unpaired++;
	} else {
		x->resp_started = true;
		x->status = h->status;
		exchange_fill_response(x, h);
		if (x->role == SMIW_ROLE_CLIENT && a->cfg->n_resp_names)
			exchange_keep_response_headers(x, h, a->cfg->resp_names, a->cfg->n_resp_names,
						       a->cfg->unredacted);
	}
	http_body_init(&s->body, h, x && x->head_request);
	if (h->status == 101 || (x && x->tunnel_request && h->status / 100 == 2)) {
		a->tunnel = true;
		s->body.framing = HTTP_BODY_NONE;
		s->body.complete = true;
	}
}

/* ---- feeding bytes ---- */

/* Consumes head bytes; returns how many belong to the head (the rest is body), 0 when lost. */
static size_t feed_head(struct assembler *a, int dir, const char *p, size_t n, const struct asm_ev *ev)
{
	struct asm_stream *s = &a->st[dir];
	enum http_kind kind = kind_of(a, dir);
	size_t prev = s->head.len, add;
	struct http_head h;
	int r = 0;

	if (!s->in_msg) {
		s->in_msg = true;
		s->msg_start_ns = ev->first_ns;
		s->msg_pid = ev->pid;
		s->msg_tgid = ev->tgid;
	}
	/* The usual case: the whole head is inside this record, parse it in place. */
	if (!prev && (r = http_parse_head(&h, kind, p, n, ASM_MAX_HEAD)) > 0)
		goto done;
	if (r < 0)
		goto bad;
	/* A head never grows past ASM_MAX_HEAD: the parser says "too large" there. */
	add = n < ASM_MAX_HEAD - prev ? n : ASM_MAX_HEAD - prev;
	if (buf_append(&s->head, p, add, ASM_MAX_HEAD)) {
		a->cfg->counters->user_drops++;
		goto bad;
	}
	if (!prev)
		return add;	/* already parsed: not complete yet */
	r = http_parse_head(&h, kind, s->head.p, s->head.len, ASM_MAX_HEAD);
	if (r == 0)
		return add;
	if (r < 0)
		goto bad;
done:
	s->state = ST_BODY;
	if (kind == HTTP_REQUEST)
		request_head(a, s, &h);
	else
		response_head(a, s, &h);
	head_drop(s);	/* the fields it needed are copied */
	return (size_t)r - prev;
bad:
	lose(a, dir, "unparsed");
	return 0;
}

/* Feeds n bytes (p NULL: moved but not captured) of one record to direction dir. */
static void feed(struct assembler *a, int dir, const char *p, size_t n, const struct asm_ev *ev)
{
	struct asm_stream *s = &a->st[dir];

	for (;;) {
		size_t used = 0;
		int r;

		if (s->state == ST_BODY && s->body.complete) {
			message_done(a, dir, ev->last_ns);
			continue;
		}
		if (!n || s->state == ST_TUNNEL)
			return;
		if (s->state == ST_H2) {
			h2_feed(a, dir, (const uint8_t *)p, n, ev);
			return;
		}
		if (s->state == ST_LOST) {
			a->cfg->counters->unparsed_bytes += n;
			return;
		}
		if (s->state == ST_HEAD) {
			if (!p) {
				lose(a, dir, "snaplen");
				continue;
			}
			used = feed_head(a, dir, p, n, ev);
		} else {
			r = http_body_consume(&s->body, p, n, &used);
			if (r)
				lose(a, dir, r == -ENODATA ? "snaplen" : "unparsed");
		}
		s->msg_bytes += used;
		n -= used;
		if (p)
			p += used;
	}
}

/*
 * A direction out of step picks up again only where a syscall's bytes start
 * with a well-formed first line of the kind expected (either kind while the
 * role is unknown, which then fixes the role).
 */
static bool resync(struct assembler *a, int dir, const char *p, size_t n)
{
	enum http_kind kinds[2] = { HTTP_REQUEST, HTTP_RESPONSE };
	int nk = 2;
	struct http_head h;

	if (a->tunnel || !n || p[0] == '\r' || p[0] == '\n')
		return false;
	if (a->role != SMIW_ROLE_UNKNOWN) {
		kinds[0] = kind_of(a, dir);
		nk = 1;
	}
	for (int i = 0; i < nk; i++) {
		int r = http_parse_head(&h, kinds[i], p, n, ASM_MAX_HEAD);

		if (r > 0 || (r == 0 && memchr(p, '\n', n))) {
			if (a->role == SMIW_ROLE_UNKNOWN)
				a->role = (kinds[i] == HTTP_REQUEST) == (dir == SMIW_DIR_SEND) ?
					  SMIW_ROLE_CLIENT : SMIW_ROLE_SERVER;
			a->st[dir].state = ST_HEAD;
			return true;
		}
	}
	return false;
}

/*
 * n bytes of direction dir were never seen. Inside a body whose length is
 * known they are skipped by count and only that exchange is marked; anywhere
 * else the direction is out of step.
 */
static void gap(struct assembler *a, int dir, uint64_t n, const struct asm_ev *ev)
{
	struct asm_stream *s = &a->st[dir];
	size_t used = 0;

	a->gaps++;
	a->cfg->counters->gaps++;
	if (s->state == ST_H2) {
		h2_gap(a, dir, n, ev);
		return;
	}
	if (s->state == ST_TUNNEL || s->state == ST_LOST)
		return;
	if (s->state == ST_BODY && !s->body.complete &&
	    http_body_consume(&s->body, NULL, n, &used) == 0 && used == n) {
		s->msg_bytes += n;
		if (s->cur && !s->cur->incomplete)
			s->cur->incomplete = "gap";
		if (s->body.complete)
			message_done(a, dir, ev->first_ns);
		return;
	}
	lose(a, dir, "gap");
}

/* ---- the start of HTTP/2 ---- */

/*
 * The first bytes of a direction turned out not to start HTTP/2: the ones
 * held go on as HTTP/1.x (without a role they cannot be placed, like any
 * bytes before the first head).
 */
static void sniff_done(struct assembler *a, int dir)
{
	struct asm_stream *s = &a->st[dir];
	size_t k = s->nheld;

	s->sniffing = false;
	s->nheld = 0;
	if (!k)
		return;
	if (s->state == ST_LOST)
		a->cfg->counters->unparsed_bytes += k;
	else
		feed(a, dir, (const char *)s->held, k, &s->held_ev);
}

/*
 * HTTP/2 begins with the client connection preface in the request
 * direction, while the server may write its own preface (a SETTINGS frame)
 * before the client's arrives. Without a role only the preface counts (a
 * SETTINGS frame may be any frame of a connection joined mid-stream).
 */
static enum h2_sniff sniff_kind(const struct assembler *a, int dir, const uint8_t *b, size_t n)
{
	int req = req_dir(a);
	enum h2_sniff k = req < 0 || req == dir ? h2_sniff_preface(b, n) : H2_SNIFF_NO;

	if (k == H2_SNIFF_NO && req >= 0 && req != dir)
		k = h2_sniff_settings(b, n);
	return k;
}

/*
 * HTTP/2 starts at direction dir: both directions go to h2.c. The other one
 * may already have been read otherwise: a request direction that was not
 * HTTP/2 is an error, a response direction read without a role (joined as
 * the connection opened) is lost to it. Returns false when out of memory.
 */
static bool sniff_h2(struct assembler *a, int dir)
{
	struct asm_stream *o = &a->st[!dir];

	if (a->role == SMIW_ROLE_UNKNOWN)
		a->role = dir == SMIW_DIR_SEND ? SMIW_ROLE_CLIENT : SMIW_ROLE_SERVER;
	if (h2_begin(a, "preface"))
		return false;
	a->st[dir].state = a->st[!dir].state = ST_H2;
	a->st[dir].sniffing = false;
	if (!o->sniffing && o->next_off) {
		h2_lose(a, !dir, dir != req_dir(a) ? "error" : "late", o->last_ns);
	} else if (o->nheld) {
		o->sniffing = false;
		h2_feed(a, !dir, o->held, o->nheld, &o->held_ev);
		o->nheld = 0;
	}
	o->sniffing = false;
	return true;
}

/*
 * Looks at the first record(s) of a direction for the start of HTTP/2,
 * holding bytes that cannot tell yet. Returns true when the record was
 * taken (held, or fed as HTTP/2).
 */
static bool sniff(struct assembler *a, int dir, const char *p, size_t cap, uint64_t len, const struct asm_ev *ev)
{
	struct asm_stream *s = &a->st[dir];
	uint8_t b[sizeof(s->held)];
	size_t k = s->nheld, m = cap < sizeof(b) - k ? cap : sizeof(b) - k;
	enum h2_sniff kind;

	memcpy(b, s->held, k);
	memcpy(b + k, p, m);
	kind = sniff_kind(a, dir, b, k + m);
	if (kind == H2_SNIFF_MAYBE && len == cap && k + cap < sizeof(s->held)) {
		if (!k)
			s->held_ev = *ev;
		memcpy(s->held + k, p, cap);
		s->nheld = (uint8_t)(k + cap);
		return true;
	}
	if (kind != H2_SNIFF_YES) {
		sniff_done(a, dir);
		return false;
	}
	if (!sniff_h2(a, dir)) {
		sniff_done(a, dir);
		return false;
	}
	if (k)
		h2_feed(a, dir, s->held, k, &s->held_ev);
	s->nheld = 0;
	h2_feed(a, dir, (const uint8_t *)p, cap, ev);
	if (len > cap)
		h2_feed(a, dir, NULL, len - cap, ev);
	return true;
}

/*
 * A connection joined mid-stream (no role) whose first bytes read as
 * HTTP/2 frames: its header tables were built before capture, so nothing
 * on it can be decoded. Returns true when that is the case (the record is
 * then accounted for).
 */
static bool joined_h2(struct assembler *a, int dir, const char *p, size_t cap, uint64_t len, uint64_t ns)
{
	if (a->role != SMIW_ROLE_UNKNOWN || a->h2 || a->st[!dir].state != ST_LOST ||
	    !h2_looks_like_frames((const uint8_t *)p, cap) || h2_begin(a, "late"))
		return false;
	a->st[0].state = a->st[1].state = ST_H2;
	a->st[0].sniffing = a->st[1].sniffing = false;
	h2_lose(a, -1, "late", ns);
	a->cfg->counters->h2_lost_bytes += len;
	return true;
}

/* A receive returned 0: the peer will send nothing more. */
static void stream_eof(struct assembler *a, int dir)
{
	struct asm_stream *s = &a->st[dir];

	if (s->sniffing)
		sniff_done(a, dir);
	s->eof = true;
	if (s->state == ST_H2)
		return;	/* streams still open end with the connection */
	if (s->state == ST_BODY && http_body_finish_at_eof(&s->body))
		message_done(a, dir, s->last_ns);
	else if (s->in_msg && s->state != ST_LOST && s->state != ST_TUNNEL)
		lose(a, dir, "closed");
}

/*
 * A proxy may open a connection with a PROXY protocol header (text v1 or
 * binary v2) carrying the original addresses: a preamble, not HTTP. Returns
 * its length at the start of p, 0 when there is none (or it is not whole).
 */
static size_t proxy_header_len(const char *p, size_t n)
{
	static const char v2[12] = { '\r', '\n', '\r', '\n', 0, '\r', '\n', 'Q', 'U', 'I', 'T', '\n' };
	const char *lf;
	size_t len;

	if (n >= 16 && !memcmp(p, v2, sizeof(v2))) {
		len = 16 + ((size_t)(uint8_t)p[14] << 8 | (uint8_t)p[15]);
		return len <= n ? len : 0;
	}
	if (n < 8 || memcmp(p, "PROXY ", 6))
		return 0;
	lf = memchr(p, '\n', n < 107 ? n : 107);	/* v1 lines are at most 107 bytes */
	return lf && lf[-1] == '\r' ? (size_t)(lf - p) + 1 : 0;
}

void asm_data(struct assembler *a, const struct smiw_data_event *e, const void *payload)
{
	int dir = e->dir & 1;
	struct asm_stream *s = &a->st[dir];
	const char *p = payload;
	uint64_t off = e->off, len = e->len, cap = e->cap_len < e->len ? e->cap_len : e->len;
	bool first;
	struct asm_ev ev = {
		.first_ns = dir == SMIW_DIR_SEND ? e->enter_ns : e->exit_ns,
		.last_ns = e->exit_ns,
		.pid = e->pid,
		.tgid = e->tgid,
	};

	if (e->flags & SMIW_DATA_EOF) {
		stream_eof(a, dir);
		return;
	}
	if (off < s->next_off) {
		/* Bytes already consumed (concurrent syscalls on one socket): keep the new part. */
		uint64_t dup = s->next_off - off;

		if (dup >= len)
			return;
		off += dup;
		len -= dup;
		p += dup < cap ? dup : cap;
		cap = dup < cap ? cap - dup : 0;
	}
	if (off > s->next_off) {
		if (s->sniffing)
			sniff_done(a, dir);	/* the start was lost */
		gap(a, dir, off - s->next_off, &ev);
	}
	s->next_off = off + len;
	if (off == 0 && cap) {
		size_t skip = proxy_header_len(p, cap);

		p += skip;
		cap -= skip;
		len -= skip;
	}
	s->last_ns = ev.last_ns;
	first = s->sniffing;
	if (s->sniffing && len && sniff(a, dir, p, cap, len, &ev))
		return;
	if (s->state == ST_LOST && !resync(a, dir, p, cap)) {
		if (!(first && joined_h2(a, dir, p, cap, len, ev.last_ns)))
			a->cfg->counters->unparsed_bytes += len;
		return;
	}
	if (cap)
		feed(a, dir, p, cap, &ev);
	if (len > cap)
		feed(a, dir, NULL, len - cap, &ev);
}

void asm_init(struct assembler *a, int role, const struct asm_cfg *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->role = role;
	/* Without a role the first bytes may be mid-message: wait for a head. */
	a->st[0].state = a->st[1].state = role == SMIW_ROLE_UNKNOWN ? ST_LOST : ST_HEAD;
	a->st[0].sniffing = a->st[1].sniffing = true;
}

void asm_set_role(struct assembler *a, int role)
{
	if (a->role != SMIW_ROLE_UNKNOWN || role == SMIW_ROLE_UNKNOWN || a->head)
		return;
	a->role = role;
	for (int d = 0; d < 2; d++)
		if (a->st[d].state == ST_LOST && a->st[d].next_off == 0)
			a->st[d].state = ST_HEAD;
}

void asm_reset(struct assembler *a)
{
	a->reset = true;
}

void asm_end(struct assembler *a, const char *reason, const uint64_t *final_bytes)
{
	for (int d = 0; d < 2; d++) {
		struct asm_stream *s = &a->st[d];
		struct asm_ev ev = { .first_ns = s->last_ns, .last_ns = s->last_ns };

		if (s->sniffing)
			sniff_done(a, d);
		if (final_bytes && final_bytes[d] > s->next_off) {
			gap(a, d, final_bytes[d] - s->next_off, &ev);
			s->next_off = final_bytes[d];
		}
		if (s->state == ST_BODY && http_body_finish_at_eof(&s->body))
			message_done(a, d, s->last_ns);
	}
	flush_all(a, a->reset ? "reset" : reason);
}

void asm_free(struct assembler *a)
{
	while (a->head) {
		struct cap_exchange *x = a->head;

		q_remove(a, x);
		x_release(a, x);
	}
	for (int d = 0; d < 2; d++)
		msg_reset(&a->st[d]);
	h2_free(a);
}

void asm_pool_free(struct asm_pool *p)
{
	while (p->free) {
		struct cap_exchange *x = p->free;

		p->free = x->next;
		free(x);
	}
	p->nfree = 0;
}
