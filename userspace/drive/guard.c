/* guard.c - see guard.h */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "drive/guard.h"
#include "util/log.h"

#define LAB_RANGE_NET 0xc6120000u	/* 198.18.0.0/15, host byte order */
#define LAB_RANGE_MASK 0xfffe0000u
#define ROUTE_GATEWAY 0x2	/* RTF_GATEWAY */

/*
 * Whether the longest-prefix route of this network namespace to addr (host
 * byte order) is a directly attached network. /proc/net/route lists the
 * IPv4 routes of the reading process's namespace, in network byte order.
 */
static bool directly_attached(uint32_t addr)
{
	FILE *f = fopen("/proc/net/route", "r");
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

int drive_guard(const struct sockaddr_storage *ss, const char *host)
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
	error("'%s' (%s) is a lab address, and no network here reaches the lab: the request would leave "
	      "the machine. Drive from inside a pod: smi-witness lab exec app-a -- smi-witness drive ...", host, text);
	return -EINVAL;
}
