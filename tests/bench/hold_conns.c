/*
 * hold_conns - opens N keep-alive connections to an HTTP server, sends one
 * GET on each and reads its response, then holds them all open and idle
 * until SIGTERM/SIGINT. Prints "ready N" on stdout once every connection
 * has had its exchange.
 *
 *   hold_conns IPV4 PORT N [PATH]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"

/* Reads one whole response (head plus Content-Length body) from fd. Returns 0 or -1. */
static int read_response(int fd)
{
	static struct http_head h;
	char buf[4096];
	size_t have = 0;

	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		int head_len;

		if (n <= 0)
			return -1;
		have += (size_t)n;
		head_len = http_parse_head(&h, HTTP_RESPONSE, buf, have, sizeof(buf));
		if (head_len < 0)
			return -1;
		if (head_len > 0 && have >= (size_t)head_len + (h.content_length > 0 ? (size_t)h.content_length : 0))
			return 0;
		if (have == sizeof(buf))
			return -1;
	}
}

static int open_one(const struct sockaddr_in *sa, const char *req, size_t len)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) || write(fd, req, len) != (ssize_t)len ||
	    read_response(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct rlimit rl;
	char req[256];
	sigset_t set;
	long n;
	int sig, len;

	if (argc < 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 || (n = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: hold_conns IPV4 PORT N [PATH]\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	rl.rlim_cur = rl.rlim_max = (rlim_t)n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("hold_conns: cannot raise the open-file limit");
		return 1;
	}
	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%s\r\nX-Request-Id: hold\r\n\r\n",
		       argc > 4 ? argv[4] : "/echo", argv[1], argv[2]);
	/* Signals are taken synchronously below; blocked before any connection exists. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (long i = 0; i < n; i++) {
		if (open_one(&sa, req, (size_t)len) < 0) {
			fprintf(stderr, "hold_conns: connection %ld: %s\n", i + 1, strerror(errno));
			return 1;
		}
	}
	printf("ready %ld\n", n);
	fflush(stdout);
	sigwait(&set, &sig);
	return 0;
}
