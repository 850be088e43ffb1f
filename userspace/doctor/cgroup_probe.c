/*
 * cgroup_probe.c - the doctor's probes of the capture backends: the cgroup
 * backend really capturing one HTTP exchange in a cgroup and network
 * namespace of its own, and which backend `auto` takes here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/capture.h"
#include "doctor/probes.h"
#include "util/kernfs.h"
#include "util/netns.h"

#define set_detail(r, ...) snprintf((r)->detail, sizeof((r)->detail), __VA_ARGS__)
#define set_value(r, ...) snprintf((r)->value, sizeof((r)->value), __VA_ARGS__)

struct seen {
	int exchanges, complete, conns;
};

static void on_x(void *ctx, const struct cap_exchange *x)
{
	struct seen *s = ctx;

	s->exchanges++;
	s->complete += x->complete && x->status == 204;
}

static void on_c(void *ctx, const struct cap_conn *c)
{
	(void)c;
	((struct seen *)ctx)->conns++;
}

/* One request and its response over a private loopback, client and server in this process. */
static int http_once(void *arg)
{
	static const char req[] = "GET /doctor HTTP/1.1\r\nHost: doctor\r\n\r\n";
	static const char resp[] = "HTTP/1.1 204 No Content\r\n\r\n";
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char buf[256];
	int l, c, s = -1, ok = 1;

	(void)arg;
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l >= 0 && c >= 0 && !bind(l, (void *)&a, sizeof(a)) && !listen(l, 1) &&
	    !getsockname(l, (void *)&a, &len) && !connect(c, (void *)&a, sizeof(a)) &&
	    (s = accept(l, NULL, NULL)) >= 0 && write(c, req, sizeof(req) - 1) == sizeof(req) - 1 &&
	    read(s, buf, sizeof(buf)) == sizeof(req) - 1 && write(s, resp, sizeof(resp) - 1) == sizeof(resp) - 1 &&
	    read(c, buf, sizeof(buf)) == sizeof(resp) - 1)
		ok = 0;
	if (s >= 0)
		close(s);
	close(c);
	close(l);
	return ok;
}

/* Runs http_once in a child placed in cgroup `dir`, in a network namespace of its own. */
static int traffic_in(const char *dir)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(cgroup_move(dir, getpid()) ? 2 : netns_run_private(http_once, NULL));
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -ECHILD;
	return WEXITSTATUS(st) ? -EIO : 0;
}

void probe_cgroup_capture(struct probe_result *r)
{
	struct seen s = { 0 };
	struct capture *c = NULL;
	char cg2[PATH_MAX], dir[PATH_MAX + 32];
	int err;

	if (cgroup2_mount_point(cg2, sizeof(cg2))) {
		set_detail(r, "no cgroup v2 hierarchy is mounted");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/smiw-doctor-%d", cg2, (int)getpid());
	if (mkdir(dir, 0755)) {
		set_detail(r, "cannot create a cgroup to try it in: %s", strerror(errno));
		return;
	}
	err = capture_open(&(struct capture_opts){ .backend = CAPTURE_CGROUP, .ring_bytes = 1 << 16,
						   .sink = { .exchange = on_x, .conn = on_c, .ctx = &s } }, &c);
	if (!err && (err = capture_watch_path(c, dir, false)) > 0)
		err = 0;
	if (!err)
		err = traffic_in(dir);
	for (int i = 0; !err && i < 50 && s.conns < 2; i++)
		capture_poll(c, 20);
	if (c)
		capture_finish(c);
	capture_close(c);
	rmdir(dir);
	if (err) {
		set_detail(r, "%s", strerror(-err));
		return;
	}
	r->ok = s.complete == 2;
	set_value(r, "%d exchanges", s.complete);
	set_detail(r, "%s", r->ok ? "one HTTP exchange in a cgroup and network namespace of its own: seen at both ends" :
		   "the exchange was not seen at both ends");
}

void probe_capture_backend(struct probe_result *r)
{
	struct capture *c = NULL;
	int err = capture_open(&(struct capture_opts){ .ring_bytes = 4096 }, &c);

	if (err) {
		set_detail(r, "no backend loads: %s", strerror(-err));
		return;
	}
	r->ok = true;
	set_value(r, "%s", capture_backend_name(c));
	if (*capture_backend_reason(c))
		set_detail(r, "auto takes the syscall backend: %s", capture_backend_reason(c));
	else
		set_detail(r, "auto takes the cgroup backend: no program on any syscall; unwatched pods pay nothing");
	capture_close(c);
}
