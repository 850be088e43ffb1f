/*
 * netguard.h - lab traffic never leaves the lab. Addresses of 198.18.0.0/15
 * belong to the lab's pods and services, which only the lab's own network
 * reaches; from anywhere else (the host has no lab route) a connection to
 * one would leave through the default gateway. The traffic driver and the
 * metrics scraper refuse such a connection before making it.
 */
#ifndef SMIW_UTIL_NETGUARD_H
#define SMIW_UTIL_NETGUARD_H

#include <sys/socket.h>

#include <stddef.h>

/*
 * Whether a connection to `ss` (host as given, for the message) may be
 * made from the calling thread's network namespace: any address outside
 * the lab range, or a lab address a directly attached network reaches.
 * Returns 0, or -EINVAL with why not, and how to make it from inside a
 * pod, in `why`. Prints nothing.
 */
int netguard_addr(const struct sockaddr_storage *ss, const char *host, char *why, size_t len);

/*
 * As netguard_addr() for the host of an http(s) URL when it is an IPv4
 * address (a name is resolved by the fetch itself; lab names resolve only
 * inside pods).
 */
int netguard_url(const char *url, char *why, size_t len);

#endif
