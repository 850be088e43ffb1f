/* drive.h - the traffic driver: what to send, how, and what came back. */
#ifndef SMIW_DRIVE_H
#define SMIW_DRIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "http/client.h"
#include "http/url.h"
#include "records/intent_write.h"

#define DRIVE_MAX_HEADERS 32
#define DRIVE_MAX_CONNS 4096
#define DRIVE_MAX_STREAMS 1000

/* What the driver speaks to the target. */
enum drive_proto {
	DRIVE_HTTP1,		/* HTTP/1.1 keep-alive, one request at a time per connection */
	DRIVE_H2,		/* HTTP/2 over cleartext with prior knowledge, many streams per connection */
	DRIVE_GRPC,		/* unary gRPC calls (the echo service) over such HTTP/2 */
};

struct drive_opts {
	const char *url;		/* the final target */
	const char *via;		/* a learn-layer5 /call URL to relay through, or NULL */
	const char *method;
	const char *body;
	struct hc_header headers[DRIVE_MAX_HEADERS];	/* extra headers */
	size_t nheaders;
	char run_id[64];
	uint64_t requests;		/* how many; UINT64_MAX with a duration and no count */
	unsigned connections;
	enum drive_proto protocol;
	unsigned streams;		/* HTTP/2: requests in flight per connection */
	bool new_connections;		/* a new connection per request (Connection: close to the target) */
	double rate;			/* requests/s in total; 0: as fast as replies come */
	uint64_t duration_ns;		/* 0: until `requests` are done */
	uint64_t timeout_ns;		/* per request */
	const char *intent_path;
	bool progress;			/* a progress line on stderr */
	bool unredacted;		/* intent records keep credential header values */
};

/* Outcome of a run, filled by drive_run. */
struct drive_stats {
	uint64_t sent;			/* requests started */
	uint64_t responses;		/* requests that got a complete response */
	uint64_t status[600];		/* responses by status code */
	uint64_t errors[HC_NERRORS];	/* requests without a response, by kind */
	uint64_t grpc_status[17];	/* gRPC: responses by grpc-status (OK .. UNAUTHENTICATED) */
	uint64_t grpc_none;		/* gRPC: responses without a grpc-status or with another value */
	uint64_t late;			/* rate mode: requests sent after their slot (all connections busy) */
	uint64_t *latency_ns;		/* one per response, owned */
	size_t nlatency, cap_latency;
	uint64_t start_ns, end_ns;
	bool interrupted;		/* stopped by SIGINT / SIGTERM */
	int intent_error;		/* errno of a failed intent write, 0 */
};

/*
 * Runs the traffic described by o. Returns 0 when the run took place (stats
 * filled, even with failed requests), or -errno when it could not start
 * (the error was reported).
 */
int drive_run(const struct drive_opts *o, struct drive_stats *st);

/* drive_run for HTTP/2 and gRPC (h2engine.c); the same contract. */
int drive_run_h2(const struct drive_opts *o, struct drive_stats *st);

/*
 * Opens o->intent_path as the intent log of o's run (credential header
 * values redacted unless o->unredacted). Returns 0 or -errno.
 */
int drive_open_intents(const struct drive_opts *o, struct intent_log *log);

/*
 * What both engines do before their first connection: resolves host:port
 * into ss/len (the one address given, never another), refuses an address
 * outside the networks this host is attached to, raises the open-file limit
 * for o's connections and creates loop. Returns 0, or -errno after printing.
 */
int drive_prepare(const struct drive_opts *o, const char *host, uint16_t port, struct evloop *loop,
		  struct sockaddr_storage *ss, socklen_t *len);

/* Latency percentile p (0..100) in ns over the responses; sorts in place. 0 when none. */
uint64_t drive_percentile(struct drive_stats *st, double p);

/* Prints the summary, as text or (-j) JSON. */
void drive_report(const struct drive_opts *o, struct drive_stats *st);

#endif
