/* ihttp.c - see ihttp.h */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http/http.h"
#include "util/kernfs.h"
#include "ihttp.h"

const char *itest_build_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "build";
	exe[n] = '\0';
	/* DIR/tests/integration/NAME: three levels up */
	snprintf(dir, sizeof(dir), "%s", dirname(dirname(dirname(exe))));
	return dir;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int ihttp_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

pid_t ihttp_start_app(const char *service_name, int port)
{
	return ihttp_start_app_in(NULL, service_name, port);
}

pid_t ihttp_start_app_in(const char *cgroup, const char *service_name, int port)
{
	char path[PATH_MAX], port_s[16];
	pid_t pid;
	int fd;

	snprintf(path, sizeof(path), "%s/sample-app", itest_build_dir());
	snprintf(port_s, sizeof(port_s), "%d", port);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (cgroup && cgroup_move(cgroup, getpid()))
			_exit(126);
		setenv("SERVICE_NAME", service_name, 1);
		setenv("PORT", port_s, 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 6000; i++) {	/* 60 s: only a broken start takes that long */
		fd = ihttp_connect(port);
		if (fd >= 0) {
			close(fd);
			return pid;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

int ihttp_stop(pid_t pid, int timeout_ms)
{
	int status;

	kill(pid, SIGTERM);
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

long ihttp_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int ihttp_send(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads more bytes into r->in. Returns 0, -ECONNRESET at EOF/error, -EAGAIN on timeout. */
static int fill(struct ihttp_reader *r)
{
	ssize_t n;

	if (r->eof)
		return -ECONNRESET;
	if (buf_reserve(&r->in, 65536, 1u << 30))
		return -ENOMEM;
	n = recv(r->fd, r->in.p + r->in.len, 65536, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (n <= 0) {
		r->eof = true;
		return -ECONNRESET;
	}
	r->in.len += (size_t)n;
	return 0;
}

static void collect(void *ctx, const char *p, size_t n)
{
	buf_append(ctx, p, n, 1u << 30);
}

int ihttp_read(struct ihttp_reader *r, struct ihttp_resp *out)
{
	struct http_head h;
	struct http_body b;
	size_t used;
	int n, e;

	memset(out, 0, sizeof(*out));
	for (;;) {
		n = http_parse_head(&h, HTTP_RESPONSE, r->in.p, r->in.len, sizeof(out->head) - 1);
		if (n < 0)
			return -EBADMSG;
		if (n > 0 && h.status >= 200)
			break;
		if (n > 0) {	/* interim 1xx */
			buf_consume(&r->in, (size_t)n);
			continue;
		}
		if ((e = fill(r)))
			return e;
	}
	out->status = h.status;
	memcpy(out->head, r->in.p, (size_t)n);
	out->head[n] = '\0';
	buf_consume(&r->in, (size_t)n);
	http_body_init(&b, &h, r->head_request);
	b.on_data = collect;
	b.ctx = &out->body;
	for (;;) {
		if (http_body_consume(&b, r->in.p, r->in.len, &used))
			return -EBADMSG;
		buf_consume(&r->in, used);
		if (b.complete)
			return 0;
		e = fill(r);
		if (e == -ECONNRESET && http_body_finish_at_eof(&b))
			return 0;
		if (e)
			return e;
	}
}

bool ihttp_closed(struct ihttp_reader *r, int timeout_ms)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	char c;

	if (r->in.len)
		return false;
	if (r->eof)
		return true;
	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	return recv(r->fd, &c, 1, 0) <= 0;
}

int ihttp_exchange(int port, const char *raw, struct ihttp_resp *out)
{
	struct ihttp_reader r = { .fd = ihttp_connect(port), .head_request = !strncmp(raw, "HEAD ", 5) };
	int e;

	if (r.fd < 0)
		return -ECONNREFUSED;
	e = ihttp_send(r.fd, raw, strlen(raw)) ? -EPIPE : ihttp_read(&r, out);
	close(r.fd);
	buf_free(&r.in);
	return e;
}

const char *ihttp_header(const struct ihttp_resp *resp, const char *name)
{
	static char value[1024];
	size_t n = strlen(name);

	for (const char *p = strstr(resp->head, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;

		if (!strncasecmp(line, name, n) && line[n] == ':') {
			const char *v = line + n + 1, *end = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			snprintf(value, sizeof(value), "%.*s", (int)(end - v), v);
			return value;
		}
	}
	return NULL;
}

void ihttp_resp_free(struct ihttp_resp *resp)
{
	buf_free(&resp->body);
}

int ihttp_run(char *const argv[], struct buf *out)
{
	int p[2], status;
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t)n, 1u << 30);
	close(p[0]);
	buf_append(out, "", 1, 1u << 30);	/* NUL-terminate; len counts it */
	out->len--;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

pid_t ihttp_keepalive_server(int port, int *stop)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(0x7f000001) };
	struct pollfd p[64];
	int n = 2, accepted = 0, one = 1, lfd, pipefd[2];
	pid_t pid;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 16) || pipe(pipefd))
		return -1;
	pid = fork();
	if (pid) {
		close(lfd);
		close(pipefd[0]);
		*stop = pipefd[1];
		return pid;
	}
	close(pipefd[1]);
	p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	for (;;) {
		if (poll(p, n, -1) <= 0)
			continue;
		if (p[1].revents)
			_exit(accepted);
		if ((p[0].revents & POLLIN) && n < 64) {
			p[n++] = (struct pollfd){ .fd = accept(lfd, NULL, NULL), .events = POLLIN };
			accepted++;
		}
		for (int i = 2; i < n; i++) {
			char buf[4096];

			/* One read holds one whole small request here: answer it, keep the connection. */
			if ((p[i].revents & POLLIN) && read(p[i].fd, buf, sizeof(buf)) > 0)
				(void)!write(p[i].fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38);
		}
	}
}
