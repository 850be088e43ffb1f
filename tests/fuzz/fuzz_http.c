/*
 * fuzz_http - the HTTP/1.x parser never reads outside its buffer, agrees with
 * itself on prefixes, and frames a body the same whether fed whole, in pieces,
 * or with uncaptured (NULL) runs. The first input byte picks the message kind
 * and the piece size; the rest is the stream.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

#define MAX_HEAD 2048

static void check_str(struct http_str s, const char *buf, size_t len)
{
	if (s.len && (s.p < buf || s.p + s.len > buf + len))
		abort();
}

struct totals {
	uint64_t payload;
	size_t used;
	int err;
	bool complete;
};

/* Feeds body bytes in pieces of `step`; when `holes`, every other piece is uncaptured. */
static struct totals frame(const struct http_head *h, const char *p, size_t len, size_t step, bool holes)
{
	struct totals t = { 0 };
	struct http_body b;
	size_t used;

	http_body_init(&b, h, false);
	for (size_t off = 0, i = 0; off < len && !b.complete; i++) {
		size_t n = len - off < step ? len - off : step;

		t.err = http_body_consume(&b, holes && (i & 1) ? NULL : p + off, n, &used);
		if (used > n)
			abort();
		off += used;
		t.used = off;
		if (t.err)
			break;
		if (used < n && !b.complete)
			abort();	/* stopped early without a reason */
	}
	t.payload = b.payload;
	t.complete = b.complete;
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_head h, h2;
	enum http_kind kind;
	const char *buf;
	size_t step, len;
	int r;

	if (size < 1)
		return 0;
	kind = data[0] & 1 ? HTTP_RESPONSE : HTTP_REQUEST;
	step = (data[0] >> 1) + 1;
	buf = (const char *)data + 1;
	len = size - 1;

	r = http_parse_head(&h, kind, buf, len, MAX_HEAD);
	if (r <= 0)
		return 0;
	if ((size_t)r > len || (size_t)r > MAX_HEAD || h.head_len != (size_t)r || h.nheaders > HTTP_MAX_HEADERS)
		abort();
	check_str(h.method, buf, len);
	check_str(h.target, buf, len);
	check_str(h.reason, buf, len);
	for (size_t i = 0; i < h.nheaders; i++) {
		check_str(h.headers[i].name, buf, len);
		check_str(h.headers[i].value, buf, len);
	}
	/* The same head from exactly its own bytes; any shorter prefix needs more. */
	if (http_parse_head(&h2, kind, buf, (size_t)r, MAX_HEAD) != r ||
	    http_parse_head(&h2, kind, buf, (size_t)r - 1, MAX_HEAD) != 0 ||
	    http_parse_head(&h2, kind, buf, (size_t)r / 2, MAX_HEAD) != 0)
		abort();

	struct totals whole = frame(&h, buf + r, len - r, len, false);
	struct totals pieces = frame(&h, buf + r, len - r, step, false);
	struct totals holes = frame(&h, buf + r, len - r, step, true);

	if (whole.err != pieces.err || whole.used != pieces.used || whole.payload != pieces.payload ||
	    whole.complete != pieces.complete)
		abort();
	/* Uncaptured runs may stop the stream early (-ENODATA), never run further. */
	if (holes.used > whole.used || (!holes.err && holes.used != whole.used))
		abort();
	return 0;
}
