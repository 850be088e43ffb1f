/* url.c - see url.h */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/url.h"
#include "util/parse.h"

static int parse_port(const char *p, size_t n, uint16_t *port)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* host, [v6] or host:port, [v6]:port */
static int parse_authority(const char *a, size_t n, struct http_url *u)
{
	const char *host = a, *colon = NULL;
	size_t hlen;

	if (n == 0 || n >= sizeof(u->authority))
		return n ? -ENAMETOOLONG : -EINVAL;
	if (memchr(a, '@', n))
		return -EINVAL;
	if (a[0] == '[') {
		const char *rb = memchr(a, ']', n);

		if (!rb || rb == a + 1)
			return -EINVAL;
		host = a + 1;
		hlen = (size_t)(rb - host);
		if (rb + 1 < a + n) {
			if (rb[1] != ':')
				return -EINVAL;
			colon = rb + 1;
		}
	} else {
		colon = memchr(a, ':', n);
		hlen = colon ? (size_t)(colon - a) : n;
	}
	if (hlen == 0 || hlen >= sizeof(u->host))
		return -EINVAL;
	u->port = 80;
	if (colon && parse_port(colon + 1, (size_t)(a + n - colon - 1), &u->port))
		return -EINVAL;
	memcpy(u->host, host, hlen);
	u->host[hlen] = '\0';
	memcpy(u->authority, a, n);
	u->authority[n] = '\0';
	return 0;
}

int http_url_parse(const char *s, struct http_url *u)
{
	const char *a, *end, *path, *frag;
	size_t plen;
	int r;

	if (strncasecmp(s, "http://", 7))
		return strstr(s, "://") ? -EPROTONOSUPPORT : -EINVAL;
	for (const char *q = s; *q; q++)
		if ((unsigned char)*q <= 0x20 || *q == 0x7f)
			return -EINVAL;
	a = s + 7;
	end = a + strlen(a);
	frag = strchr(a, '#');
	if (frag)
		end = frag;
	path = a + strcspn(a, "/?#");
	r = parse_authority(a, (size_t)(path - a), u);
	if (r)
		return r;
	plen = (size_t)(end - path);
	if (plen + 2 > sizeof(u->path))
		return -ENAMETOOLONG;
	if (plen == 0 || path[0] == '?')
		snprintf(u->path, sizeof(u->path), "/%.*s", (int)plen, path);
	else
		snprintf(u->path, sizeof(u->path), "%.*s", (int)plen, path);
	return 0;
}

int http_query_get(const char *query, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
		size_t o = 0;

		if (strncmp(p, key, kl) || p[kl] != '=')
			continue;
		for (p += kl + 1; *p && *p != '&'; p++) {
			char ch = *p;

			if (ch == '+')
				ch = ' ';
			else if (ch == '%' && parse_hex_digit(p[1]) >= 0 && parse_hex_digit(p[2]) >= 0) {
				ch = (char)(parse_hex_digit(p[1]) * 16 + parse_hex_digit(p[2]));
				p += 2;
			}
			if (o + 1 >= len)
				return -ENAMETOOLONG;
			buf[o++] = ch;
		}
		buf[o] = '\0';
		return 0;
	}
	return -ENOENT;
}
