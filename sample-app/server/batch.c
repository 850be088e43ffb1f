/*
 * batch.c - /call with `count`: the numbered batch of ll5/batch.h. The
 * requests go out on the server's own event loop over `concurrency`
 * keep-alive connections, in rounds of one request per connection in a
 * random order (under Connection: close, each on a new connection); the
 * client gets one JSON answer at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ll5/batch.h"
#include "ll5/call.h"
#include "server.h"
#include "util/resolve.h"

#define TEXT "text/plain; charset=utf-8"
#define MAX_BATCH_HEADERS 60	/* the given ones, X-Request-Id and ServiceName within the callee's limit */

struct batch;

struct bslot {
	struct hc_conn hc;	/* first: the done callback gets &slot->hc */
	struct batch *b;
	uint64_t seq, sent_ns;
	bool busy;
};

struct batch {
	struct server *srv;
	struct conn *client;	/* NULL once the client went away */
	struct batch *prev, *next;	/* srv->batches */
	struct ll5_call call;
	struct ll5_batch spec;
	struct http_url u;
	struct bslot *slots;
	unsigned inflight;
	uint64_t next_seq, last_seq;	/* last_seq: UINT64_MAX with a duration */
	uint64_t stop_ns;	/* no new request from then on (duration), 0: none */
	bool with_body;
	bool close_each;	/* the call's headers say Connection: close: a new connection per request */
	bool ticking;		/* timeouts are being checked: the tick feeds afterwards */
	uint64_t rng;		/* the order of the connections in a round */
	char *entry;		/* the learn-layer5 metrics entry every request counts under */
	json_t *results;	/* one object per request, in the order they ended */
	struct buf req;
};

static void unlink_batch(struct batch *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		b->srv->batches = b->next;
	if (b->next)
		b->next->prev = b->prev;
}

static void free_batch(struct batch *b)
{
	for (unsigned i = 0; b->slots && i < b->spec.concurrency; i++)
		hc_close(&b->slots[i].hc);
	free(b->slots);
	json_decref(b->results);
	free(b->entry);
	ll5_call_free(&b->call);
	buf_free(&b->req);
	free(b);
}

static void record(struct batch *b, uint64_t seq, uint64_t sent, uint64_t done, int status, enum hc_error err)
{
	char id[200];
	json_t *r;

	snprintf(id, sizeof(id), "%s-%llu", b->spec.request_id, (unsigned long long)seq);
	r = json_pack("{s:s, s:I, s:I, s:i}", "id", id, "sent_ns", (json_int_t)sent, "done_ns", (json_int_t)done,
		      "status", status);
	if (r && err != HC_OK)
		json_object_set_new(r, "error", json_string(hc_error_name(err)));
	if (r)
		json_array_append_new(b->results, r);
	if (b->entry)
		metrics_response(&b->srv->metrics, err == HC_OK && status >= 200 && status < 400, b->entry);
}

/* The answer: every result, and the two clocks read together to place them. */
static void finish(struct batch *b)
{
	json_t *doc = json_pack("{s:I, s:I, s:O}", "mono_ns", (json_int_t)mono_ns(), "real_ns",
				(json_int_t)real_ns(), "requests", b->results);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	struct conn *c = b->client;

	unlink_batch(b);
	if (c) {
		c->batch = NULL;
		if (text)
			conn_respond(c, 200, "application/json", NULL, text, strlen(text));
		else
			conn_respond(c, 500, TEXT, NULL, "out of memory\n", 14);
		conn_resume(c);
	}
	free(text);
	json_decref(doc);
	free_batch(b);
}

static bool may_start(const struct batch *b, uint64_t now)
{
	return b->client && b->next_seq <= b->last_seq && (!b->stop_ns || now < b->stop_ns) && !b->srv->draining;
}

/* Whether the call's headers ask for Connection: close. */
static bool asks_close(json_t *headers)
{
	const char *key;
	json_t *val;

	json_object_foreach(headers, key, val) {
		const char *v = json_string_value(val);

		if (v && !strcasecmp(key, "connection") && http_list_has((struct http_str){ v, strlen(v) }, "close"))
			return true;
	}
	return false;
}

/* Request `seq` as it goes out: the call's headers, its number, and ServiceName as /call adds it. */
static int build(struct batch *b, uint64_t seq)
{
	struct hc_header hdrs[MAX_BATCH_HEADERS + 2];
	char id[200];
	size_t n = 0;
	const char *key;
	json_t *val;

	snprintf(id, sizeof(id), "%s-%llu", b->spec.request_id, (unsigned long long)seq);
	json_object_foreach(b->call.headers, key, val) {
		if (n == MAX_BATCH_HEADERS)
			return -E2BIG;
		hdrs[n++] = (struct hc_header){ key, json_string_value(val) };
	}
	hdrs[n++] = (struct hc_header){ "X-Request-Id", id };
	hdrs[n++] = (struct hc_header){ "ServiceName", b->srv->service_name };
	b->req.len = 0;
	return hc_build_request(&b->req, b->call.method, &b->u, hdrs, n, b->with_body ? b->call.body : NULL,
				b->with_body ? strlen(b->call.body) : 0);
}

static void start(struct bslot *s, uint64_t now)
{
	struct batch *b = s->b;

	s->seq = b->next_seq++;
	s->sent_ns = now;
	if (build(b, s->seq) || hc_send(&s->hc, b->req.p, b->req.len, !strcmp(b->call.method, "HEAD"),
					CALL_TIMEOUT_NS)) {
		record(b, s->seq, now, mono_ns(), 0, HC_OTHER);
		return;
	}
	s->busy = true;
	b->inflight++;
}

/* xorshift64: a small generator for the order of a round. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One request per connection, the connections in an order drawn anew (Fisher-Yates). */
static void start_round(struct batch *b, uint64_t now)
{
	unsigned order[LL5_BATCH_MAX_CONCURRENCY], n = b->spec.concurrency;

	for (unsigned i = 0; i < n; i++)
		order[i] = i;
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (unsigned)(next_rand(&b->rng) % (i + 1)), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned i = 0; i < n && may_start(b, now); i++)
		start(&b->slots[order[i]], now);
}

/*
 * Starts the next round once the last one is answered; answers when
 * nothing is left to send or wait for. Returns true when b was freed.
 *
 * Requests go in rounds, one per connection in a random order, rather than
 * each connection sending again as soon as its answer came: a connection
 * whose answer was slow (the backend it reached is slower) would come back
 * at another place in a mesh's deterministic rotation, and in a fixed order
 * a connection would keep its place in it; either way which backend a
 * connection gets would follow from the connection, a dependence of the
 * client's making that a split's verdict would see.
 */
static bool feed(struct batch *b)
{
	uint64_t now = mono_ns();

	/* A request that could not even start is recorded failed; its slot waits for the next round. */
	while (!b->inflight && may_start(b, now))
		start_round(b, now);
	if (b->inflight || may_start(b, now))
		return false;
	if (b->client)
		finish(b);
	else {
		unlink_batch(b);
		free_batch(b);
	}
	return true;
}

static void on_done(struct hc_conn *hc)
{
	struct bslot *s = hc->owner;
	struct batch *b = s->b;

	s->busy = false;
	b->inflight--;
	record(b, s->seq, s->sent_ns, mono_ns(), hc->err ? 0 : hc->status, hc->err);
	/* Each request on a connection of its own, whatever the callee said: its choices are independent. */
	if (b->close_each)
		hc_close(hc);
	if (!b->ticking)
		feed(b);
}

int batch_start(struct conn *c, const struct ll5_call *call, const struct ll5_batch *spec)
{
	struct server *srv = c->srv;
	struct sockaddr_storage ss;
	struct batch *b;
	socklen_t len;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->srv = srv;
	b->client = c;
	b->call = *call;
	b->spec = *spec;
	b->results = json_array();
	b->entry = ll5_entry_json(call);
	b->slots = calloc(spec->concurrency, sizeof(*b->slots));
	b->with_body = !strcmp(call->method, "POST") || !strcmp(call->method, "PUT") || !strcmp(call->method, "PATCH");
	b->close_each = asks_close(call->headers);
	b->next_seq = spec->first;
	b->last_seq = spec->count == UINT64_MAX ? spec->first + LL5_BATCH_MAX_COUNT - 1 : spec->first + spec->count - 1;
	b->stop_ns = spec->duration_ns ? mono_ns() + spec->duration_ns : 0;
	b->rng = real_ns() | 1;
	if (!b->results || !b->slots || !b->entry || http_url_parse(call->url, &b->u)) {
		b->call.doc = NULL;	/* still the caller's */
		free_batch(b);
		return -EINVAL;
	}
	if (resolve_tcp(b->u.host, b->u.port, &ss, &len)) {
		b->call.doc = NULL;
		free_batch(b);
		return -EHOSTUNREACH;
	}
	for (unsigned i = 0; i < spec->concurrency; i++) {
		hc_init(&b->slots[i].hc, &srv->loop, &ss, len, on_done, &b->slots[i]);
		b->slots[i].b = b;
	}
	b->next = srv->batches;
	if (srv->batches)
		srv->batches->prev = b;
	srv->batches = b;
	c->batch = b;
	c->rstate = RQ_CALL;
	feed(b);
	return 0;
}

void batch_orphan(struct batch *b)
{
	b->client = NULL;
}

void batch_tick(struct server *srv, uint64_t now)
{
	struct batch *b, *next;

	for (b = srv->batches; b; b = next) {
		next = b->next;
		b->ticking = true;
		for (unsigned i = 0; i < b->spec.concurrency; i++)
			if (b->slots[i].busy)
				hc_check_timeout(&b->slots[i].hc, now);
		b->ticking = false;
		feed(b);	/* may free b */
	}
}

void batch_shutdown(struct server *srv)
{
	struct batch *b;

	while ((b = srv->batches)) {
		if (b->client)
			b->client->batch = NULL;
		unlink_batch(b);
		free_batch(b);
	}
}
