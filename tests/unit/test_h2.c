/*
 * test_h2 - HTTP/2 exchange assembly from byte streams that libnghttp2's own
 * client and server sessions produce in memory: what capture reports of
 * every stream is checked against what the two nghttp2 endpoints decoded
 * (fields, statuses, resets) and against a walk of the frame headers on the
 * wire (byte counts, times). Many streams per connection with dynamic
 * table eviction and table size changes, CONTINUATION, padding, gRPC
 * trailers, RST_STREAM, GOAWAY, h2c upgrade, the server writing first; the
 * same transcripts re-split at every byte, cut at every byte, with gaps,
 * snaplen cuts and a capture that joins mid-connection.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <nghttp2/nghttp2.h>

#include "capture/assemble.h"
#include "capture/h2.h"
#include "capture/h2frame.h"

#define MAX_STREAMS 512
#define MAX_CHUNKS 8192
#define T_STEP 1000

/* ---- what capture reported ---- */

struct seen {
	uint32_t stream;
	int protocol;
	char method[CAP_METHOD_MAX], path[CAP_PATH_MAX], host[CAP_HOST_MAX], request_id[CAP_REQID_MAX];
	char grpc_message[CAP_GRPC_MESSAGE_MAX], incomplete[16];
	int status, grpc_status, rst_by;
	bool has_grpc_status, rst, complete, truncated;
	uint32_t rst_code;
	uint64_t seq, start_ns, end_ns, req_bytes, resp_bytes;
	char headers[1024];	/* "name=value;" for every header field */
	bool has_resp;
	char resp[256];		/* "name=value;" for every response field kept */
};

struct harness {
	struct assembler a;
	struct asm_cfg cfg;
	struct asm_pool pool;
	struct asm_counters counters;
	struct seen *seen;
	int n;
	struct cap_h2 info;	/* the connection's HTTP/2 facts at the end */
	bool unredacted;
};

/* Response header names asked for (test_response_headers), kept by h_init. */
static const char *const *resp_names;
static unsigned n_resp_names;

static void on_emit(void *ctx, const struct assembler *a, struct cap_exchange *x)
{
	struct harness *t = ctx;
	struct seen *s;
	size_t hl = 0;

	(void)a;
	assert_true(t->n < MAX_STREAMS);
	s = &t->seen[t->n++];
	memset(s, 0, sizeof(*s));
	s->stream = x->stream_id;
	s->protocol = x->protocol;
	snprintf(s->method, sizeof(s->method), "%s", x->method);
	snprintf(s->path, sizeof(s->path), "%s", x->path);
	snprintf(s->host, sizeof(s->host), "%s", x->host);
	snprintf(s->request_id, sizeof(s->request_id), "%s", x->request_id);
	snprintf(s->grpc_message, sizeof(s->grpc_message), "%s", x->grpc_message);
	snprintf(s->incomplete, sizeof(s->incomplete), "%s", x->incomplete ? x->incomplete : "");
	s->status = x->status;
	s->has_grpc_status = x->has_grpc_status;
	s->grpc_status = x->grpc_status;
	s->rst = x->rst;
	s->rst_code = x->rst_code;
	s->rst_by = x->rst_by;
	s->complete = x->complete;
	s->truncated = x->truncated;
	s->seq = x->seq;
	s->start_ns = x->start_ns;
	s->end_ns = x->end_ns;
	s->req_bytes = x->req_bytes;
	s->resp_bytes = x->resp_bytes;
	for (unsigned i = 0; i < x->nheaders && hl < sizeof(s->headers); i++)
		hl += snprintf(s->headers + hl, sizeof(s->headers) - hl, "%.*s=%.*s;", (int)x->headers[i].name_len,
			       x->hdrbuf + x->headers[i].name, (int)x->headers[i].value_len,
			       x->hdrbuf + x->headers[i].value);
	s->has_resp = x->has_resp_headers;
	for (unsigned i = 0, rl = 0; i < x->nresp_headers && rl < sizeof(s->resp); i++)
		rl += snprintf(s->resp + rl, sizeof(s->resp) - rl, "%.*s=%.*s;", (int)x->resp_headers[i].name_len,
			       x->resp_hdrbuf + x->resp_headers[i].name, (int)x->resp_headers[i].value_len,
			       x->resp_hdrbuf + x->resp_headers[i].value);
}

static void h_init(struct harness *t, int role)
{
	struct seen *keep = t->seen;

	memset(t, 0, sizeof(*t));
	t->seen = keep ? keep : calloc(MAX_STREAMS, sizeof(*t->seen));
	assert_non_null(t->seen);
	t->cfg = (struct asm_cfg){ .emit = on_emit, .ctx = t, .pool = &t->pool, .counters = &t->counters,
				   .resp_names = resp_names, .n_resp_names = n_resp_names };
	asm_init(&t->a, role, &t->cfg);
}

static void h_done(struct harness *t, const char *reason)
{
	asm_end(&t->a, reason, NULL);
	t->info = t->a.h2info;
	asm_free(&t->a);
	asm_pool_free(&t->pool);
}

static const struct seen *seen_stream(const struct harness *t, uint32_t id)
{
	const struct seen *r = NULL;

	for (int i = 0; i < t->n; i++)
		if (t->seen[i].stream == id) {
			if (r)
				fail_msg("stream %u reported twice", id);
			r = &t->seen[i];
		}
	return r;
}

/* ---- a transcript: what each side wrote, in order ---- */

enum { C2S, S2C };

struct chunk {
	int dir;		/* C2S or S2C */
	size_t off, len;	/* in that direction's log */
	size_t pos;		/* of its first byte in the whole transcript */
};

struct xcript {
	uint8_t *log[2];
	size_t len[2], cap[2];
	size_t h2_at[2];	/* where HTTP/2 framing starts in each log */
	struct chunk ch[MAX_CHUNKS];
	int nch;
	size_t total;
};

static void x_append(struct xcript *x, int dir, const uint8_t *p, size_t n)
{
	if (x->len[dir] + n > x->cap[dir]) {
		x->cap[dir] = (x->len[dir] + n) * 2;
		x->log[dir] = realloc(x->log[dir], x->cap[dir]);
		assert_non_null(x->log[dir]);
	}
	memcpy(x->log[dir] + x->len[dir], p, n);
	x->len[dir] += n;
}

/* Closes the chunk begun at `from` in direction dir (one write). */
static void x_chunk(struct xcript *x, int dir, size_t from)
{
	struct chunk *c;

	if (x->len[dir] == from)
		return;
	assert_true(x->nch < MAX_CHUNKS);
	c = &x->ch[x->nch++];
	*c = (struct chunk){ .dir = dir, .off = from, .len = x->len[dir] - from, .pos = x->total };
	x->total += c->len;
}

static void x_text(struct xcript *x, int dir, const char *s)
{
	size_t from = x->len[dir];

	x_append(x, dir, (const uint8_t *)s, strlen(s));
	x_chunk(x, dir, from);
}

static void x_free(struct xcript *x)
{
	free(x->log[0]);
	free(x->log[1]);
	memset(x, 0, sizeof(*x));
}

/* Chunk index k was written at time (k + 1) * T_STEP and took 1 ns. */
static uint64_t chunk_t(int k)
{
	return (uint64_t)(k + 1) * T_STEP;
}

/* ---- the two nghttp2 endpoints ---- */

/* What the endpoints decoded of one stream: the expected record. */
struct want {
	int32_t id;
	char method[16], path[128], authority[64], reqid[64], grpc_message[64];
	int status;
	bool grpc, has_grpc_status, rst, refused;
	int grpc_status, rst_by;
	uint32_t rst_code;
	bool client_closed;			/* the client's session closed the stream */
	char headers[1024];			/* regular request fields as the server decoded them */
	/* from the wire */
	uint64_t req_bytes, resp_bytes;
	int start_chunk, end_chunk;		/* first request byte, last response byte */
	size_t req_end, resp_end;		/* transcript position just past each END_STREAM frame */
	bool req_ended, resp_ended;
	bool pending_end[2];			/* END_STREAM on a header block not ended yet */
	bool first_seen;
	size_t req_first;			/* transcript position of its first HEADERS frame */
};

/* Server side of one stream: what it will answer. */
struct srv_stream {
	char path[128];
	size_t body_left;
	bool trailers;
	int grpc_code;
	bool responded;
};

struct pair {
	nghttp2_session *cli, *srv;
	struct xcript x;
	struct want w[MAX_STREAMS];
	int nw;
	struct srv_stream ss[2 * MAX_STREAMS + 2];
	bool pad;			/* both sides pad HEADERS and DATA */
	bool big_response_header;	/* every response carries a 30000-byte field (CONTINUATION) */
	int32_t goaway_after;		/* the server sends GOAWAY(last = this) once it saw this stream (0: never) */
	bool goaway_sent;
	int32_t hold_from;		/* streams from here on get no answer (with goaway_after) */
};

static struct want *want_of(struct pair *p, int32_t id)
{
	for (int i = 0; i < p->nw; i++)
		if (p->w[i].id == id)
			return &p->w[i];
	return NULL;
}

static void copy_nv(char *dst, size_t n, const uint8_t *v, size_t len)
{
	snprintf(dst, n, "%.*s", (int)len, (const char *)v);
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t namelen,
		     const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
	struct pair *p = ud;
	struct want *w = want_of(p, f->hd.type == NGHTTP2_PUSH_PROMISE ? f->push_promise.promised_stream_id :
				 f->hd.stream_id);
	char n[64];

	(void)flags;
	if (!w)
		return 0;
	copy_nv(n, sizeof(n), name, namelen);
	if (s == p->srv) {
		if (!strcmp(n, ":method"))
			copy_nv(w->method, sizeof(w->method), value, valuelen);
		else if (!strcmp(n, ":path"))
			copy_nv(w->path, sizeof(w->path), value, valuelen);
		else if (!strcmp(n, ":authority"))
			copy_nv(w->authority, sizeof(w->authority), value, valuelen);
		if (!strcmp(n, "x-request-id"))
			copy_nv(w->reqid, sizeof(w->reqid), value, valuelen);
		if (!strcmp(n, "content-type") && valuelen >= 16 && !memcmp(value, "application/grpc", 16))
			w->grpc = true;
		if (n[0] != ':' && valuelen < 200) {
			size_t hl = strlen(w->headers);
			int sensitive = flags & NGHTTP2_NV_FLAG_NO_INDEX;
			int secret = !strcmp(n, "authorization") || !strcmp(n, "cookie");

			snprintf(w->headers + hl, sizeof(w->headers) - hl, "%s=%.*s;", n,
				 (int)(sensitive || secret ? 10 : valuelen),
				 sensitive || secret ? "<redacted>" : (const char *)value);
		}
		return 0;
	}
	if (!strcmp(n, ":status")) {
		int st = atoi((const char *)value);

		if (st >= 200)
			w->status = st;
	} else if (!strcmp(n, "grpc-status")) {
		w->has_grpc_status = true;
		w->grpc_status = atoi((const char *)value);
	} else if (!strcmp(n, "grpc-message")) {
		copy_nv(w->grpc_message, sizeof(w->grpc_message), value, valuelen);
	}
	/* A client that gives up on a large response once it has its headers. */
	if (!strcmp(n, ":status") && !strncmp(w->path, "/cancel", 7))
		nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, w->id, NGHTTP2_CANCEL);
	return 0;
}

static ssize_t body_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
			 nghttp2_data_source *src, void *ud)
{
	struct pair *p = ud;
	struct srv_stream *ss = &p->ss[id];
	size_t n = ss->body_left < len ? ss->body_left : len;

	(void)src;
	memset(buf, 'b', n);
	ss->body_left -= n;
	if (ss->body_left)
		return (ssize_t)n;
	*flags |= NGHTTP2_DATA_FLAG_EOF;
	if (ss->trailers) {
		char code[8], msg[32];
		nghttp2_nv t[2] = {
			{ (uint8_t *)"grpc-status", (uint8_t *)code, 11, 0, NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"grpc-message", (uint8_t *)msg, 12, 0, NGHTTP2_NV_FLAG_NONE },
		};

		t[0].valuelen = snprintf(code, sizeof(code), "%d", ss->grpc_code);
		t[1].valuelen = snprintf(msg, sizeof(msg), "failed%%20%d", ss->grpc_code);
		*flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
		assert_int_equal(nghttp2_submit_trailer(s, id, t, ss->grpc_code ? 2 : 1), 0);
	}
	return (ssize_t)n;
}

/* A request body the client never finishes sending. */
static ssize_t deferred_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
			     nghttp2_data_source *src, void *ud)
{
	(void)s, (void)id, (void)buf, (void)len, (void)flags, (void)src, (void)ud;
	return NGHTTP2_ERR_DEFERRED;
}

#define NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE }

/* The server answers a request as its path says. */
static void respond(struct pair *p, int32_t id)
{
	struct srv_stream *ss = &p->ss[id];
	static char big[30001];
	char status[8] = "200";
	nghttp2_data_provider prd = { .read_callback = body_read };
	char served[128];
	nghttp2_nv nv[5] = { NV(":status", "200") };
	size_t nnv = 1;
	unsigned st = 200, len = 0;
	int code = 0;

	if (ss->responded || (p->hold_from && id >= p->hold_from))
		return;
	ss->responded = true;
	if (!strcmp(ss->path, "/refuse")) {
		nghttp2_submit_rst_stream(p->srv, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
		return;
	}
	if (sscanf(ss->path, "/r/%u/%u", &st, &len) == 2) {
		snprintf(status, sizeof(status), "%u", st);
		nv[0].value = (uint8_t *)status;
		ss->body_left = len;
	} else if (sscanf(ss->path, "/grpc/%d", &code) == 1) {
		nv[nnv++] = (nghttp2_nv)NV("content-type", "application/grpc");
		ss->body_left = 7;
		ss->trailers = true;
		ss->grpc_code = code;
	} else if (sscanf(ss->path, "/grpc-only/%d", &code) == 1) {
		char c[8];

		snprintf(c, sizeof(c), "%d", code);
		nv[nnv++] = (nghttp2_nv)NV("content-type", "application/grpc");
		nv[nnv++] = (nghttp2_nv)NV("grpc-status", c);
		assert_int_equal(nghttp2_submit_response(p->srv, id, nv, nnv, NULL), 0);
		return;
	} else if (!strcmp(ss->path, "/cancel")) {
		ss->body_left = 200000;
	} else {
		ss->body_left = strlen(ss->path);
	}
	/* a value of its own per response, so the server's table fills and evicts too */
	snprintf(served, sizeof(served), "%0100d", id);
	nv[nnv++] = (nghttp2_nv)NV("x-served", served);
	if (p->big_response_header) {
		memset(big, 'h', sizeof(big) - 1);
		nv[nnv++] = (nghttp2_nv)NV("x-big", big);
	}
	assert_int_equal(nghttp2_submit_response(p->srv, id, nv, nnv, ss->body_left || ss->trailers ? &prd : NULL),
			 0);
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct pair *p = ud;
	struct want *w = want_of(p, f->hd.stream_id);

	if (s != p->srv || !w)
		return 0;
	if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST)
		memcpy(p->ss[f->hd.stream_id].path, w->path, sizeof(w->path));
	if (p->goaway_after && !p->goaway_sent && f->hd.stream_id >= p->goaway_after) {
		p->goaway_sent = true;
		nghttp2_submit_goaway(s, NGHTTP2_FLAG_NONE, p->goaway_after, NGHTTP2_NO_ERROR, NULL, 0);
	}
	/* "/early" is answered at its headers, before the request's body ends. */
	if ((f->hd.flags & NGHTTP2_FLAG_END_STREAM) ||
	    (f->hd.type == NGHTTP2_HEADERS && !strcmp(p->ss[f->hd.stream_id].path, "/early")))
		respond(p, f->hd.stream_id);
	return 0;
}

static int on_frame_send(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct pair *p = ud;
	struct want *w = want_of(p, f->hd.stream_id);

	if (f->hd.type == NGHTTP2_RST_STREAM && w) {
		w->rst = true;
		w->rst_code = f->rst_stream.error_code;
		w->rst_by = s == p->cli ? SMIW_ROLE_CLIENT : SMIW_ROLE_SERVER;
	}
	/* Its response complete, the server no longer wants the rest of an "/early" request. */
	if (s == p->srv && w && (f->hd.flags & NGHTTP2_FLAG_END_STREAM) &&
	    (f->hd.type == NGHTTP2_DATA || f->hd.type == NGHTTP2_HEADERS) && !strcmp(p->ss[w->id].path, "/early"))
		nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, w->id, NGHTTP2_NO_ERROR);
	return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t code, void *ud)
{
	struct pair *p = ud;
	struct want *w = want_of(p, id);

	if (s != p->cli || !w)
		return 0;
	w->client_closed = true;
	if (code == NGHTTP2_REFUSED_STREAM && !w->rst)
		w->refused = true;	/* by the server's GOAWAY */
	return 0;
}

static int on_frame_recv_rst(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct pair *p = ud;
	struct want *w = want_of(p, f->hd.stream_id);

	if (f->hd.type == NGHTTP2_RST_STREAM && w && !w->rst) {
		w->rst = true;
		w->rst_code = f->rst_stream.error_code;
		w->rst_by = s == p->cli ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT;
	}
	return on_frame_recv(s, f, ud);
}

static ssize_t select_padding(nghttp2_session *s, const nghttp2_frame *f, size_t max, void *ud)
{
	struct pair *p = ud;
	size_t want = f->hd.length + 1 + (f->hd.stream_id * 7) % 40;

	(void)s;
	if (!p->pad)
		return (ssize_t)f->hd.length;
	return (ssize_t)(want < max ? want : max);
}

static nghttp2_session *endpoint(struct pair *p, bool server, nghttp2_option *opt)
{
	nghttp2_session_callbacks *cb;
	nghttp2_session *s;

	assert_int_equal(nghttp2_session_callbacks_new(&cb), 0);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv_rst);
	nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
	nghttp2_session_callbacks_set_select_padding_callback(cb, select_padding);
	if (server)
		assert_int_equal(nghttp2_session_server_new2(&s, cb, p, opt), 0);
	else
		assert_int_equal(nghttp2_session_client_new2(&s, cb, p, opt), 0);
	nghttp2_session_callbacks_del(cb);
	return s;
}

static void pair_init(struct pair *p, const nghttp2_settings_entry *cli_set, size_t ncli,
		      const nghttp2_settings_entry *srv_set, size_t nsrv, nghttp2_option *srv_opt)
{
	memset(p, 0, sizeof(*p));
	p->cli = endpoint(p, false, NULL);
	p->srv = endpoint(p, true, srv_opt);
	assert_int_equal(nghttp2_submit_settings(p->cli, NGHTTP2_FLAG_NONE, cli_set, ncli), 0);
	assert_int_equal(nghttp2_submit_settings(p->srv, NGHTTP2_FLAG_NONE, srv_set, nsrv), 0);
}

static void pair_free(struct pair *p)
{
	nghttp2_session_del(p->cli);
	nghttp2_session_del(p->srv);
	x_free(&p->x);
}

/* One write by one side: everything its session has to send. Returns the bytes. */
static size_t write_side(struct pair *p, int dir)
{
	nghttp2_session *from = dir == C2S ? p->cli : p->srv, *to = dir == C2S ? p->srv : p->cli;
	size_t start = p->x.len[dir], n;
	const uint8_t *d;
	ssize_t r;

	while ((r = nghttp2_session_mem_send(from, &d)) > 0)
		x_append(&p->x, dir, d, (size_t)r);
	assert_true(r == 0);
	n = p->x.len[dir] - start;
	x_chunk(&p->x, dir, start);
	if (n)
		assert_int_equal(nghttp2_session_mem_recv(to, p->x.log[dir] + start, n), (ssize_t)n);
	return n;
}

/* Lets the sides write in turn until neither has anything to say. */
static void pump(struct pair *p, bool server_first)
{
	for (int round = 0; round < 100000; round++) {
		size_t a = write_side(p, server_first ? S2C : C2S);
		size_t b = write_side(p, server_first ? C2S : S2C);

		if (!a && !b)
			return;
	}
	fail_msg("the sessions never went quiet");
}

/* Submits a request from the client; extra fields as name, value pairs. Returns its want. */
static struct want *request(struct pair *p, const char *method, const char *path, const char *reqid,
			    const nghttp2_data_provider *body, int nextra, ...)
{
	nghttp2_nv nv[16] = {
		NV(":method", method), NV(":scheme", "http"), NV(":authority", "app-svc:9091"),
		NV(":path", path), NV("x-request-id", reqid),
	};
	size_t n = 5;
	struct want *w;
	va_list ap;
	int32_t id;

	va_start(ap, nextra);
	for (int i = 0; i < nextra; i++) {
		const char *k = va_arg(ap, const char *), *v = va_arg(ap, const char *);

		nv[n++] = (nghttp2_nv){ (uint8_t *)k, (uint8_t *)v, strlen(k), strlen(v), NGHTTP2_NV_FLAG_NONE };
	}
	va_end(ap);
	id = nghttp2_submit_request(p->cli, NULL, nv, n, body, NULL);
	assert_true(id > 0);
	assert_true(p->nw < MAX_STREAMS);
	w = &p->w[p->nw++];
	memset(w, 0, sizeof(*w));
	w->id = id;
	return w;
}

/* ---- the frames on the wire, walked from their headers: byte counts and times ---- */

static int chunk_at(const struct xcript *x, int dir, size_t off)
{
	for (int k = 0; k < x->nch; k++)
		if (x->ch[k].dir == dir && off >= x->ch[k].off && off < x->ch[k].off + x->ch[k].len)
			return k;
	fail_msg("offset %zu of direction %d is in no chunk", off, dir);
	return -1;
}

static size_t pos_of(const struct xcript *x, int dir, size_t off)
{
	int k = chunk_at(x, dir, off);

	return x->ch[k].pos + (off - x->ch[k].off);
}

static void walk_frames(struct pair *p, int dir)
{
	const struct xcript *x = &p->x;
	const uint8_t *b = x->log[dir];
	size_t at = x->h2_at[dir];
	uint32_t block_stream = 0;

	if (dir == C2S && x->len[dir] - at >= 24 && !memcmp(b + at, NGHTTP2_CLIENT_MAGIC, 24))
		at += 24;
	while (at + 9 <= x->len[dir]) {
		uint32_t len = (uint32_t)b[at] << 16 | b[at + 1] << 8 | b[at + 2];
		uint8_t type = b[at + 3], flags = b[at + 4];
		uint32_t sid = ((uint32_t)b[at + 5] << 24 | b[at + 6] << 16 | b[at + 7] << 8 | b[at + 8]) & 0x7fffffff;
		struct want *w;
		size_t end = at + 9 + len;

		assert_true(end <= x->len[dir]);
		if (type == NGHTTP2_HEADERS || type == NGHTTP2_PUSH_PROMISE)
			block_stream = sid;
		w = want_of(p, type == NGHTTP2_CONTINUATION ? block_stream : sid);
		if (w && (type == NGHTTP2_HEADERS || type == NGHTTP2_CONTINUATION || type == NGHTTP2_DATA ||
			  type == NGHTTP2_PUSH_PROMISE)) {
			if (dir == C2S)
				w->req_bytes += 9 + len;
			else
				w->resp_bytes += 9 + len;
		}
		if (w && dir == C2S && type == NGHTTP2_HEADERS && !w->first_seen) {
			w->first_seen = true;
			w->req_first = pos_of(x, dir, at);
		}
		if (w && dir == C2S && type == NGHTTP2_HEADERS && w->start_chunk < 0)
			w->start_chunk = chunk_at(x, dir, at);
		if (w && type == NGHTTP2_HEADERS && (flags & NGHTTP2_FLAG_END_STREAM))
			w->pending_end[dir] = true;
		if (w && ((type == NGHTTP2_DATA && (flags & NGHTTP2_FLAG_END_STREAM)) ||
			  ((type == NGHTTP2_HEADERS || type == NGHTTP2_CONTINUATION) &&
			   (flags & NGHTTP2_FLAG_END_HEADERS) && w->pending_end[dir]))) {
			w->pending_end[dir] = false;
			if (dir == C2S) {
				w->req_ended = true;
				w->req_end = pos_of(x, dir, end - 1) + 1;
			} else {
				w->resp_ended = true;
				w->resp_end = pos_of(x, dir, end - 1) + 1;
				w->end_chunk = chunk_at(x, dir, end - 1);
			}
		}
		at = end;
	}
	assert_int_equal(at, x->len[dir]);
}

static void walk(struct pair *p)
{
	for (int i = 0; i < p->nw; i++) {
		struct want *w = &p->w[i];

		w->req_bytes = w->resp_bytes = 0;
		w->req_end = w->resp_end = w->req_first = 0;
		w->req_ended = w->resp_ended = w->first_seen = false;
		w->start_chunk = w->end_chunk = -1;
	}
	walk_frames(p, C2S);
	walk_frames(p, S2C);
}

/* ---- replaying a transcript into the assembler ---- */

#define ALL SIZE_MAX
#define BYTEWISE SIZE_MAX

struct replay {
	int observer;		/* SMIW_ROLE_CLIENT or SMIW_ROLE_SERVER: whose syscalls these are */
	int asm_role;		/* the role the assembler starts with (UNKNOWN: learnt or joined late) */
	size_t split;		/* 0: a record per chunk; k: each chunk cut at k; BYTEWISE */
	size_t stop;		/* transcript bytes from here on are never seen (the connection ends) */
	size_t drop_from, drop_to;	/* transcript bytes in [from, to) are missing (a gap) */
	size_t snaplen;		/* bytes captured per record (0: all) */
	int from_chunk;		/* capture starts here: offsets count from it (a connection joined late) */
	const char *end_reason;
};

static struct replay rp(int observer)
{
	return (struct replay){ .observer = observer, .asm_role = observer, .stop = ALL, .end_reason = "closed" };
}

static int obs_dir(const struct replay *o, int dir)
{
	bool send = (dir == C2S) == (o->observer == SMIW_ROLE_CLIENT);

	return send ? SMIW_DIR_SEND : SMIW_DIR_RECV;
}

static void record(struct harness *t, int d, const uint8_t *p, uint64_t off, size_t len, size_t snaplen, int k)
{
	struct smiw_data_event e = {
		.type = SMIW_EV_DATA, .dir = d, .off = off, .len = len,
		.cap_len = snaplen && snaplen < len ? snaplen : len,
		.enter_ns = chunk_t(k), .exit_ns = chunk_t(k) + 1, .tgid = 7, .pid = 8,
	};

	asm_data(&t->a, &e, p);
}

static void replay(struct harness *t, const struct xcript *x, const struct replay *o)
{
	size_t base[2] = { 0, 0 };
	bool based[2] = { false, false };

	h_init(t, o->asm_role);
	for (int k = o->from_chunk; k < x->nch; k++) {
		const struct chunk *c = &x->ch[k];
		int d = obs_dir(o, c->dir);
		size_t len = c->len, at = 0;

		if (!based[c->dir]) {
			based[c->dir] = true;
			base[c->dir] = c->off;
		}
		if (c->pos >= o->stop)
			break;
		if (c->pos + len > o->stop)
			len = o->stop - c->pos;
		while (at < len) {
			size_t piece = len - at, pos = c->pos + at;

			if (o->split == BYTEWISE)
				piece = 1;
			else if (o->split && at < o->split && o->split < len)
				piece = o->split - at;
			/* the missing range cuts records at its edges */
			if (pos < o->drop_from && pos + piece > o->drop_from)
				piece = o->drop_from - pos;
			else if (pos >= o->drop_from && pos < o->drop_to && pos + piece > o->drop_to)
				piece = o->drop_to - pos;
			if (!(pos >= o->drop_from && pos < o->drop_to))
				record(t, d, x->log[c->dir] + c->off + at, c->off + at - base[c->dir], piece,
				       o->snaplen, k);
			at += piece;
		}
	}
	h_done(t, o->end_reason);
}

/* ---- checks ---- */

/* The record nghttp2's endpoints and the wire say stream w should have. */
static void check_stream(const struct harness *t, const struct want *w, const struct replay *o, const char *what)
{
	const struct seen *s = seen_stream(t, (uint32_t)w->id);
	const char *inc = w->refused ? "refused" : w->rst && !(w->rst_code == 0 && w->resp_ended) ? "reset" : "";
	uint64_t start = chunk_t(w->start_chunk) + (o->observer == SMIW_ROLE_SERVER);

	if (!s)
		fail_msg("%s: stream %d not reported", what, w->id);
	if (strcmp(s->method, w->method) || strcmp(s->path, w->path) || strcmp(s->host, w->authority) ||
	    strcmp(s->request_id, w->reqid))
		fail_msg("%s: stream %d: %s %s %s %s, want %s %s %s %s", what, w->id, s->method, s->path, s->host,
			 s->request_id, w->method, w->path, w->authority, w->reqid);
	if (s->status != w->status || s->has_grpc_status != w->has_grpc_status ||
	    (w->has_grpc_status && s->grpc_status != w->grpc_status) || strcmp(s->grpc_message, w->grpc_message))
		fail_msg("%s: stream %d: status %d grpc %d/%d '%s', want %d %d/%d '%s'", what, w->id, s->status,
			 s->has_grpc_status, s->grpc_status, s->grpc_message, w->status, w->has_grpc_status,
			 w->grpc_status, w->grpc_message);
	if (s->protocol != (w->grpc ? CAP_GRPC : CAP_H2))
		fail_msg("%s: stream %d: protocol %d", what, w->id, s->protocol);
	if (strcmp(s->incomplete, inc) || s->complete != !*inc)
		fail_msg("%s: stream %d: complete %d '%s', want '%s'", what, w->id, s->complete, s->incomplete, inc);
	if (s->rst != w->rst || (w->rst && (s->rst_code != w->rst_code || s->rst_by != w->rst_by)))
		fail_msg("%s: stream %d: rst %d %u by %d, want %d %u by %d", what, w->id, s->rst, s->rst_code,
			 s->rst_by, w->rst, w->rst_code, w->rst_by);
	if (s->req_bytes != w->req_bytes || s->resp_bytes != w->resp_bytes)
		fail_msg("%s: stream %d: bytes %llu/%llu, want %llu/%llu", what, w->id,
			 (unsigned long long)s->req_bytes, (unsigned long long)s->resp_bytes,
			 (unsigned long long)w->req_bytes, (unsigned long long)w->resp_bytes);
	if (s->start_ns != start)
		fail_msg("%s: stream %d: start %llu, want %llu", what, w->id, (unsigned long long)s->start_ns,
			 (unsigned long long)start);
	if (w->resp_ended && s->end_ns != chunk_t(w->end_chunk) + 1)
		fail_msg("%s: stream %d: end %llu, want %llu", what, w->id, (unsigned long long)s->end_ns,
			 (unsigned long long)chunk_t(w->end_chunk) + 1);
	if (strcmp(s->headers, w->headers))
		fail_msg("%s: stream %d: headers '%s', want '%s'", what, w->id, s->headers, w->headers);
}

/* Every stream exact, nothing else reported, nothing lost. */
static void check_all(const struct harness *t, const struct pair *p, const struct replay *o, const char *what)
{
	for (int i = 0; i < p->nw; i++)
		check_stream(t, &p->w[i], o, what);
	if (t->n != p->nw)
		fail_msg("%s: %d exchanges, want %d", what, t->n, p->nw);
	/* streams are numbered on their connection in the order they opened */
	for (int i = 0; i < p->nw; i++)
		assert_int_equal(seen_stream(t, (uint32_t)p->w[i].id)->seq, i);
	assert_int_equal(t->counters.gaps, 0);
	assert_int_equal(t->counters.unparsed_bytes, 0);
	assert_int_equal(t->counters.unpaired, 0);
	assert_int_equal(t->counters.user_drops, 0);
	assert_int_equal(t->counters.h2_lost_bytes, 0);
	assert_null(t->info.lost);
	assert_non_null(t->info.start);
}

static void run_both_roles(struct pair *p, struct harness *t, const char *what)
{
	int roles[2] = { SMIW_ROLE_CLIENT, SMIW_ROLE_SERVER };

	walk(p);
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(roles[r]);

		replay(t, &p->x, &o);
		check_all(t, p, &o, what);
		assert_string_equal(t->info.start, "preface");
	}
}

/* ---- scenarios ---- */

static const nghttp2_settings_entry default_settings[] = {
	{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100 },
};

/* Request bodies: a byte count in the data source. */
static ssize_t req_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
			nghttp2_data_source *src, void *ud)
{
	size_t *left = src->ptr, n = *left < len ? *left : len;

	(void)s, (void)id, (void)ud;
	memset(buf, 'q', n);
	*left -= n;
	if (!*left)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static size_t body_lens[MAX_STREAMS];

/*
 * n requests in batches: unique request ids and filler values, so the
 * dynamic tables keep evicting; statuses and body sizes vary, every
 * seventh request a POST with a body.
 */
static void many_requests(struct pair *p, int n, int batch, int from)
{
	for (int i = 0; i < n; i++) {
		static const unsigned st[] = { 200, 201, 404, 503, 204 };
		char path[64], rid[32], filler[160];
		int k = from + i;

		snprintf(path, sizeof(path), "/r/%u/%d", st[k % 5], st[k % 5] == 204 ? 0 : (k * 977) % 40000);
		snprintf(rid, sizeof(rid), "req-%d", k);
		memset(filler, 'a' + k % 26, 150);
		snprintf(filler + 150, sizeof(filler) - 150, "%05d", k);
		if (k % 7 == 3) {
			nghttp2_data_provider d = { .source.ptr = &body_lens[k % MAX_STREAMS], .read_callback = req_body };

			body_lens[k % MAX_STREAMS] = 1000 + k;
			request(p, "POST", path, rid, &d, 2, "x-filler", filler, "content-type", "text/plain");
		} else {
			request(p, "GET", path, rid, NULL, 1, "x-filler", filler);
		}
		if ((i + 1) % batch == 0)
			pump(p, false);
	}
	pump(p, false);
}

static void test_many_streams(void **state)
{
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	many_requests(p, 300, 30, 0);
	run_both_roles(p, &t, "many streams");
	assert_int_equal(t.n, 300);
	assert_string_equal(seen_stream(&t, 1)->path, "/r/200/0");
	assert_string_equal(seen_stream(&t, 1)->request_id, "req-0");
	assert_string_equal(seen_stream(&t, 1)->host, "app-svc:9091");
	assert_int_equal(seen_stream(&t, 5)->status, 404);
	assert_string_equal(seen_stream(&t, 7)->method, "POST");
	assert_int_equal(seen_stream(&t, 599)->status, 204);
	pair_free(p);
	free(p);
	free(t.seen);
}

/*
 * Header table sizes change both ways: the client lets the server's
 * encoder grow to 16 KiB; later the server shrinks the client's to 0 and
 * back, and the client shrinks the server's to 256.
 */
static void test_table_sizes(void **state)
{
	static const nghttp2_settings_entry cli[] = { { NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, 16384 } };
	static const nghttp2_settings_entry to0[] = { { NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, 0 } };
	static const nghttp2_settings_entry back[] = { { NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, 4096 } };
	static const nghttp2_settings_entry small[] = { { NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, 256 } };
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));
	nghttp2_option *opt;

	(void)state;
	assert_int_equal(nghttp2_option_new(&opt), 0);
	nghttp2_option_set_max_deflate_dynamic_table_size(opt, 16384);
	pair_init(p, cli, 1, default_settings, 1, opt);
	nghttp2_option_del(opt);
	many_requests(p, 40, 10, 0);
	assert_true(nghttp2_session_get_hd_deflate_dynamic_table_size(p->srv) > 4096);
	assert_int_equal(nghttp2_submit_settings(p->srv, NGHTTP2_FLAG_NONE, to0, 1), 0);
	many_requests(p, 40, 10, 40);
	assert_int_equal(nghttp2_submit_settings(p->srv, NGHTTP2_FLAG_NONE, back, 1), 0);
	assert_int_equal(nghttp2_submit_settings(p->cli, NGHTTP2_FLAG_NONE, small, 1), 0);
	many_requests(p, 40, 10, 80);
	assert_true(nghttp2_session_get_hd_deflate_dynamic_table_size(p->srv) <= 256);
	run_both_roles(p, &t, "table sizes");
	assert_int_equal(t.n, 120);
	pair_free(p);
	free(p);
	free(t.seen);
}

static void grpc_call(struct pair *p, const char *path, const char *rid)
{
	static size_t len[MAX_STREAMS];
	nghttp2_data_provider d = { .source.ptr = &len[p->nw], .read_callback = req_body };

	len[p->nw] = 12;
	request(p, "POST", path, rid, &d, 2, "content-type", "application/grpc", "te", "trailers");
}

/* gRPC: status from trailers, from a trailers-only response, with and without a message. */
static void test_grpc(void **state)
{
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	for (int i = 0; i < 30; i++) {
		char path[32], rid[16];

		snprintf(path, sizeof(path), i % 3 == 2 ? "/grpc-only/%d" : "/grpc/%d", i % 3 == 0 ? 0 : i % 17);
		snprintf(rid, sizeof(rid), "g-%d", i);
		grpc_call(p, path, rid);
	}
	pump(p, false);
	run_both_roles(p, &t, "grpc");
	assert_int_equal(t.n, 30);
	assert_int_equal(seen_stream(&t, 1)->protocol, CAP_GRPC);
	assert_true(seen_stream(&t, 1)->has_grpc_status);
	assert_int_equal(seen_stream(&t, 1)->grpc_status, 0);
	assert_string_equal(seen_stream(&t, 1)->grpc_message, "");
	assert_int_equal(seen_stream(&t, 3)->grpc_status, 1);	/* /grpc/1: trailers */
	assert_string_equal(seen_stream(&t, 3)->grpc_message, "failed%201");
	assert_int_equal(seen_stream(&t, 5)->grpc_status, 2);	/* /grpc-only/2 */
	assert_int_equal(seen_stream(&t, 5)->status, 200);
	pair_free(p);
	free(p);
	free(t.seen);
}

/*
 * Response fields of the names asked for, at the client only: from the
 * response header block (a trailers-only response's grpc-status is there),
 * never from trailers.
 */
static void test_response_headers(void **state)
{
	static const char *const names[] = { "X-Served", "grpc-status" };
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));
	char want[160];

	(void)state;
	resp_names = names;
	n_resp_names = 2;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	grpc_call(p, "/grpc/0", "g-0");		/* stream 1: grpc-status in trailers */
	grpc_call(p, "/grpc-only/3", "g-1");	/* stream 3: in the header block */
	request(p, "GET", "/r/204/0", "h-2", NULL, 0);
	pump(p, false);
	walk(p);
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);

		replay(&t, &p->x, &o);
		assert_int_equal(t.n, 3);
		for (uint32_t id = 1; id <= 5; id += 2) {
			const struct seen *x = seen_stream(&t, id);

			assert_int_equal(x->has_resp, !r);
			/* The harness answers a trailers-only call with content-type and grpc-status alone. */
			if (id == 3)
				snprintf(want, sizeof(want), "grpc-status=3;");
			else
				snprintf(want, sizeof(want), "x-served=%0100u;", id);
			if (strcmp(x->resp, r ? "" : want))
				fail_msg("role %d stream %u: got %s want %s", r, id, x->resp, r ? "" : want);
		}
	}
	resp_names = NULL;
	n_resp_names = 0;
	pair_free(p);
	free(p);
	free(t.seen);
}

/* Header blocks over 16 KiB go on in CONTINUATION frames; padding on every HEADERS and DATA. */
static void test_continuation_padding(void **state)
{
	static char big[40001];
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	p->pad = true;
	p->big_response_header = true;
	for (int i = 0; i < 12; i++) {
		char path[32], rid[16];

		snprintf(path, sizeof(path), "/r/200/%d", i * 1500);
		snprintf(rid, sizeof(rid), "c-%d", i);
		if (i % 2)
			request(p, "GET", path, rid, NULL, 1, "x-big", big);
		else
			request(p, "GET", path, rid, NULL, 0);
	}
	pump(p, false);
	run_both_roles(p, &t, "continuation and padding");
	assert_int_equal(t.n, 12);
	assert_true(seen_stream(&t, 3)->truncated);	/* its 40000-byte field did not fit */
	assert_false(seen_stream(&t, 1)->truncated);
	pair_free(p);
	free(p);
	free(t.seen);
}

/*
 * RST_STREAM: the server refuses a stream, the client cancels one after its
 * headers, and the server ends one whose response is complete while its
 * request never finished (NO_ERROR: a complete exchange).
 */
static void test_rst_stream(void **state)
{
	nghttp2_data_provider never = { .read_callback = deferred_read };
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));
	struct want *refuse, *cancel, *early;

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	request(p, "GET", "/r/200/10", "ok-1", NULL, 0);
	refuse = request(p, "GET", "/refuse", "refuse-1", NULL, 0);
	cancel = request(p, "GET", "/cancel", "cancel-1", NULL, 0);
	early = request(p, "POST", "/early", "early-1", &never, 0);
	request(p, "GET", "/r/200/10", "ok-2", NULL, 0);
	pump(p, false);
	walk(p);
	assert_true(refuse->rst && refuse->rst_code == NGHTTP2_REFUSED_STREAM && refuse->rst_by == SMIW_ROLE_SERVER);
	assert_true(cancel->rst && cancel->rst_code == NGHTTP2_CANCEL && cancel->rst_by == SMIW_ROLE_CLIENT);
	assert_true(early->rst && early->rst_code == NGHTTP2_NO_ERROR && early->rst_by == SMIW_ROLE_SERVER);
	run_both_roles(p, &t, "rst");
	assert_string_equal(seen_stream(&t, 3)->incomplete, "reset");
	assert_int_equal(seen_stream(&t, 3)->status, 0);
	assert_string_equal(seen_stream(&t, 5)->incomplete, "reset");
	assert_int_equal(seen_stream(&t, 5)->status, 200);
	assert_true(seen_stream(&t, 7)->complete);
	pair_free(p);
	free(p);
	free(t.seen);
}

/* GOAWAY: the server processes streams up to 5; 7 and 9 end as refused. */
static void test_goaway(void **state)
{
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	p->goaway_after = 5;
	p->hold_from = 7;
	for (int i = 0; i < 5; i++) {
		char rid[16];

		snprintf(rid, sizeof(rid), "ga-%d", i);
		request(p, "GET", "/r/200/100", rid, NULL, 0);
	}
	pump(p, false);
	walk(p);
	assert_true(p->w[3].refused && p->w[4].refused && !p->w[2].refused);
	run_both_roles(p, &t, "goaway");
	assert_string_equal(seen_stream(&t, 9)->incomplete, "refused");
	assert_true(seen_stream(&t, 5)->complete);
	assert_true(t.info.goaway[1].seen);
	assert_int_equal(t.info.goaway[1].last_stream, 5);
	assert_int_equal(t.info.goaway[1].error, 0);
	assert_false(t.info.goaway[0].seen);
	pair_free(p);
	free(p);
	free(t.seen);
}

static void b64url(char *out, const uint8_t *in, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 6)
			*out++ = abc[acc >> (bits -= 6) & 63];
	}
	if (bits)
		*out++ = abc[acc << (6 - bits) & 63];
	*out = '\0';
}

/*
 * h2c: an HTTP/1.1 request with Upgrade: h2c and HTTP2-Settings (which
 * shrinks the server's table to nothing at once: the 101 acknowledges it),
 * a 101, then HTTP/2 both ways: the request is stream 1, answered in
 * HTTP/2, and more streams follow.
 */
static void test_h2c_upgrade(void **state)
{
	static const nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100 }, { NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, 0 },
	};
	static const char resp101[] = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));
	char req[512], settings[128];
	uint8_t payload[64];
	ssize_t plen = nghttp2_pack_settings_payload(payload, sizeof(payload), iv, 2);
	struct want *w;

	(void)state;
	assert_true(plen > 0);
	b64url(settings, payload, (size_t)plen);
	snprintf(req, sizeof(req), "GET /up HTTP/1.1\r\nHost: app-svc:9091\r\nConnection: Upgrade, HTTP2-Settings\r\n"
		 "Upgrade: h2c\r\nHTTP2-Settings: %s\r\nX-Request-Id: up-1\r\n\r\n", settings);
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	assert_int_equal(nghttp2_session_upgrade2(p->cli, payload, (size_t)plen, 0, NULL), 0);
	assert_int_equal(nghttp2_session_upgrade2(p->srv, payload, (size_t)plen, 0, NULL), 0);
	w = &p->w[p->nw++];
	*w = (struct want){ .id = 1, .method = "GET", .path = "/up", .authority = "app-svc:9091", .reqid = "up-1" };
	snprintf(w->headers, sizeof(w->headers), "host=app-svc:9091;connection=Upgrade, HTTP2-Settings;upgrade=h2c;"
		 "http2-settings=%s;x-request-id=up-1;", settings);
	x_text(&p->x, C2S, req);
	x_text(&p->x, S2C, resp101);
	p->x.h2_at[C2S] = strlen(req);
	p->x.h2_at[S2C] = strlen(resp101);
	snprintf(p->ss[1].path, sizeof(p->ss[1].path), "/up");
	respond(p, 1);
	pump(p, true);
	for (int i = 0; i < 3; i++) {
		char rid[16];

		snprintf(rid, sizeof(rid), "after-%d", i);
		request(p, "GET", "/r/200/300", rid, NULL, 0);
	}
	pump(p, false);
	assert_int_equal(w->status, 200);
	assert_int_equal(nghttp2_session_get_hd_deflate_dynamic_table_size(p->srv), 0);
	walk(p);
	/* stream 1's request is the HTTP/1.1 one; its response begins with the 101 */
	w->req_bytes = strlen(req);
	w->resp_bytes += strlen(resp101);
	w->start_chunk = 0;
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);

		replay(&t, &p->x, &o);
		check_all(&t, p, &o, "h2c upgrade");
		assert_string_equal(t.info.start, "upgrade");
	}
	assert_int_equal(t.n, 4);
	assert_int_equal(seen_stream(&t, 1)->protocol, CAP_H2);
	assert_int_equal(seen_stream(&t, 1)->status, 200);
	pair_free(p);
	free(p);
	free(t.seen);
}

/* The server writes its SETTINGS before the client's preface arrives: HTTP/2 is known from them. */
static void test_server_writes_first(void **state)
{
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	pump(p, true);
	many_requests(p, 20, 5, 0);
	assert_int_equal(p->x.ch[0].dir, S2C);
	run_both_roles(p, &t, "server first");
	assert_int_equal(t.n, 20);
	pair_free(p);
	free(p);
	free(t.seen);
}

/* A small connection with a bit of everything: padding, bodies both ways, gRPC. */
static struct pair *small_pair(void)
{
	static size_t len = 50;
	nghttp2_data_provider d = { .source.ptr = &len, .read_callback = req_body };
	struct pair *p = calloc(1, sizeof(*p));

	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	p->pad = true;
	request(p, "GET", "/r/200/40", "s-1", NULL, 1, "authorization", "Bearer sekrit");
	request(p, "POST", "/r/201/0", "s-2", &d, 1, "cookie", "a=b");
	pump(p, false);
	grpc_call(p, "/grpc/3", "s-3");
	grpc_call(p, "/grpc-only/0", "s-4");
	request(p, "GET", "/r/404/30", "s-5", NULL, 0);
	pump(p, false);
	request(p, "GET", "/r/200/20", "s-6", NULL, 0);
	pump(p, false);
	walk(p);
	return p;
}

/* Every record split in two at every byte, and one byte per record: the same exchanges. */
static void test_split_everywhere(void **state)
{
	struct harness t = { 0 };
	struct pair *p = small_pair();
	size_t longest = 0;

	(void)state;
	for (int k = 0; k < p->x.nch; k++)
		longest = p->x.ch[k].len > longest ? p->x.ch[k].len : longest;
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);

		for (size_t cut = 1; cut <= longest; cut++) {
			o.split = cut == longest ? BYTEWISE : cut;
			replay(&t, &p->x, &o);
			check_all(&t, p, &o, "split");
		}
	}
	assert_string_equal(seen_stream(&t, 1)->headers, "x-request-id=s-1;authorization=<redacted>;");
	assert_string_equal(seen_stream(&t, 3)->headers, "x-request-id=s-2;cookie=<redacted>;");
	pair_free(p);
	free(p);
	free(t.seen);
}

/*
 * The connection ends at every byte of the transcript: a stream whose both
 * messages ended before the cut is reported exactly, one begun but not
 * finished is incomplete ("closed"), one not begun is not reported.
 */
static void test_cut_everywhere(void **state)
{
	struct harness t = { 0 };
	struct pair *p = small_pair();

	(void)state;
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);

		for (size_t stop = 0; stop <= p->x.total; stop++) {
			int reported = 0;

			o.stop = stop;
			replay(&t, &p->x, &o);
			for (int i = 0; i < p->nw; i++) {
				const struct want *w = &p->w[i];
				const struct seen *s = seen_stream(&t, (uint32_t)w->id);

				if (w->req_first + H2_FRAME_HEADER > stop) {
					if (s)
						fail_msg("cut %zu: stream %d reported before it began", stop, w->id);
					continue;
				}
				reported++;
				if (!s)
					fail_msg("cut %zu: stream %d not reported", stop, w->id);
				if (w->req_end <= stop && w->resp_end <= stop)
					check_stream(&t, w, &o, "cut");
				else if (s->complete || strcmp(s->incomplete, "closed"))
					fail_msg("cut %zu: stream %d: complete %d '%s'", stop, w->id, s->complete,
						 s->incomplete);
			}
			assert_int_equal(t.n, reported);
			assert_int_equal(t.counters.gaps, 0);
			assert_null(t.info.lost);
		}
	}
	pair_free(p);
	free(p);
	free(t.seen);
}

/* Where the n-th frame of `type` (with at least min_len payload bytes) lies in the transcript. */
static size_t find_frame(const struct pair *p, int dir, int type, uint32_t min_len, int nth, uint32_t *stream,
			 uint32_t *len)
{
	const uint8_t *b = p->x.log[dir];
	size_t at = p->x.h2_at[dir] + (dir == C2S ? 24 : 0);

	while (at + 9 <= p->x.len[dir]) {
		uint32_t l = (uint32_t)b[at] << 16 | b[at + 1] << 8 | b[at + 2];

		if (b[at + 3] == type && l >= min_len && nth-- == 0) {
			*stream = ((uint32_t)b[at + 5] << 24 | b[at + 6] << 16 | b[at + 7] << 8 | b[at + 8]) & 0x7fffffff;
			*len = l;
			return pos_of(&p->x, dir, at);
		}
		at += 9 + l;
	}
	fail_msg("no such frame");
	return 0;
}

/* A gap inside a DATA frame costs only that stream: it is marked, the rest stays exact. */
static void test_gap_in_data(void **state)
{
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));
	uint32_t sid, len;
	size_t at;

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	many_requests(p, 40, 10, 0);
	walk(p);
	at = find_frame(p, S2C, NGHTTP2_DATA, 200, 3, &sid, &len);
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);
		const struct seen *s;

		o.drop_from = at + 9 + 20;
		o.drop_to = at + 9 + 120;
		replay(&t, &p->x, &o);
		for (int i = 0; i < p->nw; i++)
			if (p->w[i].id != (int32_t)sid)
				check_stream(&t, &p->w[i], &o, "gap in data");
		s = seen_stream(&t, sid);
		assert_non_null(s);
		assert_string_equal(s->incomplete, "gap");
		assert_int_equal(s->status, want_of(p, (int32_t)sid)->status);
		assert_int_equal(s->resp_bytes, want_of(p, (int32_t)sid)->resp_bytes);
		assert_int_equal(t.n, 40);
		assert_int_equal(t.counters.gaps, 1);
		assert_int_equal(t.counters.h2_lost_bytes, 0);
		assert_null(t.info.lost);
	}
	pair_free(p);
	free(p);
	free(t.seen);
}

/*
 * A gap inside a request's header block: the request direction's table is
 * lost. Earlier streams stay exact; that stream and every later one are
 * reported without request fields (never guessed), marked gap, their
 * responses still read; the loss is one counted gap, named in the record.
 */
static void test_gap_in_headers(void **state)
{
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));
	uint32_t sid, len;
	size_t at;

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	many_requests(p, 40, 10, 0);
	walk(p);
	at = find_frame(p, C2S, NGHTTP2_HEADERS, 20, 20, &sid, &len);
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);

		o.drop_from = at + 9 + 4;
		o.drop_to = at + 9 + 8;
		replay(&t, &p->x, &o);
		for (int i = 0; i < p->nw; i++) {
			const struct want *w = &p->w[i];
			const struct seen *s = seen_stream(&t, (uint32_t)w->id);

			if ((uint32_t)w->id < sid) {
				check_stream(&t, w, &o, "before the gap");
				continue;
			}
			assert_non_null(s);
			assert_string_equal(s->incomplete, "gap");
			assert_int_equal(s->status, w->status);
			if ((uint32_t)w->id > sid) {
				assert_string_equal(s->method, "");
				assert_string_equal(s->path, "");
				assert_string_equal(s->request_id, "");
				assert_string_equal(s->headers, "");
			}
		}
		assert_int_equal(t.n, 40);
		assert_int_equal(t.counters.gaps, 1);
		assert_string_equal(t.info.lost, "gap");
		assert_int_equal(t.counters.h2_lost_bytes, p->x.total - o.drop_from);
	}
	pair_free(p);
	free(p);
	free(t.seen);
}

/*
 * A gap across a frame boundary of the response direction: its framing is
 * lost. Streams answered before stay exact; the others end marked gap,
 * later ones keep their request fields and get no status.
 */
static void test_gap_across_frames(void **state)
{
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));
	uint32_t sid, len;
	size_t at;

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	many_requests(p, 40, 10, 0);
	walk(p);
	at = find_frame(p, S2C, NGHTTP2_HEADERS, 1, 15, &sid, &len);
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);

		o.drop_from = at - 3;
		o.drop_to = at + 3;
		replay(&t, &p->x, &o);
		for (int i = 0; i < p->nw; i++) {
			const struct want *w = &p->w[i];
			const struct seen *s = seen_stream(&t, (uint32_t)w->id);

			assert_non_null(s);
			if (w->resp_end <= o.drop_from && w->req_end <= o.drop_from) {
				check_stream(&t, w, &o, "before the lost frame");
				continue;
			}
			assert_string_equal(s->incomplete, "gap");
			if (w->req_first > o.drop_from) {
				assert_string_equal(s->path, w->path);
				assert_string_equal(s->request_id, w->reqid);
				assert_int_equal(s->status, 0);
			}
		}
		assert_int_equal(t.n, 40);
		assert_int_equal(t.counters.gaps, 1);
		assert_string_equal(t.info.lost, "gap");
		assert_int_equal(t.counters.h2_lost_bytes, p->x.total - o.drop_from);
	}
	pair_free(p);
	free(p);
	free(t.seen);
}

/*
 * Records cut by snaplen: header blocks or frame headers beyond the copied
 * bytes lose the connection's state ("snaplen", one counted gap); what is
 * reported until then is exact, nothing after is guessed.
 */
static void test_snaplen(void **state)
{
	struct harness t = { 0 }, full = { 0 };
	struct pair *p = calloc(1, sizeof(*p));

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	many_requests(p, 40, 10, 0);
	walk(p);
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);

		replay(&full, &p->x, &o);
		o.snaplen = 256;
		replay(&t, &p->x, &o);
		assert_string_equal(t.info.lost, "snaplen");
		assert_int_equal(t.counters.gaps, 1);
		assert_true(t.counters.h2_lost_bytes > 0);
		assert_true(t.n > 0);
		for (int i = 0; i < t.n; i++) {
			const struct seen *s = &t.seen[i], *f = seen_stream(&full, s->stream);

			if (s->complete)
				assert_memory_equal(s, f, sizeof(*s) - sizeof(s->seq));
			else
				assert_string_equal(s->incomplete, "gap");
			if (!s->complete && *s->method)
				assert_string_equal(s->method, f->method);
		}
	}
	pair_free(p);
	free(p);
	free(t.seen);
	free(full.seen);
}

/*
 * Capture joins an HTTP/2 connection mid-way (no role, offsets from where
 * it joined): nothing on it is decoded; the connection is one counted gap
 * named "late", and its bytes are counted as lost.
 */
static void test_joined_late(void **state)
{
	struct harness t = { 0 };
	struct pair *p = calloc(1, sizeof(*p));

	(void)state;
	pair_init(p, default_settings, 1, default_settings, 1, NULL);
	many_requests(p, 40, 10, 0);
	walk(p);
	for (int r = 0; r < 2; r++) {
		for (int from = 4; from < p->x.nch; from += 7) {
			struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);

			o.asm_role = SMIW_ROLE_UNKNOWN;
			o.from_chunk = from;
			replay(&t, &p->x, &o);
			assert_int_equal(t.n, 0);
			assert_string_equal(t.info.start, "late");
			assert_string_equal(t.info.lost, "late");
			assert_int_equal(t.counters.gaps, 1);
			assert_int_equal(t.counters.h2_lost_bytes, p->x.total - p->x.ch[from].pos);
			assert_int_equal(t.counters.unparsed_bytes, 0);
		}
	}
	pair_free(p);
	free(p);
	free(t.seen);
}

/* Without a role but from the first byte on (its opening record lost): the preface names the client. */
static void test_role_from_preface(void **state)
{
	struct harness t = { 0 };
	struct pair *p = small_pair();

	(void)state;
	for (int r = 0; r < 2; r++) {
		struct replay o = rp(r ? SMIW_ROLE_SERVER : SMIW_ROLE_CLIENT);

		o.asm_role = SMIW_ROLE_UNKNOWN;
		replay(&t, &p->x, &o);
		check_all(&t, p, &o, "role from preface");
		assert_int_equal(t.seen[0].stream ? 1 : 0, 1);
	}
	pair_free(p);
	free(p);
	free(t.seen);
}

/* HTTP/1.x is untouched by the looking: a request starting like the preface but not one. */
static void test_not_h2(void **state)
{
	static const char req[] = "PRI /x HTTP/1.1\r\nHost: a\r\n\r\n", resp[] = "HTTP/1.1 204 No Content\r\n\r\n";
	struct harness t = { 0 };

	(void)state;
	for (size_t cut = 1; cut < sizeof(req) - 1; cut++) {
		h_init(&t, SMIW_ROLE_CLIENT);
		record(&t, SMIW_DIR_SEND, (const uint8_t *)req, 0, cut, 0, 0);
		record(&t, SMIW_DIR_SEND, (const uint8_t *)req + cut, cut, sizeof(req) - 1 - cut, 0, 1);
		record(&t, SMIW_DIR_RECV, (const uint8_t *)resp, 0, sizeof(resp) - 1, 0, 2);
		h_done(&t, "closed");
		assert_int_equal(t.n, 1);
		assert_true(t.seen[0].complete);
		assert_string_equal(t.seen[0].method, "PRI");
		assert_int_equal(t.seen[0].status, 204);
		assert_int_equal(t.seen[0].protocol, CAP_HTTP1);
		assert_null(t.info.start);
	}
	free(t.seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_streams),
		cmocka_unit_test(test_table_sizes),
		cmocka_unit_test(test_grpc),
		cmocka_unit_test(test_response_headers),
		cmocka_unit_test(test_continuation_padding),
		cmocka_unit_test(test_rst_stream),
		cmocka_unit_test(test_goaway),
		cmocka_unit_test(test_h2c_upgrade),
		cmocka_unit_test(test_server_writes_first),
		cmocka_unit_test(test_split_everywhere),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_gap_in_data),
		cmocka_unit_test(test_gap_in_headers),
		cmocka_unit_test(test_gap_across_frames),
		cmocka_unit_test(test_snaplen),
		cmocka_unit_test(test_joined_late),
		cmocka_unit_test(test_role_from_preface),
		cmocka_unit_test(test_not_h2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
