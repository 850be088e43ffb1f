/* client.c - see client.h */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/chars.h"
#include "http/client.h"

enum { ST_IDLE, ST_CONNECTING, ST_SENDING, ST_RECEIVING };

#define RESP_HEAD_MAX 16384
#define READ_CHUNK 16384
#define OUT_LIMIT (8u << 20)

static const char *const error_names[HC_NERRORS] = {
	[HC_OK] = "",
	[HC_REFUSED] = "refused",
	[HC_RESET] = "reset",
	[HC_TIMEOUT] = "timeout",
	[HC_UNREACHABLE] = "unreachable",
	[HC_CLOSED] = "closed",
	[HC_BAD_RESPONSE] = "bad-response",
	[HC_TOO_LARGE] = "too-large",
	[HC_RESOLVE] = "resolve",
	[HC_OTHER] = "other",
};

const char *hc_error_name(enum hc_error e)
{
	return (unsigned)e < HC_NERRORS ? error_names[e] : "other";
}

enum hc_error hc_error_of_errno(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return HC_REFUSED;
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED:
		return HC_RESET;
	case ETIMEDOUT:
		return HC_TIMEOUT;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EADDRNOTAVAIL:
		return HC_UNREACHABLE;
	default:
		return HC_OTHER;
	}
}

void hc_init(struct hc_conn *c, struct evloop *loop, const struct sockaddr_storage *addr,
	     socklen_t alen, hc_done_fn done, void *owner)
{
	memset(c, 0, sizeof(*c));
	c->io.fd = -1;
	c->loop = loop;
	memcpy(&c->addr, addr, alen);
	c->alen = alen;
	c->done = done;
	c->owner = owner;
	c->max_body = 1u << 20;
}

static void close_fd(struct hc_conn *c)
{
	if (c->io.fd < 0)
		return;
	evloop_del(c->loop, &c->io);
	close(c->io.fd);
	c->io.fd = -1;
}

void hc_close(struct hc_conn *c)
{
	close_fd(c);
	c->state = ST_IDLE;
	buf_free(&c->out);
	buf_free(&c->in);
	buf_free(&c->resp_body);
}

bool hc_idle_open(const struct hc_conn *c)
{
	return c->state == ST_IDLE && c->io.fd >= 0;
}

/* Ends the exchange: keeps the connection only when the response allows it. */
static void finish(struct hc_conn *c, enum hc_error err, bool reusable)
{
	c->err = err;
	c->state = ST_IDLE;
	if (err || !reusable || c->in.len)
		close_fd(c);
	else
		evloop_mod(c->loop, &c->io, EPOLLIN);	/* to notice the peer closing while idle */
	buf_free(&c->in);
	buf_trim(&c->out, 4096);
	c->out.len = 0;
	c->done(c);	/* may free c */
}

static int start_connect(struct hc_conn *c);

/* A failure before any response byte on a reused connection: the peer had closed it. */
static void fail(struct hc_conn *c, enum hc_error err)
{
	if (c->reused && !c->retried && c->resp_bytes == 0 && err != HC_TIMEOUT) {
		c->retried = true;
		c->reused = false;
		close_fd(c);
		c->out_off = 0;
		if (start_connect(c) == 0)
			return;
	}
	finish(c, err, false);
}

static void on_event(struct ev_io *io, uint32_t events);

/*
 * Opens a non-blocking connection. An immediate failure (a refusal on
 * loopback can be one) is kept in pending_err and reported from the event
 * handler like an asynchronous one: done is never called from inside
 * hc_send, so callers that send again from done cannot recurse.
 */
static int start_connect(struct hc_conn *c)
{
	int fd, one = 1;

	fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->pending_err = 0;
	if (connect(fd, (struct sockaddr *)&c->addr, c->alen) && errno != EINPROGRESS)
		c->pending_err = errno;
	if (evloop_add(c->loop, &c->io, fd, EPOLLOUT, on_event)) {
		close(fd);
		c->io.fd = -1;
		return -ENOMEM;
	}
	c->state = ST_CONNECTING;
	return 0;
}

int hc_send(struct hc_conn *c, const char *req, size_t len, bool request_was_head,
	    uint64_t timeout_ns)
{
	int r;

	if (c->state != ST_IDLE)
		return -EBUSY;
	c->out.len = 0;
	r = buf_append(&c->out, req, len, OUT_LIMIT);
	if (r)
		return r;
	c->out_off = 0;
	c->in.len = 0;
	c->have_head = false;
	c->request_was_head = request_was_head;
	c->err = HC_OK;
	c->status = 0;
	c->resp_body.len = 0;
	c->content_type[0] = '\0';
	c->resp_bytes = 0;
	c->retried = false;
	c->deadline_ns = mono_ns() + timeout_ns;
	if (c->io.fd >= 0) {
		c->reused = true;
		c->state = ST_SENDING;
		return evloop_mod(c->loop, &c->io, EPOLLOUT);
	}
	c->reused = false;
	return start_connect(c);
}

void hc_check_timeout(struct hc_conn *c, uint64_t now_ns)
{
	if (c->state != ST_IDLE && now_ns >= c->deadline_ns)
		fail(c, HC_TIMEOUT);
}

static void on_body_data(void *ctx, const char *p, size_t n)
{
	struct hc_conn *c = ctx;

	if (c->keep_body && p && !c->err && buf_append(&c->resp_body, p, n, c->max_body))
		c->err = HC_TOO_LARGE;
}

static void note_head(struct hc_conn *c)
{
	const struct http_str *ct = http_header_get(&c->head, "content-type");

	c->status = c->head.status;
	c->content_type[0] = '\0';
	if (ct && ct->len < sizeof(c->content_type)) {
		memcpy(c->content_type, ct->p, ct->len);
		c->content_type[ct->len] = '\0';
	}
	http_body_init(&c->body, &c->head, c->request_was_head);
	c->body.on_data = on_body_data;
	c->body.ctx = c;
	c->have_head = true;
}

/* Parses what c->in holds; returns true when the exchange ended (finish called). */
static bool process_input(struct hc_conn *c)
{
	size_t used;
	int r;

	while (c->in.len) {
		if (!c->have_head) {
			r = http_parse_head(&c->head, HTTP_RESPONSE, c->in.p, c->in.len, RESP_HEAD_MAX);
			if (r == 0)
				return false;
			if (r < 0) {
				finish(c, HC_BAD_RESPONSE, false);
				return true;
			}
			note_head(c);
			buf_consume(&c->in, (size_t)r);
			/* Interim 1xx responses (100 Continue) precede the real one. */
			if (c->head.status < 200 && c->head.status != 101) {
				c->have_head = false;
				continue;
			}
		}
		r = http_body_consume(&c->body, c->in.p, c->in.len, &used);
		buf_consume(&c->in, used);
		if (r < 0 || c->err) {
			finish(c, c->err ? c->err : HC_BAD_RESPONSE, false);
			return true;
		}
		if (c->body.complete) {
			finish(c, HC_OK, c->head.keep_alive && c->head.status != 101);
			return true;
		}
	}
	return false;
}

static void do_read(struct hc_conn *c)
{
	ssize_t n;

	for (;;) {
		if (buf_reserve(&c->in, READ_CHUNK, RESP_HEAD_MAX + READ_CHUNK)) {
			finish(c, HC_BAD_RESPONSE, false);
			return;
		}
		n = read(c->io.fd, c->in.p + c->in.len, READ_CHUNK);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			fail(c, hc_error_of_errno(errno));
			return;
		}
		if (n == 0) {
			if (c->have_head && http_body_finish_at_eof(&c->body))
				finish(c, HC_OK, false);
			else
				fail(c, HC_CLOSED);
			return;
		}
		c->in.len += (size_t)n;
		c->resp_bytes += (uint64_t)n;
		if (process_input(c))
			return;
	}
}

static void do_write(struct hc_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->io.fd, c->out.p + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			fail(c, hc_error_of_errno(errno));
			return;
		}
		c->out_off += (size_t)n;
	}
	c->state = ST_RECEIVING;
	evloop_mod(c->loop, &c->io, EPOLLIN);
}

static void on_event(struct ev_io *io, uint32_t events)
{
	struct hc_conn *c = (struct hc_conn *)io;
	int err = 0;
	socklen_t len = sizeof(err);

	switch (c->state) {
	case ST_IDLE:
		/* The peer closed (or sent junk on) an idle keep-alive connection. */
		close_fd(c);
		return;
	case ST_CONNECTING:
		if (c->pending_err)
			err = c->pending_err;
		else if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		if (err) {
			fail(c, hc_error_of_errno(err));
			return;
		}
		c->state = ST_SENDING;
		/* fall through */
	case ST_SENDING:
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			do_write(c);
		return;
	default:
		do_read(c);
	}
}

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!http_is_tchar(*s))
			return false;
	return true;
}

static bool is_field_value(const char *s)
{
	for (; *s; s++)
		if (http_is_ctl(*s) && *s != '\t')
			return false;
	return true;
}

int hc_build_request(struct buf *b, const char *method, const struct http_url *u,
		     const struct hc_header *hdrs, size_t nhdrs, const char *body, size_t body_len)
{
	const size_t limit = OUT_LIMIT;
	bool with_length = body_len || !strcmp(method, "POST") || !strcmp(method, "PUT") ||
			   !strcmp(method, "PATCH");
	bool own_host = false;
	int r;

	if (!is_token(method))
		return -EINVAL;
	for (size_t i = 0; i < nhdrs; i++)
		if (!is_token(hdrs[i].name) || !is_field_value(hdrs[i].value))
			return -EINVAL;
	/* A Host among the headers replaces the URL's: the request goes to one address naming another. */
	for (size_t i = 0; i < nhdrs; i++)
		if (!strcasecmp(hdrs[i].name, "host"))
			own_host = true;
	r = own_host ? buf_printf(b, limit, "%s %s HTTP/1.1\r\n", method, u->path) :
		       buf_printf(b, limit, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, u->path, u->authority);
	for (size_t i = 0; i < nhdrs && !r; i++)
		r = buf_printf(b, limit, "%s: %s\r\n", hdrs[i].name, hdrs[i].value);
	if (!r && with_length)
		r = buf_printf(b, limit, "Content-Length: %zu\r\n", body_len);
	if (!r)
		r = buf_append(b, "\r\n", 2, limit);
	if (!r)
		r = buf_append(b, body, body_len, limit);
	return r;
}
