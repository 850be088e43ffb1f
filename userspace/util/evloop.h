/* evloop.h - a small level-triggered epoll loop shared by the sample app and the driver. */
#ifndef SMIW_EVLOOP_H
#define SMIW_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "util/clock.h"

struct ev_io;
/* Called with the epoll events (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, ...) of io's fd. */
typedef void (*ev_cb)(struct ev_io *io, uint32_t events);

/* One watched fd; embed it in the object that owns the fd. */
struct ev_io {
	int fd;
	uint32_t events;
	ev_cb cb;
};

#define EVLOOP_MAX_DEAD 256

struct evloop {
	int epfd;
	bool stop;
	/* ios removed while a batch of events is dispatched: their pending events are skipped */
	const struct ev_io *dead[EVLOOP_MAX_DEAD];
	int ndead;
	bool batch_stale;
};

/* Creates the epoll instance. Returns 0 or -errno. */
int evloop_init(struct evloop *l);

/* Closes the epoll instance (watched fds are the owners' to close). */
void evloop_fini(struct evloop *l);

/* Watches fd for events, calling cb. Returns 0 or -errno. */
int evloop_add(struct evloop *l, struct ev_io *io, int fd, uint32_t events, ev_cb cb);

/* Changes the events watched on io (no-op when unchanged). Returns 0 or -errno. */
int evloop_mod(struct evloop *l, struct ev_io *io, uint32_t events);

/*
 * Stops watching io; events of this batch already fetched for it are dropped,
 * so the owner may free io (and close its fd) right after this call.
 */
void evloop_del(struct evloop *l, struct ev_io *io);

/* Waits up to timeout_ms (-1: forever) and dispatches events. Returns events handled or -errno. */
int evloop_run_once(struct evloop *l, int timeout_ms);

/*
 * Blocks SIGINT and SIGTERM and watches them through a signalfd on io, so a
 * stop request arrives as an event of the loop (between two callbacks, never
 * inside one). cb reads the signalfd; the caller closes io->fd at the end.
 * Returns 0 or -errno (nothing left open).
 */
int evloop_watch_signals(struct evloop *l, struct ev_io *io, ev_cb cb);

/* Raises the soft open-file limit towards `want` (never past the hard limit). Returns the new soft limit. */
unsigned long evloop_raise_nofile(unsigned long want);

#endif
