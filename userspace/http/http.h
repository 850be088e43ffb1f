/* http.h - HTTP/1.x message heads and body framing, shared by the sample app,
 * the traffic driver and kernel stream assembly. */
#ifndef SMIW_HTTP_H
#define SMIW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* At most this many header fields per head; more is "head too large". */
#define HTTP_MAX_HEADERS 64
/* A head size limit that fits ordinary traffic (what nginx and Go default near). */
#define HTTP_DEFAULT_MAX_HEAD 8192
/* Longest chunk-size line (size plus extensions) and the whole trailer section. */
#define HTTP_MAX_CHUNK_LINE 4096
#define HTTP_MAX_TRAILER 8192
/* Content-Length values above this are refused as malformed (2^53: JSON-safe). */
#define HTTP_MAX_CONTENT_LENGTH (1ULL << 53)

enum http_kind { HTTP_REQUEST, HTTP_RESPONSE };

/* A byte range inside the buffer that was parsed; not NUL-terminated. */
struct http_str {
	const char *p;
	size_t len;
};

struct http_header {
	struct http_str name, value;	/* value without surrounding blanks */
};

/* One parsed request or response head; every slice points into the parsed buffer. */
struct http_head {
	enum http_kind kind;
	struct http_str method;		/* requests only */
	struct http_str target;		/* requests only: the request-target as sent */
	int status;			/* responses only: 100..999 */
	struct http_str reason;		/* responses only, may be empty */
	int minor;			/* HTTP/1.<minor> */
	size_t nheaders;
	struct http_header headers[HTTP_MAX_HEADERS];
	int64_t content_length;		/* -1 when absent */
	bool has_transfer_encoding;
	bool chunked;			/* Transfer-Encoding's last coding is chunked */
	bool keep_alive;		/* the connection may carry another message after this one */
	size_t head_len;		/* bytes up to and including the empty line */
	size_t connection;		/* 1 + index of the first Connection field, 0 when none */
};

/*
 * Parses the head of one message at the start of buf[0..len). Returns the head
 * length (> 0) when complete, 0 when more bytes are needed, -EMSGSIZE when no
 * complete head fits in max_head bytes or it has more than HTTP_MAX_HEADERS
 * fields (a server answers 431), -EBADMSG when malformed (400). Reads at most
 * min(len, max_head) bytes; a malformed complete line is reported before the
 * head is complete. Requests may be preceded by empty lines (counted in the
 * length). Slices in *h point into buf and live as long as buf does.
 */
int http_parse_head(struct http_head *h, enum http_kind kind, const char *buf, size_t len,
		    size_t max_head);

/*
 * Re-points every slice of h from a buffer at old_base to a copy of the same
 * bytes at new_base (after the caller copied the head elsewhere).
 */
void http_head_rebase(struct http_head *h, const char *old_base, const char *new_base);

/* Returns the value of the first header called `name` (any case), or NULL. */
const struct http_str *http_header_get(const struct http_head *h, const char *name);

/* Returns true when s is a token (RFC 9110 section 5.6.2): one or more tchar, as a header name must be. */
bool http_is_token(struct http_str s);

/* Returns true when a[0..n) and b[0..n) are equal ignoring ASCII case. */
bool http_mem_eq_ci(const char *a, const char *b, size_t n);

/*
 * Returns true when s equals the NUL-terminated z ignoring ASCII case. Inline
 * so that z's length is known at compile time for the literals callers pass.
 */
static inline bool http_str_eq_ci(struct http_str s, const char *z)
{
	size_t n = strlen(z);

	return s.len == n && http_mem_eq_ci(s.p, z, n);
}

/* Copies n bytes from src to dst with ASCII upper case made lower (header names as records keep them). */
void http_lower_copy(char *dst, const char *src, size_t n);

/*
 * Returns true for the header fields whose values are credentials and never
 * belong in a record unless asked for: Authorization, Proxy-Authorization,
 * Cookie, Set-Cookie (any case).
 */
bool http_header_secret(struct http_str name);

/* The value a secret header field is written with instead of its own. */
#define HTTP_REDACTED "<redacted>"

/*
 * Returns true when the comma-separated header value s holds the token z
 * (any case), e.g. "close" in "Connection: keep-alive, Close".
 */
bool http_list_has(struct http_str s, const char *z);

/* How the body after a head is delimited. */
enum http_framing {
	HTTP_BODY_NONE,		/* no body at all */
	HTTP_BODY_LENGTH,	/* Content-Length bytes */
	HTTP_BODY_CHUNKED,	/* chunked transfer coding */
	HTTP_BODY_UNTIL_CLOSE,	/* a response that ends when the connection closes */
};

/* Body-framing state of one message; plain data, no allocation, copy freely. */
struct http_body {
	enum http_framing framing;
	int state;			/* chunked sub-state (private) */
	uint64_t remaining;		/* bytes left of the body or the current chunk */
	uint64_t payload;		/* body payload bytes seen so far (chunk framing excluded) */
	uint32_t line_len;		/* bytes of the current chunk-size or trailer line */
	uint32_t trailer_len;		/* bytes of the trailer section so far */
	bool digits;			/* the chunk-size line has a digit */
	bool complete;			/* the whole message has been consumed */
	/* Called with each run of payload bytes (p is NULL for uncaptured ones); may be NULL. */
	void (*on_data)(void *ctx, const char *p, size_t n);
	void *ctx;
};

/*
 * Sets up framing for the body that follows head h. For a response,
 * request_was_head says the request was HEAD (its response has no body);
 * 1xx, 204 and 304 responses have none either, and a request without
 * Content-Length or chunked has none. b->complete is set at once when
 * there is no body. on_data/ctx are cleared: set them after this call.
 */
void http_body_init(struct http_body *b, const struct http_head *h, bool request_was_head);

/*
 * Consumes body bytes. data may be NULL for len bytes known to exist but not
 * captured: that is fine inside a Content-Length or until-close body and
 * inside chunk payload. Sets *used to the bytes consumed; stops at the end of
 * the message (b->complete), so *used < len means the rest belongs to the next
 * message. Returns 0, -EBADMSG for malformed chunk framing, or -ENODATA when
 * uncaptured bytes (data == NULL) cover chunk framing that had to be read:
 * the stream cannot be followed past that point. *used is valid on errors too.
 */
int http_body_consume(struct http_body *b, const char *data, size_t len, size_t *used);

/*
 * The connection ended. Returns true (and sets b->complete) when that ends the
 * message normally: an until-close body, or a message already complete.
 */
bool http_body_finish_at_eof(struct http_body *b);

#endif
