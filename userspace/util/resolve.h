/* resolve.h - host name to address, with a small cache. */
#ifndef SMIW_RESOLVE_H
#define SMIW_RESOLVE_H

#include <stdint.h>
#include <sys/socket.h>

/*
 * Resolves host (a name or a numeric address) and port to one TCP address
 * via getaddrinfo (so /etc/hosts applies). Numeric addresses never block;
 * names are cached for 30 s (up to 64 of them), so a busy caller pays the
 * lookup once. Returns 0, or -EHOSTUNREACH when the name does not resolve.
 */
int resolve_tcp(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);

#endif
