/*
 * server.h - the HTTP/1.x server core of the agent's API and the lab's
 * metrics filter: accepts connections on an evloop, reads one bounded
 * request head with http_parse_head, hands GET requests to one handler and
 * writes its answer. One request per connection (every answer says
 * Connection: close, and bytes after the first head are read and dropped);
 * request bodies are refused; a connection still open when its timeout ends
 * is dropped, so a slow client cannot hold a slot.
 */
#ifndef SMIW_HTTP_SERVER_H
#define SMIW_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "http/http.h"
#include "util/evloop.h"

/* A request as the handler sees it; every pointer lives until the handler returns. */
struct http_request {
	const char *method;		/* "GET" */
	const char *path;		/* the request-target up to '?', as sent (not decoded) */
	const char *query;		/* after '?', still percent-encoded; "" when none */
	const struct http_head *head;	/* the header fields: http_header_get(req->head, ...) */
};

/* The handler's answer. */
struct http_response {
	int status;
	const char *content_type;	/* NULL: "text/plain; charset=utf-8" */
	const char *headers;		/* more header lines, each ending in CRLF; static storage, may be NULL */
	char *body;			/* malloc'd by the handler, freed by the server; NULL when empty */
	size_t len;
};

typedef void (*http_handler)(void *arg, const struct http_request *req, struct http_response *resp);

struct http_server_config {
	size_t max_head;		/* request heads beyond this get 431 (0: HTTP_DEFAULT_MAX_HEAD) */
	unsigned max_conns;		/* connections at once; one more gets 503 (0: 64) */
	uint64_t timeout_ns;		/* from accept to the connection's end (0: 10 s) */
	const char *headers;		/* header lines for every answer, each ending in CRLF; may be NULL */
};

struct http_conn;

struct http_server {
	struct evloop *loop;		/* borrowed */
	struct ev_io listen_io;
	struct http_server_config cfg;
	http_handler handler;
	void *arg;
	struct http_conn *conns;	/* open connections */
	unsigned nconns;
	uint64_t requests;		/* handed to the handler */
	uint64_t rejected;		/* connections turned away with 503 */
	char bound[128];		/* "addr:port" actually bound, "[addr]:port" for IPv6 */
};

/*
 * Parses a listen address: "0.0.0.0:9469", "[::1]:9469", ":9469" (every
 * IPv4 address), port 0 for an ephemeral one. Returns 0 or -EINVAL.
 */
int http_listen_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *sl);

/*
 * Listens on `addr` (see http_listen_addr) and serves on `loop`, which must
 * outlive the server; cfg NULL takes every default. Returns 0, -EINVAL for a
 * malformed address, or -errno (-EADDRINUSE: the port is taken).
 */
int http_server_listen(struct http_server *s, struct evloop *loop, const char *addr,
		       const struct http_server_config *cfg, http_handler handler, void *arg);

/* Drops connections whose timeout passed by now_ns; call it on every turn of the loop. */
void http_server_tick(struct http_server *s, uint64_t now_ns);

/* Closes every connection and the listener (NULL-safe, idempotent). */
void http_server_close(struct http_server *s);

#endif
