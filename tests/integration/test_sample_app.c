/*
 * test_sample_app - the sample app's endpoints, /call chaining, keep-alive,
 * pipelining, malformed and oversized input, disconnects, SIGTERM and RSS,
 * all on the loopback of a private network namespace.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ihttp.h"
#include "itest.h"
#include "util/clock.h"
#include "util/netns.h"

#define PA 9091	/* app-a: the caller */
#define PB 9092	/* app-b: the callee */
#define PF 9093	/* app-f: FAIL_EVERY=3 */
#define PK 9094	/* a callee that keeps every connection open and counts them */

static json_t *get_metrics(int port)
{
	char req[128];
	struct ihttp_resp r;
	json_t *j = NULL;

	snprintf(req, sizeof(req), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	if (ihttp_exchange(port, req, &r) == 0 && r.status == 200)
		j = json_loadb(r.body.p, r.body.len, 0, NULL);
	ihttp_resp_free(&r);
	return j;
}

static bool body_is(const struct ihttp_resp *r, const char *want)
{
	return r->body.len == strlen(want) && !memcmp(r->body.p, want, r->body.len);
}

static bool body_has(const struct ihttp_resp *r, const char *want)
{
	return r->body.len && memmem(r->body.p, r->body.len, want, strlen(want));
}

static void test_endpoints(void)
{
	struct ihttp_resp r;
	json_t *m;
	char *s;

	itest_check(ihttp_exchange(PB, "GET /echo?q=1 HTTP/1.1\r\nHost: b\r\nX-Request-Id: t-1\r\n\r\n", &r) == 0 &&
		    r.status == 200 && body_is(&r, "GET /echo?q=1 HTTP/1.1\r\nHost: b\r\nX-Request-Id: t-1\r\n\r\n"),
		    "GET /echo returns the request line and headers as received");
	itest_check(!strcmp(ihttp_header(&r, "Content-Type") ?: "", "text/plain; charset=utf-8"),
		    "/echo is text/plain");
	ihttp_resp_free(&r);
	itest_check(ihttp_exchange(PB, "POST /echo HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\nhello", &r) == 0 &&
		    r.status == 200 && body_is(&r, "POST /echo HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\nhello"),
		    "POST /echo echoes the body too");
	ihttp_resp_free(&r);
	itest_check(ihttp_exchange(PB, "POST /echo HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n", &r) == 0 &&
		    r.status == 200 && body_is(&r, "POST /echo HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\nabcde"),
		    "chunked request body is decoded");
	ihttp_resp_free(&r);
	itest_check(ihttp_exchange(PB, "HEAD /echo HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n", &r) == 0 &&
		    r.status == 200 && r.body.len == 0 && ihttp_header(&r, "Content-Length") &&
		    !strcmp(ihttp_header(&r, "Content-Length"), "51"), "HEAD /echo: length without body");
	ihttp_resp_free(&r);
	itest_check(ihttp_exchange(PB, "GET /nope HTTP/1.1\r\nHost: b\r\n\r\n", &r) == 0 && r.status == 404 &&
		    body_is(&r, "404 page not found\n"), "unknown path: 404");
	ihttp_resp_free(&r);
	itest_check(ihttp_exchange(PB, "PUT /metrics HTTP/1.1\r\nHost: b\r\nContent-Length: 0\r\n\r\n", &r) == 0 &&
		    r.status == 400 && body_is(&r, "Method not defined\n"), "PUT /metrics: 400 Method not defined");
	ihttp_resp_free(&r);
	itest_check(ihttp_exchange(PB, "GET /call HTTP/1.1\r\nHost: b\r\n\r\n", &r) == 0 && r.status == 200 &&
		    r.body.len == 0, "GET /call: 200, empty (as learn-layer5)");
	ihttp_resp_free(&r);
	itest_check(ihttp_exchange(PB, "POST /call HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\n{url:", &r) == 0 &&
		    r.status == 400 && body_is(&r, "Error parsing body\n"), "POST /call with bad JSON: 400");
	ihttp_resp_free(&r);
	m = get_metrics(PB);
	s = m ? json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	itest_check(s && !strcmp(s, "{\"ReqReceived\":[\"Unidentified\",\"Unidentified\",\"Unidentified\","
				 "\"Unidentified\",\"Unidentified\",\"Unidentified\"],"
				 "\"RespSucceeded\":[],\"RespFailed\":[]}"),
		    "GET /metrics counts /echo and /call only: %s", s ? s : "(none)");
	free(s);
	json_decref(m);
	itest_check(ihttp_exchange(PB, "DELETE /metrics HTTP/1.1\r\nHost: b\r\n\r\n", &r) == 0 && r.status == 200,
		    "DELETE /metrics: 200");
	ihttp_resp_free(&r);
	m = get_metrics(PB);
	itest_check(m && json_array_size(json_object_get(m, "ReqReceived")) == 0, "DELETE /metrics resets");
	json_decref(m);
}

static int post_call(const char *json, struct ihttp_resp *r)
{
	char req[2048];

	snprintf(req, sizeof(req), "POST /call HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\n\r\n%s", strlen(json), json);
	return ihttp_exchange(PA, req, r);
}

static void test_call_chain(void)
{
	struct ihttp_resp r;
	json_t *m;
	char *s;

	ihttp_exchange(PA, "DELETE /metrics HTTP/1.1\r\nHost: a\r\n\r\n", &r);
	ihttp_resp_free(&r);
	ihttp_exchange(PB, "DELETE /metrics HTTP/1.1\r\nHost: b\r\n\r\n", &r);
	ihttp_resp_free(&r);

	itest_check(post_call("{\"url\":\"http://localhost:9092/echo\",\"method\":\"GET\","
			      "\"headers\":{\"X-Request-Id\":\"chain-1\"},\"body\":\"\"}", &r) == 0 && r.status == 200 &&
		    body_is(&r, "GET /echo HTTP/1.1\r\nHost: localhost:9092\r\nX-Request-Id: chain-1\r\n"
			    "ServiceName: app-a\r\n\r\n"),
		    "/call relays to the callee by name, passing X-Request-Id and adding ServiceName");
	ihttp_resp_free(&r);
	itest_check(post_call("{\"url\":\"http://127.0.0.1:9092/echo\",\"method\":\"POST\",\"headers\":{},"
			      "\"body\":\"payload\"}", &r) == 0 && r.status == 200 &&
		    body_has(&r, "Content-Length: 7\r\n\r\npayload"), "/call POST carries the body");
	ihttp_resp_free(&r);
	itest_check(post_call("{\"url\":\"http://127.0.0.1:9092/missing\",\"method\":\"GET\",\"body\":\"\"}", &r) == 0 &&
		    r.status == 404 && body_is(&r, "404 page not found\n"),
		    "/call: a callee 404 comes back as 404 with its body");
	ihttp_resp_free(&r);
	itest_check(post_call("{\"url\":\"http://127.0.0.1:9/echo\",\"method\":\"GET\",\"body\":\"\"}", &r) == 0 &&
		    r.status == 500 && !strcmp(ihttp_header(&r, "X-Call-Error") ?: "", "refused"),
		    "/call to a closed port: 500 with X-Call-Error: refused");
	ihttp_resp_free(&r);
	itest_check(post_call("{\"url\":\"ftp://x/\",\"method\":\"GET\",\"body\":\"\"}", &r) == 0 &&
		    r.status == 400 && body_is(&r, "Error creating request\n"), "/call with a non-http URL: 400");
	ihttp_resp_free(&r);
	itest_check(post_call("{\"url\":\"http://127.0.0.1:9092/echo\",\"headers\":{\"A\":\"x\\r\\nB: y\"}}", &r) == 0 &&
		    r.status == 400, "/call refuses a header value with CR LF (no header injection)");
	ihttp_resp_free(&r);

	m = get_metrics(PB);
	s = m ? json_dumps(json_object_get(m, "ReqReceived"), JSON_COMPACT) : NULL;
	itest_check(s && !strcmp(s, "[\"app-a\",\"app-a\"]"), "callee's ReqReceived names the caller: %s", s ?: "");
	free(s);
	json_decref(m);
	m = get_metrics(PA);
	s = m ? json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	itest_check(s && !strcmp(s,
		"{\"ReqReceived\":[\"Unidentified\",\"Unidentified\",\"Unidentified\",\"Unidentified\",\"Unidentified\",\"Unidentified\"],"
		"\"RespSucceeded\":[{\"URL\":\"http://localhost:9092/echo\",\"Method\":\"GET\",\"Headers\":{\"X-Request-Id\":\"chain-1\"}},"
		"{\"URL\":\"http://127.0.0.1:9092/echo\",\"Method\":\"POST\",\"Headers\":{}}],"
		"\"RespFailed\":[{\"URL\":\"http://127.0.0.1:9092/missing\",\"Method\":\"GET\",\"Headers\":null},"
		"{\"URL\":\"http://127.0.0.1:9/echo\",\"Method\":\"GET\",\"Headers\":null}]}"),
		"caller's metrics record every outcome: %s", s ?: "");
	free(s);
	json_decref(m);
}

/*
 * A numbered batch through /call: every request goes out with its own
 * X-Request-Id, the answer lists them all with their outcome and two clocks
 * read together; a closed port and a bad batch member are reported as such.
 */
static void test_call_batch(void)
{
	struct ihttp_resp r;
	json_t *doc = NULL, *reqs, *e, *m;
	uint64_t mono = 0, real = 0, now = mono_ns(), sent[41] = { 0 }, done[41] = { 0 };
	bool ordered = true, statuses = true, rounds = true;
	unsigned seen[41] = { 0 };
	size_t i;
	char *s;

	ihttp_exchange(PB, "DELETE /metrics HTTP/1.1\r\nHost: b\r\n\r\n", &r);
	ihttp_resp_free(&r);
	itest_check(post_call("{\"url\":\"http://127.0.0.1:9092/echo\",\"method\":\"GET\",\"headers\":{\"X-A\":\"1\"},"
			      "\"count\":40,\"concurrency\":3,\"request_id\":\"rb.1.2\",\"first\":1}", &r) == 0 &&
		    r.status == 200 && !strcmp(ihttp_header(&r, "Content-Type") ?: "", "application/json"),
		    "a batch of 40 is answered once, as JSON (status %d)", r.status);
	doc = r.body.len ? json_loadb(r.body.p, r.body.len, 0, NULL) : NULL;
	reqs = json_object_get(doc, "requests");
	itest_check(json_array_size(reqs) == 40, "40 results (%zu)", json_array_size(reqs));
	json_array_foreach(reqs, i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		unsigned long seq = id && !strncmp(id, "rb.1.2-", 7) ? strtoul(id + 7, NULL, 10) : 0;

		if (seq >= 1 && seq <= 40) {
			seen[seq]++;
			sent[seq] = (uint64_t)json_integer_value(json_object_get(e, "sent_ns"));
			done[seq] = (uint64_t)json_integer_value(json_object_get(e, "done_ns"));
		}
		statuses &= json_integer_value(json_object_get(e, "status")) == 200 && !json_object_get(e, "error");
		ordered &= json_integer_value(json_object_get(e, "sent_ns")) >= (json_int_t)now &&
			   json_integer_value(json_object_get(e, "done_ns")) >= json_integer_value(json_object_get(e, "sent_ns"));
	}
	for (i = 1; i <= 40; i++)
		statuses &= seen[i] == 1;
	itest_check(statuses, "every id rb.1.2-1..40 once, each 200");
	itest_check(ordered, "sent and done on the app's monotonic clock, done after sent");
	/* Rounds of 3 (1-3, 4-6, ...): none sent before every request of the round before was answered. */
	for (i = 4; i <= 40; i++)
		for (size_t k = (i - 1) / 3 * 3 - 2; k <= (i - 1) / 3 * 3; k++)
			rounds &= sent[i] >= done[k];
	itest_check(rounds, "in rounds of 3: a round starts once the one before is answered");
	mono = (uint64_t)json_integer_value(json_object_get(doc, "mono_ns"));
	real = (uint64_t)json_integer_value(json_object_get(doc, "real_ns"));
	itest_check(mono >= now && mono <= mono_ns() && real > mono, "the answer's two clocks: mono %llu, real %llu",
		    (unsigned long long)mono, (unsigned long long)real);
	json_decref(doc);
	ihttp_resp_free(&r);
	m = get_metrics(PB);
	s = m ? json_dumps(json_object_get(m, "ReqReceived"), JSON_COMPACT) : NULL;
	itest_check(s && strlen(s) == 2 + 40 * 8 - 1, "the callee counted 40 requests from app-a: %.40s...", s ?: "");
	free(s);
	json_decref(m);

	itest_check(post_call("{\"url\":\"http://127.0.0.1:9/echo\",\"count\":2,\"request_id\":\"rc\",\"first\":7}", &r) == 0 &&
		    r.status == 200, "a batch to a closed port is answered 200 with the failures");
	doc = r.body.len ? json_loadb(r.body.p, r.body.len, 0, NULL) : NULL;
	s = doc ? json_dumps(json_object_get(doc, "requests"), JSON_COMPACT) : NULL;
	itest_check(s && strstr(s, "\"id\":\"rc-7\"") && strstr(s, "\"id\":\"rc-8\"") &&
		    strstr(s, "\"status\":0,\"error\":\"refused\""), "numbered from first, each refused: %.200s", s ?: "");
	free(s);
	json_decref(doc);
	ihttp_resp_free(&r);
	itest_check(post_call("{\"url\":\"http://127.0.0.1:9092/echo\",\"count\":0,\"request_id\":\"x\"}", &r) == 0 &&
		    r.status == 400, "count 0 is refused (400)");
	ihttp_resp_free(&r);
	itest_check(post_call("{\"url\":\"http://127.0.0.1:9092/echo\",\"count\":2,\"request_id\":\"a b\"}", &r) == 0 &&
		    r.status == 400, "a request id with a space is refused (400)");
	ihttp_resp_free(&r);
}

static void test_connection_handling(void)
{
	struct ihttp_reader rd = { .fd = ihttp_connect(PB) };
	struct ihttp_resp r1, r2, r3;
	char big[10000];
	int n;

	/* keep-alive: three requests, one connection */
	for (int i = 0; i < 3; i++) {
		char req[96];

		snprintf(req, sizeof(req), "GET /echo?%d HTTP/1.1\r\nHost: b\r\n\r\n", i);
		n = ihttp_send(rd.fd, req, strlen(req)) ? -1 : ihttp_read(&rd, &r1);
		itest_check(n == 0 && r1.status == 200 && body_has(&r1, req), "keep-alive request %d answered", i + 1);
		ihttp_resp_free(&r1);
	}
	itest_check(!ihttp_closed(&rd, 100), "connection still open after 3 requests");

	/* three pipelined requests in one write, answered in order */
	static const char pipe3[] = "GET /echo?one HTTP/1.1\r\nHost: b\r\n\r\n"
				    "GET /nope HTTP/1.1\r\nHost: b\r\n\r\n"
				    "POST /echo?three HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\n\r\nxyz";
	ihttp_send(rd.fd, pipe3, sizeof(pipe3) - 1);
	itest_check(ihttp_read(&rd, &r1) == 0 && ihttp_read(&rd, &r2) == 0 && ihttp_read(&rd, &r3) == 0 &&
		    r1.status == 200 && body_has(&r1, "?one ") && r2.status == 404 &&
		    r3.status == 200 && body_has(&r3, "?three ") && body_has(&r3, "\r\n\r\nxyz"),
		    "3 pipelined requests in one write: 200, 404, 200 in order");
	ihttp_resp_free(&r1);
	ihttp_resp_free(&r2);
	ihttp_resp_free(&r3);
	close(rd.fd);
	buf_free(&rd.in);

	/* HTTP/1.0 closes after the response */
	rd = (struct ihttp_reader){ .fd = ihttp_connect(PB) };
	ihttp_send(rd.fd, "GET /echo HTTP/1.0\r\n\r\n", 22);
	itest_check(ihttp_read(&rd, &r1) == 0 && r1.status == 200 && ihttp_closed(&rd, 1000),
		    "HTTP/1.0 without keep-alive: answered, then closed");
	ihttp_resp_free(&r1);
	close(rd.fd);
	buf_free(&rd.in);

	/* malformed requests: 400 and close */
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\nHost : b\r\n\r\n",
		"GET /echo HTTP/1.1\r\n\r\n",	/* 1.1 without Host */
		"\x16\x03\x01\x00\xa5\x01\x00\x00",	/* a TLS hello */
		"POST /echo HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
		"POST /echo HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"GET /echo HTTP/1.1\r\nHost: b\r\nX: a\rb\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rd = (struct ihttp_reader){ .fd = ihttp_connect(PB) };
		ihttp_send(rd.fd, bad[i], strlen(bad[i]));
		itest_check(ihttp_read(&rd, &r1) == 0 && r1.status == 400 && ihttp_closed(&rd, 1000),
			    "malformed request %zu: 400, then closed", i + 1);
		ihttp_resp_free(&r1);
		close(rd.fd);
		buf_free(&rd.in);
	}

	/* oversized head: 431 and close */
	n = snprintf(big, sizeof(big), "GET /echo HTTP/1.1\r\nHost: b\r\nX-Big: ");
	memset(big + n, 'a', sizeof(big) - (size_t)n - 5);
	memcpy(big + sizeof(big) - 5, "\r\n\r\n", 5);
	rd = (struct ihttp_reader){ .fd = ihttp_connect(PB) };
	ihttp_send(rd.fd, big, strlen(big));
	itest_check(ihttp_read(&rd, &r1) == 0 && r1.status == 431 && ihttp_closed(&rd, 1000),
		    "a 10000-byte head: 431, then closed");
	ihttp_resp_free(&r1);
	close(rd.fd);
	buf_free(&rd.in);

	/* clients that disconnect mid-request, in the head and in the body */
	int fd = ihttp_connect(PB);
	ihttp_send(fd, "GET /echo HTTP/1.1\r\nHost: b\r\nX-Half", 36);
	close(fd);
	fd = ihttp_connect(PB);
	ihttp_send(fd, "POST /echo HTTP/1.1\r\nHost: b\r\nContent-Length: 100\r\n\r\nonly-some", 62);
	close(fd);
	fd = ihttp_connect(PB);
	ihttp_send(fd, "POST /echo HTTP/1.1\r\nHost: b\r\nContent-Length: 100\r\n\r\nonly-some", 62);
	shutdown(fd, SHUT_WR);	/* half-close: the request can never complete */
	rd = (struct ihttp_reader){ .fd = fd };
	itest_check(ihttp_closed(&rd, 2000), "a half-closed incomplete request is closed without an answer");
	close(fd);
	itest_check(ihttp_exchange(PB, "GET /echo HTTP/1.1\r\nHost: b\r\n\r\n", &r1) == 0 && r1.status == 200,
		    "server still answers after clients vanished mid-request");
	ihttp_resp_free(&r1);

	/* a request sent, then the write side shut: still answered */
	fd = ihttp_connect(PB);
	ihttp_send(fd, "GET /echo HTTP/1.1\r\nHost: b\r\n\r\n", 31);
	shutdown(fd, SHUT_WR);
	rd = (struct ihttp_reader){ .fd = fd };
	itest_check(ihttp_read(&rd, &r1) == 0 && r1.status == 200 && ihttp_closed(&rd, 1000),
		    "complete request then half-close: answered, then closed");
	ihttp_resp_free(&r1);
	close(fd);
	buf_free(&rd.in);
}

/* FAIL_EVERY=3: the 3rd, 6th, ... /echo requests get 503; other paths do not count. */
static void test_fail_every(void)
{
	static const int want[] = { 200, 200, 503, 200, 200, 503, 200 };
	struct ihttp_resp r;
	pid_t f;

	setenv("FAIL_EVERY", "3", 1);
	f = ihttp_start_app("app-f", PF);
	unsetenv("FAIL_EVERY");
	itest_check(f > 0, "a sample app with FAIL_EVERY=3 started");
	if (f <= 0)
		return;
	for (int i = 0; i < 7; i++) {
		itest_check(ihttp_exchange(PF, "GET /echo HTTP/1.1\r\nHost: f\r\n\r\n", &r) == 0 && r.status == want[i] &&
			    (want[i] == 200 || body_is(&r, "flaky: this request fails on purpose\n")),
			    "FAIL_EVERY=3: /echo request %d answered %d (got %d)", i + 1, want[i], r.status);
		ihttp_resp_free(&r);
		if (i == 3) {	/* neither /metrics nor /call counts */
			ihttp_exchange(PF, "GET /metrics HTTP/1.1\r\nHost: f\r\n\r\n", &r);
			ihttp_resp_free(&r);
			ihttp_exchange(PF, "GET /call HTTP/1.1\r\nHost: f\r\n\r\n", &r);
			ihttp_resp_free(&r);
		}
	}
	itest_check(ihttp_stop(f, 3000) == 0, "app-f exits 0");
	setenv("FAIL_EVERY", "x", 1);
	f = ihttp_start_app("app-f", PF);
	unsetenv("FAIL_EVERY");
	itest_check(f < 0, "FAIL_EVERY=x: the app refuses to start");
}

/* /call with Connection: close never reuses the connection, even when the callee keeps it open. */
static void test_call_close(void)
{
	static const char keep[] = "{\"url\":\"http://127.0.0.1:9094/echo\"}";
	static const char close_it[] = "{\"url\":\"http://127.0.0.1:9094/echo\",\"headers\":{\"Connection\":\"close\"}}";
	struct ihttp_resp r;
	int st = -1, stop = -1;
	pid_t k = ihttp_keepalive_server(PK, &stop);
	bool ok = k > 0;

	for (int i = 0; i < 6 && ok; i++) {
		ok &= post_call(i < 3 ? close_it : keep, &r) == 0 && r.status == 200;
		ihttp_resp_free(&r);
	}
	itest_check(ok, "six /calls to a keep-alive callee answered 200");
	close(stop);
	if (k > 0)
		waitpid(k, &st, 0);
	/* 3 with Connection: close, one each; then 3 on one pooled keep-alive connection. */
	itest_check(WIFEXITED(st) && WEXITSTATUS(st) == 4, "the callee saw 4 connections (got %d)",
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/*
 * A /call batch whose headers say Connection: close sends each request on
 * a new connection though the callee keeps them open; without it, the batch
 * keeps one connection per concurrent request.
 */
static void test_batch_close(void)
{
	static const char close_it[] = "{\"url\":\"http://127.0.0.1:9094/echo\",\"headers\":{\"Connection\":\"close\"},"
				       "\"count\":5,\"concurrency\":1,\"request_id\":\"bc\"}";
	static const char keep[] = "{\"url\":\"http://127.0.0.1:9094/echo\",\"count\":5,\"concurrency\":1,"
				   "\"request_id\":\"bk\"}";
	struct ihttp_resp r;
	int st = -1, stop = -1;
	pid_t k = ihttp_keepalive_server(PK, &stop);
	bool ok = k > 0;

	ok = ok && post_call(close_it, &r) == 0 && r.status == 200 && strstr(r.body.p ?: "", "\"bc-5\"");
	ihttp_resp_free(&r);
	ok = ok && post_call(keep, &r) == 0 && r.status == 200 && strstr(r.body.p ?: "", "\"bk-5\"");
	ihttp_resp_free(&r);
	itest_check(ok, "two batches of 5 to a keep-alive callee answered 200");
	close(stop);
	if (k > 0)
		waitpid(k, &st, 0);
	/* 5 with Connection: close, one each; then 5 on one keep-alive connection. */
	itest_check(WIFEXITED(st) && WEXITSTATUS(st) == 6, "the callee saw 6 connections (got %d)",
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* Bytes that are not HTTP, on many connections at once: the server survives. */
static void test_garbage(pid_t app)
{
	unsigned seed = 12345;
	char junk[4096];
	struct ihttp_resp r;
	int fds[64];

	for (int i = 0; i < 64; i++) {
		for (size_t k = 0; k < sizeof(junk); k++)
			junk[k] = (char)(rand_r(&seed) & 0xff);
		if (i % 2)
			memcpy(junk, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: x\r\n\r\n", 58);
		fds[i] = ihttp_connect(PB);
		ihttp_send(fds[i], junk, (size_t)(rand_r(&seed) % sizeof(junk)) + 1);
	}
	for (int i = 0; i < 64; i++)
		close(fds[i]);
	itest_check(kill(app, 0) == 0 && ihttp_exchange(PB, "GET /echo HTTP/1.1\r\nHost: b\r\n\r\n", &r) == 0 &&
		    r.status == 200, "64 connections of random bytes: server alive and answering");
	ihttp_resp_free(&r);
}

/*
 * A callee that served long enough answers GET /metrics with more than a
 * request body may hold (one ReqReceived entry per request): /call carries
 * it whole, as the callee gave it.
 */
static void test_call_large_metrics(void)
{
	struct ihttp_reader rd = { .fd = ihttp_connect(PB) };
	struct ihttp_resp direct = { 0 }, relayed = { 0 };
	char name[251], req[512];
	int n = 0, ok = rd.fd >= 0;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(req, sizeof(req), "GET /echo HTTP/1.1\r\nHost: b\r\nServiceName: %s\r\n\r\n", name);
	ihttp_exchange(PB, "DELETE /metrics HTTP/1.1\r\nHost: b\r\n\r\n", &direct);
	ihttp_resp_free(&direct);
	/* 4,400 entries of 253 bytes: about 1.1 MiB of ReqReceived; 100 requests in flight at a time. */
	for (int batch = 0; ok && batch < 44; batch++) {
		for (int i = 0; ok && i < 100; i++)
			ok = ihttp_send(rd.fd, req, strlen(req)) == 0;
		for (int i = 0; ok && i < 100; i++, n++) {
			struct ihttp_resp r;

			ok = ihttp_read(&rd, &r) == 0 && r.status == 200;
			ihttp_resp_free(&r);
		}
	}
	if (rd.fd >= 0)
		close(rd.fd);
	buf_free(&rd.in);
	itest_check(ok && n == 4400, "4400 requests with a 250-byte ServiceName answered (%d)", n);
	ok = ihttp_exchange(PB, "GET /metrics HTTP/1.1\r\nHost: b\r\n\r\n", &direct) == 0 && direct.status == 200 &&
	     direct.body.len > (1u << 20);
	itest_check(ok, "the callee's /metrics is over 1 MiB (%zu bytes)", direct.body.len);
	itest_check(post_call("{\"url\":\"http://127.0.0.1:9092/metrics\",\"method\":\"GET\"}", &relayed) == 0 &&
		    relayed.status == 200 && relayed.body.len == direct.body.len &&
		    !memcmp(relayed.body.p, direct.body.p, direct.body.len),
		    "/call carries it whole: %d, %zu bytes", relayed.status, relayed.body.len);
	ihttp_resp_free(&direct);
	ihttp_resp_free(&relayed);
	ihttp_exchange(PB, "DELETE /metrics HTTP/1.1\r\nHost: b\r\n\r\n", &direct);
	ihttp_resp_free(&direct);
}

static int run(void *arg)
{
	pid_t a, b;
	long rss;
	int st;

	(void)arg;
	b = ihttp_start_app("app-b", PB);
	a = ihttp_start_app("app-a", PA);
	itest_check(a > 0 && b > 0, "two sample-app instances started");
	if (a <= 0 || b <= 0)
		return itest_done();
	rss = ihttp_rss_kib(b);
	itest_check(rss > 0 && rss < 8 * 1024, "idle RSS %ld KiB < 8 MiB", rss);
	test_endpoints();
	test_call_chain();
	test_call_batch();
	test_connection_handling();
	test_fail_every();
	test_call_close();
	test_batch_close();
	test_call_large_metrics();
	test_garbage(b);
	sleep(1);	/* let the server drop the closed connections */
	rss = ihttp_rss_kib(b);
	itest_check(rss > 0 && rss < 8 * 1024, "RSS after the tests, idle again: %ld KiB < 8 MiB", rss);
	st = ihttp_stop(a, 3000);
	itest_check(st == 0, "SIGTERM: app-a exits 0 (got %d)", st);
	st = ihttp_stop(b, 3000);
	itest_check(st == 0, "SIGTERM: app-b exits 0 (got %d)", st);
	return itest_done();
}

int main(void)
{
	int r;

	if (geteuid() != 0)
		itest_skip("needs root for a private network namespace");
	setvbuf(stdout, NULL, _IOLBF, 0);	/* the checks print in a child that ends with _exit */
	r = netns_run_private(run, NULL);
	if (r < 0)
		itest_skip("cannot create a network namespace: %s", strerror(-r));
	return r;
}
