/* handlers.c - the endpoints: /echo, /call, /metrics (learn-layer5's routes). */
#include <string.h>

#include "server.h"

#define TEXT "text/plain; charset=utf-8"
#define NOSNIFF "X-Content-Type-Options: nosniff\r\n"

/* The path of the request target without its query; absolute-form targets too. */
static struct http_str target_path(struct http_str t)
{
	const char *q;

	if (t.len > 7 && !strncmp(t.p, "http://", 7)) {
		const char *slash = memchr(t.p + 7, '/', t.len - 7);

		if (!slash)
			return (struct http_str){ "/", 1 };
		t.len -= (size_t)(slash - t.p);
		t.p = slash;
	}
	q = memchr(t.p, '?', t.len);
	if (q)
		t.len = (size_t)(q - t.p);
	return t;
}

static bool path_is(struct http_str p, const char *z)
{
	return p.len == strlen(z) && !memcmp(p.p, z, p.len);
}

static bool method_is(const struct conn *c, const char *m)
{
	return c->head.method.len == strlen(m) && !memcmp(c->head.method.p, m, c->head.method.len);
}

/* learn-layer5 counts a request under the caller's ServiceName header. */
static void count_received(struct conn *c)
{
	const struct http_str *name = http_header_get(&c->head, "servicename");

	metrics_received(&c->srv->metrics, name ? name->p : NULL, name ? name->len : 0);
}

/* The request as received: request line, headers, empty line, body. */
static void echo(struct conn *c)
{
	struct buf b = { 0 };

	if (buf_append(&b, c->req_head.p, c->req_head.len, MAX_HEAD + MAX_BODY) ||
	    buf_append(&b, c->req_body.p, c->req_body.len, MAX_HEAD + MAX_BODY))
		conn_respond(c, 500, TEXT, NULL, "out of memory\n", 14);
	else
		conn_respond(c, 200, TEXT, NULL, b.p, b.len);
	buf_free(&b);
}

static void metrics(struct conn *c)
{
	struct buf b = { 0 };

	if (method_is(c, "GET")) {
		if (metrics_json(&c->srv->metrics, &b, OUT_LIMIT / 2))
			conn_respond(c, 500, TEXT, NULL, "metrics too large\n", 18);
		else
			conn_respond(c, 200, "application/json", NULL, b.p, b.len);
		buf_free(&b);
	} else if (method_is(c, "DELETE")) {
		metrics_reset(&c->srv->metrics);
		conn_respond(c, 200, NULL, NULL, NULL, 0);
	} else {
		conn_respond(c, 400, TEXT, NOSNIFF, "Method not defined\n", 19);
	}
}

void handle_request(struct conn *c)
{
	struct http_str path = target_path(c->head.target);

	/* An upgrade whose settings cannot be read is answered as plain HTTP/1.1. */
	if (h2_upgrade_requested(c) && h2_upgrade(c) == 0)
		return;
	if (path_is(path, "/echo")) {
		count_received(c);
		/* A backend made flaky on purpose (the lab's retry variant): the failure a mesh may retry. */
		if (c->srv->fail_every && ++c->srv->echoes % c->srv->fail_every == 0)
			conn_respond(c, 503, TEXT, NULL, "flaky: this request fails on purpose\n", 37);
		else
			echo(c);
	} else if (path_is(path, "/call")) {
		count_received(c);
		/* Like the original: anything but a POST with a body answers 200, empty. */
		if (!method_is(c, "POST") || c->req_body.len == 0)
			conn_respond(c, 200, NULL, NULL, NULL, 0);
		else
			call_start(c, c->req_body.p, c->req_body.len);
	} else if (path_is(path, "/metrics")) {
		metrics(c);
	} else if (c->srv->echo_any) {
		/* The Gateway API conformance echo server answers 200 on every path. */
		count_received(c);
		echo(c);
	} else {
		conn_respond(c, 404, TEXT, NOSNIFF, "404 page not found\n", 19);
	}
}
