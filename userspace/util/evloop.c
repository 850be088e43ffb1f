/* evloop.c - see evloop.h */
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "util/evloop.h"

unsigned long evloop_raise_nofile(unsigned long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur;
}

int evloop_init(struct evloop *l)
{
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->stop = false;
	l->ndead = 0;
	l->batch_stale = false;
	return l->epfd < 0 ? -errno : 0;
}

void evloop_fini(struct evloop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int evloop_add(struct evloop *l, struct ev_io *io, int fd, uint32_t events, ev_cb cb)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	io->fd = fd;
	io->events = events;
	io->cb = cb;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int evloop_mod(struct evloop *l, struct ev_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	if (io->events == events)
		return 0;
	io->events = events;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) ? -errno : 0;
}

void evloop_del(struct evloop *l, struct ev_io *io)
{
	if (io->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	/*
	 * The owner may free io now while this batch still holds events for it.
	 * Remember it; past the table's size, drop the rest of the batch: the
	 * loop is level-triggered, so live fds report again on the next wait.
	 */
	if (l->ndead < EVLOOP_MAX_DEAD)
		l->dead[l->ndead++] = io;
	else
		l->batch_stale = true;
}

static bool is_dead(const struct evloop *l, const struct ev_io *io)
{
	for (int i = 0; i < l->ndead; i++)
		if (l->dead[i] == io)
			return true;
	return false;
}

int evloop_run_once(struct evloop *l, int timeout_ms)
{
	struct epoll_event evs[64];
	int n;

	n = epoll_wait(l->epfd, evs, 64, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->ndead = 0;
	l->batch_stale = false;
	for (int i = 0; i < n && !l->batch_stale; i++) {
		struct ev_io *io = evs[i].data.ptr;

		if (!is_dead(l, io))
			io->cb(io, evs[i].events);
	}
	l->ndead = 0;
	return n;
}

int evloop_watch_signals(struct evloop *l, struct ev_io *io, ev_cb cb)
{
	sigset_t mask;
	int fd, r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if ((r = evloop_add(l, io, fd, EPOLLIN, cb))) {
		close(fd);
		io->fd = -1;
		return r;
	}
	return 0;
}
