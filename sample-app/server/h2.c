/*
 * h2.c - HTTP/2 over cleartext on a client connection: prior knowledge (the
 * connection begins with the client preface) or an HTTP/1.1 request with
 * `Upgrade: h2c`. libnghttp2's server session does the framing, HPACK and
 * flow control; this file keeps one stream object per request and answers
 * /echo, /metrics and the gRPC echo service (http/grpc.h) once a request
 * has ended.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "http/grpc.h"
#include "server.h"
#include "util/b64.h"
#include "util/log.h"

#define PREFACE NGHTTP2_CLIENT_MAGIC
#define PREFACE_LEN NGHTTP2_CLIENT_MAGIC_LEN
#define MAX_STREAMS 1000	/* SETTINGS_MAX_CONCURRENT_STREAMS we announce */
#define TEXT "text/plain; charset=utf-8"

struct h2conn {
	nghttp2_session *s;
	struct conn *c;
	unsigned nstreams;		/* requests begun and not yet closed */
};

/* One request and, once it ended, its response. */
struct h2stream {
	int32_t id;
	char method[16];
	char path[512];
	bool grpc;			/* content-type application/grpc... */
	struct buf fields;		/* the request's fields as "name: value\n" lines, in order */
	char service[128];		/* the servicename field, learn-layer5's caller name */
	bool has_service;
	bool too_large;
	struct buf body;
	struct buf resp;		/* the response body */
	size_t resp_off;
	bool trailers;			/* gRPC: send grpc-status after the body */
	int grpc_status;
	const char *grpc_message;
};

int h2_detect(const char *p, size_t len)
{
	size_t n = len < PREFACE_LEN ? len : PREFACE_LEN;

	if (memcmp(p, PREFACE, n))
		return -1;
	return n == PREFACE_LEN ? 1 : 0;
}

static void stream_free(struct h2stream *st)
{
	buf_free(&st->fields);
	buf_free(&st->body);
	buf_free(&st->resp);
	free(st);
}

static void copy_str(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *out, size_t len, uint32_t *flags,
			 nghttp2_data_source *src, void *user)
{
	struct h2stream *st = src->ptr;
	size_t n = st->resp.len - st->resp_off;

	(void)user;
	if (n > len)
		n = len;
	memcpy(out, st->resp.p + st->resp_off, n);
	st->resp_off += n;
	if (st->resp_off == st->resp.len) {
		*flags |= NGHTTP2_DATA_FLAG_EOF;
		if (st->trailers) {
			char code[16];
			nghttp2_nv t[2] = {
				{ (uint8_t *)"grpc-status", (uint8_t *)code, 11, 0, NGHTTP2_NV_FLAG_NONE },
				{ (uint8_t *)"grpc-message", (uint8_t *)st->grpc_message, 12,
				  strlen(st->grpc_message), NGHTTP2_NV_FLAG_NONE },
			};

			t[0].valuelen = (size_t)snprintf(code, sizeof(code), "%d", st->grpc_status);
			*flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
			if (nghttp2_submit_trailer(s, id, t, st->grpc_message[0] ? 2 : 1))
				return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
		}
	}
	return (ssize_t)n;
}

#define NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE }

/* Submits status, content type and st->resp as the body (with trailers for gRPC). */
static int submit(struct h2conn *h, struct h2stream *st, int status, const char *type)
{
	char code[8] = "", clen[24] = "";
	nghttp2_nv nv[3] = { NV(":status", code), NV("content-type", type ? type : "") };
	nghttp2_data_provider dp = { .source.ptr = st, .read_callback = read_body };
	size_t n = type ? 2 : 1;

	nv[0].valuelen = (size_t)snprintf(code, sizeof(code), "%d", status);
	if (!st->trailers) {
		nv[n++] = (nghttp2_nv)NV("content-length", clen);
		nv[n - 1].valuelen = (size_t)snprintf(clen, sizeof(clen), "%zu", st->resp.len);
	}
	return nghttp2_submit_response(h->s, st->id, nv, n, strcmp(st->method, "HEAD") ? &dp : NULL);
}

/* gRPC answered without a body: one HEADERS frame carrying the status (trailers-only). */
static int submit_grpc_error(struct h2conn *h, struct h2stream *st, int code, const char *message)
{
	char c[16] = "";
	nghttp2_nv nv[4] = { NV(":status", "200"), NV("content-type", GRPC_CONTENT_TYPE), NV("grpc-status", c),
			     NV("grpc-message", message) };

	nv[2].valuelen = (size_t)snprintf(c, sizeof(c), "%d", code);
	return nghttp2_submit_response(h->s, st->id, nv, 4, NULL);
}

static int answer_grpc(struct h2conn *h, struct h2stream *st)
{
	const char *msg;
	size_t mlen;
	int r;

	if (strcmp(st->path, GRPC_ECHO_PATH))
		return submit_grpc_error(h, st, GRPC_UNIMPLEMENTED, "unknown method");
	if (strcmp(st->method, "POST"))
		return submit_grpc_error(h, st, GRPC_UNIMPLEMENTED, "gRPC needs POST");
	if (st->too_large)
		return submit_grpc_error(h, st, GRPC_INVALID_ARGUMENT, "message too large");
	r = grpc_echo_decode(st->body.p, st->body.len, &msg, &mlen);
	if (r == -ENOTSUP)
		return submit_grpc_error(h, st, GRPC_UNIMPLEMENTED, "compression is not supported");
	if (r)
		return submit_grpc_error(h, st, GRPC_INTERNAL, "not one EchoMessage");
	if (grpc_echo_encode(&st->resp, msg, mlen, MAX_BODY + 64))
		return submit_grpc_error(h, st, GRPC_INTERNAL, "out of memory");
	metrics_received(&h->c->srv->metrics, st->has_service ? st->service : NULL,
			 st->has_service ? strlen(st->service) : 0);
	st->trailers = true;
	st->grpc_status = GRPC_OK;
	st->grpc_message = "";
	return submit(h, st, 200, GRPC_CONTENT_TYPE);
}

static int answer_text(struct h2conn *h, struct h2stream *st, int status, const char *text)
{
	st->resp.len = 0;
	buf_puts(&st->resp, text, MAX_BODY);
	return submit(h, st, status, TEXT);
}

/* The request ended: answer it as handlers.c answers HTTP/1.x. */
static int answer(struct h2conn *h, struct h2stream *st)
{
	char *q = strchr(st->path, '?');
	struct metrics *m = &h->c->srv->metrics;

	if (st->grpc)
		return answer_grpc(h, st);
	if (q)
		*q = '\0';
	if (st->too_large)
		return answer_text(h, st, 413, "Request body too large\n");
	if (!strcmp(st->path, "/echo")) {
		/* The request as received: its fields in order, an empty line, the body. */
		metrics_received(m, st->has_service ? st->service : NULL, st->has_service ? strlen(st->service) : 0);
		/* FAIL_EVERY counts /echo over both protocols alike (handlers.c). */
		if (h->c->srv->fail_every && ++h->c->srv->echoes % h->c->srv->fail_every == 0)
			return answer_text(h, st, 503, "flaky: this request fails on purpose\n");
		if (buf_append(&st->resp, st->fields.p, st->fields.len, MAX_HEAD + MAX_BODY + 1) ||
		    buf_append(&st->resp, "\n", 1, MAX_HEAD + MAX_BODY + 1) ||
		    buf_append(&st->resp, st->body.p, st->body.len, MAX_HEAD + MAX_BODY + 1))
			return answer_text(h, st, 500, "out of memory\n");
		return submit(h, st, 200, TEXT);
	}
	if (!strcmp(st->path, "/metrics")) {
		if (!strcmp(st->method, "DELETE")) {
			metrics_reset(m);
			return submit(h, st, 200, NULL);
		}
		if (strcmp(st->method, "GET") && strcmp(st->method, "HEAD"))
			return answer_text(h, st, 400, "Method not defined\n");
		if (metrics_json(m, &st->resp, OUT_LIMIT / 2))
			return answer_text(h, st, 500, "metrics too large\n");
		return submit(h, st, 200, "application/json");
	}
	return answer_text(h, st, 404, "404 page not found\n");
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	struct h2stream *st;

	if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	st->id = f->hd.stream_id;
	nghttp2_session_set_stream_user_data(s, st->id, st);
	((struct h2conn *)user)->nstreams++;
	return 0;
}

/* One request field: pseudo-headers and the fields answers depend on are kept apart. */
static void note_field(struct h2stream *st, const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen)
{
	if (nlen == 7 && !memcmp(name, ":method", 7))
		copy_str(st->method, sizeof(st->method), value, vlen);
	else if (nlen == 5 && !memcmp(name, ":path", 5))
		copy_str(st->path, sizeof(st->path), value, vlen);
	else if (nlen == 12 && !memcmp(name, "content-type", 12))
		st->grpc = vlen >= 16 && !memcmp(value, GRPC_CONTENT_TYPE, 16) && (vlen == 16 || value[16] == '+' ||
										 value[16] == ';');
	else if (nlen == 11 && !memcmp(name, "servicename", 11)) {
		copy_str(st->service, sizeof(st->service), value, vlen);
		st->has_service = true;
	}
	if (buf_append(&st->fields, name, nlen, MAX_HEAD) || buf_append(&st->fields, ": ", 2, MAX_HEAD) ||
	    buf_append(&st->fields, value, vlen, MAX_HEAD) || buf_append(&st->fields, "\n", 1, MAX_HEAD))
		st->too_large = true;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nlen,
		     const uint8_t *value, size_t vlen, uint8_t flags, void *user)
{
	struct h2stream *st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);

	(void)flags;
	(void)user;
	if (st && f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST)
		note_field(st, name, nlen, value, vlen);
	return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *p, size_t n, void *user)
{
	struct h2stream *st = nghttp2_session_get_stream_user_data(s, id);

	(void)flags;
	(void)user;
	if (st && !st->too_large && buf_append(&st->body, p, n, MAX_BODY))
		st->too_large = true;
	return 0;
}

static int on_frame(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	struct h2stream *st;

	if ((f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA) || !(f->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	if (st && answer(user, st))
		nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_INTERNAL_ERROR);
	return 0;
}

static int on_close(nghttp2_session *s, int32_t id, uint32_t code, void *user)
{
	struct h2stream *st = nghttp2_session_get_stream_user_data(s, id);

	(void)code;
	if (st) {
		nghttp2_session_set_stream_user_data(s, id, NULL);
		stream_free(st);
		((struct h2conn *)user)->nstreams--;
	}
	return 0;
}

/* A server session for c with our SETTINGS queued. Returns it, or NULL. */
static struct h2conn *h2conn_new(struct conn *c)
{
	nghttp2_settings_entry set[] = { { NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, MAX_STREAMS } };
	nghttp2_session_callbacks *cb;
	struct h2conn *h = calloc(1, sizeof(*h));

	if (!h || nghttp2_session_callbacks_new(&cb)) {
		free(h);
		return NULL;
	}
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	if (nghttp2_session_server_new(&h->s, cb, h)) {
		nghttp2_session_callbacks_del(cb);
		free(h);
		return NULL;
	}
	nghttp2_session_callbacks_del(cb);
	h->c = c;
	if (nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, set, 1)) {
		nghttp2_session_del(h->s);
		free(h);
		return NULL;
	}
	return h;
}

int h2_start(struct conn *c)
{
	c->h2 = h2conn_new(c);
	if (!c->h2)
		return -ENOMEM;
	return 0;
}

/* Moves what the session has to send into c->out; false when it failed. */
static bool pull_output(struct conn *c)
{
	for (;;) {
		const uint8_t *p;
		ssize_t n = nghttp2_session_mem_send(c->h2->s, &p);

		if (n < 0)
			return false;
		if (n == 0)
			return true;
		if (buf_append(&c->out, p, (size_t)n, OUT_LIMIT))
			return false;
	}
}

void h2_process(struct conn *c)
{
	nghttp2_session *s = c->h2->s;

	if (c->in.len) {
		ssize_t n = nghttp2_session_mem_recv(s, (const uint8_t *)c->in.p, c->in.len);

		if (n < 0) {
			/* A protocol error: GOAWAY is queued by the session; send it and close. */
			c->closing = true;
			c->in.len = 0;
		} else {
			buf_consume(&c->in, (size_t)n);
		}
	}
	if (c->srv->draining && !c->h2_goaway) {
		nghttp2_submit_goaway(s, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(s),
				      NGHTTP2_NO_ERROR, NULL, 0);
		c->h2_goaway = true;
	}
	if (!pull_output(c))
		c->closing = true;
	/* Done both ways (GOAWAY exchanged), or the client stopped sending with nothing left to answer. */
	if ((!nghttp2_session_want_read(s) && !nghttp2_session_want_write(s)) ||
	    (c->peer_eof && !nghttp2_session_want_write(s)) ||
	    (c->h2_goaway && !c->h2->nstreams))
		c->closing = true;
}

bool h2_idle(const struct conn *c)
{
	return !c->h2->nstreams;
}

void h2_free(struct conn *c)
{
	if (!c->h2)
		return;
	nghttp2_session_del(c->h2->s);
	free(c->h2);
	c->h2 = NULL;
}

/* The stream-1 request of an upgrade, from the HTTP/1.1 head and body already read. */
static struct h2stream *upgrade_stream(struct conn *c)
{
	struct h2stream *st = calloc(1, sizeof(*st));
	const struct http_head *hd = &c->head;

	if (!st)
		return NULL;
	st->id = 1;
	note_field(st, (const uint8_t *)":method", 7, (const uint8_t *)hd->method.p, hd->method.len);
	note_field(st, (const uint8_t *)":path", 5, (const uint8_t *)hd->target.p, hd->target.len);
	for (size_t i = 0; i < hd->nheaders; i++) {
		char name[128];
		size_t n = hd->headers[i].name.len < sizeof(name) ? hd->headers[i].name.len : sizeof(name) - 1;

		for (size_t k = 0; k < n; k++)
			name[k] = (char)(hd->headers[i].name.p[k] | ((hd->headers[i].name.p[k] >= 'A' &&
								     hd->headers[i].name.p[k] <= 'Z') ? 0x20 : 0));
		note_field(st, (const uint8_t *)name, n, (const uint8_t *)hd->headers[i].value.p,
			   hd->headers[i].value.len);
	}
	if (buf_append(&st->body, c->req_body.p, c->req_body.len, MAX_BODY))
		st->too_large = true;
	return st;
}

bool h2_upgrade_requested(const struct conn *c)
{
	const struct http_str *up = http_header_get(&c->head, "upgrade");
	const struct http_str *conn = http_header_get(&c->head, "connection");

	return c->head.minor == 1 && up && http_list_has(*up, "h2c") && conn && http_list_has(*conn, "upgrade") &&
	       http_list_has(*conn, "http2-settings") && http_header_get(&c->head, "http2-settings");
}

int h2_upgrade(struct conn *c)
{
	const struct http_str *hs = http_header_get(&c->head, "http2-settings");
	static const char switching[] = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
	struct h2stream *st;
	size_t n;
	char *settings = b64_decode(hs->p, hs->len, &n);
	int r;

	if (!settings)
		return -EINVAL;
	c->h2 = h2conn_new(c);
	if (!c->h2) {
		free(settings);
		return -ENOMEM;
	}
	r = nghttp2_session_upgrade2(c->h2->s, (const uint8_t *)settings, n, http_str_eq_ci(c->head.method, "HEAD"),
				     NULL);
	free(settings);
	st = r ? NULL : upgrade_stream(c);
	if (!st) {
		h2_free(c);
		return r ? -EINVAL : -ENOMEM;
	}
	nghttp2_session_set_stream_user_data(c->h2->s, 1, st);
	c->h2->nstreams++;
	if (buf_append(&c->out, switching, sizeof(switching) - 1, OUT_LIMIT) || answer(c->h2, st)) {
		h2_free(c);	/* deleting a session calls no stream-close callback: st is ours */
		stream_free(st);
		return -ENOMEM;
	}
	return 0;
}
