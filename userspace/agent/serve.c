/*
 * serve.c - see agent.h: the agent's one loop. Everything arrives on one
 * epoll set (the API socket, the record source, a signalfd), so the store
 * and spool are written from this thread only.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/source.h"
#include "util/clock.h"
#include "util/log.h"

#define TICK_MS 200
#define STOP_GRACE_MS 5000

static uint64_t mono_deadline(unsigned ms)
{
	return mono_ns() + (uint64_t)ms * 1000000ULL;
}

static int add_fd(int ep, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int agent_serve(struct agent *a, struct record_source *src)
{
	static char tag_http, tag_src, tag_sig;
	struct epoll_event evs[8];
	uint64_t stopping = 0;
	bool src_done = false;
	sigset_t mask;
	int ep, sfd, r = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || ep < 0 || add_fd(ep, sfd, &tag_sig) || add_fd(ep, a->http_loop.epfd, &tag_http) ||
	    (src->fd >= 0 && add_fd(ep, src->fd, &tag_src)))
		return error_errno(errno, "cannot set up the event loop");
	for (;;) {
		int n = epoll_wait(ep, evs, 8, TICK_MS);

		if (n < 0 && errno != EINTR) {
			r = error_errno(errno, "event loop");
			break;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &tag_sig) {
				/* A live source is asked to finish, and its last records are still taken. */
				if (!src->stop || src_done || stopping)
					goto out;
				src->stop(src);
				stopping = mono_deadline(STOP_GRACE_MS);
			}
			if (evs[i].data.ptr == &tag_http)
				evloop_run_once(&a->http_loop, 0);
		}
		if (stopping && (src_done || mono_ns() > stopping))
			goto out;
		if (!src_done) {
			int d = src->drain(src, agent_ingest, a);

			if (d == -ENODATA) {
				/* The API stays up so what was captured can still be fetched. */
				pr_info("record source ended; still serving %zu records", a->store.count);
				src_done = true;
				a->source_ended = true;
				if (src->fd >= 0)
					epoll_ctl(ep, EPOLL_CTL_DEL, src->fd, NULL);
			} else if (d < 0) {
				pr_warn("record source: %s", strerror(-d));
			}
		}
		http_server_tick(&a->http, mono_ns());
		agent_tick(a);
	}
out:
	close(ep);
	close(sfd);
	return r;
}
