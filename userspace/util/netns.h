/* netns.h - running code in a throw-away network namespace, or in an existing one. */
#ifndef SMIW_NETNS_H
#define SMIW_NETNS_H

/*
 * Forks a child that enters a new, private network namespace, brings its
 * loopback up and returns fn(arg) as its exit status; the namespace dies
 * with the child, so nothing it sends can leave it. Returns fn's result
 * (0..255) or a negative errno when the child could not run.
 */
int netns_run_private(int (*fn)(void *arg), void *arg);

/*
 * Runs fn(arg) on a new thread that first enters the network namespace at
 * `path` (e.g. /run/netns/NAME) and waits for it. A network namespace is
 * per thread, so the caller's own namespace never changes, and no process
 * is started (what fn does stays in the caller's cgroup). Returns fn's result,
 * or a negative errno when the thread could not enter the namespace.
 */
int netns_run_thread(const char *path, int (*fn)(void *arg), void *arg);

/* Brings interface `ifname` up in the current namespace. Returns 0 or -errno. */
int netns_link_up(const char *ifname);

#endif
