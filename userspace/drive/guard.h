/*
 * guard.h - the driver never sends lab traffic out of the lab. Addresses of
 * 198.18.0.0/15 belong to the lab's pods and services, which only the lab's
 * own network reaches; from anywhere else (the host has no lab route) a
 * connection to one would leave through the default gateway.
 */
#ifndef SMIW_DRIVE_GUARD_H
#define SMIW_DRIVE_GUARD_H

#include <sys/socket.h>

/*
 * Whether a connection to `ss` (host as given, for the message) may be
 * made from this network namespace: any address outside the lab range, or
 * a lab address a directly attached network reaches. Returns 0, or -EINVAL
 * after printing why not and how to run the driver inside a pod.
 */
int drive_guard(const struct sockaddr_storage *ss, const char *host);

#endif
