/* client.h - one non-blocking HTTP/1.1 client connection on an evloop: connect,
 * send a request, read the response; reusable for the next request (keep-alive). */
#ifndef SMIW_HTTP_CLIENT_H
#define SMIW_HTTP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "http/http.h"
#include "http/url.h"
#include "util/buf.h"
#include "util/evloop.h"

/* Why an exchange failed; the names are the `error` values of intent records. */
enum hc_error {
	HC_OK,
	HC_REFUSED,		/* connection refused */
	HC_RESET,		/* connection reset (RST, EPIPE) */
	HC_TIMEOUT,		/* no complete response in time */
	HC_UNREACHABLE,		/* no route to the host or network */
	HC_CLOSED,		/* the peer closed before the response was complete */
	HC_BAD_RESPONSE,	/* not a valid HTTP/1.x response */
	HC_TOO_LARGE,		/* response body over the caller's limit */
	HC_RESOLVE,		/* the host name did not resolve */
	HC_OTHER,		/* any other socket error */
	HC_NERRORS
};

/* Returns "refused", "reset", "timeout", ... ("" for HC_OK); static storage. */
const char *hc_error_name(enum hc_error e);

/* The kind of failure a socket errno means (HC_OTHER for any not listed). */
enum hc_error hc_error_of_errno(int e);

struct hc_conn;
/* Called once per hc_send when the exchange ends (c->err says how); may free c. */
typedef void (*hc_done_fn)(struct hc_conn *c);

struct hc_conn {
	struct ev_io io;		/* io.fd is -1 while not connected */
	struct evloop *loop;
	struct sockaddr_storage addr;
	socklen_t alen;
	int state;			/* private */
	bool reused;			/* this request went out on an already used connection */
	bool retried;
	int pending_err;		/* errno of a connect that failed at once */
	struct buf out;			/* the request being sent */
	size_t out_off;
	struct buf in;			/* response bytes not yet parsed */
	bool have_head;
	struct http_head head;		/* slices valid only inside the done callback's caller */
	struct http_body body;
	bool request_was_head;
	/* results, valid in the done callback */
	enum hc_error err;
	int status;
	bool keep_body;			/* collect the response body into resp_body */
	size_t max_body;
	struct buf resp_body;
	char content_type[128];		/* the response's Content-Type, "" when none */
	uint64_t resp_bytes;		/* response bytes read (head and body) */
	uint64_t deadline_ns;
	hc_done_fn done;
	void *owner;
};

/* Prepares c for connections to addr; no fd is opened yet. */
void hc_init(struct hc_conn *c, struct evloop *loop, const struct sockaddr_storage *addr,
	     socklen_t alen, hc_done_fn done, void *owner);

/*
 * Sends req (copied) on c, connecting first when c is not connected, and
 * calls c->done when the response is complete or the exchange failed; a
 * request that fails on a reused connection before any response byte is
 * retried once on a new one. Returns 0, or -errno when it could not start
 * (done is not called then).
 */
int hc_send(struct hc_conn *c, const char *req, size_t len, bool request_was_head,
	    uint64_t timeout_ns);

/* Fails the exchange in progress with HC_TIMEOUT when its deadline passed. */
void hc_check_timeout(struct hc_conn *c, uint64_t now_ns);

/* Returns true when c holds an open idle connection that the next hc_send reuses. */
bool hc_idle_open(const struct hc_conn *c);

/* Closes the connection and frees buffers; done is not called. c can be reused or freed. */
void hc_close(struct hc_conn *c);

/* A header for hc_build_request. */
struct hc_header {
	const char *name, *value;
};

/*
 * Appends an HTTP/1.1 request to b: request line, Host from u (unless the
 * headers hold a Host field, which then is the one sent), the headers,
 * Content-Length when there is a body or the method carries one, the body.
 * Returns 0, -EINVAL when a method, name or value cannot be sent (control
 * characters, not a token), or the buf_append error.
 */
int hc_build_request(struct buf *b, const char *method, const struct http_url *u,
		     const struct hc_header *hdrs, size_t nhdrs, const char *body, size_t body_len);

#endif
