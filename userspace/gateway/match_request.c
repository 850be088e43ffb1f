/*
 * match_request.c - does a request meet a match? Path semantics of the
 * spec: Exact is whole-path equality, PathPrefix compares whole
 * '/'-separated segments (a trailing '/' on the value is ignored), both
 * case-sensitive and on the path without its query. Header names compare
 * case-insensitively; the first field line of a name is its value.
 * Query parameters: the first occurrence of a name (case-sensitive), not
 * URL-decoded, as the spec recommends.
 */
#include <string.h>
#include <strings.h>

#include "gateway/internal.h"

/* Length of the path part of a request target (up to '?' or '#'). */
static size_t path_len(const char *target)
{
	return strcspn(target, "?#");
}

/* PathPrefix: prefix "/abc" (or "/abc/") takes /abc, /abc/ and /abc/def, not /abcd. */
static bool prefix_matches(const char *prefix, const char *path, size_t len)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (n == 1 && prefix[0] == '/')
		return true;
	if (len < n || memcmp(prefix, path, n))
		return false;
	return len == n || path[n] == '/';
}

static bool value_matches(const struct gw_value_match *m, const char *v)
{
	if (!v)
		return false;
	if (m->type == GW_REGEX)
		return m->re && gw_regex_match(m->re, v, strlen(v));
	return !strcmp(m->value, v);
}

static const char *header_value(const struct gw_header *h, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(h[i].name, name))
			return h[i].value;
	return NULL;
}

/* The first value of query parameter `name` in the target, into buf; NULL when absent. */
static const char *query_value(const char *target, const char *name, char *buf, size_t len)
{
	const char *q = strchr(target, '?');
	size_t nl = strlen(name);

	for (q = q ? q + 1 : NULL; q && *q && *q != '#';) {
		size_t item = strcspn(q, "&#");
		const char *eq = memchr(q, '=', item);
		size_t kl = eq ? (size_t)(eq - q) : item;

		if (kl == nl && !memcmp(q, name, nl)) {
			size_t vl = eq ? item - kl - 1 : 0;

			if (vl >= len)
				return NULL;
			memcpy(buf, eq ? eq + 1 : "", vl);
			buf[vl] = '\0';
			return buf;
		}
		q += item;
		if (*q == '&')
			q++;
	}
	return NULL;
}

static bool path_matches(const struct gw_http_match *m, const char *target)
{
	size_t len = path_len(target);

	switch (m->path_type) {
	case GW_PATH_EXACT:
		return strlen(m->path) == len && !memcmp(m->path, target, len);
	case GW_PATH_PREFIX:
		return prefix_matches(m->path, target, len);
	default:
		return m->path_re && gw_regex_match(m->path_re, target, len);
	}
}

bool gw_http_match_request(const struct gw_http_match *m, const struct gw_http_request *req)
{
	char buf[4097];

	if (!req->path || !path_matches(m, req->path))
		return false;
	if (m->method && (!req->method || strcmp(m->method, req->method)))
		return false;
	for (size_t i = 0; i < m->n_headers; i++)
		if (!value_matches(&m->headers[i], header_value(req->headers, req->n_headers, m->headers[i].name)))
			return false;
	for (size_t i = 0; i < m->n_query; i++)
		if (!value_matches(&m->query[i], query_value(req->path, m->query[i].name, buf, sizeof(buf))))
			return false;
	return true;
}

static bool grpc_name_matches(enum gw_value_type t, const char *want, const struct gw_regex *re,
			      const char *got)
{
	if (!want)
		return true;
	if (!got)
		return false;
	return t == GW_REGEX ? re && gw_regex_match(re, got, strlen(got)) : !strcmp(want, got);
}

bool gw_grpc_match_request(const struct gw_grpc_match *m, const struct gw_grpc_request *req)
{
	if (m->has_method &&
	    (!grpc_name_matches(m->method_type, m->service, m->service_re, req->service) ||
	     !grpc_name_matches(m->method_type, m->method, m->method_re, req->method)))
		return false;
	for (size_t i = 0; i < m->n_headers; i++)
		if (!value_matches(&m->headers[i], header_value(req->headers, req->n_headers, m->headers[i].name)))
			return false;
	return true;
}
