/*
 * test_http_server - the HTTP server core over real sockets on the loopback
 * of a private network namespace: exact answers to a good request and to
 * hostile ones (oversized head, bad request lines, bodies, other methods,
 * pipelined requests, heads in pieces), the connection limit and the timeout.
 * The test drives the server's loop itself between client reads: no thread,
 * no sleep.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "http/server.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/evloop.h"
#include "util/netns.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* Turns of the server's loop before a test gives up on an answer (each waits at most 10 ms). */
#define MAX_TURNS 1000

struct fixture {
	struct evloop loop;
	struct http_server srv;
	unsigned calls;
	char method[16], path[64], query[64], auth[64];
};

static void handler(void *arg, const struct http_request *req, struct http_response *resp)
{
	struct fixture *f = arg;
	const struct http_str *auth = http_header_get(req->head, "authorization");

	f->calls++;
	snprintf(f->method, sizeof(f->method), "%s", req->method);
	snprintf(f->path, sizeof(f->path), "%s", req->path);
	snprintf(f->query, sizeof(f->query), "%s", req->query);
	snprintf(f->auth, sizeof(f->auth), "%.*s", auth ? (int)auth->len : 0, auth ? auth->p : "");
	if (!strcmp(req->path, "/deny")) {
		resp->status = 401;
		resp->headers = "WWW-Authenticate: Bearer\r\n";
	} else {
		resp->status = 200;
		resp->content_type = "application/json";
	}
	resp->body = strdup("{}\n");
	resp->len = 3;
}

static int setup_cfg(void **state, const struct http_server_config *cfg)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(evloop_init(&f->loop), 0);
	assert_int_equal(http_server_listen(&f->srv, &f->loop, "127.0.0.1:0", cfg, handler, f), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_cfg(state, &(struct http_server_config){ .headers = "Cache-Control: no-store\r\n" });
}

static int setup_one_conn(void **state)
{
	return setup_cfg(state, &(struct http_server_config){ .max_conns = 1 });
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	http_server_close(&f->srv);
	evloop_fini(&f->loop);
	free(f);
	return 0;
}

static int dial(const struct fixture *f)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	assert_int_equal(http_listen_addr(f->srv.bound, &ss, &sl), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, sl), 0);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	return fd;
}

static void send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

/* Turns the server's loop until the client sees the end of the stream; returns what it read. */
static char *read_to_eof(struct fixture *f, int fd)
{
	struct buf got = { 0 };
	char chunk[4096];

	for (int turn = 0; turn < MAX_TURNS; turn++) {
		ssize_t n;

		evloop_run_once(&f->loop, 10);
		while ((n = read(fd, chunk, sizeof(chunk))) > 0)
			assert_int_equal(buf_append(&got, chunk, (size_t)n, BUF_NO_LIMIT), 0);
		if (n == 0)
			return buf_detach(&got);
		assert_int_equal(errno, EAGAIN);
	}
	fail_msg("no end of stream after %d turns", MAX_TURNS);
	return NULL;
}

/* The client is gone: the server lets go of the connection (it was draining). */
static void wait_released(struct fixture *f)
{
	for (int turn = 0; turn < MAX_TURNS && f->srv.nconns; turn++)
		evloop_run_once(&f->loop, 10);
	assert_int_equal(f->srv.nconns, 0);
}

/* One connection: sends req whole, returns everything answered, and checks the connection is released. */
static char *exchange(struct fixture *f, const char *req, size_t len)
{
	int fd = dial(f);
	char *got;

	send_all(fd, req, len);
	got = read_to_eof(f, fd);
	close(fd);
	wait_released(f);
	return got;
}

static void test_good_request(void **state)
{
	static const char req[] = "GET /v1/stats?since=5m&pod=app%2Da HTTP/1.1\r\nHost: x\r\n"
				  "Authorization:   Bearer tok  \r\n\r\n";
	struct fixture *f = *state;
	char *got = exchange(f, req, sizeof(req) - 1);

	assert_string_equal(got, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
			    "Cache-Control: no-store\r\nConnection: close\r\n\r\n{}\n");
	assert_int_equal(f->calls, 1);
	assert_string_equal(f->method, "GET");
	assert_string_equal(f->path, "/v1/stats");
	assert_string_equal(f->query, "since=5m&pod=app%2Da");
	assert_string_equal(f->auth, "Bearer tok");
	assert_int_equal(f->srv.requests, 1);
	free(got);
}

/* The handler's own header lines come after the server's, the default content type when it sets none. */
static void test_handler_headers(void **state)
{
	static const char req[] = "GET /deny HTTP/1.0\r\n\r\n";
	struct fixture *f = *state;
	char *got = exchange(f, req, sizeof(req) - 1);

	assert_string_equal(got, "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain; charset=utf-8\r\n"
			    "Content-Length: 3\r\nCache-Control: no-store\r\nWWW-Authenticate: Bearer\r\n"
			    "Connection: close\r\n\r\n{}\n");
	assert_string_equal(f->query, "");
	free(got);
}

/* What the core answers itself, exactly, without calling the handler. */
static void test_refused(void **state)
{
	static const struct {
		const char *desc, *req;
		int status;
		const char *reason, *text;
	} cases[] = {
		{ "HTTP/2 request line", "GET / HTTP/2.0\r\n\r\n", 400, "Bad Request", "malformed request\n" },
		{ "no version", "GET /\r\n\r\n", 400, "Bad Request", "malformed request\n" },
		{ "two spaces", "GET  / HTTP/1.1\r\n\r\n", 400, "Bad Request", "malformed request\n" },
		{ "not a request", "\x16\x03\x01\x02\xfc\x03\x03\r\n\r\n", 400, "Bad Request",
		  "malformed request\n" },
		{ "space before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "Bad Request",
		  "malformed request\n" },
		{ "control character in a value", "GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n", 400, "Bad Request",
		  "malformed request\n" },
		{ "CR without LF", "GET / HTTP/1.1\rX: y\r\n\r\n", 400, "Bad Request", "malformed request\n" },
		{ "two different lengths", "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
		  "Bad Request", "malformed request\n" },
		{ "a body", "GET / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", 413, "Payload Too Large",
		  "request bodies are not accepted\n" },
		{ "a chunked body", "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 413,
		  "Payload Too Large", "request bodies are not accepted\n" },
		{ "POST", "POST /v1/stats HTTP/1.1\r\n\r\n", 405, "Method Not Allowed", "only GET is served\n" },
		{ "lowercase get", "get / HTTP/1.1\r\n\r\n", 405, "Method Not Allowed", "only GET is served\n" },
		{ "HEAD", "HEAD / HTTP/1.1\r\n\r\n", 405, "Method Not Allowed", "only GET is served\n" },
	};
	struct fixture *f = *state;
	char want[512];

	for (size_t i = 0; i < N(cases); i++) {
		char *got = exchange(f, cases[i].req, strlen(cases[i].req));

		snprintf(want, sizeof(want), "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
			 "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n%s",
			 cases[i].status, cases[i].reason, strlen(cases[i].text), cases[i].text);
		if (strcmp(got, want))
			fail_msg("%s: got \"%s\"", cases[i].desc, got);
		free(got);
	}
	assert_int_equal(f->calls, 0);
	assert_int_equal(f->srv.requests, 0);
}

/* A head that does not end within 8 KiB gets 431; the rest of it is read away, not reset. */
static void test_oversized_head(void **state)
{
	struct fixture *f = *state;
	size_t len = 64 * 1024;
	char *req = malloc(len), *got;

	assert_non_null(req);
	memcpy(req, "GET / HTTP/1.1\r\nX-Pad: ", 23);
	memset(req + 23, 'a', len - 23);
	got = exchange(f, req, len);
	assert_string_equal(got, "HTTP/1.1 431 Request Header Fields Too Large\r\n"
			    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 23\r\n"
			    "Cache-Control: no-store\r\nConnection: close\r\n\r\nrequest head too large\n");
	assert_int_equal(f->calls, 0);
	free(got);
	free(req);
}

/* The largest head that fits is served: the limit is on the head, not on a line. */
static void test_head_at_limit(void **state)
{
	struct fixture *f = *state;
	char req[HTTP_DEFAULT_MAX_HEAD], *got;
	size_t pad = sizeof(req) - strlen("GET / HTTP/1.1\r\nX-Pad: \r\n\r\n");

	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nX-Pad: %0*d\r\n", (int)pad, 0);
	memcpy(req + sizeof(req) - 2, "\r\n", 2);
	got = exchange(f, req, sizeof(req));
	assert_non_null(strstr(got, "HTTP/1.1 200 OK\r\n"));
	assert_int_equal(f->calls, 1);
	free(got);
}

/* Two requests in one write: the first is answered, the second never reaches the handler. */
static void test_pipelined(void **state)
{
	static const char req[] = "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n";
	struct fixture *f = *state;
	char *got = exchange(f, req, sizeof(req) - 1);

	assert_string_equal(got, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
			    "Cache-Control: no-store\r\nConnection: close\r\n\r\n{}\n");
	assert_int_equal(f->calls, 1);
	assert_string_equal(f->path, "/first");
	free(got);
}

/* A head arriving a byte at a time (bare LF line ends, an empty line first) is still one request. */
static void test_head_in_pieces(void **state)
{
	static const char req[] = "\r\nGET /slow HTTP/1.1\nHost: x\n\n";
	struct fixture *f = *state;
	int fd = dial(f);
	char *got;

	for (size_t i = 0; i < sizeof(req) - 1; i++) {
		send_all(fd, req + i, 1);
		evloop_run_once(&f->loop, 10);
	}
	got = read_to_eof(f, fd);
	close(fd);
	wait_released(f);
	assert_non_null(strstr(got, "HTTP/1.1 200 OK\r\n"));
	assert_string_equal(f->path, "/slow");
	assert_int_equal(f->calls, 1);
	free(got);
}

/* A client that leaves with half a head gets nothing, and its slot is freed. */
static void test_gone_mid_head(void **state)
{
	struct fixture *f = *state;
	int fd = dial(f);

	send_all(fd, "GET / HTTP/1.1\r\nHo", 18);
	for (int turn = 0; turn < MAX_TURNS && !f->srv.nconns; turn++)
		evloop_run_once(&f->loop, 10);
	assert_int_equal(f->srv.nconns, 1);
	close(fd);
	wait_released(f);
	assert_int_equal(f->calls, 0);
}

/* One connection over the limit gets the fixed 503 at once; the first is still served after it. */
static void test_connection_limit(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\n\r\n";
	struct fixture *f = *state;
	int first = dial(f), second;
	char *got;

	for (int turn = 0; turn < MAX_TURNS && !f->srv.nconns; turn++)
		evloop_run_once(&f->loop, 10);
	assert_int_equal(f->srv.nconns, 1);
	second = dial(f);
	got = read_to_eof(f, second);
	assert_string_equal(got, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
	assert_int_equal(f->srv.rejected, 1);
	free(got);
	close(second);
	send_all(first, req, sizeof(req) - 1);
	got = read_to_eof(f, first);
	assert_non_null(strstr(got, "HTTP/1.1 200 OK\r\n"));
	free(got);
	close(first);
	wait_released(f);
}

/* A connection still open at its deadline is dropped without an answer (the clock is moved, not waited for). */
static void test_timeout(void **state)
{
	struct fixture *f = *state;
	int fd = dial(f);	/* says nothing: no unread bytes, so the drop is a clean end of stream */
	char *got;

	for (int turn = 0; turn < MAX_TURNS && !f->srv.nconns; turn++)
		evloop_run_once(&f->loop, 10);
	assert_int_equal(f->srv.nconns, 1);
	http_server_tick(&f->srv, mono_ns());	/* well inside the 10 s */
	assert_int_equal(f->srv.nconns, 1);
	http_server_tick(&f->srv, mono_ns() + 11ULL * 1000000000ULL);
	assert_int_equal(f->srv.nconns, 0);
	got = read_to_eof(f, fd);
	assert_string_equal(got, "");
	assert_int_equal(f->calls, 0);
	free(got);
	close(fd);
}

static void test_listen_addr(void **state)
{
	static const struct {
		const char *addr;
		int want, family;
	} cases[] = {
		{ "0.0.0.0:9469", 0, AF_INET }, { ":9469", 0, AF_INET }, { "[::1]:9469", 0, AF_INET6 },
		{ "127.0.0.1:0", 0, AF_INET }, { "127.0.0.1", -EINVAL, 0 }, { "127.0.0.1:65536", -EINVAL, 0 },
		{ "127.0.0.1:x", -EINVAL, 0 }, { "localhost:80", -EINVAL, 0 }, { "[::1:80", -EINVAL, 0 },
		{ "::1:80", -EINVAL, 0 },
	};
	struct sockaddr_storage ss;
	socklen_t sl;

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		int r = http_listen_addr(cases[i].addr, &ss, &sl);

		if (r != cases[i].want)
			fail_msg("'%s': %d, want %d", cases[i].addr, r, cases[i].want);
		if (!r)
			assert_int_equal(ss.ss_family, cases[i].family);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handler_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_at_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_in_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_mid_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_limit, setup_one_conn, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test(test_listen_addr),
	};

	/* Only the loopback of a namespace of its own: nothing this test sends can leave it. */
	if (unshare(CLONE_NEWNET)) {
		printf("skip: cannot create a network namespace: %s\n", strerror(errno));
		return 77;
	}
	if (netns_link_up("lo")) {
		printf("skip: cannot bring up the loopback of the test's namespace\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
