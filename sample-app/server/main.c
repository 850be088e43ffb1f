/* main.c - sample-app entry point: environment, listening socket, signals, the loop. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "util/log.h"
#include "util/parse.h"

static void on_listen(struct ev_io *io, uint32_t events)
{
	struct server *srv = (struct server *)((char *)io - offsetof(struct server, listen_io));

	(void)events;
	conn_accept_all(srv);
}

/* SIGTERM / SIGINT: stop accepting, finish what is in flight, then exit. */
static void on_signal(struct ev_io *io, uint32_t events)
{
	struct server *srv = (struct server *)((char *)io - offsetof(struct server, signal_io));
	struct signalfd_siginfo si;

	(void)events;
	if (read(io->fd, &si, sizeof(si)) != sizeof(si) || srv->draining)
		return;
	pr_info("sample-app: signal %u, shutting down", si.ssi_signo);
	srv->draining = true;
	srv->drain_deadline_ns = mono_ns() + DRAIN_TIMEOUT_NS;
	evloop_del(&srv->loop, &srv->listen_io);
	close(srv->listen_io.fd);
	srv->listen_io.fd = -1;
}

/* Listens on every address: IPv6 with IPv4 mapped, or IPv4 alone when IPv6 is off. */
static int open_listener(uint16_t port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY) };
	int fd, one = 1, zero = 0;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, (struct sockaddr *)&a6, sizeof(a6)) == 0 && listen(fd, 4096) == 0)
			return fd;
		close(fd);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a4, sizeof(a4)) || listen(fd, 4096)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static int setup(struct server *srv, uint16_t port)
{
	int fd, r;

	evloop_raise_nofile(2 * MAX_CONNS + 64);	/* clients, one /call each, the pool */
	r = evloop_init(&srv->loop);
	if (r)
		return error_errno(r, "cannot create the event loop");
	fd = open_listener(port);
	if (fd < 0)
		return error_errno(fd, "cannot listen on port %u", port);
	if (evloop_add(&srv->loop, &srv->listen_io, fd, EPOLLIN, on_listen))
		return error("cannot watch the listening socket");
	signal(SIGPIPE, SIG_IGN);
	if ((fd = evloop_watch_signals(&srv->loop, &srv->signal_io, on_signal)))
		return error_errno(fd, "cannot watch signals");
	return 0;
}

static void teardown(struct server *srv)
{
	while (srv->conns)
		conn_close(srv->conns);
	call_shutdown(srv);
	batch_shutdown(srv);
	metrics_free(&srv->metrics);
	if (srv->listen_io.fd >= 0)
		close(srv->listen_io.fd);
	close(srv->signal_io.fd);
	evloop_fini(&srv->loop);
}

int main(void)
{
	static struct server srv = { .listen_io.fd = -1, .signal_io.fd = -1 };
	const char *port_s = getenv("PORT"), *fail_s = getenv("FAIL_EVERY"), *echo_s;
	uint64_t port = 9091, fail_every = 0, now, next_tick;

	srv.service_name = getenv("SERVICE_NAME");
	if (!srv.service_name || !*srv.service_name)
		srv.service_name = "Default";
	for (const char *p = srv.service_name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			error("SERVICE_NAME: control characters cannot go into a header");
			return 2;
		}
	echo_s = getenv("ECHO_PATHS");
	if (echo_s && *echo_s && strcmp(echo_s, "echo") && strcmp(echo_s, "any")) {
		error("ECHO_PATHS: '%s' is neither 'echo' nor 'any'", echo_s);
		return 2;
	}
	srv.echo_any = echo_s && !strcmp(echo_s, "any");
	if (port_s && *port_s && parse_u64(port_s, 1, 65535, &port)) {
		error("PORT: '%s' is not a port number (1-65535)", port_s);
		return 2;
	}
	if (fail_s && *fail_s && parse_u64(fail_s, 0, 1000000, &fail_every)) {
		error("FAIL_EVERY: '%s' is not a count (0-1000000; 0: never fail)", fail_s);
		return 2;
	}
	srv.fail_every = (unsigned)fail_every;
	if (setup(&srv, (uint16_t)port)) {
		teardown(&srv);
		return 1;
	}
	pr_info("sample-app: %s serving on port %u", srv.service_name, (unsigned)port);
	if (srv.fail_every)
		pr_info("sample-app: FAIL_EVERY=%u: the n-th /echo request is answered 503 when n is a multiple of it",
			srv.fail_every);
	next_tick = mono_ns() + 1000000000ULL;
	for (;;) {
		int timeout_ms = srv.draining ? 100 : 1000;

		if (evloop_run_once(&srv.loop, timeout_ms) < 0)
			break;
		now = mono_ns();
		if (now >= next_tick || srv.draining) {
			conn_tick(&srv, now);
			call_tick(&srv, now);
			batch_tick(&srv, now);
			next_tick = now + 1000000000ULL;
		}
		if (srv.draining && (!srv.conns || now >= srv.drain_deadline_ns))
			break;
	}
	teardown(&srv);
	return 0;
}
