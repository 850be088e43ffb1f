/*
 * batch.h - a numbered batch through /call: smi-witness's extension of the
 * learn-layer5 /call body. With `count` (or `duration_ms`) the sample app
 * sends the request `count` times itself, each with X-Request-Id
 * "<request_id>-<seq>" (seq from `first`, default 1), over `concurrency`
 * keep-alive connections in rounds of one request each (the connections
 * in a random order, the next round once the last is answered; a new
 * connection per request when its headers say Connection: close), and
 * answers once with what each request got:
 *
 *   request  {"url": ..., "method": ..., "headers": {...}, "body": ...,
 *             "count": 1000, "concurrency": 4, "request_id": "r1.2.1", "first": 1}
 *   answer   {"mono_ns": M, "real_ns": R, "requests": [
 *              {"id": "r1.2.1-1", "sent_ns": S, "done_ns": D, "status": 200},
 *              {"id": "r1.2.1-2", "sent_ns": S, "done_ns": D, "status": 0, "error": "refused"}, ...]}
 *
 * Times are the app's CLOCK_MONOTONIC; mono_ns and real_ns are read
 * together when the answer is made, so a reader puts the times on any
 * other clock through the wall clock. A client with the pod's network (the
 * API server's pod proxy) drives a whole job in one round trip.
 */
#ifndef SMIW_LL5_BATCH_H
#define SMIW_LL5_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define LL5_BATCH_MAX_COUNT 100000u	/* requests in one batch: its answer is held in memory */
#define LL5_BATCH_MAX_CONCURRENCY 256u
#define LL5_BATCH_MAX_DURATION_MS 600000u

struct ll5_batch {
	uint64_t count;		/* requests to send; UINT64_MAX with a duration */
	uint64_t duration_ns;	/* 0: until count are sent */
	unsigned concurrency;
	uint64_t first;		/* sequence number of the first request */
	const char *request_id;	/* prefix of the ids; points into the body's document */
};

/*
 * Reads the batch members of a parsed /call document `doc`. Returns 0 when
 * it asks for no batch (a plain learn-layer5 call), 1 with *b filled, or
 * -EINVAL when a batch member is invalid.
 */
int ll5_batch_parse(json_t *doc, struct ll5_batch *b);

/*
 * A /call body asking for batch b (`hdrs`: "Name: value" pairs as an
 * object, may be NULL). Returns a malloc'd string or NULL.
 */
char *ll5_batch_body(const char *url, const char *method, json_t *hdrs, const char *body,
		     const struct ll5_batch *b);

/* One request's result as the answer reports it. */
struct ll5_batch_result {
	const char *id;		/* points into the answer document */
	uint64_t sent_ns, done_ns;
	int status;		/* 0 without a response */
	const char *error;	/* why there was none, or NULL */
};

/*
 * Checks a batch answer `doc` and returns the number of results (0..), or
 * -EPROTO when it is not one. Results are read with ll5_batch_result().
 */
int ll5_batch_answer(json_t *doc, uint64_t *mono_ns, uint64_t *real_ns);

/* Result i of a checked answer. */
void ll5_batch_result(json_t *doc, size_t i, struct ll5_batch_result *r);

#endif
