/* server.h - the sample app: a learn-layer5-compatible HTTP service on one epoll loop. */
#ifndef SAMPLE_APP_SERVER_H
#define SAMPLE_APP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "http/client.h"
#include "http/http.h"
#include "ll5/metrics.h"
#include "util/buf.h"
#include "util/evloop.h"

#define MAX_HEAD HTTP_DEFAULT_MAX_HEAD	/* request heads beyond this get 431 */
#define MAX_BODY (1u << 20)		/* request bodies beyond this get 413 */
#define IN_HIGH (64u << 10)		/* stop reading while this much input waits */
#define OUT_HIGH (256u << 10)		/* stop answering while this much output waits */
#define OUT_LIMIT (256u << 20)		/* a /metrics answer may be large; never more */
#define MAX_CONNS 10000
#define IDLE_TIMEOUT_NS (60ULL * 1000000000ULL)
#define REQUEST_TIMEOUT_NS (30ULL * 1000000000ULL)
#define CALL_TIMEOUT_NS (10ULL * 1000000000ULL)
#define DRAIN_TIMEOUT_NS (5ULL * 1000000000ULL)

struct call;
struct h2conn;
struct batch;
struct ll5_call;
struct ll5_batch;

/* Where a connection is in its current request. */
enum {
	RQ_HEAD,	/* waiting for (more of) a request head */
	RQ_BODY,	/* reading the body of the current request */
	RQ_CALL,	/* the current request waits for its outgoing /call */
};

/* One accepted client connection. */
struct conn {
	struct ev_io io;
	struct server *srv;
	struct conn *prev, *next;
	struct buf in;			/* received bytes not yet consumed */
	struct buf out;			/* response bytes not yet sent */
	int rstate;			/* RQ_* */
	struct buf req_head;		/* the current request's head bytes; head points into it */
	struct http_head head;
	struct http_body body;
	struct buf req_body;		/* the current request's decoded body */
	bool body_too_large;
	bool keep_alive;		/* after the current response */
	bool closing;			/* close once out is sent */
	bool peer_eof;			/* the client shut down its sending side */
	struct call *call;		/* the /call in progress for this connection */
	struct batch *batch;		/* or the numbered batch in progress (ll5/batch.h) */
	bool req_started;		/* bytes of the next request have arrived */
	uint64_t req_start_ns;		/* when they did (slow clients are cut off) */
	uint64_t last_active_ns;	/* last read */
	uint64_t last_write_ns;		/* last progress sending */
	bool proto_known;		/* the first bytes told HTTP/1.x from HTTP/2 */
	struct h2conn *h2;		/* the HTTP/2 session (h2.c), NULL for HTTP/1.x */
	bool h2_goaway;			/* GOAWAY sent (draining) */
};

struct server {
	struct evloop loop;
	struct ev_io listen_io;
	struct ev_io signal_io;
	const char *service_name;
	bool echo_any;	/* ECHO_PATHS=any: every path but /call and /metrics echoes */
	struct conn *conns;
	unsigned nconns;
	struct call *calls;		/* outgoing calls in progress (including orphans) */
	struct call *pool;		/* idle keep-alive connections to callees */
	unsigned npool;
	struct batch *batches;		/* numbered batches in progress (including orphans) */
	struct metrics metrics;
	unsigned fail_every;		/* FAIL_EVERY: every Nth /echo is answered 503 (0: never) */
	uint64_t echoes;		/* /echo requests so far */
	bool accept_paused;		/* out of descriptors: listener not watched */
	bool draining;
	uint64_t drain_deadline_ns;
};

/* Accepts new connections until the backlog is empty. */
void conn_accept_all(struct server *srv);

/* Closes c and frees it; a /call it waits for is left to finish on its own. */
void conn_close(struct conn *c);

/* Times out idle, slow and stuck connections; applies draining. */
void conn_tick(struct server *srv, uint64_t now_ns);

/* Queues a complete response on c; body may be NULL with len 0. Returns 0 or -E2BIG/-ENOMEM. */
int conn_respond(struct conn *c, int status, const char *content_type, const char *extra_headers,
		 const char *body, size_t len);

/* Called by a /call when its answer has been queued: go on with pipelined requests. */
void conn_resume(struct conn *c);

/* Dispatches the complete request in c to its handler (handlers.c). */
void handle_request(struct conn *c);

/*
 * HTTP/2 (h2.c). h2_detect: whether bytes p[0..len) at the start of a
 * connection are the client preface: 1 yes, 0 cannot tell yet, -1 no.
 */
int h2_detect(const char *p, size_t len);

/* Makes c an HTTP/2 connection (prior knowledge). Returns 0 or -ENOMEM. */
int h2_start(struct conn *c);

/* Whether c's current HTTP/1.1 request asks for `Upgrade: h2c` with HTTP2-Settings. */
bool h2_upgrade_requested(const struct conn *c);

/*
 * Answers c's current HTTP/1.1 request with 101, makes c an HTTP/2
 * connection and answers the request as its stream 1. Returns 0, or -EINVAL
 * (bad HTTP2-Settings) / -ENOMEM with c left as it was.
 */
int h2_upgrade(struct conn *c);

/* Feeds c->in to the session and queues what it answers in c->out; may set c->closing. */
void h2_process(struct conn *c);

/* Whether c's session has no stream open. */
bool h2_idle(const struct conn *c);

/* Frees c's session (nothing when c is HTTP/1.x). */
void h2_free(struct conn *c);

/*
 * Handles a /call with a JSON body (call.c): either answers at once (bad
 * JSON, bad URL) or starts the outgoing request and sets c waiting for it.
 */
void call_start(struct conn *c, const char *body, size_t len);


/* Detaches c from its call (the client went away); the call finishes unanswered. */
void call_orphan(struct call *call);

/* Checks call timeouts. */
void call_tick(struct server *srv, uint64_t now_ns);

/* Frees idle pooled connections and ends calls in progress (shutdown). */
void call_shutdown(struct server *srv);

/*
 * Starts the numbered batch `spec` of `call` for c (batch.c) and sets c
 * waiting for its answer; takes over call->doc on success. Returns 0, or
 * -EINVAL (bad URL) / -EHOSTUNREACH (the host does not resolve) / -ENOMEM
 * with nothing started and call still the caller's.
 */
int batch_start(struct conn *c, const struct ll5_call *call, const struct ll5_batch *spec);

/* Detaches c from its batch (the client went away); the batch stops starting requests. */
void batch_orphan(struct batch *b);

/* Checks the timeouts of the batches' requests. */
void batch_tick(struct server *srv, uint64_t now_ns);

/* Ends every batch (shutdown). */
void batch_shutdown(struct server *srv);

#endif
