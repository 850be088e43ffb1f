/*
 * h2engine.c - the driver over HTTP/2 (cleartext, prior knowledge) and
 * unary gRPC: C connections on one epoll loop, each a libnghttp2 client
 * session carrying up to `streams` numbered requests at once (with
 * --new-connections one, on a connection of its own), fed as fast as
 * answers come or on a fixed schedule (--rate), as engine.c does for
 * HTTP/1.1.
 *
 * A request is done when its stream closes: answered when the response
 * ended (END_STREAM) with a :status, otherwise an error of its kind (a
 * RST_STREAM or a GOAWAY that refused it: `reset`; the connection failing:
 * the socket error's kind, `closed` at end of file; no answer in time:
 * `timeout`, the stream is cancelled).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "drive/drive.h"
#include "http/grpc.h"
#include "util/array.h"
#include "util/log.h"

#define LATE_NS 10000000ULL
#define READ_CHUNK 65536
#define OUT_LIMIT (16u << 20)
#define BODY_LIMIT (2u << 20)
#define MAX_NV (DRIVE_MAX_HEADERS + 8)

struct h2eng;
struct h2conn;

struct h2req {
	struct h2req *prev, *next;	/* in its connection's list */
	struct h2conn *conn;
	struct buf body;		/* the request body (a gRPC message) */
	size_t body_off;
	int32_t id;
	uint64_t seq, sent_ns, deadline_ns;
	int status;
	int grpc_status;		/* -1: none seen */
	bool ended;			/* the response ended (END_STREAM) */
	bool finished;			/* counted (a timeout counts before the stream closes) */
};

struct h2conn {
	struct ev_io io;		/* io.fd -1: not connected */
	struct h2eng *e;
	nghttp2_session *s;
	bool connecting;
	bool retiring;			/* no new stream (GOAWAY seen or submit refused); closed when empty */
	unsigned inflight;
	uint64_t quota;			/* requests this connection may start (a count split evenly, as h2load does) */
	uint64_t started;
	struct h2req *reqs;
	struct buf out;
};

struct h2eng {
	const struct drive_opts *o;
	struct drive_stats *st;
	struct evloop loop;
	struct ev_io signal_io;
	struct h2conn *conns;
	struct http_url target;
	struct sockaddr_storage addr;
	socklen_t alen;
	char authority[300];
	struct intent_log intent;
	uint64_t next_seq, inflight, stop_ns;
	double interval_ns;
	bool stopping, abort;
};

static bool may_start(const struct h2eng *e, uint64_t now)
{
	return !e->stopping && e->next_seq <= e->o->requests && (!e->stop_ns || now < e->stop_ns);
}

static uint64_t due_ns(const struct h2eng *e, uint64_t seq)
{
	return e->st->start_ns + (uint64_t)((double)(seq - 1) * e->interval_ns);
}

static void request_id(const struct h2eng *e, uint64_t seq, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%llu", e->o->run_id, (unsigned long long)seq);
}

/* Counts request r once: its response, or the error `err`. */
static void finish(struct h2req *r, enum hc_error err)
{
	struct h2eng *e = r->conn->e;
	struct drive_stats *st = e->st;
	uint64_t now = mono_ns();
	char id[96];
	int w;

	if (r->finished)
		return;
	r->finished = true;
	if (err) {
		st->errors[err]++;
	} else {
		st->responses++;
		st->status[r->status < 600 ? r->status : 0]++;
		if (e->o->protocol == DRIVE_GRPC) {
			if (r->grpc_status >= 0 && r->grpc_status <= 16)
				st->grpc_status[r->grpc_status]++;
			else
				st->grpc_none++;
		}
		if (!array_reserve(&st->latency_ns, &st->cap_latency, st->nlatency, sizeof(*st->latency_ns), 4096))
			st->latency_ns[st->nlatency++] = now - r->sent_ns;
	}
	if (e->intent.open) {
		request_id(e, r->seq, id, sizeof(id));
		w = intent_write(&e->intent, id, r->sent_ns, now, err ? 0 : r->status, err ? hc_error_name(err) : NULL);
		if (w && !st->intent_error)
			st->intent_error = w;
	}
}

/* Takes r off its connection and frees it. */
static void release(struct h2req *r)
{
	struct h2conn *c = r->conn;

	if (r->prev)
		r->prev->next = r->next;
	else
		c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	c->inflight--;
	c->e->inflight--;
	buf_free(&r->body);
	free(r);
}

/* Ends connection c: every request still on it fails with err; c can connect again. */
static void conn_fail(struct h2conn *c, enum hc_error err)
{
	while (c->reqs) {
		finish(c->reqs, err);
		release(c->reqs);
	}
	if (c->io.fd >= 0) {
		evloop_del(&c->e->loop, &c->io);
		close(c->io.fd);
		c->io.fd = -1;
	}
	if (c->s)
		nghttp2_session_del(c->s);
	c->s = NULL;
	c->connecting = c->retiring = false;
	c->out.len = 0;
	buf_trim(&c->out, 0);
}

static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *out, size_t len, uint32_t *flags,
			 nghttp2_data_source *src, void *user)
{
	struct h2req *r = src->ptr;
	size_t n = r->body.len - r->body_off;

	(void)s;
	(void)id;
	(void)user;
	if (n > len)
		n = len;
	memcpy(out, r->body.p + r->body_off, n);
	r->body_off += n;
	if (r->body_off == r->body.len)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nlen,
		     const uint8_t *value, size_t vlen, uint8_t flags, void *user)
{
	struct h2req *r = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	char v[16];

	(void)flags;
	(void)user;
	if (!r || f->hd.type != NGHTTP2_HEADERS || vlen >= sizeof(v))
		return 0;
	memcpy(v, value, vlen);
	v[vlen] = '\0';
	if (nlen == 7 && !memcmp(name, ":status", 7)) {
		int code = atoi(v);

		if (code >= 200)	/* an interim 1xx is not the answer */
			r->status = code;
	} else if (nlen == 11 && !memcmp(name, "grpc-status", 11)) {
		r->grpc_status = atoi(v);
	}
	return 0;
}

static int on_frame(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	struct h2req *r;

	if (f->hd.type == NGHTTP2_GOAWAY) {
		((struct h2conn *)user)->retiring = true;
		return 0;
	}
	if ((f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA) || !(f->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	r = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	if (r)
		r->ended = r->status > 0;
	return 0;
}

static int on_close(nghttp2_session *s, int32_t id, uint32_t code, void *user)
{
	struct h2req *r = nghttp2_session_get_stream_user_data(s, id);

	(void)code;
	(void)user;
	if (!r)
		return 0;
	nghttp2_session_set_stream_user_data(s, id, NULL);
	finish(r, r->ended ? HC_OK : HC_RESET);
	release(r);
	return 0;
}

static void on_event(struct ev_io *io, uint32_t events);

/* A new connection on c: socket, connect, client session with our SETTINGS. Returns 0 or an hc_error. */
static enum hc_error conn_open(struct h2conn *c)
{
	nghttp2_settings_entry set[] = { { NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
					 { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20 } };
	nghttp2_session_callbacks *cb;
	struct h2eng *e = c->e;
	int fd, one = 1, r;

	fd = socket(e->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return HC_OTHER;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&e->addr, e->alen) && errno != EINPROGRESS) {
		r = errno;
		close(fd);
		return hc_error_of_errno(r);
	}
	if (evloop_add(&e->loop, &c->io, fd, EPOLLOUT, on_event)) {
		close(fd);
		return HC_OTHER;
	}
	c->connecting = true;
	if (nghttp2_session_callbacks_new(&cb))
		return HC_OTHER;
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	r = nghttp2_session_client_new(&c->s, cb, c);
	nghttp2_session_callbacks_del(cb);
	if (r || nghttp2_submit_settings(c->s, NGHTTP2_FLAG_NONE, set, 2))
		return HC_OTHER;
	return HC_OK;
}

/* The header list of one request: pseudo-headers, the id, the extra headers (names in lower case already). */
static size_t build_nv(const struct h2eng *e, const char *id, nghttp2_nv *nv, char *clen, size_t clen_size,
		       size_t body_len)
{
	const struct drive_opts *o = e->o;
	size_t n = 0;

#define ADD(name, value) nv[n++] = (nghttp2_nv){ (uint8_t *)(name), (uint8_t *)(value), strlen(name), \
						   strlen(value), NGHTTP2_NV_FLAG_NONE }
	ADD(":method", o->protocol == DRIVE_GRPC ? "POST" : o->method);
	ADD(":scheme", "http");
	ADD(":authority", e->authority);
	ADD(":path", e->target.path);
	ADD("x-request-id", id);
	if (o->protocol == DRIVE_GRPC) {
		ADD("content-type", GRPC_CONTENT_TYPE);
		ADD("te", "trailers");
	} else if (body_len) {
		snprintf(clen, clen_size, "%zu", body_len);
		ADD("content-length", clen);
	}
	for (size_t i = 0; i < o->nheaders; i++)
		ADD(o->headers[i].name, o->headers[i].value);
#undef ADD
	return n;
}

/* Submits request number e->next_seq on c. Returns 0, or -1 when c takes no new stream. */
static int start(struct h2conn *c, uint64_t now)
{
	struct h2eng *e = c->e;
	const struct drive_opts *o = e->o;
	nghttp2_data_provider dp = { .read_callback = read_body };
	nghttp2_nv nv[MAX_NV];
	char id[96], clen[24];
	struct h2req *r = calloc(1, sizeof(*r));
	size_t n;
	int32_t sid;

	if (!r)
		return -1;
	r->seq = e->next_seq;
	request_id(e, r->seq, id, sizeof(id));
	if (o->protocol == DRIVE_GRPC ? grpc_echo_encode(&r->body, id, strlen(id), BODY_LIMIT) :
	    buf_append(&r->body, o->body, strlen(o->body), BODY_LIMIT)) {
		free(r);
		return -1;
	}
	n = build_nv(e, id, nv, clen, sizeof(clen), r->body.len);
	dp.source.ptr = r;
	sid = nghttp2_submit_request(c->s, NULL, nv, n, r->body.len || o->protocol == DRIVE_GRPC ? &dp : NULL, r);
	if (sid < 0) {
		buf_free(&r->body);
		free(r);
		c->retiring = true;	/* out of stream ids, or a GOAWAY: a new connection takes the next */
		return -1;
	}
	e->next_seq++;
	r->id = sid;
	r->conn = c;
	r->grpc_status = -1;
	r->sent_ns = now;
	r->deadline_ns = now + o->timeout_ns;
	r->next = c->reqs;
	if (c->reqs)
		c->reqs->prev = r;
	c->reqs = r;
	c->inflight++;
	e->inflight++;
	e->st->sent++;
	/* A connection per request: no other stream on it; it closes once this one is done. */
	if (o->new_connections)
		c->retiring = true;
	if (o->rate > 0 && now > due_ns(e, r->seq) + LATE_NS)
		e->st->late++;
	return 0;
}

/* Moves what c's session has to send to the socket; false when the connection failed. */
static bool conn_write(struct h2conn *c)
{
	const uint8_t *p;
	ssize_t n;

	while (!c->connecting && c->out.len < OUT_LIMIT / 2 && (n = nghttp2_session_mem_send(c->s, &p)) > 0)
		if (buf_append(&c->out, p, (size_t)n, OUT_LIMIT))
			return false;
	while (!c->connecting && c->out.len) {
		n = send(c->io.fd, c->out.p, c->out.len, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		buf_consume(&c->out, (size_t)n);
	}
	return true;
}

/* Reads and feeds the session; returns HC_OK or why the connection ended. */
static enum hc_error conn_read(struct h2conn *c)
{
	uint8_t b[READ_CHUNK];

	for (;;) {
		ssize_t n = recv(c->io.fd, b, sizeof(b), 0);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? HC_OK : hc_error_of_errno(errno);
		if (n == 0)
			return HC_CLOSED;
		if (nghttp2_session_mem_recv(c->s, b, (size_t)n) < 0)
			return HC_BAD_RESPONSE;
		if ((size_t)n < sizeof(b))
			return HC_OK;
	}
}

/* After any activity: write, then close a finished connection or watch the right events. */
static void conn_settle(struct h2conn *c)
{
	if (c->io.fd < 0)
		return;
	if (!conn_write(c)) {
		conn_fail(c, HC_RESET);
		return;
	}
	if (!c->inflight && (c->retiring || !nghttp2_session_want_read(c->s))) {
		conn_fail(c, HC_OK);
		return;
	}
	evloop_mod(&c->e->loop, &c->io, c->connecting ? EPOLLOUT : EPOLLIN | (c->out.len ? EPOLLOUT : 0));
}

static void on_event(struct ev_io *io, uint32_t events)
{
	struct h2conn *c = (struct h2conn *)io;
	enum hc_error err;
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (c->connecting) {
		getsockopt(c->io.fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
		if (soerr) {
			conn_fail(c, hc_error_of_errno(soerr));
			return;
		}
		c->connecting = false;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		err = conn_read(c);
		if (err) {
			conn_fail(c, err);
			return;
		}
	}
	conn_settle(c);
}

/* Starts requests wherever a connection has room while the schedule allows. */
static void feed(struct h2eng *e)
{
	uint64_t now = mono_ns();

	for (unsigned i = 0; i < e->o->connections; i++) {
		struct h2conn *c = &e->conns[i];
		enum hc_error err;

		while (may_start(e, now) && !c->retiring && c->inflight < e->o->streams && c->started < c->quota) {
			if (e->o->rate > 0 && now < due_ns(e, e->next_seq))
				return;
			if (!c->s && (err = conn_open(c))) {
				/* The request this connection was for fails with the connection. */
				char id[96];

				request_id(e, e->next_seq, id, sizeof(id));
				e->st->sent++;
				e->st->errors[err]++;
				if (e->intent.open)
					intent_write(&e->intent, id, now, mono_ns(), 0, hc_error_name(err));
				e->next_seq++;
				c->started++;
				conn_fail(c, err);
				continue;
			}
			if (start(c, now))
				break;
			c->started++;
		}
		conn_settle(c);
	}
}

/* Requests past their deadline count as timeouts; their streams are cancelled. */
static void check_timeouts(struct h2eng *e, uint64_t now)
{
	for (unsigned i = 0; i < e->o->connections; i++) {
		struct h2conn *c = &e->conns[i];

		for (struct h2req *r = c->reqs; r; r = r->next)
			if (!r->finished && now >= r->deadline_ns) {
				finish(r, HC_TIMEOUT);
				nghttp2_submit_rst_stream(c->s, NGHTTP2_FLAG_NONE, r->id, NGHTTP2_CANCEL);
			}
		conn_settle(c);
	}
}

static void on_signal(struct ev_io *io, uint32_t events)
{
	struct h2eng *e = (struct h2eng *)((char *)io - offsetof(struct h2eng, signal_io));
	struct signalfd_siginfo si;

	(void)events;
	if (read(io->fd, &si, sizeof(si)) == sizeof(si)) {
		e->abort = e->stopping;
		e->stopping = true;
		e->st->interrupted = true;
	}
}

static int setup(struct h2eng *e)
{
	const struct drive_opts *o = e->o;
	int r;

	if (o->via)
		return error("--via relays HTTP/1.1 only: HTTP/2 and gRPC go straight to the target"), -EINVAL;
	if (http_url_parse(o->url, &e->target))
		return error("invalid URL '%s': only http://host[:port]/path is supported", o->url), -EINVAL;
	snprintf(e->authority, sizeof(e->authority), "%s:%u", e->target.host, e->target.port);
	if ((r = drive_prepare(o, e->target.host, e->target.port, &e->loop, &e->addr, &e->alen)))
		return r;
	e->conns = calloc(o->connections, sizeof(*e->conns));
	if (!e->conns)
		return error("out of memory"), -ENOMEM;
	/* A count is shared out evenly, each connection carrying its part; a duration has no parts. */
	for (unsigned i = 0; i < o->connections; i++)
		e->conns[i] = (struct h2conn){ .io.fd = -1, .e = e, .quota = o->requests == UINT64_MAX ? UINT64_MAX :
					       o->requests / o->connections + (i < o->requests % o->connections) };
	if (o->intent_path && (r = drive_open_intents(o, &e->intent)))
		return error_errno(r, "cannot write '%s'", o->intent_path), r;
	if ((r = evloop_watch_signals(&e->loop, &e->signal_io, on_signal)))
		return error_errno(r, "cannot watch signals"), r;
	return 0;
}

static void teardown(struct h2eng *e)
{
	for (unsigned i = 0; e->conns && i < e->o->connections; i++) {
		conn_fail(&e->conns[i], HC_CLOSED);
		buf_free(&e->conns[i].out);
	}
	free(e->conns);
	if (e->signal_io.fd >= 0)
		close(e->signal_io.fd);
	if (e->loop.epfd >= 0)
		evloop_fini(&e->loop);
}

int drive_run_h2(const struct drive_opts *o, struct drive_stats *st)
{
	struct h2eng e = { .o = o, .st = st, .next_seq = 1, .signal_io.fd = -1, .loop.epfd = -1 };
	uint64_t now;
	int r;

	memset(st, 0, sizeof(*st));
	signal(SIGPIPE, SIG_IGN);
	r = setup(&e);
	if (r) {
		intent_close(&e.intent, false);
		teardown(&e);
		return r;
	}
	st->start_ns = now = mono_ns();
	e.stop_ns = o->duration_ns ? now + o->duration_ns : 0;
	e.interval_ns = o->rate > 0 ? 1e9 / o->rate : 0;
	feed(&e);
	while ((e.inflight || may_start(&e, now)) && !e.abort) {
		if (evloop_run_once(&e.loop, 10) < 0)
			break;
		now = mono_ns();
		check_timeouts(&e, now);
		feed(&e);
	}
	st->end_ns = mono_ns();
	r = intent_close(&e.intent, st->interrupted);
	if (r && !st->intent_error)
		st->intent_error = r;
	teardown(&e);
	return 0;
}
