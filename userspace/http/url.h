/* url.h - http:// URLs as the driver and /call take them. */
#ifndef SMIW_HTTP_URL_H
#define SMIW_HTTP_URL_H

#include <stddef.h>
#include <stdint.h>

#define URL_MAX_HOST 256
#define URL_MAX_PATH 4096

struct http_url {
	char host[URL_MAX_HOST];	/* name or address, without IPv6 brackets */
	char authority[URL_MAX_HOST + 8];	/* host[:port] as written: the Host header */
	uint16_t port;			/* 80 when not given */
	char path[URL_MAX_PATH];	/* path and query ("/" when empty), no fragment */
};

/*
 * Parses "http://host[:port][/path][?query][#fragment]". Returns 0, or
 * -EPROTONOSUPPORT for another scheme, -EINVAL when malformed (user info,
 * bad port, empty host, control characters), -ENAMETOOLONG when too long.
 */
int http_url_parse(const char *s, struct http_url *u);

/*
 * Copies the percent-decoded value of `key` ('+' is a space) from a query
 * string ("a=1&b=x%20y", without the '?') into buf. Returns 0, -ENOENT when
 * absent, -ENAMETOOLONG when it does not fit.
 */
int http_query_get(const char *query, const char *key, char *buf, size_t len);

#endif
