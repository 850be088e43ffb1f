/*
 * call.c - /call: the outgoing request, made on the same epoll loop with a
 * non-blocking connection (never blocking the server), through a small pool
 * of keep-alive connections to callees.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ll5/batch.h"
#include "ll5/call.h"
#include "server.h"
#include "util/resolve.h"

#define TEXT "text/plain; charset=utf-8"
#define MAX_POOL 32
#define MAX_CALL_HEADERS 62	/* what the callee's parser accepts, with Host and ServiceName */

struct call {
	struct hc_conn hc;		/* first: the done callback gets &call->hc */
	struct server *srv;
	struct call *prev, *next;	/* srv->calls while in progress, srv->pool while idle */
	struct conn *client;		/* NULL once the client went away */
	char *entry_json;		/* this call's RespSucceeded/RespFailed entry */
	bool close_after;		/* the request said Connection: close: never pooled after it */
};

static void unlink_call(struct call **list, struct call *k)
{
	if (k->prev)
		k->prev->next = k->next;
	else
		*list = k->next;
	if (k->next)
		k->next->prev = k->prev;
	k->prev = k->next = NULL;
}

static void push_call(struct call **list, struct call *k)
{
	k->prev = NULL;
	k->next = *list;
	if (*list)
		(*list)->prev = k;
	*list = k;
}

static void free_call(struct call *k)
{
	hc_close(&k->hc);
	free(k->entry_json);
	free(k);
}

static void on_call_done(struct hc_conn *hc);

/* An idle pooled connection to the same address, or a new call object. */
static struct call *get_call(struct server *srv, const struct sockaddr_storage *ss, socklen_t len)
{
	struct call *k, *next;

	for (k = srv->pool; k; k = next) {
		next = k->next;
		if (!hc_idle_open(&k->hc)) {	/* the callee closed it meanwhile */
			unlink_call(&srv->pool, k);
			srv->npool--;
			free_call(k);
		} else if (k->hc.alen == len && !memcmp(&k->hc.addr, ss, len)) {
			unlink_call(&srv->pool, k);
			srv->npool--;
			return k;
		}
	}
	k = calloc(1, sizeof(*k));
	if (k) {
		hc_init(&k->hc, &srv->loop, ss, len, on_call_done, k);
		k->srv = srv;
	}
	return k;
}

/*
 * Builds the outgoing request: the given headers, then ServiceName, as
 * learn-layer5 adds them. *close says whether they ask for Connection: close.
 */
static int build_request(struct server *srv, struct buf *req, const struct ll5_call *call,
			 const struct http_url *u, bool *close)
{
	const char *method = call->method, *body = call->body;
	struct hc_header hdrs[MAX_CALL_HEADERS + 1];
	size_t n = 0;
	bool with_body = !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH");
	const char *key;
	json_t *val;

	*close = false;
	json_object_foreach(call->headers, key, val) {
		const char *v = json_string_value(val);

		if (n == MAX_CALL_HEADERS)
			return -1;
		hdrs[n++] = (struct hc_header){ key, v };
		*close |= !strcasecmp(key, "connection") && http_list_has((struct http_str){ v, strlen(v) }, "close");
	}
	hdrs[n++] = (struct hc_header){ "ServiceName", srv->service_name };
	return hc_build_request(req, method, u, hdrs, n, with_body ? body : NULL,
				with_body ? strlen(body) : 0);
}

/* Answers the waiting client and lets it go on with its next request. */
static void answer_client(struct call *k)
{
	struct conn *c = k->client;
	struct hc_conn *hc = &k->hc;
	char extra[64];

	c->call = NULL;
	if (hc->err) {
		snprintf(extra, sizeof(extra), "X-Call-Error: %s\r\n", hc_error_name(hc->err));
		conn_respond(c, 500, TEXT, extra, "Error completing the request\n", 29);
	} else {
		int status = hc->status >= 200 && hc->status < 400 ? 200 : hc->status < 200 ? 502 : hc->status;

		conn_respond(c, status, hc->content_type[0] ? hc->content_type : TEXT, NULL,
			     hc->resp_body.p, hc->resp_body.len);
	}
	conn_resume(c);
}

static void on_call_done(struct hc_conn *hc)
{
	struct call *k = hc->owner;
	struct server *srv = k->srv;
	bool ok = !hc->err && hc->status >= 200 && hc->status < 400;

	unlink_call(&srv->calls, k);
	if (k->entry_json)
		metrics_response(&srv->metrics, ok, k->entry_json);
	free(k->entry_json);
	k->entry_json = NULL;
	if (k->client)
		answer_client(k);
	k->client = NULL;
	buf_free(&k->hc.resp_body);
	/* A caller that asked for a new connection per request gets one: the callee's keep-alive is not used. */
	if (hc_idle_open(&k->hc) && !k->close_after && srv->npool < MAX_POOL && !srv->draining) {
		push_call(&srv->pool, k);
		srv->npool++;
	} else {
		free_call(k);
	}
}

/* Starts the request; on failure to even start, records and answers like a failed call. */
static void launch(struct conn *c, const struct http_url *u, const char *method, struct buf *req,
		   char *entry, bool close)
{
	struct server *srv = c->srv;
	struct sockaddr_storage ss;
	socklen_t len;
	struct call *k;
	char extra[64];
	enum hc_error err = HC_RESOLVE;

	if (resolve_tcp(u->host, u->port, &ss, &len) == 0) {
		err = HC_OTHER;
		k = get_call(srv, &ss, len);
		if (k) {
			k->hc.keep_body = true;
			/*
			 * As large as the largest answer the app gives itself (a /metrics
			 * list grows by one entry per request received): a callee that
			 * served long enough made GET /metrics through /call fail
			 * "too-large" at the 1 MiB bound of request bodies.
			 */
			k->hc.max_body = OUT_LIMIT / 2;
			if (hc_send(&k->hc, req->p, req->len, !strcmp(method, "HEAD"), CALL_TIMEOUT_NS) == 0) {
				k->close_after = close;
				k->entry_json = entry;
				k->client = c;
				push_call(&srv->calls, k);
				c->call = k;
				c->rstate = RQ_CALL;
				return;
			}
			free_call(k);
		}
	}
	metrics_response(&srv->metrics, 0, entry);
	free(entry);
	snprintf(extra, sizeof(extra), "X-Call-Error: %s\r\n", hc_error_name(err));
	conn_respond(c, 500, TEXT, extra, "Error completing the request\n", 29);
}

void call_start(struct conn *c, const char *body, size_t len)
{
	struct buf req = { 0 };
	struct ll5_call call = { 0 };
	struct ll5_batch spec;
	struct http_url u;
	char *entry;
	bool close = false;
	int r;

	if (ll5_call_parse(&call, body, len) || (r = ll5_batch_parse(call.doc, &spec)) < 0) {
		if (call.doc)
			ll5_call_free(&call);
		conn_respond(c, 400, TEXT, "X-Content-Type-Options: nosniff\r\n", "Error parsing body\n", 19);
		return;
	}
	if (r == 1) {
		r = batch_start(c, &call, &spec);
		if (r) {
			ll5_call_free(&call);
			conn_respond(c, r == -ENOMEM ? 500 : 400, TEXT, "X-Content-Type-Options: nosniff\r\n",
				     r == -EHOSTUNREACH ? "Error resolving the host\n" : "Error creating request\n",
				     r == -EHOSTUNREACH ? 25 : 23);
		}
		return;
	}
	if (http_url_parse(call.url, &u) || build_request(c->srv, &req, &call, &u, &close)) {
		conn_respond(c, 400, TEXT, "X-Content-Type-Options: nosniff\r\n", "Error creating request\n", 23);
	} else {
		entry = ll5_entry_json(&call);
		if (entry)
			launch(c, &u, call.method, &req, entry, close);
		else
			conn_respond(c, 500, TEXT, NULL, "out of memory\n", 14);
	}
	buf_free(&req);
	ll5_call_free(&call);
}

void call_orphan(struct call *k)
{
	k->client = NULL;
}

void call_tick(struct server *srv, uint64_t now)
{
	struct call *k, *next;

	for (k = srv->calls; k; k = next) {
		next = k->next;
		hc_check_timeout(&k->hc, now);	/* may free k */
	}
}

void call_shutdown(struct server *srv)
{
	struct call *k;

	while ((k = srv->calls)) {
		if (k->client)
			k->client->call = NULL;
		unlink_call(&srv->calls, k);
		free_call(k);
	}
	while ((k = srv->pool)) {
		unlink_call(&srv->pool, k);
		free_call(k);
	}
	srv->npool = 0;
}
