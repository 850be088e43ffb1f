/* resolve.c - see resolve.h */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "util/evloop.h"
#include "util/resolve.h"

#define CACHE_SIZE 64
#define CACHE_TTL_NS (30ULL * 1000000000ULL)

struct cached {
	char host[256];
	struct sockaddr_storage ss;
	socklen_t len;
	uint64_t expires_ns;
};

static struct cached cache[CACHE_SIZE];
static unsigned cache_next;

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static int lookup(const char *host, int flags, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = flags }, *res;

	if (getaddrinfo(host, NULL, &hints, &res))
		return -EHOSTUNREACH;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int resolve_tcp(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	uint64_t now = mono_ns();
	struct cached *c;
	int r;

	if (strlen(host) >= sizeof(cache[0].host))
		return -EHOSTUNREACH;
	if (lookup(host, AI_NUMERICHOST, ss, len) == 0)
		goto done;
	for (unsigned i = 0; i < CACHE_SIZE; i++) {
		c = &cache[i];
		if (c->expires_ns > now && !strcmp(c->host, host)) {
			memcpy(ss, &c->ss, c->len);
			*len = c->len;
			goto done;
		}
	}
	r = lookup(host, 0, ss, len);
	if (r)
		return r;
	c = &cache[cache_next++ % CACHE_SIZE];
	snprintf(c->host, sizeof(c->host), "%s", host);
	memcpy(&c->ss, ss, *len);
	c->len = *len;
	c->expires_ns = now + CACHE_TTL_NS;
done:
	set_port(ss, port);
	return 0;
}
