/* url.h - http:// URLs as the driver and /call take them. */
#ifndef SMIW_HTTP_URL_H
#define SMIW_HTTP_URL_H

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

#endif
