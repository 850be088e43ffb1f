/*
 * curl.h - the one libcurl wrapper: an http(s) request (a GET unless told
 * otherwise, with a body when there is one) with the TLS material,
 * bearer token, headers and timeouts its caller needs, the answer's body
 * into a bounded buffer or handed to a callback as it arrives. Used for the
 * Kubernetes API server, mesh metrics endpoints and the mesh's exporter.
 *
 * Sockets are opened on the calling thread: a caller that entered a network
 * namespace on its thread (netns_run_thread) fetches from inside it.
 */
#ifndef SMIW_HTTP_CURL_H
#define SMIW_HTTP_CURL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Room for libcurl's error text (its CURL_ERROR_SIZE). */
#define HCURL_ERR_SIZE 256

/* TLS material: data in memory (*_pem) wins over a path (*_file); NULL fields are unset. */
struct hcurl_tls {
	const char *ca_file, *ca_pem;		/* CA bundle to verify the server with */
	const char *cert_file, *cert_pem;	/* client certificate */
	const char *key_file, *key_pem;		/* client key */
	bool insecure;				/* verify neither the certificate nor the name */
};

/*
 * Called with each run of body bytes of a 2xx answer and its status. A
 * non-zero return stops the transfer and is what hcurl_get returns.
 */
typedef int (*hcurl_data_fn)(void *arg, long status, const char *p, size_t n);

struct hcurl_request {
	const char *url;			/* http:// or https:// (other schemes are refused) */
	const char *method;			/* "PATCH", "DELETE", ...; NULL: GET */
	const char *body;			/* sent as the request's body (NUL-terminated); NULL: none */
	const char *content_type;		/* the body's Content-Type; NULL: none */
	const char *accept;			/* the Accept header's value; NULL: none */
	const char *bearer;			/* sent as "Authorization: Bearer <token>" when set */
	const char *extra_header;		/* one more "Name: value" line; may be NULL */
	const char *user_agent;			/* NULL: none */
	const struct hcurl_tls *tls;		/* NULL: the system's CAs */
	long connect_timeout_s;			/* 0: libcurl's default */
	long timeout_s;				/* the whole transfer; 0: no bound */
	bool no_proxy;				/* ignore the *_proxy environment variables */
	bool any_encoding;			/* accept every content coding libcurl decodes */
	bool tcp_keepalive;
	/*
	 * The body buffer's limit. A 2xx answer with a longer body fails with
	 * -E2BIG; the body of any other status is cut at the limit (it only
	 * explains the status).
	 */
	size_t max_body;
	hcurl_data_fn on_data;			/* when set, a 2xx body goes here, not into the buffer */
	void *arg;
	volatile sig_atomic_t *stop;		/* optional: raised -> the transfer ends with -EINTR */
};

struct hcurl_result {
	long status;		/* the answer's HTTP status, 0 when none came */
	struct buf body;	/* the buffered body, NUL-terminated after a complete answer; caller frees */
	int write_err;		/* the error that stopped the body (callback or buffer), 0 when none */
	char content_type[128];	/* the answer's Content-Type ("" when none), cut to fit */
	char err[HCURL_ERR_SIZE];	/* libcurl's reason after a transport failure, "" otherwise */
};

/* A reusable handle: later requests to the same server reuse its connection. */
struct hcurl {
	void *easy;		/* CURL * */
};

/* Prepares a handle (initialising libcurl once per process). Returns 0 or -ENOMEM. */
int hcurl_init(struct hcurl *h);

/* Releases the handle (NULL-safe, idempotent). */
void hcurl_free(struct hcurl *h);

/*
 * Sends rq (a GET of rq->url unless rq->method says otherwise) on h (NULL:
 * a handle for this request only) and fills *res,
 * which the caller zeroes first and frees with buf_free(&res->body).
 * Returns 0 when an answer came whole, whatever its status; -EINTR when
 * the stop flag was raised; res->write_err (the callback's error, -E2BIG,
 * -ENOMEM) when the body could not be taken; -ETIMEDOUT or -ECONNRESET
 * (any other transport failure) with libcurl's reason in res->err; -ENOMEM
 * when it could not start.
 */
int hcurl_get(struct hcurl *h, const struct hcurl_request *rq, struct hcurl_result *res);

#endif
