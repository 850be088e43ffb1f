/* httpd.h - a small single-threaded HTTP/1.1 server on epoll for the agent's API. */
#ifndef SMIW_AGENT_HTTPD_H
#define SMIW_AGENT_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#define HTTPD_MAX_CONN 64

struct http_req {
	char method[8];
	char path[512];
	char query[2048];	/* after '?', still percent-encoded */
	char auth[512];		/* Authorization header value */
	char token[512];	/* X-Smiw-Token header value (through the API server's pod proxy) */
};

/* The handler fills this; body is malloc'd (freed by the server). */
struct http_resp {
	int status;
	const char *content_type;
	char *body;
	size_t len;
};

typedef void (*httpd_handler)(void *arg, const struct http_req *req, struct http_resp *resp);

struct hconn;

/*
 * GET-only: one request per connection (Connection: close), heads up to
 * 8 KiB, request bodies refused, idle connections dropped after 10 s so a
 * slow client cannot hold a slot.
 */
struct httpd {
	int lfd, epfd;
	httpd_handler handler;
	void *arg;
	struct hconn *conns[HTTPD_MAX_CONN];
	uint64_t requests, rejected;
	char bound[128];	/* "addr:port" actually bound */
};

/*
 * Listens on `addr` ("0.0.0.0:9469", "[::1]:9469", "127.0.0.1:0" for an
 * ephemeral port). Returns 0 or -errno (-EINVAL for a malformed address).
 */
int httpd_listen(struct httpd *h, const char *addr, httpd_handler handler, void *arg);

/*
 * The server's epoll descriptor: readable when httpd_poll() has work, so a
 * caller can wait on it inside its own epoll set.
 */
int httpd_fd(const struct httpd *h);

/* Serves whatever is ready, waiting at most timeout_ms. Returns 0 or -errno. */
int httpd_poll(struct httpd *h, int timeout_ms);

/* Closes every connection and the listener. */
void httpd_close(struct httpd *h);

/*
 * Copies the percent-decoded value of `key` from a query string into buf.
 * Returns 0, -ENOENT when absent, -ENAMETOOLONG when it does not fit.
 */
int http_query_get(const char *query, const char *key, char *buf, size_t len);

#endif
