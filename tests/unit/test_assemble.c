/*
 * test_assemble - exchange assembly from recorded kernel data records:
 * recordings replayed whole and re-split at every byte boundary, pipelining,
 * bodies by length and chunked, responses without bodies, gaps, snaplen cuts,
 * connections ending mid-message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture/assemble.h"
#include "capture/exchange.h"
#include "capture/recording.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_SEEN 64

/* What the assembler emitted, flattened for comparison. */
struct seen {
	char method[CAP_METHOD_MAX], path[CAP_PATH_MAX], request_id[CAP_REQID_MAX];
	int status;
	uint64_t seq, start_ns, end_ns, req_bytes, resp_bytes;
	bool complete;
	char incomplete[16];
	char location[64];
	int role;
	bool has_resp, truncated;
	char resp[512];		/* kept response header fields: "name=value;"... */
};

struct harness {
	struct assembler a;
	struct asm_cfg cfg;
	struct asm_pool pool;
	struct asm_counters counters;
	struct seen seen[MAX_SEEN];
	int n;
};

static void on_emit(void *ctx, const struct assembler *a, struct cap_exchange *x)
{
	struct harness *t = ctx;
	struct seen *s;

	assert_ptr_equal(a, &t->a);

	assert_true(t->n < MAX_SEEN);
	s = &t->seen[t->n++];
	snprintf(s->method, sizeof(s->method), "%s", x->method);
	snprintf(s->path, sizeof(s->path), "%s", x->path);
	snprintf(s->request_id, sizeof(s->request_id), "%s", x->request_id);
	snprintf(s->incomplete, sizeof(s->incomplete), "%s", x->incomplete ? x->incomplete : "");
	s->status = x->status;
	snprintf(s->location, sizeof(s->location), "%.63s", x->location);
	s->seq = x->seq;
	s->start_ns = x->start_ns;
	s->end_ns = x->end_ns;
	s->req_bytes = x->req_bytes;
	s->resp_bytes = x->resp_bytes;
	s->complete = x->complete;
	s->role = x->role;
	s->has_resp = x->has_resp_headers;
	s->truncated = x->truncated;
	for (unsigned i = 0; i < x->nresp_headers; i++) {
		const struct obs_write_header *h = &x->resp_headers[i];
		size_t used = strlen(s->resp);

		snprintf(s->resp + used, sizeof(s->resp) - used, "%.*s=%.*s;", (int)h->name_len,
			 x->resp_hdrbuf + h->name, (int)h->value_len, x->resp_hdrbuf + h->value);
	}
}

static void h_init(struct harness *t, int role)
{
	memset(t, 0, sizeof(*t));
	t->cfg = (struct asm_cfg){ .emit = on_emit, .ctx = t, .pool = &t->pool, .counters = &t->counters };
	asm_init(&t->a, role, &t->cfg);
}

static void h_done(struct harness *t, const uint64_t *final)
{
	asm_end(&t->a, "closed", final);
	asm_free(&t->a);
	asm_pool_free(&t->pool);
}

/* Feeds one record: `len` bytes at the stream's current end, the first `cap` captured. */
static void feed(struct harness *t, int dir, const char *bytes, size_t len, size_t cap, uint64_t t0,
		 uint64_t t1)
{
	struct smiw_data_event e = {
		.type = SMIW_EV_DATA, .dir = dir, .cap_len = cap, .off = t->a.st[dir].next_off,
		.len = len, .enter_ns = t0, .exit_ns = t1, .tgid = 7, .pid = 8,
	};

	asm_data(&t->a, &e, bytes);
}

static void feed_s(struct harness *t, int dir, const char *s, uint64_t t0, uint64_t t1)
{
	feed(t, dir, s, strlen(s), strlen(s), t0, t1);
}

/* ---- recorded sequences ---- */

struct rec_case {
	const char *file;		/* tests/fixtures/capture/NAME.rec */
	int role;
	int exchanges;
	struct {
		const char *method, *path, *request_id;
		int status;
		uint64_t req_bytes, resp_bytes;
		bool complete;
		const char *incomplete;
	} want[4];
};

static const struct rec_case rec_cases[] = {
	{ "curl-python-get", SMIW_ROLE_CLIENT, 1,
	  { { "GET", "/", "", 200, 78, 821, true, "" } } },
	{ "curl-python-get-server", SMIW_ROLE_SERVER, 1,
	  { { "GET", "/", "", 200, 78, 821, true, "" } } },
	{ "keepalive-chunked", SMIW_ROLE_CLIENT, 3,
	  { { "GET", "/a", "r-1", 200, 98, 54, true, "" },
	    { "POST", "/b?x=1", "r-2", 201, 182, 91, true, "" },
	    { "HEAD", "/c", "r-3", 200, 99, 49, true, "" } } },
	{ "pipelined-3", SMIW_ROLE_SERVER, 3,
	  { { "GET", "/p1", "p-1", 200, 48, 40, true, "" },
	    { "GET", "/p2", "p-2", 204, 48, 27, true, "" },
	    { "GET", "/p3", "p-3", 200, 48, 40, true, "" } } },
	{ "continue-then-close", SMIW_ROLE_CLIENT, 2,
	  { { "POST", "/up", "c-1", 201, 97, 70, true, "" },
	    { "GET", "/big", "c-2", 200, 49, 47, false, "closed" } } },
};

/* Replays `rec` into a fresh harness, each record split in two at `cut` (0: whole; BYTEWISE: one byte per record). */
#define BYTEWISE SIZE_MAX
static void replay(struct harness *t, const struct recording *rec, int role, size_t cut)
{
	h_init(t, role);
	for (size_t i = 0; i < rec->n; i++) {
		const struct rec_event *r = &rec->ev[i];

		if (r->eof) {
			struct smiw_data_event e = { .type = SMIW_EV_DATA, .dir = r->dir, .flags = SMIW_DATA_EOF,
						     .off = t->a.st[r->dir].next_off };

			asm_data(&t->a, &e, NULL);
		} else if (cut == BYTEWISE && !r->uncaptured) {
			for (size_t b = 0; b < r->len; b++)
				feed(t, r->dir, r->data + b, 1, 1, r->enter_ns, r->exit_ns);
		} else if (r->uncaptured || !cut || cut >= r->len) {
			feed(t, r->dir, r->data, r->len + r->uncaptured, r->len, r->enter_ns, r->exit_ns);
		} else {
			feed(t, r->dir, r->data, cut, cut, r->enter_ns, r->exit_ns);
			feed(t, r->dir, r->data + cut, r->len - cut, r->len - cut, r->enter_ns, r->exit_ns);
		}
	}
	h_done(t, NULL);
}

static void check_case(const struct rec_case *c, const struct harness *t, size_t cut)
{
	if (t->n != c->exchanges)
		fail_msg("%s cut %zu: %d exchanges, want %d", c->file, cut, t->n, c->exchanges);
	for (int i = 0; i < c->exchanges; i++) {
		const struct seen *s = &t->seen[i];

		assert_int_equal(s->seq, i);
		assert_string_equal(s->method, c->want[i].method);
		assert_string_equal(s->path, c->want[i].path);
		assert_string_equal(s->request_id, c->want[i].request_id);
		assert_int_equal(s->status, c->want[i].status);
		if (s->req_bytes != c->want[i].req_bytes || s->resp_bytes != c->want[i].resp_bytes)
			fail_msg("%s cut %zu #%d: bytes %llu/%llu, want %llu/%llu", c->file, cut, i,
				 (unsigned long long)s->req_bytes, (unsigned long long)s->resp_bytes,
				 (unsigned long long)c->want[i].req_bytes, (unsigned long long)c->want[i].resp_bytes);
		assert_int_equal(s->complete, c->want[i].complete);
		assert_string_equal(s->incomplete, c->want[i].incomplete);
		assert_int_equal(s->role, c->role);
		assert_true(s->start_ns > 0);
		assert_true(s->start_ns <= s->end_ns || (!s->complete && !s->end_ns));
	}
}

static void test_recordings_split_everywhere(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(rec_cases); i++) {
		char path[256];
		struct recording rec;
		size_t longest = 0;
		struct harness t;

		snprintf(path, sizeof(path), "tests/fixtures/capture/%s.rec", rec_cases[i].file);
		if (recording_load(path, &rec))
			fail_msg("cannot load %s", path);
		for (size_t k = 0; k < rec.n; k++)
			longest = rec.ev[k].len > longest ? rec.ev[k].len : longest;
		for (size_t cut = 0; cut <= longest; cut++) {
			size_t c = cut == longest ? BYTEWISE : cut;

			replay(&t, &rec, rec_cases[i].role, c);
			check_case(&rec_cases[i], &t, c);
			assert_int_equal(t.counters.gaps, 0);
			assert_int_equal(t.counters.unparsed_bytes, 0);
		}
		recording_free(&rec);
	}
}

/* Pipelined at the server: all three start when the one read returned, each ends with its write. */
static void test_pipelined_times(void **state)
{
	static const uint64_t ends[3] = { 1612896067375, 1612896083439, 1612896093884 };
	struct recording rec;
	struct harness t;

	(void)state;
	assert_int_equal(recording_load("tests/fixtures/capture/pipelined-3.rec", &rec), 0);
	replay(&t, &rec, SMIW_ROLE_SERVER, 0);
	recording_free(&rec);
	assert_int_equal(t.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(t.seen[i].start_ns, 1612895992093);
		assert_int_equal(t.seen[i].end_ns, ends[i]);
	}
}

/* ---- hand-made sequences ---- */

static const char REQ[] = "GET /x HTTP/1.1\r\nHost: a\r\nX-Request-Id: rid-9\r\n\r\n";
static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

/* The head of a request and of a response arriving one byte per syscall. */
static void test_byte_per_syscall(void **state)
{
	struct harness t;
	uint64_t ts = 100;

	(void)state;
	h_init(&t, SMIW_ROLE_CLIENT);
	for (size_t i = 0; i < strlen(REQ); i++, ts += 10)
		feed(&t, SMIW_DIR_SEND, REQ + i, 1, 1, ts, ts + 1);
	for (size_t i = 0; i < strlen(RESP); i++, ts += 10)
		feed(&t, SMIW_DIR_RECV, RESP + i, 1, 1, ts, ts + 1);
	h_done(&t, NULL);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.seen[0].request_id, "rid-9");
	assert_int_equal(t.seen[0].status, 200);
	assert_int_equal(t.seen[0].start_ns, 100);	/* client: entry of the first send */
	assert_int_equal(t.seen[0].end_ns, ts - 10 + 1);	/* exit of the last receive */
	assert_true(t.seen[0].complete);
}

/* A 3xx response's Location is kept (a redirect is judged by it); other responses keep none. */
static void test_redirect_location(void **state)
{
	static const char req[] = "GET /a HTTP/1.1\r\nHost: echo\r\n\r\nGET /b HTTP/1.1\r\nHost: echo\r\n\r\n";
	static const char resp[] = "HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\n"
				   "LOCATION: http://example.org:8083/full?x=1\r\n\r\n"
				   "HTTP/1.1 200 OK\r\nLocation: /not-kept\r\ncontent-length: 0\r\n\r\n";
	struct harness t;

	(void)state;
	h_init(&t, SMIW_ROLE_CLIENT);
	feed(&t, SMIW_DIR_SEND, req, strlen(req), strlen(req), 100, 101);
	feed(&t, SMIW_DIR_RECV, resp, strlen(resp), strlen(resp), 200, 201);
	h_done(&t, NULL);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.seen[0].status, 308);
	assert_string_equal(t.seen[0].location, "http://example.org:8083/full?x=1");
	assert_int_equal(t.seen[1].status, 200);
	assert_string_equal(t.seen[1].location, "");
}

/* Body bytes beyond snaplen are skipped by count; the next exchange still parses. */
static void test_body_not_captured(void **state)
{
	static const char big[] = "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n";
	char buf[sizeof(big) + 10000];
	struct harness t;

	(void)state;
	memcpy(buf, big, strlen(big));
	memset(buf + strlen(big), 'z', 10000);
	h_init(&t, SMIW_ROLE_CLIENT);
	feed_s(&t, SMIW_DIR_SEND, REQ, 1, 2);
	feed(&t, SMIW_DIR_RECV, buf, strlen(big) + 10000, 512, 3, 4);
	feed_s(&t, SMIW_DIR_SEND, REQ, 5, 6);
	feed_s(&t, SMIW_DIR_RECV, RESP, 7, 8);
	h_done(&t, NULL);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.seen[0].resp_bytes, strlen(big) + 10000);
	assert_true(t.seen[0].complete && t.seen[1].complete);
	assert_int_equal(t.counters.unparsed_bytes, 0);
}

/* A head cut by snaplen cannot be followed: incomplete "snaplen", resync at the next syscall. */
static void test_head_cut_by_snaplen(void **state)
{
	struct harness t;

	(void)state;
	h_init(&t, SMIW_ROLE_SERVER);
	feed(&t, SMIW_DIR_RECV, REQ, strlen(REQ), 10, 1, 2);
	feed_s(&t, SMIW_DIR_SEND, RESP, 3, 4);		/* answers a request we could not read */
	feed_s(&t, SMIW_DIR_RECV, REQ, 5, 6);
	feed_s(&t, SMIW_DIR_SEND, RESP, 7, 8);
	h_done(&t, NULL);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.counters.unpaired, 1);
	assert_true(t.seen[0].complete);
	assert_int_equal(t.seen[0].start_ns, 6);	/* server: exit of the receive */
	assert_int_equal(t.seen[0].end_ns, 8);
}

/* A gap inside a sized body keeps the stream in step; a gap over a head does not. */
static void test_gaps(void **state)
{
	struct harness t;
	struct smiw_data_event e = { .type = SMIW_EV_DATA, .dir = SMIW_DIR_RECV, .enter_ns = 9, .exit_ns = 10 };
	static const char part[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe";

	(void)state;
	h_init(&t, SMIW_ROLE_CLIENT);
	feed_s(&t, SMIW_DIR_SEND, REQ, 1, 2);
	feed_s(&t, SMIW_DIR_RECV, part, 3, 4);
	e.off = t.a.st[SMIW_DIR_RECV].next_off + 2;	/* "ll" lost */
	e.len = e.cap_len = 1;
	asm_data(&t.a, &e, "o");
	feed_s(&t, SMIW_DIR_SEND, REQ, 11, 12);
	feed_s(&t, SMIW_DIR_RECV, RESP, 13, 14);
	/* now lose a whole response head */
	feed_s(&t, SMIW_DIR_SEND, REQ, 15, 16);
	e.off = t.a.st[SMIW_DIR_RECV].next_off + strlen(RESP);
	e.len = e.cap_len = strlen(RESP);
	asm_data(&t.a, &e, RESP);	/* a response after the gap: nothing left to pair with */
	h_done(&t, NULL);
	assert_int_equal(t.n, 3);
	assert_false(t.seen[0].complete);
	assert_string_equal(t.seen[0].incomplete, "gap");
	assert_int_equal(t.seen[0].status, 200);
	assert_true(t.seen[1].complete);
	assert_false(t.seen[2].complete);
	assert_string_equal(t.seen[2].incomplete, "gap");
	assert_int_equal(t.seen[2].status, 0);
	assert_int_equal(t.counters.gaps, 2);
	assert_int_equal(t.counters.unpaired, 1);
}

/* Records lost at the very end show up against the kernel's final byte counts. */
static void test_trailing_gap(void **state)
{
	struct harness t;
	uint64_t final[2];

	(void)state;
	h_init(&t, SMIW_ROLE_CLIENT);
	feed_s(&t, SMIW_DIR_SEND, REQ, 1, 2);
	final[SMIW_DIR_SEND] = strlen(REQ);
	final[SMIW_DIR_RECV] = strlen(RESP);
	h_done(&t, final);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.seen[0].incomplete, "gap");
	assert_int_equal(t.counters.gaps, 1);
}

/* A reset ends what is open as "reset"; unknown roles are learnt from the traffic. */
static void test_reset_and_role(void **state)
{
	struct harness t;

	(void)state;
	h_init(&t, SMIW_ROLE_UNKNOWN);
	feed_s(&t, SMIW_DIR_RECV, "tail of an older body", 1, 2);
	feed_s(&t, SMIW_DIR_RECV, REQ, 3, 4);
	asm_reset(&t.a);
	h_done(&t, NULL);
	assert_int_equal(t.a.role, SMIW_ROLE_SERVER);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.seen[0].incomplete, "reset");
	assert_int_equal(t.seen[0].role, SMIW_ROLE_SERVER);
	assert_int_equal(t.counters.unparsed_bytes, strlen("tail of an older body"));
}

/* Not HTTP at all: every byte is counted as unparsed, nothing is emitted. */
static void test_not_http(void **state)
{
	struct harness t;

	(void)state;
	h_init(&t, SMIW_ROLE_CLIENT);
	feed(&t, SMIW_DIR_SEND, "\x16\x03\x01\x02\x00\x01", 6, 6, 1, 2);
	feed(&t, SMIW_DIR_RECV, "\x16\x03\x03\x00\x7a", 5, 5, 3, 4);
	h_done(&t, NULL);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.counters.unparsed_bytes, 11);
}

/* 101 Switching Protocols completes the exchange; what follows is not parsed. */
static void test_upgrade(void **state)
{
	struct harness t;

	(void)state;
	h_init(&t, SMIW_ROLE_CLIENT);
	feed_s(&t, SMIW_DIR_SEND, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 1, 2);
	feed_s(&t, SMIW_DIR_RECV, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
	       3, 4);
	feed_s(&t, SMIW_DIR_SEND, "\x81\x85masked", 5, 6);
	h_done(&t, NULL);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.seen[0].status, 101);
	assert_true(t.seen[0].complete);
	assert_int_equal(t.counters.unparsed_bytes, 0);
}

/* Response until close ends at the peer's FIN. */
static void test_until_close(void **state)
{
	struct harness t;
	struct smiw_data_event eof = { .type = SMIW_EV_DATA, .dir = SMIW_DIR_RECV, .flags = SMIW_DATA_EOF };

	(void)state;
	h_init(&t, SMIW_ROLE_CLIENT);
	feed_s(&t, SMIW_DIR_SEND, "GET / HTTP/1.0\r\n\r\n", 1, 2);
	feed_s(&t, SMIW_DIR_RECV, "HTTP/1.0 200 OK\r\n\r\nsome", 3, 4);
	feed_s(&t, SMIW_DIR_RECV, " more", 5, 6);
	asm_data(&t.a, &eof, NULL);
	assert_int_equal(t.n, 1);
	h_done(&t, NULL);
	assert_true(t.seen[0].complete);
	assert_int_equal(t.seen[0].end_ns, 6);
	assert_int_equal(t.seen[0].resp_bytes, 28);
}

/* A PROXY protocol preamble (v2 alone in its syscall, v1 before the request) is skipped. */
static void test_proxy_preamble(void **state)
{
	static const char v2[28] = "\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c\xc6\x12\x00\x0b\x7f\x00\x00\x01"
				   "\x9c\x40\x4e\x20";
	char v1[200];
	struct harness t;

	(void)state;
	h_init(&t, SMIW_ROLE_SERVER);
	feed(&t, SMIW_DIR_RECV, v2, sizeof(v2), sizeof(v2), 1, 2);
	feed_s(&t, SMIW_DIR_RECV, REQ, 3, 4);
	feed_s(&t, SMIW_DIR_SEND, RESP, 5, 6);
	h_done(&t, NULL);
	assert_int_equal(t.n, 1);
	assert_true(t.seen[0].complete);
	assert_int_equal(t.seen[0].req_bytes, strlen(REQ));
	assert_int_equal(t.counters.unparsed_bytes, 0);

	snprintf(v1, sizeof(v1), "PROXY TCP4 198.18.0.11 198.18.1.1 40000 9091\r\n%s", REQ);
	h_init(&t, SMIW_ROLE_SERVER);
	feed_s(&t, SMIW_DIR_RECV, v1, 1, 2);
	feed_s(&t, SMIW_DIR_SEND, RESP, 5, 6);
	h_done(&t, NULL);
	assert_int_equal(t.n, 1);
	assert_true(t.seen[0].complete);
	assert_string_equal(t.seen[0].request_id, "rid-9");
	assert_int_equal(t.counters.unparsed_bytes, 0);
}

/* ---- response headers asked for ---- */

/* The names asked for are kept from final responses at the client, redacted as request fields are. */
static void test_response_headers_kept(void **state)
{
	static const char *const names[] = { "X-Header-Set", "set-cookie" };
	static const char req[] = "GET /a HTTP/1.1\r\nHost: echo\r\n\r\nGET /b HTTP/1.1\r\nHost: echo\r\n\r\n";
	static const char resp[] = "HTTP/1.1 100 Continue\r\nX-Header-Set: interim\r\n\r\n"
				   "HTTP/1.1 200 OK\r\nx-header-set: v1\r\nContent-Length: 0\r\nX-HEADER-SET: v2\r\n"
				   "Set-Cookie: sid=1\r\nX-Header-Set-2: no\r\n\r\n"
				   "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct harness t;

	(void)state;
	for (int role = SMIW_ROLE_CLIENT; role <= SMIW_ROLE_SERVER; role++) {
		int out = role == SMIW_ROLE_CLIENT ? SMIW_DIR_SEND : SMIW_DIR_RECV;

		h_init(&t, role);
		t.cfg.resp_names = names;
		t.cfg.n_resp_names = 2;
		feed(&t, out, req, strlen(req), strlen(req), 100, 101);
		feed(&t, !out, resp, strlen(resp), strlen(resp), 200, 201);
		h_done(&t, NULL);
		assert_int_equal(t.n, 2);
		/* Only the client's side: what the client received. */
		assert_int_equal(t.seen[0].has_resp, role == SMIW_ROLE_CLIENT);
		assert_int_equal(t.seen[1].has_resp, role == SMIW_ROLE_CLIENT);
		assert_string_equal(t.seen[0].resp, role == SMIW_ROLE_CLIENT ?
				    "x-header-set=v1;x-header-set=v2;set-cookie=<redacted>;" : "");
		assert_string_equal(t.seen[1].resp, "");
		assert_false(t.seen[0].truncated);
	}
}

/* Past 16 fields the rest are left out and the exchange is marked truncated; nothing asked, nothing kept. */
static void test_response_headers_cut(void **state)
{
	static const char *const names[] = { "x-a" };
	static const char req[] = "GET /a HTTP/1.1\r\nHost: echo\r\n\r\n";
	char resp[1024] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n";
	struct harness t;

	(void)state;
	for (int i = 0; i < 17; i++)
		snprintf(resp + strlen(resp), sizeof(resp) - strlen(resp), "X-A: %d\r\n", i);
	strcat(resp, "\r\n");
	for (unsigned asked = 0; asked < 2; asked++) {
		h_init(&t, SMIW_ROLE_CLIENT);
		t.cfg.resp_names = names;
		t.cfg.n_resp_names = asked;
		feed_s(&t, SMIW_DIR_SEND, req, 100, 101);
		feed_s(&t, SMIW_DIR_RECV, resp, 200, 201);
		h_done(&t, NULL);
		assert_int_equal(t.n, 1);
		assert_int_equal(t.seen[0].has_resp, asked);
		assert_int_equal(t.seen[0].truncated, asked);
		assert_string_equal(t.seen[0].resp, asked ? "x-a=0;x-a=1;x-a=2;x-a=3;x-a=4;x-a=5;x-a=6;x-a=7;x-a=8;"
				    "x-a=9;x-a=10;x-a=11;x-a=12;x-a=13;x-a=14;x-a=15;" : "");
	}
}

/* ---- credentials ---- */

/* The value of header `name` (lower case) in x, or NULL. */
static const char *header_value(const struct cap_exchange *x, const char *name, char *buf, size_t len)
{
	for (unsigned i = 0; i < x->nheaders; i++)
		if (x->headers[i].name_len == strlen(name) &&
		    !memcmp(x->hdrbuf + x->headers[i].name, name, x->headers[i].name_len)) {
			snprintf(buf, len, "%.*s", (int)x->headers[i].value_len, x->hdrbuf + x->headers[i].value);
			return buf;
		}
	return NULL;
}

static void test_secret_headers_redacted(void **state)
{
	static const char head[] = "POST /login HTTP/1.1\r\nHost: app\r\nAuthorization: Bearer tok-1\r\n"
		"PROXY-AUTHORIZATION: Basic cHc=\r\ncookie: sid=s-2\r\nSet-Cookie: sid=s-3\r\n"
		"Cookies: not-a-credential\r\nX-Authorization: custom\r\nContent-Length: 4\r\n\r\n";
	static const struct {
		const char *name, *redacted, *kept;
	} want[] = {
		{ "authorization", "<redacted>", "Bearer tok-1" },
		{ "proxy-authorization", "<redacted>", "Basic cHc=" },
		{ "cookie", "<redacted>", "sid=s-2" },
		{ "set-cookie", "<redacted>", "sid=s-3" },
		{ "cookies", "not-a-credential", "not-a-credential" },
		{ "x-authorization", "custom", "custom" },
		{ "host", "app", "app" },
	};
	struct http_head h;
	char buf[64];

	(void)state;
	assert_int_equal(http_parse_head(&h, HTTP_REQUEST, head, sizeof(head) - 1, 4096), (int)sizeof(head) - 1);
	for (int unredacted = 0; unredacted < 2; unredacted++) {
		static struct cap_exchange x;

		memset(&x, 0, sizeof(x));
		exchange_fill_request(&x, &h, unredacted);
		assert_int_equal(x.nheaders, 8);
		for (size_t i = 0; i < N(want); i++) {
			const char *v = header_value(&x, want[i].name, buf, sizeof(buf));

			assert_non_null(v);
			assert_string_equal(v, unredacted ? want[i].kept : want[i].redacted);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_headers_redacted),
		cmocka_unit_test(test_redirect_location),
		cmocka_unit_test(test_response_headers_kept),
		cmocka_unit_test(test_response_headers_cut),
		cmocka_unit_test(test_recordings_split_everywhere),
		cmocka_unit_test(test_pipelined_times),
		cmocka_unit_test(test_byte_per_syscall),
		cmocka_unit_test(test_body_not_captured),
		cmocka_unit_test(test_head_cut_by_snaplen),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_trailing_gap),
		cmocka_unit_test(test_reset_and_role),
		cmocka_unit_test(test_not_http),
		cmocka_unit_test(test_upgrade),
		cmocka_unit_test(test_until_close),
		cmocka_unit_test(test_proxy_preamble),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
