/* conn.c - client connections: reading, request framing, pipelining in order, writing. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

#define READ_CHUNK 16384

static const char *reason_phrase(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
	}
}

int conn_respond(struct conn *c, int status, const char *content_type, const char *extra_headers,
		 const char *body, size_t len)
{
	bool head_only = c->rstate != RQ_HEAD && http_str_eq_ci(c->head.method, "HEAD");
	size_t mark = c->out.len;
	int r;

	r = buf_printf(&c->out, OUT_LIMIT, "HTTP/1.1 %d %s\r\n%s%s%s%sContent-Length: %zu\r\n%s\r\n",
		       status, reason_phrase(status),
		       content_type ? "Content-Type: " : "", content_type ? content_type : "",
		       content_type ? "\r\n" : "", extra_headers ? extra_headers : "", len,
		       !c->keep_alive ? "Connection: close\r\n" :
		       c->head.minor == 0 ? "Connection: keep-alive\r\n" : "");
	if (!r && !head_only)
		r = buf_append(&c->out, body, len, OUT_LIMIT);
	if (r) {
		c->out.len = mark;	/* never a torn response: answer 500 instead */
		c->keep_alive = false;
		r = buf_printf(&c->out, OUT_LIMIT, "HTTP/1.1 500 Internal Server Error\r\n"
			       "Content-Length: 0\r\nConnection: close\r\n\r\n");
	}
	if (!c->keep_alive)
		c->closing = true;
	return r;
}

/* Answers a request that cannot be read further (400, 413, 431) and closes after it. */
static void respond_fatal(struct conn *c, int status, const char *text)
{
	c->keep_alive = false;
	c->rstate = RQ_HEAD;	/* the method is unknown or irrelevant: always send the body */
	conn_respond(c, status, "text/plain; charset=utf-8", NULL, text, strlen(text));
	c->in.len = 0;
}

static void on_body(void *ctx, const char *p, size_t n)
{
	struct conn *c = ctx;

	if (!c->body_too_large && buf_append(&c->req_body, p, n, MAX_BODY))
		c->body_too_large = true;
}

/* The head is complete: keep a copy that body reads cannot move, set up framing. */
static void start_request(struct conn *c, size_t head_len)
{
	const struct http_str *expect;

	c->req_head.len = 0;
	if (buf_append(&c->req_head, c->in.p, head_len, MAX_HEAD + 1)) {
		respond_fatal(c, 431, "Request Header Fields Too Large\n");
		return;
	}
	http_head_rebase(&c->head, c->in.p, c->req_head.p);
	buf_consume(&c->in, head_len);
	c->keep_alive = c->head.keep_alive && !c->srv->draining;
	c->rstate = RQ_BODY;
	if (c->head.minor >= 1 && !http_header_get(&c->head, "host")) {
		respond_fatal(c, 400, "400 Bad Request: missing required Host header\n");
		return;
	}
	if (c->head.content_length > (int64_t)MAX_BODY) {
		respond_fatal(c, 413, "Request body too large\n");
		return;
	}
	http_body_init(&c->body, &c->head, false);
	c->body.on_data = on_body;
	c->body.ctx = c;
	c->body_too_large = false;
	c->req_body.len = 0;
	expect = http_header_get(&c->head, "expect");
	if (expect && !c->body.complete && c->head.minor >= 1 && http_str_eq_ci(*expect, "100-continue"))
		buf_append(&c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25, OUT_LIMIT);
}

static void end_request(struct conn *c)
{
	c->rstate = RQ_HEAD;
	c->req_started = false;
	c->req_head.len = 0;
	c->req_body.len = 0;
	buf_trim(&c->req_head, 0);
	buf_trim(&c->req_body, 0);
}

/* What process() does after one step of a request. */
enum step {
	STEP_MORE,	/* go on with what is buffered */
	STEP_STARVED,	/* wait: more input is needed */
	STEP_STOP,	/* stop: the connection was answered and is closing */
};

/* Parses the head of the next request in c->in and starts it. Returns what process() does next. */
static enum step read_head(struct conn *c)
{
	int r;

	if (!c->in.len)
		return STEP_STARVED;
	if (!c->req_started) {
		c->req_started = true;
		c->req_start_ns = mono_ns();
	}
	r = http_parse_head(&c->head, HTTP_REQUEST, c->in.p, c->in.len, MAX_HEAD);
	if (r == 0)
		return STEP_STARVED;
	if (r < 0) {
		respond_fatal(c, r == -EMSGSIZE ? 431 : 400, r == -EMSGSIZE ?
			      "431 Request Header Fields Too Large\n" : "400 Bad Request\n");
		return STEP_STOP;
	}
	start_request(c, (size_t)r);
	return STEP_MORE;
}

/* Feeds c->in to the request's body and handles the request once it is whole. Returns what process() does next. */
static enum step read_body(struct conn *c)
{
	size_t used;
	int r;

	r = http_body_consume(&c->body, c->in.p, c->in.len, &used);
	buf_consume(&c->in, used);
	if (r < 0) {
		respond_fatal(c, 400, "400 Bad Request: malformed chunked body\n");
		return STEP_STOP;
	}
	if (c->body_too_large) {
		respond_fatal(c, 413, "Request body too large\n");
		return STEP_STOP;
	}
	if (!c->body.complete)
		return STEP_STARVED;
	handle_request(c);
	if (c->rstate != RQ_CALL)
		end_request(c);
	return STEP_MORE;
}

/* Handles every complete request in c->in, in order, until one must wait. */
static void process(struct conn *c)
{
	enum step next = STEP_MORE;
	int r;

	if (!c->proto_known && c->in.len) {
		r = h2_detect(c->in.p, c->in.len);
		if (r == 0) {
			c->closing = c->peer_eof;
			return;
		}
		c->proto_known = true;
		if (r > 0 && h2_start(c))
			c->closing = true;
	}
	while (next == STEP_MORE && !c->closing && !c->h2 && c->rstate != RQ_CALL && c->out.len < OUT_HIGH)
		next = c->rstate == RQ_HEAD ? read_head(c) : read_body(c);
	/* Prior knowledge, or an upgrade answered above: the rest is HTTP/2. */
	if (c->h2 && !c->closing) {
		h2_process(c);
		return;
	}
	/* The client stopped sending: what is still incomplete never will be. */
	if (c->peer_eof && next == STEP_STARVED)
		c->closing = true;
}

/* Sends what it can. Returns 0, or -1 when the connection failed. */
static int flush(struct conn *c)
{
	size_t off = 0;
	int r = 0;

	while (off < c->out.len) {
		ssize_t n = send(c->io.fd, c->out.p + off, c->out.len - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				r = -1;
			break;
		}
		off += (size_t)n;
		c->last_write_ns = mono_ns();
	}
	buf_consume(&c->out, off);
	buf_trim(&c->out, 64u << 10);
	return r;
}

/* After any activity: send, then close or watch the right events. May free c. */
static void settle(struct conn *c)
{
	uint32_t ev = 0;

	if (flush(c) || (c->closing && !c->out.len)) {
		conn_close(c);
		return;
	}
	if (!c->peer_eof && !c->closing && c->in.len < IN_HIGH && c->out.len < OUT_HIGH)
		ev |= EPOLLIN;
	if (c->out.len)
		ev |= EPOLLOUT;
	if (!c->in.len && !c->out.len) {
		buf_trim(&c->in, 0);
		buf_trim(&c->out, 0);
	}
	evloop_mod(&c->srv->loop, &c->io, ev);
}

void conn_resume(struct conn *c)
{
	end_request(c);
	process(c);
	settle(c);
}

/* Reads until EAGAIN or enough is buffered. Returns 0, or -1 when the connection failed. */
static int read_some(struct conn *c)
{
	while (!c->peer_eof && c->in.len < IN_HIGH) {
		ssize_t n;

		if (buf_reserve(&c->in, READ_CHUNK, IN_HIGH + READ_CHUNK))
			return -1;
		n = read(c->io.fd, c->in.p + c->in.len, READ_CHUNK);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (n == 0)
			c->peer_eof = true;
		c->in.len += (size_t)n;
		c->last_active_ns = mono_ns();
		if ((size_t)n < READ_CHUNK)
			break;
	}
	return 0;
}

static void on_event(struct ev_io *io, uint32_t events)
{
	struct conn *c = (struct conn *)io;

	if ((events & EPOLLERR) || ((events & EPOLLHUP) && !(events & EPOLLIN))) {
		conn_close(c);
		return;
	}
	if ((events & EPOLLIN) && read_some(c)) {
		conn_close(c);
		return;
	}
	process(c);
	settle(c);
}

void conn_close(struct conn *c)
{
	struct server *srv = c->srv;

	evloop_del(&srv->loop, &c->io);
	close(c->io.fd);
	if (c->call)
		call_orphan(c->call);
	if (c->batch)
		batch_orphan(c->batch);
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns--;
	if (srv->accept_paused && srv->listen_io.fd >= 0) {
		srv->accept_paused = false;
		evloop_mod(&srv->loop, &srv->listen_io, EPOLLIN);
	}
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->req_head);
	buf_free(&c->req_body);
	h2_free(c);
	free(c);
}

void conn_accept_all(struct server *srv)
{
	for (;;) {
		int fd = accept4(srv->listen_io.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct conn *c;

		if (fd < 0) {
			/*
			 * Out of descriptors: the pending connection would make the
			 * level-triggered listener fire forever. Stop watching it
			 * until a connection closes.
			 */
			if ((errno == EMFILE || errno == ENFILE) && srv->conns) {
				evloop_mod(&srv->loop, &srv->listen_io, 0);
				srv->accept_paused = true;
			}
			return;
		}
		c = srv->nconns < MAX_CONNS && !srv->draining ? calloc(1, sizeof(*c)) : NULL;
		if (!c || evloop_add(&srv->loop, &c->io, fd, EPOLLIN, on_event)) {
			free(c);
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->srv = srv;
		c->keep_alive = true;
		c->last_active_ns = c->last_write_ns = mono_ns();
		c->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = c;
		srv->conns = c;
		srv->nconns++;
	}
}

/* Whether c sits between requests with nothing queued either way. */
static bool is_idle(const struct conn *c)
{
	return c->rstate == RQ_HEAD && !c->in.len && !c->out.len && (!c->h2 || h2_idle(c));
}

void conn_tick(struct server *srv, uint64_t now)
{
	struct conn *c, *next;

	for (c = srv->conns; c; c = next) {
		next = c->next;
		if (srv->draining && (is_idle(c) || now >= srv->drain_deadline_ns)) {
			conn_close(c);
			continue;
		}
		if (srv->draining)
			c->keep_alive = false;
		if ((is_idle(c) && now - c->last_active_ns > IDLE_TIMEOUT_NS) ||
		    (c->rstate != RQ_CALL && c->req_started && now - c->req_start_ns > REQUEST_TIMEOUT_NS) ||
		    (c->out.len && now - c->last_write_ns > REQUEST_TIMEOUT_NS))
			conn_close(c);
	}
}
