/*
 * metrics_filter.c - `smi-witness lab metrics-filter`: the scrape endpoint of
 * the metrics variants. It answers on the mesh's public metrics address,
 * fetches HAProxy's real exporter from loopback and serves the text as
 * mesh_metrics_rewrite() falsifies it. Traffic never passes through it.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab/api.h"
#include "mesh/metrics.h"
#include "util/exitcode.h"
#include "util/log.h"
#include "util/parse.h"

#define MAX_REQUEST 8192
#define MAX_BODY (64u << 20)

struct body {
	char *data;
	size_t len;
	bool too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t add = size * n;
	char *bigger;

	if (b->len + add > MAX_BODY || !(bigger = realloc(b->data, b->len + add + 1))) {
		b->too_big = true;
		return 0;
	}
	b->data = bigger;
	memcpy(b->data + b->len, p, add);
	b->len += add;
	b->data[b->len] = '\0';
	return add;
}

/* GETs http://UPSTREAM<target>. Returns the HTTP status (0 when it could not be fetched). */
static long fetch(const char *upstream, const char *target, struct body *b)
{
	char url[MAX_REQUEST + 64];
	long status = 0;
	CURL *c = curl_easy_init();

	if (!c)
		return 0;
	snprintf(url, sizeof(url), "http://%s%s", upstream, target);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

static void send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void respond(int fd, int status, const char *reason, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, reason, len);

	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

/* One request per connection: read the head, answer, close. */
static void serve(int fd, enum mesh_variant v, const char *upstream)
{
	struct timeval tv = { 5, 0 };
	char req[MAX_REQUEST + 1], target[MAX_REQUEST];
	struct body b = { 0 };
	size_t used = 0, out_len;
	long status;
	char *out;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (used < MAX_REQUEST && !memmem(req, used, "\r\n\r\n", 4)) {
		ssize_t n = read(fd, req + used, MAX_REQUEST - used);

		if (n <= 0)
			return;
		used += (size_t)n;
	}
	req[used] = '\0';
	if (sscanf(req, "GET %8191s HTTP/1.", target) != 1 || target[0] != '/') {
		respond(fd, 405, "Method Not Allowed", "only GET\n", 9);
		return;
	}
	status = fetch(upstream, target, &b);
	if (status != 200 || b.too_big) {
		respond(fd, 502, "Bad Gateway", "the mesh exporter did not answer\n", 33);
	} else if (!(out = mesh_metrics_rewrite(v, b.data ? b.data : "", b.len, &out_len))) {
		respond(fd, 500, "Internal Server Error", "out of memory\n", 14);
	} else {
		respond(fd, 200, "OK", out, out_len);
		free(out);
	}
	free(b.data);
}

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
	char ip[32];
	const char *colon = strrchr(s, ':');
	uint64_t port;

	if (!colon || (size_t)(colon - s) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, colon - s);
	ip[colon - s] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (inet_pton(AF_INET, ip, &sa->sin_addr) != 1 || parse_u64(colon + 1, 1, 65535, &port))
		return -EINVAL;
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

/* The public port may still be held by an old HAProxy worker for a moment after a reload. */
static int listen_on(const struct sockaddr_in *sa)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	int fd, one = 1;

	for (int tries = 0; tries < 100; tries++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) && !listen(fd, 64))
			return fd;
		close(fd);
		if (errno != EADDRINUSE)
			return -errno;
		nanosleep(&tick, NULL);
	}
	return -EADDRINUSE;
}

int lab_metrics_filter(const struct lab_filter_opts *o)
{
	enum mesh_variant v;
	struct sockaddr_in sa, up;
	int fd;

	if (mesh_variant_parse(o->mesh, &v) || parse_addr(o->listen, &sa) || parse_addr(o->upstream, &up)) {
		error("lab metrics-filter: invalid --mesh, --listen or --upstream");
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fd = listen_on(&sa);
	if (fd < 0) {
		error_errno(fd, "cannot listen on %s", o->listen);
		return EXIT_FAILED;
	}
	pr_info("metrics filter (%s) on %s for %s", mesh_variant_name(v), o->listen, o->upstream);
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			error_errno(errno, "accept failed");
			return EXIT_FAILED;
		}
		serve(c, v, o->upstream);
		close(c);
	}
}
