/*
 * test_capture - the in-process capture API against the real kernel, once
 * per backend (syscalls, then cgroup): the sample app and test clients in a
 * watched cgroup, inside a private network namespace. Pipelined requests, a
 * descriptor number reused by a second connection, a refused connect, a
 * connection opened before capture, an unwatched cgroup that must produce
 * no kernel record at all, a server whose listening socket was created
 * before it joined the watched cgroup (seen by the syscall backend; the
 * cgroup backend cannot see its connections and must report the listener),
 * a server with TCP_DEFER_ACCEPT, whose connection is created by the
 * request's own segment, and a client and server talking over IPv6.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "ihttp.h"
#include "itest.h"
#include "smiw_abi.h"
#include "util/clock.h"
#include "util/kernfs.h"
#include "util/netns.h"

#define PW 9091	/* sample app in the watched cgroup */
#define PU 9093	/* sample app in the unwatched cgroup */
#define PO 9095	/* sample app moved into the watched cgroup after it started listening */
#define PD 9097	/* a server with TCP_DEFER_ACCEPT in the watched cgroup */
#define P6 9099	/* a server on [::1] in the watched cgroup */
#define V6_CONNS 3	/* connections to it, ... */
#define V6_REQS 2	/* ... each carrying this many keep-alive requests */
#define MAXX 256

struct seen_x {
	char conn[40], method[CAP_METHOD_MAX], path[64], request_id[64];
	int role, status;
	uint64_t seq, start_ns, end_ns;
	uint16_t local_port, peer_port;
	uint32_t tgid;
	bool complete;
};

struct seen_c {
	char conn[40], local[56], peer[56];
	int role, connect_errno, family;
	bool reset, late;
	uint16_t local_port, peer_port;
	uint64_t exchanges, cgroup_id;
	uint32_t tgid;
};

static struct seen_x xs[MAXX];
static struct seen_c cs[MAXX];
static int nx, nc;
static char cg_watched[4096], cg_unwatched[4096];

static void on_x(void *ctx, const struct cap_exchange *x)
{
	struct seen_x *s = &xs[nx < MAXX ? nx++ : MAXX - 1];

	(void)ctx;
	snprintf(s->conn, sizeof(s->conn), "%s", x->conn->name);
	snprintf(s->method, sizeof(s->method), "%s", x->method);
	snprintf(s->path, sizeof(s->path), "%.63s", x->path);
	snprintf(s->request_id, sizeof(s->request_id), "%.63s", x->request_id);
	s->role = x->role;
	s->status = x->status;
	s->seq = x->seq;
	s->start_ns = x->start_ns;
	s->end_ns = x->end_ns;
	s->local_port = x->conn->local_port;
	s->peer_port = x->conn->peer_port;
	s->tgid = x->tgid;
	s->complete = x->complete;
}

static void on_c(void *ctx, const struct cap_conn *c)
{
	struct seen_c *s = &cs[nc < MAXX ? nc++ : MAXX - 1];

	(void)ctx;
	snprintf(s->conn, sizeof(s->conn), "%s", c->name);
	snprintf(s->local, sizeof(s->local), "%s", c->local);
	snprintf(s->peer, sizeof(s->peer), "%s", c->peer);
	s->role = c->role;
	s->family = c->family;
	s->connect_errno = c->connect_errno;
	s->reset = c->reset;
	s->late = c->late;
	s->local_port = c->local_port;
	s->peer_port = c->peer_port;
	s->exchanges = c->exchanges;
	s->cgroup_id = c->cgroup_id;
	s->tgid = c->tgid;
}

/*
 * Polls until `want` connection records have arrived from tgid. The bound
 * (60 s) only ends a broken run: a busy machine just takes longer.
 */
static void drain_for(struct capture *c, uint32_t tgid, int want)
{
	uint64_t deadline = mono_ns() + 60000000000ull;

	for (;;) {
		int have = 0;

		capture_poll(c, 20);
		for (int i = 0; i < nc; i++)
			have += cs[i].tgid == tgid;
		if (have >= want || mono_ns() > deadline)
			return;
	}
}

/* Runs fn in a child placed in cgroup `cg`; returns the child's pid after it exited with status 0, or -1. */
static pid_t run_client(const char *cg, int (*fn)(int wfd), int *rfd)
{
	int p[2], st;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (cgroup_move(cg, getpid()))
			_exit(2);
		_exit(fn(p[1]));
	}
	close(p[1]);
	*rfd = p[0];
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return pid;
}

/*
 * Runs client fn in the watched cgroup, checks it succeeded (`what`), and
 * polls until `conns` connection records of it arrived. Returns its pid, or
 * -1. With rfd, the read end of its report pipe is handed back, else closed.
 */
static pid_t client_drained(struct capture *c, int (*fn)(int wfd), const char *what, int conns, int *rfd)
{
	int fd;
	pid_t pid = run_client(cg_watched, fn, &fd);

	itest_check(pid > 0, "%s", what);
	if (pid <= 0)
		return -1;
	if (rfd)
		*rfd = fd;
	else
		close(fd);
	drain_for(c, pid, conns);
	return pid;
}

static int read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len && (n = read(fd, (char *)buf + got, len - got)) > 0)
		got += n;
	close(fd);
	return got == len ? 0 : -1;
}

/* ---- pipelining ---- */

static int client_pipelined(int wfd)
{
	static const char reqs[] =
		"GET /echo HTTP/1.1\r\nHost: w\r\nX-Request-Id: pipe-1\r\n\r\n"
		"GET /echo?two HTTP/1.1\r\nHost: w\r\nX-Request-Id: pipe-2\r\n\r\n"
		"GET /nope HTTP/1.1\r\nHost: w\r\nX-Request-Id: pipe-3\r\n\r\n";
	struct ihttp_reader r = { .fd = ihttp_connect(PW) };
	struct ihttp_resp resp;
	int ok = 0;

	if (r.fd < 0 || ihttp_send(r.fd, reqs, strlen(reqs)))	/* one write(2) */
		return 1;
	for (int i = 0; i < 3; i++) {
		if (ihttp_read(&r, &resp))
			return 1;
		ok += resp.status == (i < 2 ? 200 : 404);
		ihttp_resp_free(&resp);
	}
	close(r.fd);
	close(wfd);
	return ok == 3 ? 0 : 1;
}

static void test_pipelined(struct capture *c)
{
	static const char *const ids[3] = { "pipe-1", "pipe-2", "pipe-3" };
	static const char *const paths[3] = { "/echo", "/echo?two", "/nope" };
	static const int status[3] = { 200, 200, 404 };
	int got[2] = { 0, 0 }, x0 = nx;

	if (client_drained(c, client_pipelined, "pipelining client: 3 requests in one write, 3 responses read",
			   1, NULL) < 0)
		return;
	for (int i = x0; i < nx; i++) {
		int role = xs[i].role == SMIW_ROLE_CLIENT ? 0 : 1;
		int k = got[role]++;

		if (k >= 3)
			continue;
		itest_check(xs[i].seq == (uint64_t)k && !strcmp(xs[i].request_id, ids[k]) &&
			    !strcmp(xs[i].path, paths[k]) && !strcmp(xs[i].method, "GET") &&
			    xs[i].status == status[k] && xs[i].complete,
			    "%s exchange %d: seq %llu %s %s %s -> %d", role ? "server" : "client", k,
			    (unsigned long long)xs[i].seq, xs[i].method, xs[i].path, xs[i].request_id, xs[i].status);
	}
	itest_check(got[0] == 3 && got[1] == 3, "3 client-side and 3 server-side exchanges (got %d, %d)",
		    got[0], got[1]);
}

/* ---- a descriptor number reused ---- */

struct reuse_report {
	int fd[2];
	uint64_t t[4];	/* before the first write / after the last read, per connection */
	uint16_t port[2];
};

static int one_request(int fd, const char *id, uint64_t *t0, uint64_t *t1)
{
	char req[128];
	struct ihttp_reader r = { .fd = fd };
	struct ihttp_resp resp;
	int ok;

	snprintf(req, sizeof(req), "GET /echo HTTP/1.1\r\nHost: w\r\nX-Request-Id: %s\r\n\r\n", id);
	*t0 = mono_ns();
	if (ihttp_send(fd, req, strlen(req)) || ihttp_read(&r, &resp))
		return -1;
	*t1 = mono_ns();
	ok = resp.status == 200 ? 0 : -1;
	ihttp_resp_free(&resp);
	buf_free(&r.in);
	return ok;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	return getsockname(fd, (struct sockaddr *)&a, &len) ? 0 : ntohs(a.sin_port);
}

static int client_reuse(int wfd)
{
	struct reuse_report rep;
	struct timespec pause = { 0, 150 * 1000000L };

	for (int i = 0; i < 2; i++) {
		rep.fd[i] = ihttp_connect(PW);
		rep.port[i] = local_port(rep.fd[i]);
		if (rep.fd[i] < 0 || one_request(rep.fd[i], i ? "reuse-2" : "reuse-1", &rep.t[2 * i], &rep.t[2 * i + 1]))
			return 1;
		close(rep.fd[i]);
		nanosleep(&pause, NULL);	/* a merged connection would span this pause */
	}
	return write(wfd, &rep, sizeof(rep)) == sizeof(rep) ? 0 : 1;
}

static void test_fd_reuse(struct capture *c)
{
	struct reuse_report rep;
	int fd, x0 = nx, c0 = nc, found = 0, conns = 0;
	const char *names[2] = { "", "" };
	pid_t pid = client_drained(c, client_reuse, "fd-reuse client ran", 2, &fd);

	if (pid <= 0 || read_all(fd, &rep, sizeof(rep))) {
		itest_check(false, "fd-reuse client reported its descriptors and times");
		return;
	}
	itest_check(rep.fd[0] == rep.fd[1], "the second connection got the same descriptor number (%d, %d)",
		    rep.fd[0], rep.fd[1]);
	for (int i = c0; i < nc; i++)
		conns += cs[i].tgid == (uint32_t)pid && cs[i].role == SMIW_ROLE_CLIENT;
	itest_check(conns == 2, "2 client connections recorded (got %d)", conns);
	for (int i = x0; i < nx; i++) {
		int k = !strcmp(xs[i].request_id, "reuse-2");

		if (xs[i].role != SMIW_ROLE_CLIENT || xs[i].tgid != (uint32_t)pid)
			continue;
		names[found++ & 1] = xs[i].conn;
		itest_check(xs[i].local_port == rep.port[k] && xs[i].seq == 0,
			    "%s is exchange 0 of the connection from port %u", xs[i].request_id, rep.port[k]);
		itest_check(xs[i].start_ns >= rep.t[2 * k] && xs[i].end_ns <= rep.t[2 * k + 1] &&
			    xs[i].start_ns < xs[i].end_ns,
			    "%s latency %.3f ms lies within the client's own %.3f ms", xs[i].request_id,
			    (xs[i].end_ns - xs[i].start_ns) / 1e6, (rep.t[2 * k + 1] - rep.t[2 * k]) / 1e6);
	}
	itest_check(found == 2 && strcmp(names[0], names[1]),
		    "2 client exchanges on 2 different connection ids");
}

/* ---- refused connect ---- */

static int client_refused(int wfd)
{
	close(wfd);
	return ihttp_connect(9) < 0 && errno == ECONNREFUSED ? 0 : 1;
}

static void test_refused(struct capture *c)
{
	int c0 = nc, ok = 0;
	pid_t pid = client_drained(c, client_refused, "client connect to a closed port was refused", 1, NULL);

	if (pid <= 0)
		return;
	for (int i = c0; i < nc; i++)
		ok += cs[i].tgid == (uint32_t)pid && cs[i].connect_errno == ECONNREFUSED && cs[i].reset &&
		      cs[i].peer_port == 9 && cs[i].exchanges == 0;
	itest_check(ok == 1, "the connection record says ECONNREFUSED, reset, port 9");
}

/* ---- an unwatched cgroup ---- */

static int client_unwatched(int wfd)
{
	struct ihttp_resp r;

	close(wfd);
	for (int i = 0; i < 50; i++) {
		if (ihttp_exchange(PU, "GET /echo HTTP/1.1\r\nHost: u\r\n\r\n", &r) || r.status != 200)
			return 1;
		ihttp_resp_free(&r);
	}
	return 0;
}

static void test_unwatched(struct capture *c, pid_t app_u)
{
	struct capture_stats before, after;
	int fd, x0 = nx, c0 = nc;
	pid_t pid;

	for (int i = 0; i < 10; i++)
		capture_poll(c, 20);
	capture_stats(c, &before);
	pid = run_client(cg_unwatched, client_unwatched, &fd);
	itest_check(pid > 0, "50 requests between processes of the unwatched cgroup");
	close(fd);
	for (int i = 0; i < 25; i++)
		capture_poll(c, 20);
	capture_stats(c, &after);
	itest_check(after.events == before.events, "0 kernel records while only the unwatched cgroup talked (%llu)",
		    (unsigned long long)(after.events - before.events));
	itest_check(nx == x0 && nc == c0, "no exchange or connection from it");
	(void)app_u;
}

/* ---- a connection already open when capture starts ---- */

struct late_client {
	pid_t pid;
	int go;		/* write a byte: send the remaining requests */
};

/* Connects and completes one request now; after the go byte, two more, then closes. */
static struct late_client start_late_client(void)
{
	struct late_client lc = { -1, -1 };
	int p[2];

	if (pipe(p))
		return lc;
	lc.pid = fork();
	if (lc.pid == 0) {
		uint64_t t0, t1;
		char c;
		int fd;

		close(p[1]);
		if (cgroup_move(cg_watched, getpid()) || (fd = ihttp_connect(PW)) < 0 ||
		    one_request(fd, "late-0", &t0, &t1) || read(p[0], &c, 1) != 1 ||
		    one_request(fd, "late-1", &t0, &t1) || one_request(fd, "late-2", &t0, &t1))
			_exit(1);
		close(fd);
		_exit(0);
	}
	close(p[0]);
	lc.go = p[1];
	return lc;
}

static void test_late(struct capture *c, struct late_client *lcp)
{
	struct late_client lc = *lcp;

	int x0 = nx, c0 = nc, st, got[2] = { 0, 0 }, late_conns = 0;

	itest_check(lc.pid > 0 && write(lc.go, "g", 1) == 1 && waitpid(lc.pid, &st, 0) == lc.pid &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "client with a connection opened before capture: 1 request before, 2 after");
	close(lc.go);
	lcp->pid = -1;
	drain_for(c, lc.pid, 1);
	for (int i = x0; i < nx; i++) {
		int k = xs[i].role == SMIW_ROLE_SERVER;

		if (strncmp(xs[i].request_id, "late-", 5))
			continue;
		itest_check(xs[i].seq == (uint64_t)got[k] && xs[i].request_id[5] == '1' + got[k] &&
			    xs[i].status == 200 && xs[i].complete && xs[i].role != SMIW_ROLE_UNKNOWN,
			    "%s side learnt from the traffic: exchange %llu is %s",
			    k ? "server" : "client", (unsigned long long)xs[i].seq, xs[i].request_id);
		got[k]++;
	}
	itest_check(got[0] == 2 && got[1] == 2, "late connection: 2 exchanges each side (got %d, %d)",
		    got[0], got[1]);
	for (int i = c0; i < nc; i++)
		late_conns += cs[i].late && cs[i].exchanges == 2 &&
			      cs[i].role == (cs[i].tgid == (uint32_t)lc.pid ? SMIW_ROLE_CLIENT : SMIW_ROLE_SERVER);
	itest_check(late_conns == 2, "both ends recorded as late connections with their roles (got %d)",
		    late_conns);
}

/* ---- a listener created outside the watched cgroup ---- */

static int client_outside(int wfd)
{
	char req[128];
	struct ihttp_resp r;

	close(wfd);
	for (int i = 0; i < 20; i++) {
		snprintf(req, sizeof(req), "GET /echo HTTP/1.1\r\nHost: o\r\nX-Request-Id: out-%d\r\n\r\n", i);
		if (ihttp_exchange(PO, req, &r) || r.status != 200)
			return 1;
		ihttp_resp_free(&r);
	}
	return 0;
}

/*
 * The app listening on PO was moved into the watched cgroup after its
 * listening socket existed. Its accepted connections belong to the
 * socket's old cgroup: the syscall backend (which follows the process)
 * sees them, the cgroup backend (which follows the socket) does not and
 * must say so. The client side is seen by both.
 */
static void test_outside_listener(struct capture *c, int backend)
{
	struct capture_stats st;
	int x0 = nx, got[2] = { 0, 0 };

	if (client_drained(c, client_outside, "20 requests to the app whose listener predates its cgroup", 20,
			   NULL) < 0)
		return;
	for (int i = 0; i < 10; i++)
		capture_poll(c, 20);
	for (int i = x0; i < nx; i++)
		if (!strncmp(xs[i].request_id, "out-", 4) && xs[i].complete && xs[i].status == 200)
			got[xs[i].role == SMIW_ROLE_SERVER]++;
	capture_stats(c, &st);
	if (backend == CAPTURE_CGROUP) {
		itest_check(got[0] == 20 && got[1] == 0,
			    "cgroup backend: 20 client-side exchanges, 0 server-side (got %d, %d)", got[0], got[1]);
		itest_check(st.listeners_outside == 1, "cgroup backend: 1 listener outside the watched cgroups "
			    "reported (got %llu)", (unsigned long long)st.listeners_outside);
	} else {
		itest_check(got[0] == 20 && got[1] == 20,
			    "syscall backend: 20 client-side and 20 server-side exchanges (got %d, %d)", got[0], got[1]);
		itest_check(st.listeners_outside == 0, "syscall backend: no listener reported outside (got %llu)",
			    (unsigned long long)st.listeners_outside);
	}
}

/* ---- a listener with TCP_DEFER_ACCEPT ---- */

/*
 * Serves `n` requests, one per connection, on a listener that completes a
 * handshake only when the client's first data arrives: the request's
 * segment creates the connection. Writes a byte to ready once listening.
 */
static int deferred_server(int ready, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PD),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1, secs = 5;
	char buf[1024];

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(l, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof(secs)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 8) || write(ready, "r", 1) != 1)
		return 1;
	for (int i = 0; i < n; i++) {
		int s = accept(l, NULL, NULL);

		if (s < 0 || read(s, buf, sizeof(buf)) <= 0 || write(s, resp, sizeof(resp) - 1) != sizeof(resp) - 1)
			return 1;
		close(s);
	}
	return 0;
}

static int client_deferred(int wfd)
{
	char req[128];
	struct ihttp_resp r;

	close(wfd);
	for (int i = 0; i < 5; i++) {
		snprintf(req, sizeof(req), "GET /deferred HTTP/1.1\r\nHost: d\r\nX-Request-Id: defer-%d\r\n\r\n", i);
		if (ihttp_exchange(PD, req, &r) || r.status != 200)
			return 1;
		ihttp_resp_free(&r);
	}
	return 0;
}

static void test_deferred_accept(struct capture *c)
{
	int p[2], x0 = nx, got[2] = { 0, 0 }, st;
	pid_t srv;
	char ch;

	if (pipe(p))
		return;
	srv = fork();
	if (srv == 0) {
		close(p[0]);
		_exit(cgroup_move(cg_watched, getpid()) ? 2 : deferred_server(p[1], 5));
	}
	close(p[1]);
	itest_check(srv > 0 && read(p[0], &ch, 1) == 1, "a server with TCP_DEFER_ACCEPT listens in the watched cgroup");
	close(p[0]);
	if (client_drained(c, client_deferred, "5 requests to it, a connection each", 5, NULL) < 0)
		return;
	itest_check(waitpid(srv, &st, 0) == srv && WIFEXITED(st) && WEXITSTATUS(st) == 0, "it served all 5");
	for (int i = 0; i < 10; i++)
		capture_poll(c, 20);
	for (int i = x0; i < nx; i++)
		if (!strncmp(xs[i].request_id, "defer-", 6) && xs[i].complete && xs[i].status == 200 &&
		    !strcmp(xs[i].path, "/deferred"))
			got[xs[i].role == SMIW_ROLE_SERVER]++;
	itest_check(got[0] == 5 && got[1] == 5, "deferred accept: 5 complete exchanges each side, the request that "
		    "created the connection included (got %d, %d)", got[0], got[1]);
}

/* ---- IPv6 ---- */

/*
 * Serves V6_CONNS connections on [::1]:P6, V6_REQS keep-alive requests each
 * (the client sends the next only after the previous response, so one read
 * holds one request). Writes a byte to ready once listening.
 */
static int v6_server(int ready)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(P6), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6";
	int l = socket(AF_INET6, SOCK_STREAM, 0), one = 1;
	char buf[1024];

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 8) || write(ready, "r", 1) != 1)
		return 1;
	for (int i = 0; i < V6_CONNS; i++) {
		int s = accept(l, NULL, NULL);

		if (s < 0)
			return 1;
		for (int k = 0; k < V6_REQS; k++)
			if (read(s, buf, sizeof(buf)) <= 0 || write(s, resp, sizeof(resp) - 1) != sizeof(resp) - 1)
				return 1;
		close(s);
	}
	return 0;
}

static int client_v6(int wfd)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(P6), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	char req[128];

	close(wfd);
	for (int i = 0; i < V6_CONNS; i++) {
		struct ihttp_reader r = { .fd = socket(AF_INET6, SOCK_STREAM, 0) };

		if (r.fd < 0 || connect(r.fd, (struct sockaddr *)&a, sizeof(a)))
			return 1;
		for (int k = 0; k < V6_REQS; k++) {
			struct ihttp_resp resp;
			bool ok;

			snprintf(req, sizeof(req), "GET /six HTTP/1.1\r\nHost: v6\r\nX-Request-Id: v6-%d-%d\r\n\r\n", i, k);
			if (ihttp_send(r.fd, req, strlen(req)) || ihttp_read(&r, &resp))
				return 1;
			ok = resp.status == 200;
			ihttp_resp_free(&resp);
			if (!ok)
				return 1;
		}
		close(r.fd);
		buf_free(&r.in);
	}
	return 0;
}

/* Both ends over IPv6: every exchange complete on both sides, every connection named by its [v6] address. */
static void test_ipv6(struct capture *c)
{
	int p[2], x0 = nx, c0 = nc, got[2] = { 0, 0 }, conns[2] = { 0, 0 }, st;
	pid_t srv, cli;
	char ch;

	if (pipe(p))
		return;
	srv = fork();
	if (srv == 0) {
		close(p[0]);
		_exit(cgroup_move(cg_watched, getpid()) ? 2 : v6_server(p[1]));
	}
	close(p[1]);
	itest_check(srv > 0 && read(p[0], &ch, 1) == 1, "a server listens on [::1] in the watched cgroup");
	close(p[0]);
	cli = client_drained(c, client_v6, "3 connections over IPv6, 2 requests each", V6_CONNS, NULL);
	itest_check(waitpid(srv, &st, 0) == srv && WIFEXITED(st) && WEXITSTATUS(st) == 0, "it served them all");
	if (cli < 0)
		return;
	drain_for(c, (uint32_t)srv, V6_CONNS);	/* the server's connection records too */
	for (int i = x0; i < nx; i++)
		if (!strncmp(xs[i].request_id, "v6-", 3) && xs[i].complete && xs[i].status == 200 &&
		    !strcmp(xs[i].path, "/six"))
			got[xs[i].role == SMIW_ROLE_SERVER]++;
	for (int i = c0; i < nc; i++)
		if (cs[i].family == AF_INET6 && cs[i].exchanges == V6_REQS &&
		    !strncmp(cs[i].peer, "[::1]:", 6) && !strncmp(cs[i].local, "[::1]:", 6) &&
		    (cs[i].role == SMIW_ROLE_CLIENT ? cs[i].peer_port : cs[i].local_port) == P6)
			conns[cs[i].role == SMIW_ROLE_SERVER]++;
	itest_check(got[0] == V6_CONNS * V6_REQS && got[1] == V6_CONNS * V6_REQS,
		    "IPv6: %d complete exchanges each side (got %d, %d)", V6_CONNS * V6_REQS, got[0], got[1]);
	itest_check(conns[0] == V6_CONNS && conns[1] == V6_CONNS,
		    "IPv6: %d connections each side, AF_INET6, [::1] at both ends, %d exchanges each (got %d, %d)",
		    V6_CONNS, V6_REQS, conns[0], conns[1]);
}

struct run_args {
	uint64_t wid;
	int backend;
};

static int run(void *arg)
{
	const struct run_args *ra = arg;
	struct capture_opts o = { .backend = ra->backend, .sink = { .exchange = on_x, .conn = on_c } };
	uint64_t wid = ra->wid;
	struct capture_stats st;
	struct capture *c = NULL;
	struct late_client late = { -1, -1 };
	pid_t app_w, app_u, app_o;

	printf("# %s backend\n", ra->backend == CAPTURE_CGROUP ? "cgroup" : "syscall");
	app_w = ihttp_start_app_in(cg_watched, "watched", PW);
	app_u = ihttp_start_app_in(cg_unwatched, "unwatched", PU);
	app_o = ihttp_start_app("outside", PO);
	itest_check(app_w > 0 && app_u > 0 && app_o > 0, "sample apps started in the watched and unwatched cgroups");
	if (app_w <= 0 || app_u <= 0 || app_o <= 0)
		goto out;
	itest_check(cgroup_move(cg_watched, app_o) == 0, "the third app moved into the watched cgroup, listening");
	late = start_late_client();
	itest_check(capture_open(&o, &c) == 0, "capture loads and attaches");
	if (!c)
		goto out;
	itest_check(!strcmp(capture_backend_name(c), ra->backend == CAPTURE_CGROUP ? "cgroup" : "syscalls"),
		    "the %s backend is in use", capture_backend_name(c));
	itest_check(capture_watch_cgroup(c, wid) == 0, "watching cgroup %llu", (unsigned long long)wid);
	test_unwatched(c, app_u);
	test_pipelined(c);
	test_fd_reuse(c);
	test_refused(c);
	test_late(c, &late);
	test_outside_listener(c, ra->backend);
	test_deferred_accept(c);
	test_ipv6(c);
	capture_finish(c);
	capture_stats(c, &st);
	itest_check(st.kernel_drops == 0 && st.user_drops == 0 && st.gaps == 0 && st.unparsed_bytes == 0,
		    "no drops, gaps or unparsed bytes (%llu %llu %llu %llu)",
		    (unsigned long long)st.kernel_drops, (unsigned long long)st.user_drops,
		    (unsigned long long)st.gaps, (unsigned long long)st.unparsed_bytes);
out:
	if (late.pid > 0) {	/* never released: let it see EOF and exit */
		close(late.go);
		waitpid(late.pid, NULL, 0);
	}
	capture_close(c);
	if (app_w > 0)
		ihttp_stop(app_w, 3000);
	if (app_u > 0)
		ihttp_stop(app_u, 3000);
	if (app_o > 0)
		ihttp_stop(app_o, 3000);
	return itest_done();
}

int main(void)
{
	struct run_args ra[2] = { { .backend = CAPTURE_SYSCALLS }, { .backend = CAPTURE_CGROUP } };
	uint64_t ids[2];
	int r = 0;

	itest_require_bpf();
	setvbuf(stdout, NULL, _IOLBF, 0);
	ids[0] = itest_cgroup_create("smiw-itest-capw", cg_watched, sizeof(cg_watched));
	ids[1] = itest_cgroup_create("smiw-itest-capu", cg_unwatched, sizeof(cg_unwatched));
	if (!ids[0] || !ids[1]) {
		itest_cgroup_remove(cg_watched);
		itest_cgroup_remove(cg_unwatched);
		itest_skip("cannot create cgroup v2 directories: %s", strerror(errno));
	}
	for (int i = 0; i < 2 && r >= 0; i++) {
		int ri;

		ra[i].wid = ids[0];
		ri = netns_run_private(run, &ra[i]);
		r = ri < 0 ? ri : r | ri;
	}
	itest_cgroup_remove(cg_watched);
	itest_cgroup_remove(cg_unwatched);
	if (r < 0)
		itest_skip("cannot create a network namespace: %s", strerror(-r));
	return r;
}
