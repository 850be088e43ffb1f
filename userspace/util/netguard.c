/* netguard.c - see netguard.h */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/netguard.h"

#define LAB_RANGE_NET 0xc6120000u	/* 198.18.0.0/15, host byte order */
#define LAB_RANGE_MASK 0xfffe0000u
#define ROUTE_GATEWAY 0x2	/* RTF_GATEWAY */

/*
 * Whether the longest-prefix route of this network namespace to addr (host
 * byte order) is a directly attached network. The thread's own view of
 * /proc/net lists the IPv4 routes of its namespace (a scrape runs on a
 * thread inside the mesh pod's), in network byte order.
 */
static bool directly_attached(uint32_t addr)
{
	FILE *f = fopen("/proc/thread-self/net/route", "r");
	char line[512], iface[64];
	unsigned dest, gw, flags, mask;
	int best_len = -1;
	bool attached = false;

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f)) {	/* the header */
		fclose(f);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		uint32_t d, m;
		int len;

		if (sscanf(line, "%63s %x %x %x %*u %*u %*u %x", iface, &dest, &gw, &flags, &mask) != 5)
			continue;
		d = ntohl(dest);
		m = ntohl(mask);
		if ((addr & m) != d)
			continue;
		len = __builtin_popcount(m);
		if (len > best_len) {
			best_len = len;
			attached = !(flags & ROUTE_GATEWAY);
		}
	}
	fclose(f);
	return attached;
}

int netguard_addr(const struct sockaddr_storage *ss, const char *host, char *why, size_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	uint32_t addr;
	char text[INET_ADDRSTRLEN];

	if (ss->ss_family != AF_INET)
		return 0;
	addr = ntohl(sin->sin_addr.s_addr);
	if ((addr & LAB_RANGE_MASK) != LAB_RANGE_NET || directly_attached(addr))
		return 0;
	inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
	snprintf(why, len, "'%s'%s%s%s is a lab address, and no network here reaches the lab: the request would "
		 "leave the machine. Send it from inside a pod: smi-witness lab exec app-a -- smi-witness ...",
		 host, strcmp(host, text) ? " (" : "", strcmp(host, text) ? text : "", strcmp(host, text) ? ")" : "");
	return -EINVAL;
}

int netguard_url(const char *url, char *why, size_t len)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	const char *h = strstr(url, "://");
	char host[64];
	size_t n;

	if (!h)
		return 0;
	h += 3;
	n = strcspn(h, ":/?#");
	if (n >= sizeof(host))
		return 0;
	snprintf(host, sizeof(host), "%.*s", (int)n, h);
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return 0;
	sin->sin_family = AF_INET;
	return netguard_addr(&ss, host, why, len);
}
