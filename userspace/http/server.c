/* server.c - see server.h */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/server.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/parse.h"

#define DEFAULT_MAX_CONNS 64
#define DEFAULT_TIMEOUT_NS (10ULL * 1000000000ULL)
#define DEFAULT_CONTENT_TYPE "text/plain; charset=utf-8"

struct http_conn {
	struct ev_io io;		/* first: the evloop hands this back */
	struct http_server *srv;
	struct http_conn *prev, *next;
	uint64_t deadline_ns;
	struct buf in;			/* the request head so far (at most max_head bytes) */
	struct buf out;			/* the answer */
	size_t sent;			/* bytes of out written */
	bool draining;			/* answered: reading what the client still sends, until it closes */
};

int http_listen_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[128];
	const char *colon = strrchr(addr, ':');
	uint64_t port;
	size_t hl;

	if (!colon || parse_u64(colon + 1, 0, 65535, &port))
		return -EINVAL;
	hl = (size_t)(colon - addr);
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, addr, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		host[hl - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*s6);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1 ? 0 : -EINVAL;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*s4);
		if (!*host)
			return 0;	/* ":9469" means every IPv4 address */
		return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -EINVAL;
	}
}

static void format_bound(struct http_server *s, const struct sockaddr_storage *ss)
{
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6)
		snprintf(s->bound, sizeof(s->bound), "[%s]:%u",
			 inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, ip, sizeof(ip)),
			 ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
	else
		snprintf(s->bound, sizeof(s->bound), "%s:%u",
			 inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, ip, sizeof(ip)),
			 ntohs(((const struct sockaddr_in *)ss)->sin_port));
}

static void drop_conn(struct http_conn *c)
{
	struct http_server *s = c->srv;

	evloop_del(s->loop, &c->io);
	close(c->io.fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 431: return "Request Header Fields Too Large";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* Queues the whole answer and stops reading: nothing the client sends after its head is read. */
static void answer(struct http_conn *c, const struct http_response *resp)
{
	struct http_server *s = c->srv;
	int r;

	r = buf_printf(&c->out, BUF_NO_LIMIT,
		       "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%sConnection: close\r\n\r\n",
		       resp->status, reason(resp->status),
		       resp->content_type ? resp->content_type : DEFAULT_CONTENT_TYPE, resp->len,
		       s->cfg.headers ? s->cfg.headers : "", resp->headers ? resp->headers : "");
	if (!r)
		r = buf_append(&c->out, resp->body, resp->len, BUF_NO_LIMIT);
	buf_free(&c->in);
	if (r || evloop_mod(s->loop, &c->io, EPOLLOUT))
		drop_conn(c);
}

/* An answer of the server's own (the request never reaches the handler). */
static void answer_plain(struct http_conn *c, int status, const char *text)
{
	struct http_response resp = { .status = status, .body = (char *)text, .len = strlen(text) };

	answer(c, &resp);
}

/* A complete head: refuse what the core does not serve, hand the rest to the handler. */
static void dispatch(struct http_conn *c, const struct http_head *h)
{
	struct http_server *s = c->srv;
	struct http_response resp = { .status = 500 };
	struct http_request req = { .head = h };
	char *base = c->in.p, *method, *target, *q;

	if (h->content_length > 0 || h->has_transfer_encoding) {
		answer_plain(c, 413, "request bodies are not accepted\n");
		return;
	}
	if (h->method.len != 3 || memcmp(h->method.p, "GET", 3)) {
		answer_plain(c, 405, "only GET is served\n");
		return;
	}
	/*
	 * The method and the target are each followed by a space of the
	 * request line, which is no longer needed: NUL-terminate them in place.
	 */
	method = base + (h->method.p - base);
	target = base + (h->target.p - base);
	method[h->method.len] = '\0';
	target[h->target.len] = '\0';
	q = memchr(target, '?', h->target.len);
	if (q)
		*q++ = '\0';
	req.method = method;
	req.path = target;
	req.query = q ? q : "";
	s->requests++;
	s->handler(s->arg, &req, &resp);
	answer(c, &resp);
	free(resp.body);
}

static void on_readable(struct http_conn *c)
{
	size_t max = c->srv->cfg.max_head;
	struct http_head h;
	ssize_t n;
	int r;

	if (buf_reserve(&c->in, max - c->in.len, max)) {
		drop_conn(c);
		return;
	}
	n = read(c->io.fd, c->in.p + c->in.len, max - c->in.len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {	/* gone before its head was complete: nobody to answer */
		drop_conn(c);
		return;
	}
	c->in.len += (size_t)n;
	r = http_parse_head(&h, HTTP_REQUEST, c->in.p, c->in.len, max);
	if (r == -EMSGSIZE)
		answer_plain(c, 431, "request head too large\n");
	else if (r < 0)
		answer_plain(c, 400, "malformed request\n");
	else if (r > 0)
		dispatch(c, &h);
}

static void on_writable(struct http_conn *c)
{
	ssize_t n = send(c->io.fd, c->out.p + c->sent, c->out.len - c->sent, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_conn(c);
		return;
	}
	c->sent += (size_t)n;
	if (c->sent < c->out.len)
		return;
	/*
	 * Closing a socket that holds unread bytes (the rest of an oversized
	 * head, a pipelined request) makes the kernel send a reset, which can
	 * destroy the answer before the client has read it. So the sending
	 * side is shut and the rest read away until the client closes (or
	 * the timeout ends the connection).
	 */
	buf_free(&c->out);
	shutdown(c->io.fd, SHUT_WR);
	c->draining = true;
	if (evloop_mod(c->srv->loop, &c->io, EPOLLIN))
		drop_conn(c);
}

/* Discards what the client sends after its answer; closes at its end of stream. */
static void drain(struct http_conn *c)
{
	char sink[4096];
	ssize_t n = read(c->io.fd, sink, sizeof(sink));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		drop_conn(c);
}

static void on_conn_event(struct ev_io *io, uint32_t events)
{
	struct http_conn *c = (struct http_conn *)io;

	if (c->draining)
		drain(c);
	else if (c->out.len)
		on_writable(c);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		on_readable(c);
}

/* Over the connection limit: a fixed answer, written at once, and the door closed. */
static void turn_away(struct http_server *s, int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
				   "Connection: close\r\n\r\n";

	s->rejected++;
	if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL) < 0)
		(void)0;	/* the client goes away either way */
	close(fd);
}

static void on_listen_event(struct ev_io *io, uint32_t events)
{
	struct http_server *s = (struct http_server *)((char *)io - offsetof(struct http_server, listen_io));

	(void)events;
	for (;;) {
		int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct http_conn *c;

		if (fd < 0)
			return;
		if (s->nconns >= s->cfg.max_conns) {
			turn_away(s, fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c || evloop_add(s->loop, &c->io, fd, EPOLLIN, on_conn_event)) {
			free(c);
			turn_away(s, fd);
			continue;
		}
		c->srv = s;
		c->deadline_ns = mono_ns() + s->cfg.timeout_ns;
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
	}
}

int http_server_listen(struct http_server *s, struct evloop *loop, const char *addr,
		       const struct http_server_config *cfg, http_handler handler, void *arg)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, fd, r;

	memset(s, 0, sizeof(*s));
	s->listen_io.fd = -1;
	s->loop = loop;
	s->handler = handler;
	s->arg = arg;
	if (cfg)
		s->cfg = *cfg;
	if (!s->cfg.max_head)
		s->cfg.max_head = HTTP_DEFAULT_MAX_HEAD;
	if (!s->cfg.max_conns)
		s->cfg.max_conns = DEFAULT_MAX_CONNS;
	if (!s->cfg.timeout_ns)
		s->cfg.timeout_ns = DEFAULT_TIMEOUT_NS;
	r = http_listen_addr(addr, &ss, &sl);
	if (r)
		return r;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		r = -errno;
		close(fd);
		return r;
	}
	format_bound(s, &ss);
	r = evloop_add(loop, &s->listen_io, fd, EPOLLIN, on_listen_event);
	if (r) {
		close(fd);
		s->listen_io.fd = -1;
	}
	return r;
}

void http_server_tick(struct http_server *s, uint64_t now_ns)
{
	struct http_conn *c, *next;

	for (c = s->conns; c; c = next) {
		next = c->next;
		if (now_ns >= c->deadline_ns)
			drop_conn(c);
	}
}

void http_server_close(struct http_server *s)
{
	if (!s)
		return;
	while (s->conns)
		drop_conn(s->conns);
	if (s->listen_io.fd >= 0) {
		evloop_del(s->loop, &s->listen_io);
		close(s->listen_io.fd);
		s->listen_io.fd = -1;
	}
}
