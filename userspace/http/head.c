/* head.c - HTTP/1.x request and response heads (RFC 9112 sections 2-6). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/http.h"
#include "http/chars.h"
#include "util/swar.h"

bool http_mem_eq_ci(const char *a, const char *b, size_t n)
{
	size_t i;

	/*
	 * Header names are compared often and are mostly 4 to 20 bytes: whole
	 * words, the last one overlapping the one before, instead of a byte loop.
	 * Names of equal length that differ mostly differ at once: the first
	 * byte alone decides those.
	 */
	if (n && http_lower(a[0]) != http_lower(b[0]))
		return false;
	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8)
			if (http_lower8(swar_load8(a + i)) != http_lower8(swar_load8(b + i)))
				return false;
		return http_lower8(swar_load8(a + n - 8)) == http_lower8(swar_load8(b + n - 8));
	}
	if (n >= 4)
		return !((http_lower8(swar_load4(a)) ^ http_lower8(swar_load4(b))) |
			 (http_lower8(swar_load4(a + n - 4)) ^ http_lower8(swar_load4(b + n - 4))));
	for (i = 0; i < n; i++)
		if (http_lower(a[i]) != http_lower(b[i]))
			return false;
	return true;
}

void http_lower_copy(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w = http_lower8(swar_load8(src + i));

		memcpy(dst + i, &w, 8);
	}
	if (i < n && n >= 8) {	/* the last word again, overlapping: its first bytes come out the same */
		uint64_t w = http_lower8(swar_load8(src + n - 8));

		memcpy(dst + n - 8, &w, 8);
		return;
	}
	for (; i < n; i++)
		dst[i] = (char)http_lower(src[i]);
}

bool http_is_token(struct http_str s)
{
	for (size_t i = 0; i < s.len; i++)
		if (!http_is_tchar(s.p[i]))
			return false;
	return s.len > 0;
}

bool http_header_secret(struct http_str name)
{
	/* Cheap length test first: most fields are none of these. */
	switch (name.len) {
	case 6:
		return http_str_eq_ci(name, "cookie");
	case 10:
		return http_str_eq_ci(name, "set-cookie");
	case 13:
		return http_str_eq_ci(name, "authorization");
	case 19:
		return http_str_eq_ci(name, "proxy-authorization");
	default:
		return false;
	}
}

/* Splits s at commas and returns the next element, blanks trimmed; false at the end. */
static bool list_next(struct http_str *s, struct http_str *elem)
{
	const char *p = s->p, *end = s->p + s->len, *e;

	if (!s->p || p >= end)
		return false;
	e = memchr(p, ',', end - p);
	if (!e)
		e = end;
	*elem = http_trim((struct http_str){ p, e - p });
	s->p = e < end ? e + 1 : end;
	s->len = end - s->p;
	return true;
}

bool http_list_has(struct http_str s, const char *z)
{
	struct http_str e;

	while (list_next(&s, &e))
		if (http_str_eq_ci(e, z))
			return true;
	return false;
}

static void rebase(struct http_str *s, const char *old_base, const char *new_base)
{
	if (s->p)
		s->p = new_base + (s->p - old_base);
}

void http_head_rebase(struct http_head *h, const char *old_base, const char *new_base)
{
	rebase(&h->method, old_base, new_base);
	rebase(&h->target, old_base, new_base);
	rebase(&h->reason, old_base, new_base);
	for (size_t i = 0; i < h->nheaders; i++) {
		rebase(&h->headers[i].name, old_base, new_base);
		rebase(&h->headers[i].value, old_base, new_base);
	}
}

const struct http_str *http_header_get(const struct http_head *h, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < h->nheaders; i++)
		if (h->headers[i].name.len == n && http_str_eq_ci(h->headers[i].name, name))
			return &h->headers[i].value;
	return NULL;
}

/*
 * Finds the end of the line starting at p. Returns 1 with *line (without its
 * terminator) and *next set, 0 when the line is not complete yet, -EBADMSG for
 * a CR not followed by LF. A bare LF ends a line too (RFC 9112 2.2 allows it).
 */
static int next_line(const char *p, const char *end, struct http_str *line, const char **next)
{
	const char *lf = memchr(p, '\n', end - p), *cr;

	if (!lf) {
		cr = memchr(p, '\r', end - p);
		return cr && cr + 1 < end ? -EBADMSG : 0;
	}
	/*
	 * A CR elsewhere in a complete line is a control character, which every
	 * line parser below rejects (-EBADMSG as well): no second scan for it.
	 */
	line->p = p;
	line->len = (lf > p && lf[-1] == '\r' ? lf - 1 : lf) - p;
	*next = lf + 1;
	return 1;
}

/* "HTTP/1.d" exactly; sets *minor. */
static int parse_version(struct http_str v, int *minor)
{
	if (v.len != 8 || memcmp(v.p, "HTTP/1.", 7) || !http_is_digit(v.p[7]))
		return -EBADMSG;
	*minor = v.p[7] - '0';
	return 0;
}

/* method SP request-target SP HTTP-version */
static int parse_request_line(struct http_head *h, struct http_str l)
{
	const char *p = l.p, *end = l.p + l.len, *sp1, *sp2;

	for (sp1 = p; sp1 < end && http_is_tchar(*sp1); sp1++)
		;
	if (sp1 == p || sp1 == end || *sp1 != ' ')
		return -EBADMSG;
	for (sp2 = sp1 + 1; sp2 < end && http_is_vchar(*sp2); sp2++)
		;
	if (sp2 == sp1 + 1 || sp2 == end || *sp2 != ' ')
		return -EBADMSG;
	h->method = (struct http_str){ p, sp1 - p };
	h->target = (struct http_str){ sp1 + 1, sp2 - sp1 - 1 };
	return parse_version((struct http_str){ sp2 + 1, end - sp2 - 1 }, &h->minor);
}

/* HTTP-version SP 3DIGIT [SP reason]; the SP before an empty reason is often left out. */
static int parse_status_line(struct http_head *h, struct http_str l)
{
	const char *p = l.p;

	if (l.len < 12 || parse_version((struct http_str){ p, 8 }, &h->minor) || p[8] != ' ' ||
	    !http_is_digit(p[9]) || !http_is_digit(p[10]) || !http_is_digit(p[11]) ||
	    (l.len > 12 && p[12] != ' '))
		return -EBADMSG;
	h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (h->status < 100)
		return -EBADMSG;
	h->reason = l.len > 12 ? (struct http_str){ p + 13, l.len - 13 } : (struct http_str){ p + 12, 0 };
	for (size_t i = 0; i < h->reason.len; i++)
		if (http_is_ctl(h->reason.p[i]) && h->reason.p[i] != '\t')
			return -EBADMSG;
	return 0;
}

/*
 * A partial first line can already be wrong: a request method must be a token
 * and a status line must start with "HTTP/1.". Checking early lets stream
 * assembly give up on non-HTTP bytes without waiting for a line end.
 */
static int check_partial_start(enum http_kind kind, const char *p, const char *end)
{
	static const char prefix[] = "HTTP/1.";

	if (kind == HTTP_RESPONSE) {
		size_t n = (size_t)(end - p) < 7 ? (size_t)(end - p) : 7;

		return memcmp(p, prefix, n) ? -EBADMSG : 0;
	}
	for (; p < end && *p != ' '; p++)
		if (!http_is_tchar(*p) && !(*p == '\r' && p + 1 == end))	/* CR of an empty line */
			return -EBADMSG;
	return 0;
}

/* All elements of a Content-Length value must be equal digit strings (RFC 9110 8.6). */
static int parse_content_length(struct http_str v, int64_t *out)
{
	struct http_str e;
	int64_t seen = -1;

	if (v.len == 0)
		return -EBADMSG;
	while (list_next(&v, &e)) {
		uint64_t n = 0;

		if (e.len == 0 || e.len > 16)
			return -EBADMSG;
		for (size_t i = 0; i < e.len; i++) {
			if (!http_is_digit(e.p[i]))
				return -EBADMSG;
			n = n * 10 + (e.p[i] - '0');
		}
		if (n > HTTP_MAX_CONTENT_LENGTH || (seen >= 0 && (uint64_t)seen != n))
			return -EBADMSG;
		seen = (int64_t)n;
	}
	if (*out >= 0 && *out != seen)
		return -EBADMSG;
	*out = seen;
	return 0;
}

/* The last coding decides: chunked must be last when present (RFC 9112 6.1). */
static void note_transfer_encoding(struct http_head *h, struct http_str v)
{
	struct http_str e;

	h->has_transfer_encoding = true;
	while (list_next(&v, &e))
		if (e.len)
			h->chunked = http_str_eq_ci(e, "chunked");
}

/* No control character but HTAB in [p, end): eight bytes at a time, bytewise where a word has one. */
static bool value_ok(const char *p, const char *end)
{
	for (; end - p >= 8; p += 8) {
		uint64_t w = swar_load8(p), d;

		d = w ^ (SWAR_ONES * 0x7f);
		if (!((((w - SWAR_ONES * 0x20) & ~w) | ((d - SWAR_ONES) & ~d)) & SWAR_HIGHS))
			continue;
		for (int i = 0; i < 8; i++)
			if (http_is_ctl(p[i]) && p[i] != '\t')
				return false;
	}
	for (; p < end; p++)
		if (http_is_ctl(*p) && *p != '\t')
			return false;
	return true;
}

/* name ":" OWS value OWS; no blank before the colon, no obs-fold. */
static int parse_header_line(struct http_head *h, struct http_str l)
{
	const char *p = l.p, *end = l.p + l.len, *colon;
	struct http_header *hd;

	for (colon = p; colon < end && http_is_tchar(*colon); colon++)
		;
	if (colon == p || colon == end || *colon != ':')
		return -EBADMSG;
	if (!value_ok(colon + 1, end))
		return -EBADMSG;
	if (h->nheaders == HTTP_MAX_HEADERS)
		return -EMSGSIZE;
	hd = &h->headers[h->nheaders++];
	hd->name = (struct http_str){ p, colon - p };
	hd->value = http_trim((struct http_str){ colon + 1, end - colon - 1 });
	/* By length first: the three names that matter here are 14, 17 and 10 bytes. */
	if (hd->name.len == 14 && http_str_eq_ci(hd->name, "content-length"))
		return parse_content_length(hd->value, &h->content_length);
	if (hd->name.len == 17 && http_str_eq_ci(hd->name, "transfer-encoding"))
		note_transfer_encoding(h, hd->value);
	if (hd->name.len == 10 && !h->connection && http_str_eq_ci(hd->name, "connection"))
		h->connection = h->nheaders;
	return 0;
}

/* Checks framing rules that need the whole head, and derives keep-alive. */
static int finish_head(struct http_head *h)
{
	const struct http_str *conn = h->connection ? &h->headers[h->connection - 1].value : NULL;

	/*
	 * A request with Transfer-Encoding must end in chunked and must not also
	 * carry Content-Length: both are request-smuggling shapes (RFC 9112 6.1,
	 * 6.3). A response is read leniently: chunked wins, otherwise until close.
	 */
	if (h->kind == HTTP_REQUEST && h->has_transfer_encoding &&
	    (!h->chunked || h->content_length >= 0))
		return -EBADMSG;
	if (h->minor >= 1)
		h->keep_alive = !(conn && http_list_has(*conn, "close"));
	else
		h->keep_alive = conn && http_list_has(*conn, "keep-alive");
	/* A response whose body runs until close cannot leave the connection open. */
	if (h->kind == HTTP_RESPONSE && h->has_transfer_encoding && !h->chunked)
		h->keep_alive = false;
	return 0;
}

int http_parse_head(struct http_head *h, enum http_kind kind, const char *buf, size_t len,
		    size_t max_head)
{
	const char *p = buf, *end, *next;
	struct http_str line;
	bool first = true;
	int r;

	memset(h, 0, offsetof(struct http_head, headers));
	h->kind = kind;
	h->content_length = -1;
	h->has_transfer_encoding = h->chunked = h->keep_alive = false;
	h->head_len = 0;
	h->connection = 0;
	end = buf + (len < max_head ? len : max_head);
	if (kind == HTTP_REQUEST)	/* RFC 9112 2.2: ignore empty lines before a request */
		while (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')))
			p += *p == '\r' ? 2 : 1;
	for (;;) {
		r = next_line(p, end, &line, &next);
		if (r < 0)
			return r;
		if (r == 0) {
			if (first && check_partial_start(kind, p, end))
				return -EBADMSG;
			return len >= max_head ? -EMSGSIZE : 0;
		}
		if (first) {
			r = kind == HTTP_REQUEST ? parse_request_line(h, line) : parse_status_line(h, line);
			first = false;
		} else if (line.len == 0) {
			break;
		} else {
			r = parse_header_line(h, line);
		}
		if (r < 0)
			return r;
		p = next;
	}
	r = finish_head(h);
	if (r < 0)
		return r;
	h->head_len = next - buf;
	return (int)h->head_len;
}
