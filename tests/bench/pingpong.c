/*
 * pingpong - one process, both ends of one loopback TCP connection: N times
 * a 109-byte request sent with send() and read with read(), then a 75-byte
 * response back the same way. A steady, single-threaded stream of exactly
 * two data syscalls of each kind per exchange, for per-program BPF costs.
 *
 *   pingpong N
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char request[] = "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: pingpong\r\n"
			      "X-Request-Id: pingpong-0000000001\r\nAccept: */*\r\n\r\n";
static const char response[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\n0123456789";

/* Reads exactly n bytes (loopback delivers them at once; a short read would be a failure here). */
static int read_n(int fd, char *buf, size_t n)
{
	return read(fd, buf, n) == (ssize_t)n ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	char buf[512];
	int l, c, s, one = 1;
	long n;

	if (argc != 2 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: pingpong N\n");
		return 2;
	}
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen) || connect(c, (struct sockaddr *)&a, sizeof(a)) ||
	    (s = accept(l, NULL, NULL)) < 0) {
		perror("pingpong: cannot set up the connection");
		return 1;
	}
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (long i = 0; i < n; i++) {
		if (send(c, request, sizeof(request) - 1, 0) != sizeof(request) - 1 ||
		    read_n(s, buf, sizeof(request) - 1) ||
		    send(s, response, sizeof(response) - 1, 0) != sizeof(response) - 1 ||
		    read_n(c, buf, sizeof(response) - 1)) {
			perror("pingpong: exchange failed");
			return 1;
		}
	}
	close(c);
	close(s);
	close(l);
	return 0;
}
