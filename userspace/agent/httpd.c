/* httpd.c - see httpd.h */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/httpd.h"
#include "util/clock.h"
#include "util/parse.h"

#define HEAD_MAX 8192
#define IDLE_NS (10ULL * 1000000000ULL)

struct hconn {
	int fd;
	uint64_t since_ns;
	char head[HEAD_MAX];
	size_t hlen;
	char *out;		/* response being written */
	size_t olen, off;
};

static int parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *sl)
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

int httpd_listen(struct httpd *h, const char *addr, httpd_handler handler, void *arg)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct epoll_event ev = { .events = EPOLLIN };
	char ip[INET6_ADDRSTRLEN];
	int one = 1, r;

	memset(h, 0, sizeof(*h));
	h->lfd = h->epfd = -1;
	h->handler = handler;
	h->arg = arg;
	r = parse_addr(addr, &ss, &sl);
	if (r)
		return r;
	h->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0)
		return -errno;
	setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->lfd, (struct sockaddr *)&ss, sl) || listen(h->lfd, 32) ||
	    getsockname(h->lfd, (struct sockaddr *)&ss, &sl))
		goto fail;
	if (ss.ss_family == AF_INET6)
		snprintf(h->bound, sizeof(h->bound), "[%s]:%u",
			 inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof(ip)),
			 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	else
		snprintf(h->bound, sizeof(h->bound), "%s:%u",
			 inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof(ip)),
			 ntohs(((struct sockaddr_in *)&ss)->sin_port));
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.ptr = NULL;	/* NULL marks the listener */
	if (h->epfd < 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->lfd, &ev))
		goto fail;
	return 0;
fail:
	r = -errno;
	httpd_close(h);
	return r;
}

int httpd_fd(const struct httpd *h)
{
	return h->epfd;
}

static void conn_close(struct httpd *h, struct hconn *c)
{
	for (int i = 0; i < HTTPD_MAX_CONN; i++)
		if (h->conns[i] == c)
			h->conns[i] = NULL;
	close(c->fd);	/* also leaves the epoll set */
	free(c->out);
	free(c);
}

static void accept_all(struct httpd *h)
{
	for (;;) {
		int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), slot = -1;
		struct epoll_event ev = { .events = EPOLLIN };
		struct hconn *c;

		if (fd < 0)
			return;
		for (int i = 0; i < HTTPD_MAX_CONN && slot < 0; i++)
			if (!h->conns[i])
				slot = i;
		c = slot >= 0 ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
						   "Connection: close\r\n\r\n";

			h->rejected++;
			if (write(fd, busy, sizeof(busy) - 1) < 0)
				(void)0;	/* the client goes away either way */
			close(fd);
			continue;
		}
		c->fd = fd;
		c->since_ns = mono_ns();
		ev.data.ptr = c;
		h->conns[slot] = c;
		if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev))
			conn_close(h, c);
	}
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
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

static void queue_response(struct httpd *h, struct hconn *c, struct http_resp *resp)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
	char head[512];
	int hl;

	hl = snprintf(head, sizeof(head),
		      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		      "Cache-Control: no-store\r\n%sConnection: close\r\n\r\n",
		      resp->status, reason(resp->status),
		      resp->content_type ? resp->content_type : "text/plain; charset=utf-8", resp->len,
		      resp->status == 401 ? "WWW-Authenticate: Bearer\r\n" : "");
	c->out = malloc((size_t)hl + resp->len);
	if (c->out) {
		memcpy(c->out, head, (size_t)hl);
		if (resp->len)
			memcpy(c->out + hl, resp->body, resp->len);
		c->olen = (size_t)hl + resp->len;
	}
	free(resp->body);
	if (!c->out || epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &ev))
		conn_close(h, c);
}

static void simple(struct httpd *h, struct hconn *c, int status, const char *msg)
{
	struct http_resp resp = { .status = status, .body = strdup(msg) };

	resp.len = resp.body ? strlen(resp.body) : 0;
	queue_response(h, c, &resp);
}

/* Parses a complete head and runs the handler. */
static void dispatch(struct httpd *h, struct hconn *c)
{
	struct http_req req = { 0 };
	struct http_resp resp = { .status = 500 };
	char target[2600], *q, *line, *save;

	if (sscanf(c->head, "%7s %2599s HTTP/1.%*1[01]", req.method, target) != 2) {
		simple(h, c, 400, "malformed request line\n");
		return;
	}
	for (line = strtok_r(strchr(c->head, '\n') ? strchr(c->head, '\n') + 1 : c->head, "\r\n", &save);
	     line; line = strtok_r(NULL, "\r\n", &save)) {
		if (!strncasecmp(line, "Authorization:", 14)) {
			const char *v = line + 14;

			while (*v == ' ')
				v++;
			snprintf(req.auth, sizeof(req.auth), "%s", v);
		} else if (!strncasecmp(line, "X-Smiw-Token:", 13)) {
			const char *v = line + 13;

			while (*v == ' ')
				v++;
			snprintf(req.token, sizeof(req.token), "%s", v);
		} else if ((!strncasecmp(line, "Content-Length:", 15) && atol(line + 15) > 0) ||
			   !strncasecmp(line, "Transfer-Encoding:", 18)) {
			simple(h, c, 413, "request bodies are not accepted\n");
			return;
		}
	}
	if (strcmp(req.method, "GET")) {
		simple(h, c, 405, "only GET is served\n");
		return;
	}
	q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	if (strlen(target) >= sizeof(req.path) || (q && strlen(q) >= sizeof(req.query))) {
		simple(h, c, 431, "request target too long\n");
		return;
	}
	snprintf(req.path, sizeof(req.path), "%s", target);
	snprintf(req.query, sizeof(req.query), "%s", q ? q : "");
	h->requests++;
	h->handler(h->arg, &req, &resp);
	queue_response(h, c, &resp);
}

static void on_readable(struct httpd *h, struct hconn *c)
{
	ssize_t n = read(c->fd, c->head + c->hlen, sizeof(c->head) - 1 - c->hlen);

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			conn_close(h, c);
		return;
	}
	c->hlen += (size_t)n;
	c->head[c->hlen] = '\0';
	if (strstr(c->head, "\r\n\r\n") || strstr(c->head, "\n\n"))
		dispatch(h, c);
	else if (c->hlen == sizeof(c->head) - 1)
		simple(h, c, 431, "request head too large\n");
}

static void on_writable(struct httpd *h, struct hconn *c)
{
	ssize_t n = write(c->fd, c->out + c->off, c->olen - c->off);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(h, c);
		return;
	}
	c->off += (size_t)n;
	if (c->off == c->olen) {
		shutdown(c->fd, SHUT_WR);
		conn_close(h, c);
	}
}

int httpd_poll(struct httpd *h, int timeout_ms)
{
	struct epoll_event evs[16];
	uint64_t now;
	int n;

	n = epoll_wait(h->epfd, evs, 16, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct hconn *c = evs[i].data.ptr;

		if (!c)
			accept_all(h);
		else if (evs[i].events & EPOLLOUT)
			on_writable(h, c);
		else if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			on_readable(h, c);
	}
	now = mono_ns();
	for (int i = 0; i < HTTPD_MAX_CONN; i++)
		if (h->conns[i] && now - h->conns[i]->since_ns > IDLE_NS)
			conn_close(h, h->conns[i]);
	return 0;
}

void httpd_close(struct httpd *h)
{
	for (int i = 0; i < HTTPD_MAX_CONN; i++)
		if (h->conns[i])
			conn_close(h, h->conns[i]);
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->epfd >= 0)
		close(h->epfd);
	h->lfd = h->epfd = -1;
}

int http_query_get(const char *query, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		size_t o = 0;

		if (strncmp(p, key, kl) || p[kl] != '=')
			continue;
		for (p += kl + 1; *p && *p != '&'; p++) {
			char ch = *p;

			if (ch == '+')
				ch = ' ';
			else if (ch == '%' && parse_hex_digit(p[1]) >= 0 && parse_hex_digit(p[2]) >= 0) {
				ch = (char)(parse_hex_digit(p[1]) * 16 + parse_hex_digit(p[2]));
				p += 2;
			}
			if (o + 1 >= len)
				return -ENAMETOOLONG;
			buf[o++] = ch;
		}
		buf[o] = '\0';
		return 0;
	}
	return -ENOENT;
}
