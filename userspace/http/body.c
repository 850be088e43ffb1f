/* body.c - HTTP/1.x body framing: Content-Length, chunked, none, until close. */
#include <errno.h>
#include <string.h>

#include "http/http.h"
#include "http/chars.h"
#include "util/parse.h"

/* Chunked sub-states (RFC 9112 7.1). */
enum {
	CH_SIZE,		/* chunk-size hex digits */
	CH_EXT,			/* BWS / chunk extensions up to the line end */
	CH_SIZE_LF,		/* CR seen at the end of the size line */
	CH_DATA,		/* chunk payload, b->remaining bytes left */
	CH_DATA_CR,		/* CRLF after the payload */
	CH_DATA_LF,
	CH_TRAILER_START,	/* start of a trailer line or of the final empty line */
	CH_TRAILER_LINE,	/* inside a trailer field line */
	CH_TRAILER_LF,		/* CR seen at the end of a trailer line */
	CH_END_LF,		/* CR of the final empty line seen */
};

void http_body_init(struct http_body *b, const struct http_head *h, bool request_was_head)
{
	memset(b, 0, sizeof(*b));
	if (h->kind == HTTP_RESPONSE &&
	    (request_was_head || h->status < 200 || h->status == 204 || h->status == 304))
		b->framing = HTTP_BODY_NONE;
	else if (h->chunked)
		b->framing = HTTP_BODY_CHUNKED;
	else if (h->kind == HTTP_RESPONSE && h->has_transfer_encoding)
		b->framing = HTTP_BODY_UNTIL_CLOSE;
	else if (h->content_length >= 0)
		b->framing = HTTP_BODY_LENGTH;
	else
		b->framing = h->kind == HTTP_RESPONSE ? HTTP_BODY_UNTIL_CLOSE : HTTP_BODY_NONE;
	b->state = CH_SIZE;
	if (b->framing == HTTP_BODY_LENGTH)
		b->remaining = (uint64_t)h->content_length;
	b->complete = b->framing == HTTP_BODY_NONE ||
		      (b->framing == HTTP_BODY_LENGTH && b->remaining == 0);
}

/* Takes up to b->remaining payload bytes (or all for until-close); returns how many. */
static size_t take_payload(struct http_body *b, const char *data, size_t len, bool bounded)
{
	size_t n = len;

	if (bounded && n > b->remaining)
		n = (size_t)b->remaining;
	if (n && b->on_data)
		b->on_data(b->ctx, data, n);
	b->payload += n;
	if (bounded)
		b->remaining -= n;
	return n;
}

/* Counts one byte of a size or trailer line against its limit. */
static int line_byte(struct http_body *b, char c, uint32_t limit)
{
	if (http_is_ctl(c) && c != '\t')
		return -EBADMSG;
	return ++b->line_len > limit ? -EBADMSG : 0;
}

/* The size line ended: a payload follows, or the last chunk opens the trailer. */
static void size_line_done(struct http_body *b)
{
	b->line_len = 0;
	b->digits = false;
	b->state = b->remaining ? CH_DATA : CH_TRAILER_START;
}

/*
 * One framing byte of the chunked coding. Returns 0 or -EBADMSG.
 * One switch over every state on purpose: the whole grammar of a chunk line,
 * its extensions and the trailer reads in one place, as RFC 9112 7.1 lays it out.
 */
static int chunk_byte(struct http_body *b, char c)
{
	int v;

	switch (b->state) {
	case CH_SIZE:
		if ((v = parse_hex_digit(c)) >= 0) {
			if (b->remaining >> 59)	/* 15 hex digits of payload is plenty */
				return -EBADMSG;
			b->remaining = b->remaining << 4 | (uint64_t)v;
			b->digits = true;
			return line_byte(b, c, HTTP_MAX_CHUNK_LINE);
		}
		if (!b->digits)
			return -EBADMSG;
		if (c == ';' || c == ' ' || c == '\t') {
			b->state = CH_EXT;
			return line_byte(b, c, HTTP_MAX_CHUNK_LINE);
		}
		if (c != '\r' && c != '\n')
			return -EBADMSG;
		/* the line ends right after the digits */
		__attribute__((fallthrough));
	case CH_EXT:
		if (c == '\r')
			b->state = CH_SIZE_LF;
		else if (c == '\n')
			size_line_done(b);
		else
			return line_byte(b, c, HTTP_MAX_CHUNK_LINE);
		return 0;
	case CH_SIZE_LF:
		if (c != '\n')
			return -EBADMSG;
		size_line_done(b);
		return 0;
	case CH_DATA_CR:
		if (c == '\r') {
			b->state = CH_DATA_LF;
			return 0;
		}
		/* a bare LF ends the payload too */
		__attribute__((fallthrough));
	case CH_DATA_LF:
		if (c != '\n')
			return -EBADMSG;
		b->state = CH_SIZE;
		return 0;
	case CH_TRAILER_START:
		b->line_len = 0;
		if (c == '\r') {
			b->state = CH_END_LF;
			return 0;
		}
		if (c == '\n') {
			b->complete = true;
			return 0;
		}
		if (!http_is_tchar(c))
			return -EBADMSG;
		b->state = CH_TRAILER_LINE;
		break;
	case CH_TRAILER_LINE:
		if (c == '\r' || c == '\n') {
			b->state = c == '\r' ? CH_TRAILER_LF : CH_TRAILER_START;
			return 0;
		}
		if (line_byte(b, c, HTTP_MAX_TRAILER))
			return -EBADMSG;
		break;
	case CH_TRAILER_LF:
		if (c != '\n')
			return -EBADMSG;
		b->state = CH_TRAILER_START;
		return 0;
	case CH_END_LF:
		if (c != '\n')
			return -EBADMSG;
		b->complete = true;
		return 0;
	default:
		return -EBADMSG;
	}
	/* Trailer bytes: the whole section is bounded, not just one line. */
	return ++b->trailer_len > HTTP_MAX_TRAILER ? -EBADMSG : 0;
}

static int consume_chunked(struct http_body *b, const char *data, size_t len, size_t *used)
{
	size_t i = 0;
	int r;

	while (i < len && !b->complete) {
		if (b->state == CH_DATA) {
			i += take_payload(b, data ? data + i : NULL, len - i, true);
			if (!b->remaining)
				b->state = CH_DATA_CR;
			continue;
		}
		if (!data) {
			*used = i;
			return -ENODATA;
		}
		r = chunk_byte(b, data[i]);
		if (r < 0) {
			*used = i;
			return r;
		}
		i++;
	}
	*used = i;
	return 0;
}

int http_body_consume(struct http_body *b, const char *data, size_t len, size_t *used)
{
	*used = 0;
	if (b->complete)
		return 0;
	switch (b->framing) {
	case HTTP_BODY_LENGTH:
		*used = take_payload(b, data, len, true);
		b->complete = b->remaining == 0;
		return 0;
	case HTTP_BODY_UNTIL_CLOSE:
		*used = take_payload(b, data, len, false);
		return 0;
	case HTTP_BODY_CHUNKED:
		return consume_chunked(b, data, len, used);
	default:
		return 0;
	}
}

bool http_body_finish_at_eof(struct http_body *b)
{
	if (b->framing == HTTP_BODY_UNTIL_CLOSE)
		b->complete = true;
	return b->complete;
}
