/* test_http - HTTP/1.x head parsing and body framing, split at every byte. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- heads ----------------------------------------------------------------- */

struct head_case {
	const char *desc;
	enum http_kind kind;
	const char *in;
	int ret;		/* ALL: complete, the head is the whole input */
	const char *method, *target;
	int minor, status;
	size_t nheaders;
	int64_t content_length;
	bool chunked, keep_alive;
	size_t len;		/* input length when it holds a NUL; 0: strlen */
};

/* A case that only has an outcome (no fields to compare). */
#define OUTCOME(d, k, i, r) { .desc = d, .kind = k, .in = i, .ret = r }
#define ALL 1
#define REQ HTTP_REQUEST
#define RESP HTTP_RESPONSE

/* Table rows leave trailing fields at their zero defaults. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static const struct head_case head_cases[] = {
	{ "simple GET", REQ, "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n", ALL,
	  "GET", "/echo", 1, 0, 1, -1, false, true },
	{ "HTTP/1.0 closes by default", REQ, "GET / HTTP/1.0\r\n\r\n", ALL,
	  "GET", "/", 0, 0, 0, -1, false, false },
	{ "HTTP/1.0 keep-alive token", REQ, "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", ALL,
	  "GET", "/", 0, 0, 1, -1, false, true },
	{ "1.1 Connection: close in a list", REQ,
	  "GET / HTTP/1.1\r\nConnection: foo, CLOSE\r\n\r\n", ALL, "GET", "/", 1, 0, 1, -1, false, false },
	{ "bare LF line ends", REQ, "GET / HTTP/1.1\nHost: a\n\n", ALL,
	  "GET", "/", 1, 0, 1, -1, false, true },
	{ "leading empty lines skipped", REQ, "\r\n\nGET / HTTP/1.1\r\n\r\n", ALL,
	  "GET", "/", 1, 0, 0, -1, false, true },
	{ "content-length any case, blanks trimmed", REQ,
	  "POST /call HTTP/1.1\r\ncOnTeNt-LeNgTh: \t 12 \r\n\r\n", ALL, "POST", "/call", 1, 0, 1, 12, false, true },
	{ "equal duplicate content-length", REQ,
	  "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\n", ALL, "POST", "/", 1, 0, 2, 5, false, true },
	{ "chunked request", REQ, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", ALL,
	  "POST", "/", 1, 0, 1, -1, true, true },
	{ "empty header value", REQ, "GET / HTTP/1.1\r\nX-A:\r\n\r\n", ALL, "GET", "/", 1, 0, 1, -1, false, true },
	{ "absolute-form target", REQ, "GET http://x:1/a?b=c HTTP/1.1\r\n\r\n", ALL,
	  "GET", "http://x:1/a?b=c", 1, 0, 0, -1, false, true },
	{ "response 200", RESP, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", ALL,
	  NULL, NULL, 1, 200, 1, 3, false, true },
	{ "response without reason or its SP", RESP, "HTTP/1.1 204\r\n\r\n", ALL,
	  NULL, NULL, 1, 204, 0, -1, false, true },
	{ "response 1.0", RESP, "HTTP/1.0 200 OK\r\n\r\n", ALL, NULL, NULL, 0, 200, 0, -1, false, false },
	{ "response TE not chunked ends at close", RESP,
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", ALL, NULL, NULL, 1, 200, 1, -1, false, false },
	{ "response TE+CL: chunked wins", RESP,
	  "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n", ALL,
	  NULL, NULL, 1, 200, 2, 9, true, true },

	OUTCOME("incomplete request line", REQ, "GET /ec", 0),
	OUTCOME("incomplete header", REQ, "GET / HTTP/1.1\r\nHost: a\r", 0),
	OUTCOME("missing final empty line", REQ, "GET / HTTP/1.1\r\nHost: a\r\n", 0),
	OUTCOME("incomplete status line", RESP, "HTTP/1.", 0),
	OUTCOME("empty", REQ, "", 0),
	OUTCOME("CR of a leading empty line", REQ, "\r\n\r", 0),

	OUTCOME("lowercase version", REQ, "GET / http/1.1\r\n\r\n", -EBADMSG),
	OUTCOME("HTTP/2 in a 1.x line", REQ, "GET / HTTP/2.0\r\n\r\n", -EBADMSG),
	OUTCOME("no target", REQ, "GET  HTTP/1.1\r\n\r\n", -EBADMSG),
	OUTCOME("two spaces", REQ, "GET /  HTTP/1.1\r\n\r\n", -EBADMSG),
	OUTCOME("bad method char early", REQ, "GE(T", -EBADMSG),
	OUTCOME("TLS hello is not HTTP", REQ, "\x16\x03\x01\x02", -EBADMSG),
	OUTCOME("response prefix wrong early", RESP, "HTTP/2", -EBADMSG),
	OUTCOME("bare CR", REQ, "GET / HTTP/1.1\rHost: a\r\n\r\n", -EBADMSG),
	OUTCOME("space before colon", REQ, "GET / HTTP/1.1\r\nHost : a\r\n\r\n", -EBADMSG),
	OUTCOME("obs-fold", REQ, "GET / HTTP/1.1\r\nX-A: 1\r\n  2\r\n\r\n", -EBADMSG),
	{ .desc = "NUL in a value", .kind = REQ, .in = "GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n", .ret = -EBADMSG,
	  .len = sizeof("GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n") - 1 },
	OUTCOME("no colon", REQ, "GET / HTTP/1.1\r\nHost\r\n\r\n", -EBADMSG),
	OUTCOME("conflicting content-length", REQ, "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", -EBADMSG),
	OUTCOME("conflicting content-length in one list", REQ, "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", -EBADMSG),
	OUTCOME("negative content-length", REQ, "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", -EBADMSG),
	OUTCOME("content-length with junk", REQ, "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", -EBADMSG),
	OUTCOME("empty content-length", REQ, "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", -EBADMSG),
	OUTCOME("huge content-length", REQ, "POST / HTTP/1.1\r\nContent-Length: 99999999999999999\r\n\r\n", -EBADMSG),
	OUTCOME("request TE and CL", REQ, "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", -EBADMSG),
	OUTCOME("request TE not ending in chunked", REQ, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", -EBADMSG),
	OUTCOME("status with two digits", RESP, "HTTP/1.1 20 OK\r\n\r\n", -EBADMSG),
	OUTCOME("status below 100", RESP, "HTTP/1.1 099 X\r\n\r\n", -EBADMSG),
	OUTCOME("status glued to reason", RESP, "HTTP/1.1 200OK\r\n\r\n", -EBADMSG),
};

static void check_head_case(const struct head_case *c)
{
	struct http_head h;
	size_t len = c->len ? c->len : strlen(c->in);
	int r, want = c->ret == ALL ? (int)len : c->ret;

	r = http_parse_head(&h, c->kind, c->in, len, HTTP_DEFAULT_MAX_HEAD);
	if (r != want)
		fail_msg("%s: got %d, want %d", c->desc, r, want);
	if (r <= 0)
		return;
	assert_int_equal(h.head_len, (size_t)r);
	if (c->method) {
		assert_true(h.method.len == strlen(c->method) && !memcmp(h.method.p, c->method, h.method.len));
		assert_true(h.target.len == strlen(c->target) && !memcmp(h.target.p, c->target, h.target.len));
	}
	assert_int_equal(h.minor, c->minor);
	assert_int_equal(h.status, c->status);
	assert_int_equal(h.nheaders, c->nheaders);
	assert_true(h.content_length == c->content_length);
	assert_int_equal(h.chunked, c->chunked);
	if (h.keep_alive != c->keep_alive)
		fail_msg("%s: keep_alive %d", c->desc, h.keep_alive);
}

static void test_heads(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(head_cases); i++)
		check_head_case(&head_cases[i]);
}

static void test_header_lookup(void **state)
{
	static const char in[] = "GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id:  r-1 \r\nx-request-id: second\r\n\r\n";
	const struct http_str *v;
	struct http_head h;

	(void)state;
	assert_int_equal(http_parse_head(&h, REQ, in, sizeof(in) - 1, 1024), (int)sizeof(in) - 1);
	v = http_header_get(&h, "X-REQUEST-ID");
	assert_non_null(v);
	assert_true(v->len == 3 && !memcmp(v->p, "r-1", 3));	/* the first one, trimmed */
	assert_null(http_header_get(&h, "X-Request"));
	assert_true(http_list_has((struct http_str){ "a, b ,c", 7 }, "B"));

	/* rebase: the same head, copied elsewhere, looked up through the copy */
	char copy[sizeof(in)];
	memcpy(copy, in, sizeof(in));
	http_head_rebase(&h, in, copy);
	assert_ptr_equal(h.method.p, copy);
	v = http_header_get(&h, "x-request-id");
	assert_ptr_equal(v->p, copy + (strstr(in, "r-1") - in));
	assert_false(http_list_has((struct http_str){ "ab", 2 }, "a"));

	/* Case folds letters only; lengths must match both ways; a NUL in the subject is no end. */
	assert_true(http_str_eq_ci((struct http_str){ "Content-LENGTH", 14 }, "content-length"));
	assert_true(http_str_eq_ci((struct http_str){ "", 0 }, ""));
	assert_false(http_str_eq_ci((struct http_str){ "hos", 3 }, "host"));
	assert_false(http_str_eq_ci((struct http_str){ "hosts", 5 }, "host"));
	assert_false(http_str_eq_ci((struct http_str){ "host\0", 5 }, "host"));
	assert_false(http_str_eq_ci((struct http_str){ "[", 1 }, "{"));	/* 0x5b, 0x7b: no letters */
	assert_false(http_str_eq_ci((struct http_str){ "@", 1 }, "`"));
	assert_false(http_str_eq_ci((struct http_str){ "\xc1", 1 }, "\xe1"));
	assert_true(http_str_eq_ci((struct http_str){ "ZAz", 3 }, "zaZ"));
}

/* ASCII lower case of one byte, the rule the word-at-a-time comparison and copy must keep. */
static unsigned char lower_ref(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * http_mem_eq_ci and http_lower_copy (eight bytes at a time, the last word
 * overlapping, short lengths by halves and bytes) against the bytewise rule:
 * every length to 24, a byte of each kind at every position of one side,
 * bytes at the edges of the letter ranges and above 0x7f.
 */
static void test_case_folding_words(void **state)
{
	static const unsigned char kinds[] = { 'A', 'Z', 'a', 'z', '@', '[', '`', '{', 0x00, 0x7f, 0x80, 0xc1, 0xe1,
					       0xda, 0xfa, 0xff, '-', ':' };
	char a[32], b[32], out[40];

	(void)state;
	for (size_t n = 0; n <= 24; n++)
		for (size_t k = 0; k < N(kinds); k++)
			for (size_t k2 = 0; k2 < N(kinds); k2++)
				for (size_t at = 0; at < n; at++) {
					bool want = lower_ref(kinds[k]) == lower_ref(kinds[k2]);

					memset(a, 'q', sizeof(a));
					memset(b, 'Q', sizeof(b));
					a[at] = (char)kinds[k];
					b[at] = (char)kinds[k2];
					if (http_mem_eq_ci(a, b, n) != want)
						fail_msg("n %zu: 0x%02x against 0x%02x at %zu", n, kinds[k], kinds[k2], at);
					memset(out, '#', sizeof(out));
					http_lower_copy(out, b, n);
					for (size_t i = 0; i < n; i++)
						if ((unsigned char)out[i] != lower_ref((unsigned char)b[i]))
							fail_msg("copy of %zu bytes: byte %zu", n, i);
					if (out[n] != '#')
						fail_msg("copy of %zu bytes wrote past them", n);
				}
	assert_true(http_mem_eq_ci("", "x", 0));
}

/* Size limits: 431 material, never a read past max_head or the buffer. */
static void test_limits(void **state)
{
	static char buf[20000];
	struct http_head h;
	size_t n;

	(void)state;
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nX-Big: ");
	memset(buf + n, 'a', 9000);
	n += 9000;
	/* No terminator within 8192 bytes: too large, whether or not more follows. */
	assert_int_equal(http_parse_head(&h, REQ, buf, n, 8192), -EMSGSIZE);
	assert_int_equal(http_parse_head(&h, REQ, buf, 8192, 8192), -EMSGSIZE);
	assert_int_equal(http_parse_head(&h, REQ, buf, 8191, 8192), 0);
	memcpy(buf + n, "\r\n\r\n", 4);
	assert_int_equal(http_parse_head(&h, REQ, buf, n + 4, 8192), -EMSGSIZE);
	assert_int_equal(http_parse_head(&h, REQ, buf, n + 4, n + 4), (int)(n + 4));
	assert_int_equal(http_parse_head(&h, REQ, buf, n + 4, n + 3), -EMSGSIZE);

	/* Exactly HTTP_MAX_HEADERS fields fit; one more does not. */
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n");
	for (int i = 0; i < HTTP_MAX_HEADERS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "H%d: v\r\n", i);
	memcpy(buf + n, "\r\n", 2);
	assert_int_equal(http_parse_head(&h, REQ, buf, n + 2, sizeof(buf)), (int)(n + 2));
	assert_int_equal(h.nheaders, HTTP_MAX_HEADERS);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "One: more\r\n\r\n");
	assert_int_equal(http_parse_head(&h, REQ, buf, n, sizeof(buf)), -EMSGSIZE);
}

/* --- bodies and streams ------------------------------------------------------ */

/* Collects decoded payload; NULL runs become '?' so tests can see them. */
struct sink {
	char buf[4096];
	size_t len;
};

static void sink_data(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	assert_true(s->len + n <= sizeof(s->buf));
	if (p)
		memcpy(s->buf + s->len, p, n);
	else
		memset(s->buf + s->len, '?', n);
	s->len += n;
}

/*
 * A stream reader as a server or stream assembly would write one: bytes
 * arrive in pieces, heads are parsed from a buffer, bodies are consumed
 * incrementally, pipelined messages follow each other. It prints a summary
 * of each message ("GET /a [3:abc]" or "200 [..]") into out.
 */
struct reader {
	enum http_kind kind;
	char buf[8192];
	size_t len;
	bool in_body;
	bool head_requests[8];	/* for responses: was request i a HEAD? */
	int msgs;
	struct http_body body;
	struct sink sink;
	char out[2048];
	int err;
};

static void reader_finish_msg(struct reader *r)
{
	size_t n = strlen(r->out);

	snprintf(r->out + n, sizeof(r->out) - n, "[%zu:%.*s]", r->sink.len, (int)r->sink.len, r->sink.buf);
	r->in_body = false;
	r->msgs++;
}

static void reader_feed(struct reader *r, const char *data, size_t len)
{
	size_t used, n;
	int ret;

	if (r->err)
		return;
	assert_true(r->len + len <= sizeof(r->buf));
	memcpy(r->buf + r->len, data, len);
	r->len += len;
	while (r->len) {
		if (!r->in_body) {
			struct http_head h;

			ret = http_parse_head(&h, r->kind, r->buf, r->len, sizeof(r->buf));
			if (ret <= 0) {
				r->err = ret;
				return;
			}
			n = strlen(r->out);
			if (r->kind == HTTP_REQUEST)
				snprintf(r->out + n, sizeof(r->out) - n, "%s%.*s %.*s ", n ? " " : "",
					 (int)h.method.len, h.method.p, (int)h.target.len, h.target.p);
			else
				snprintf(r->out + n, sizeof(r->out) - n, "%s%d ", n ? " " : "", h.status);
			http_body_init(&r->body, &h, r->head_requests[r->msgs & 7]);
			r->body.on_data = sink_data;
			r->body.ctx = &r->sink;
			r->sink.len = 0;
			r->in_body = true;
			memmove(r->buf, r->buf + ret, r->len - ret);
			r->len -= ret;
			if (r->body.complete) {
				reader_finish_msg(r);
				continue;
			}
		}
		ret = http_body_consume(&r->body, r->buf, r->len, &used);
		assert_true(used <= r->len);
		memmove(r->buf, r->buf + used, r->len - used);
		r->len -= used;
		if (ret) {
			r->err = ret;
			return;
		}
		if (!r->body.complete)
			return;
		reader_finish_msg(r);
	}
}

struct stream_case {
	const char *desc;
	enum http_kind kind;
	const char *in;
	const char *want;	/* summary of every complete message */
	bool eof_completes;	/* the last message ends with the connection */
	const char *head_mask;	/* for responses: 'H' where the request was HEAD */
};


static const struct stream_case stream_cases[] = {
	{ "GET without body", REQ, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", "GET /a [0:]" },
	{ "POST with length", REQ, "POST /call HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
	  "POST /call [5:hello]" },
	{ "three pipelined", REQ,
	  "GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET /3 HTTP/1.1\r\n\r\n",
	  "GET /1 [0:] POST /2 [2:ab] GET /3 [0:]" },
	{ "chunked with extensions and trailers", REQ,
	  "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5;name=val;q=\"x\"\r\nhello\r\n1A \t; e\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\nY-T: 2\r\n\r\n"
	  "GET /next HTTP/1.1\r\n\r\n",
	  "POST /c [31:helloabcdefghijklmnopqrstuvwxyz] GET /next [0:]" },
	{ "chunked with bare LF framing", REQ,
	  "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n", "POST /c [3:abc]" },
	{ "responses 100, 200", RESP,
	  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	  "100 [0:] 200 [2:ok]" },
	{ "204 and 304 ignore content-length", RESP,
	  "HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 4\r\n\r\n"
	  "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
	  "204 [0:] 304 [0:] 200 [1:x]" },
	{ "response to HEAD has no body", RESP,
	  "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz",
	  "200 [0:] 200 [1:z]", .head_mask = "H." },
	{ "chunked response", RESP,
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n0\r\n\r\n", "200 [4:Wiki]" },
	{ "response until close", RESP, "HTTP/1.0 200 OK\r\n\r\nall of it", "200 [9:all of it]", .eof_completes = true },
};
#pragma GCC diagnostic pop

static void check_stream(const struct stream_case *c, size_t split)
{
	static struct reader r;
	size_t len = strlen(c->in);

	memset(&r, 0, sizeof(r));
	r.kind = c->kind;
	for (size_t i = 0; c->head_mask && c->head_mask[i]; i++)
		r.head_requests[i] = c->head_mask[i] == 'H';
	reader_feed(&r, c->in, split);
	reader_feed(&r, c->in + split, len - split);
	if (c->eof_completes && r.in_body) {
		assert_true(http_body_finish_at_eof(&r.body));
		reader_finish_msg(&r);
	}
	if (r.err || strcmp(r.out, c->want) || r.len || r.in_body)
		fail_msg("%s, split at %zu: err %d, got '%s', want '%s', %zu left", c->desc, split, r.err,
			 r.out, c->want, r.len);
}

/* Every message split at every byte boundary parses to the same result. */
static void test_streams_every_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(stream_cases); i++)
		for (size_t k = 0; k <= strlen(stream_cases[i].in); k++)
			check_stream(&stream_cases[i], k);
}

/* Fed one byte at a time, too. */
static void test_streams_bytewise(void **state)
{
	static struct reader r;

	(void)state;
	for (size_t i = 0; i < N(stream_cases); i++) {
		const struct stream_case *c = &stream_cases[i];

		memset(&r, 0, sizeof(r));
		r.kind = c->kind;
		for (size_t j = 0; c->head_mask && c->head_mask[j]; j++)
			r.head_requests[j] = c->head_mask[j] == 'H';
		for (size_t k = 0; c->in[k]; k++)
			reader_feed(&r, c->in + k, 1);
		if (c->eof_completes && r.in_body && http_body_finish_at_eof(&r.body))
			reader_finish_msg(&r);
		if (r.err || strcmp(r.out, c->want))
			fail_msg("%s bytewise: err %d, got '%s'", c->desc, r.err, r.out);
	}
}

struct chunk_error_case {
	const char *desc;
	const char *body;
	size_t used;		/* bytes consumed before the error */
};

static const struct chunk_error_case chunk_errors[] = {
	{ "no size digits", "\r\n", 0 },
	{ "non-hex size", "g\r\n", 0 },
	{ "junk after size", "5x\r\n", 1 },
	{ "CR without LF", "5\rx", 2 },
	{ "payload too long", "2\r\nabc\r\n", 5 },
	{ "control char in extension", "2;a\x01\r\n", 3 },
	{ "size overflows", "10000000000000000\r\n", 16 },
	{ "bad trailer start", "0\r\n:x\r\n\r\n", 3 },
	{ "final CR without LF", "0\r\n\rx", 4 },
};

static void test_chunk_errors(void **state)
{
	static const char head[] = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
	struct http_head h;
	struct http_body b;
	size_t used;

	(void)state;
	assert_int_equal(http_parse_head(&h, REQ, head, sizeof(head) - 1, 1024), (int)sizeof(head) - 1);
	for (size_t i = 0; i < N(chunk_errors); i++) {
		http_body_init(&b, &h, false);
		if (http_body_consume(&b, chunk_errors[i].body, strlen(chunk_errors[i].body), &used) != -EBADMSG ||
		    used != chunk_errors[i].used)
			fail_msg("%s: used %zu", chunk_errors[i].desc, used);
		assert_false(b.complete);
	}

	/* A size line longer than HTTP_MAX_CHUNK_LINE is refused. */
	static char longext[HTTP_MAX_CHUNK_LINE + 16];
	memset(longext, 'a', sizeof(longext));
	memcpy(longext, "1;", 2);
	http_body_init(&b, &h, false);
	assert_int_equal(http_body_consume(&b, longext, sizeof(longext), &used), -EBADMSG);
	assert_int_equal(used, HTTP_MAX_CHUNK_LINE);
}

/* data == NULL: fine inside payload, -ENODATA when framing bytes were not captured. */
static void test_uncaptured_bytes(void **state)
{
	static const char clhead[] = "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
	static const char chhead[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	struct http_head h;
	struct http_body b;
	struct sink s = { .len = 0 };
	size_t used;

	(void)state;
	assert_true(http_parse_head(&h, REQ, clhead, sizeof(clhead) - 1, 1024) > 0);
	http_body_init(&b, &h, false);
	b.on_data = sink_data;
	b.ctx = &s;
	assert_int_equal(http_body_consume(&b, "abc", 3, &used), 0);
	assert_int_equal(used, 3);
	assert_int_equal(http_body_consume(&b, NULL, 100, &used), 0);	/* 7 uncaptured, rest is the next message */
	assert_int_equal(used, 7);
	assert_true(b.complete);
	assert_true(s.len == 10 && !memcmp(s.buf, "abc???????", 10));
	assert_true(b.payload == 10);

	assert_true(http_parse_head(&h, RESP, chhead, sizeof(chhead) - 1, 1024) > 0);
	http_body_init(&b, &h, false);
	assert_int_equal(http_body_consume(&b, "a\r\n01", 5, &used), 0);	/* 10-byte chunk, 2 captured */
	assert_int_equal(used, 5);
	assert_int_equal(http_body_consume(&b, NULL, 8, &used), 0);	/* the rest of the payload */
	assert_int_equal(used, 8);
	assert_int_equal(http_body_consume(&b, "\r\n0\r\n\r\n", 7, &used), 0);
	assert_true(b.complete);
	assert_true(b.payload == 10);

	/* Uncaptured bytes running past the payload into the next size line. */
	http_body_init(&b, &h, false);
	assert_int_equal(http_body_consume(&b, "4\r\n", 3, &used), 0);
	assert_int_equal(http_body_consume(&b, NULL, 10, &used), -ENODATA);
	assert_int_equal(used, 4);
	/* Uncaptured bytes where a size line starts. */
	http_body_init(&b, &h, false);
	assert_int_equal(http_body_consume(&b, NULL, 1, &used), -ENODATA);
	assert_int_equal(used, 0);

	/* Until close: everything is payload, EOF completes it. */
	assert_true(http_parse_head(&h, RESP, "HTTP/1.1 200 OK\r\n\r\n", 19, 1024) > 0);
	http_body_init(&b, &h, false);
	assert_int_equal(b.framing, HTTP_BODY_UNTIL_CLOSE);
	assert_int_equal(http_body_consume(&b, NULL, 1000, &used), 0);
	assert_int_equal(used, 1000);
	assert_false(b.complete);
	assert_true(http_body_finish_at_eof(&b));
	/* A Content-Length body cut short does not complete at EOF. */
	assert_true(http_parse_head(&h, REQ, clhead, sizeof(clhead) - 1, 1024) > 0);
	http_body_init(&b, &h, false);
	assert_false(http_body_finish_at_eof(&b));
}

static void test_framing_choice(void **state)
{
	static const struct {
		enum http_kind kind;
		const char *head;
		bool was_head;
		enum http_framing want;
	} cases[] = {
		{ REQ, "GET / HTTP/1.1\r\n\r\n", false, HTTP_BODY_NONE },
		{ REQ, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", false, HTTP_BODY_LENGTH },
		{ REQ, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", false, HTTP_BODY_CHUNKED },
		{ RESP, "HTTP/1.1 200 OK\r\n\r\n", false, HTTP_BODY_UNTIL_CLOSE },
		{ RESP, "HTTP/1.1 200 OK\r\n\r\n", true, HTTP_BODY_NONE },
		{ RESP, "HTTP/1.1 101 Switching Protocols\r\n\r\n", false, HTTP_BODY_NONE },
		{ RESP, "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", false, HTTP_BODY_NONE },
		{ RESP, "HTTP/1.1 304 Not Modified\r\n\r\n", false, HTTP_BODY_NONE },
		{ RESP, "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\n", false, HTTP_BODY_LENGTH },
	};
	struct http_head h;
	struct http_body b;

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		assert_true(http_parse_head(&h, cases[i].kind, cases[i].head, strlen(cases[i].head), 1024) > 0);
		http_body_init(&b, &h, cases[i].was_head);
		if (b.framing != cases[i].want)
			fail_msg("case %zu: framing %d, want %d", i, b.framing, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heads),
		cmocka_unit_test(test_header_lookup),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_case_folding_words),
		cmocka_unit_test(test_streams_every_split),
		cmocka_unit_test(test_streams_bytewise),
		cmocka_unit_test(test_chunk_errors),
		cmocka_unit_test(test_uncaptured_bytes),
		cmocka_unit_test(test_framing_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
