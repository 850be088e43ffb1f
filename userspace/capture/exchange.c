/* exchange.c - filling an exchange record from a parsed request head or HTTP/2 header fields. */
#include <string.h>

#include "capture/exchange.h"

/* Copies s into dst (size n) NUL-terminated; sets *cut when it did not fit. */
static void copy_field(char *dst, size_t n, const char *p, size_t len, bool *cut)
{
	if (len >= n) {
		len = n - 1;
		*cut = true;
	}
	memcpy(dst, p, len);
	dst[len] = '\0';
}

static bool prefix_ci(const char *p, size_t len, const char *z)
{
	size_t n = strlen(z);

	return len >= n && http_str_eq_ci((struct http_str){ p, n }, z);
}

/*
 * Absolute-form targets ("http://host:port/p?q", sent to proxies) become
 * origin form, so `path` always starts with '/' (or is "*" / an authority).
 * The authority is returned for requests without a Host header.
 */
static struct http_str origin_form(struct http_str t, struct http_str *authority)
{
	size_t skip = prefix_ci(t.p, t.len, "http://") ? 7 : prefix_ci(t.p, t.len, "https://") ? 8 : 0;
	const char *slash;

	*authority = (struct http_str){ NULL, 0 };
	if (!skip)
		return t;
	slash = memchr(t.p + skip, '/', t.len - skip);
	*authority = (struct http_str){ t.p + skip, (slash ? slash : t.p + t.len) - (t.p + skip) };
	if (!slash)
		return (struct http_str){ "/", 1 };
	return (struct http_str){ slash, t.p + t.len - slash };
}

/* A header table being filled: the fields, their buffer, and the exchange's cut flag. */
struct table {
	struct obs_write_header *v;
	unsigned *n, max;
	char *buf;
	size_t cap;
	bool *truncated;
};

/* Appends one field to the table, the name in lower case; a field that does not fit is left out (truncated). */
static void add_field(const struct table *t, struct http_str name, struct http_str value, bool redact)
{
	size_t used = *t->n ? t->v[*t->n - 1].value + t->v[*t->n - 1].value_len : 0;

	if (redact)
		value = (struct http_str){ HTTP_REDACTED, sizeof(HTTP_REDACTED) - 1 };
	if (*t->n == t->max || used + name.len + value.len > t->cap) {
		*t->truncated = true;
		return;
	}
	t->v[*t->n].name = used;
	t->v[*t->n].name_len = name.len;
	http_lower_copy(t->buf + used, name.p, name.len);
	used += name.len;
	t->v[*t->n].value = used;
	t->v[*t->n].value_len = value.len;
	memcpy(t->buf + used, value.p, value.len);
	(*t->n)++;
}

/* Appends one request header field to x->hdrbuf. */
static void add_header(struct cap_exchange *x, struct http_str name, struct http_str value, bool redact)
{
	add_field(&(struct table){ x->headers, &x->nheaders, CAP_HEADERS_MAX, x->hdrbuf, CAP_HEADER_BYTES,
				   &x->truncated }, name, value, redact);
}

/* Whether name is one of names[0..n) (case-insensitive). */
static bool named(struct http_str name, const char *const *names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (http_str_eq_ci(name, names[i]))
			return true;
	return false;
}

/* Appends one response header field to x->resp_hdrbuf when its name is asked for. */
static void add_resp_header(struct cap_exchange *x, struct http_str name, struct http_str value, bool redact,
			    const char *const *names, unsigned n)
{
	if (named(name, names, n))
		add_field(&(struct table){ x->resp_headers, &x->nresp_headers, CAP_RESP_HEADERS_MAX, x->resp_hdrbuf,
					   CAP_RESP_HEADER_BYTES, &x->truncated }, name, value, redact);
}

void exchange_fill_request(struct cap_exchange *x, const struct http_head *h, bool unredacted)
{
	const struct http_str *host = NULL, *rid = NULL;
	struct http_str authority, path = origin_form(h->target, &authority);

	/* One pass over the fields: keep them all, note the two the record names. */
	for (size_t i = 0; i < h->nheaders; i++) {
		struct http_str name = h->headers[i].name;

		if (!host && name.len == 4 && http_str_eq_ci(name, "host"))
			host = &h->headers[i].value;
		else if (!rid && name.len == 12 && http_str_eq_ci(name, "x-request-id"))
			rid = &h->headers[i].value;
		add_header(x, name, h->headers[i].value, !unredacted && http_header_secret(name));
	}
	copy_field(x->method, sizeof(x->method), h->method.p, h->method.len, &x->truncated);
	copy_field(x->path, sizeof(x->path), path.p, path.len, &x->truncated);
	if (!host && authority.len)
		host = &authority;
	if (host)
		copy_field(x->host, sizeof(x->host), host->p, host->len, &x->truncated);
	if (rid)
		copy_field(x->request_id, sizeof(x->request_id), rid->p, rid->len, &x->truncated);
	x->head_request = http_str_eq_ci(h->method, "HEAD");
	x->tunnel_request = http_str_eq_ci(h->method, "CONNECT");
}

static bool name_is(const char *name, size_t len, const char *z)
{
	return len == strlen(z) && !memcmp(name, z, len);
}

/* HTTP/2 field names are tokens in lower case (RFC 9113 section 8.2.1). */
static bool h2_name_ok(struct http_str n)
{
	for (size_t i = 0; i < n.len; i++)
		if (n.p[i] >= 'A' && n.p[i] <= 'Z')
			return false;
	return http_is_token(n);
}

void exchange_h2_request_field(struct cap_exchange *x, const char *name, size_t name_len, const char *value,
			       size_t value_len, bool sensitive, bool unredacted)
{
	struct http_str n = { name, name_len }, v = { value, value_len };

	if (name_len && name[0] == ':') {
		if (name_is(name, name_len, ":method"))
			copy_field(x->method, sizeof(x->method), value, value_len, &x->truncated);
		else if (name_is(name, name_len, ":path"))
			copy_field(x->path, sizeof(x->path), value, value_len, &x->truncated);
		else if (name_is(name, name_len, ":authority"))
			copy_field(x->host, sizeof(x->host), value, value_len, &x->truncated);
		return;
	}
	if (!h2_name_ok(n)) {
		x->truncated = true;
		return;
	}
	if (!x->host[0] && name_is(name, name_len, "host"))
		copy_field(x->host, sizeof(x->host), value, value_len, &x->truncated);
	else if (!x->request_id[0] && name_is(name, name_len, "x-request-id"))
		copy_field(x->request_id, sizeof(x->request_id), value, value_len, &x->truncated);
	else if (name_is(name, name_len, "content-type") && prefix_ci(value, value_len, "application/grpc"))
		x->protocol = CAP_GRPC;
	add_header(x, n, v, !unredacted && (sensitive || http_header_secret(n)));
}

void exchange_h2_response_field(struct cap_exchange *x, const char *name, size_t name_len, const char *value,
				size_t value_len)
{
	if (name_is(name, name_len, "grpc-status")) {
		int st = 0;
		size_t i;

		for (i = 0; i < value_len && i < 9 && value[i] >= '0' && value[i] <= '9'; i++)
			st = st * 10 + (value[i] - '0');
		if (i && i == value_len) {
			x->has_grpc_status = true;
			x->grpc_status = st;
		}
	} else if (name_is(name, name_len, "grpc-message")) {
		copy_field(x->grpc_message, sizeof(x->grpc_message), value, value_len, &x->truncated);
	}
}

void exchange_fill_response(struct cap_exchange *x, const struct http_head *h)
{
	if (h->status / 100 != 3)
		return;
	for (size_t i = 0; i < h->nheaders; i++)
		if (h->headers[i].name.len == 8 && http_str_eq_ci(h->headers[i].name, "location")) {
			copy_field(x->location, sizeof(x->location), h->headers[i].value.p, h->headers[i].value.len,
				   &x->truncated);
			return;
		}
}

void exchange_keep_response_headers(struct cap_exchange *x, const struct http_head *h, const char *const *names,
				    unsigned n, bool unredacted)
{
	x->has_resp_headers = true;
	for (size_t i = 0; i < h->nheaders; i++)
		add_resp_header(x, h->headers[i].name, h->headers[i].value,
				!unredacted && http_header_secret(h->headers[i].name), names, n);
}

void exchange_h2_response_header(struct cap_exchange *x, const char *name, size_t name_len, const char *value,
				 size_t value_len, bool sensitive, const char *const *names, unsigned n,
				 bool unredacted)
{
	struct http_str nm = { name, name_len };

	x->has_resp_headers = true;
	if (name_len && name[0] != ':' && h2_name_ok(nm))
		add_resp_header(x, nm, (struct http_str){ value, value_len },
				!unredacted && (sensitive || http_header_secret(nm)), names, n);
}

void exchange_h2_location(struct cap_exchange *x, const char *name, size_t name_len, const char *value,
			  size_t value_len)
{
	if (!x->location[0] && name_is(name, name_len, "location"))
		copy_field(x->location, sizeof(x->location), value, value_len, &x->truncated);
}
