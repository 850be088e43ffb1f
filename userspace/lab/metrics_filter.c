/*
 * metrics_filter.c - `smi-witness lab metrics-filter`: the scrape endpoint of
 * the metrics variants. It answers on the mesh's public metrics address,
 * fetches HAProxy's real exporter from loopback and serves the text as
 * mesh_metrics_rewrite() falsifies it. Traffic never passes through it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/curl.h"
#include "http/server.h"
#include "lab/api.h"
#include "mesh/metrics.h"
#include "util/clock.h"
#include "util/evloop.h"
#include "util/exitcode.h"
#include "util/log.h"

#define MAX_BODY (64u << 20)
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct filter {
	enum mesh_variant variant;
	const char *upstream;
};

static void reply(struct http_response *resp, int status, const char *text)
{
	resp->status = status;
	resp->content_type = CONTENT_TYPE;
	resp->body = strdup(text);
	resp->len = resp->body ? strlen(text) : 0;
}

/* GETs http://UPSTREAM<target> and answers with the text as the variant falsifies it. */
static void serve(void *arg, const struct http_request *req, struct http_response *resp)
{
	const struct filter *f = arg;
	struct hcurl_result res = { 0 };
	struct timespec now;
	char *url;
	int r;

	if (req->path[0] != '/') {
		reply(resp, 400, "the request target must be a path\n");
		return;
	}
	if (asprintf(&url, "http://%s%s%s%s", f->upstream, req->path, *req->query ? "?" : "", req->query) < 0) {
		reply(resp, 500, "out of memory\n");
		return;
	}
	r = hcurl_get(NULL, &(struct hcurl_request){ .url = url, .no_proxy = true, .timeout_s = 5,
						       .max_body = MAX_BODY }, &res);
	free(url);
	clock_gettime(CLOCK_REALTIME, &now);
	if (r || res.status != 200) {
		reply(resp, 502, "the mesh exporter did not answer\n");
	} else if (!(resp->body = mesh_metrics_rewrite(f->variant, res.body.p, res.body.len,
						       now.tv_sec + now.tv_nsec / 1e9, &resp->len))) {
		reply(resp, 500, "out of memory\n");
	} else {
		resp->status = 200;
		resp->content_type = CONTENT_TYPE;
	}
	buf_free(&res.body);
}

/* The public port may still be held by an old HAProxy worker for a moment after a reload. */
static int listen_on(struct http_server *srv, struct evloop *loop, const char *addr, struct filter *f)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	int r = -EADDRINUSE;

	for (int tries = 0; tries < 100 && r == -EADDRINUSE; tries++) {
		if (tries)
			nanosleep(&tick, NULL);
		r = http_server_listen(srv, loop, addr, NULL, serve, f);
	}
	return r;
}

int lab_metrics_filter(const struct lab_filter_opts *o)
{
	struct sockaddr_storage ss;
	struct http_server srv;
	struct evloop loop;
	struct filter f;
	socklen_t sl;
	int r;

	if (mesh_variant_parse(o->mesh, &f.variant) || http_listen_addr(o->listen, &ss, &sl) ||
	    http_listen_addr(o->upstream, &ss, &sl)) {
		error("lab metrics-filter: invalid --mesh, --listen or --upstream");
		return EXIT_USAGE;
	}
	f.upstream = o->upstream;
	signal(SIGPIPE, SIG_IGN);
	r = evloop_init(&loop);
	if (!r && (r = listen_on(&srv, &loop, o->listen, &f)))
		evloop_fini(&loop);
	if (r) {
		error_errno(r, "cannot listen on %s", o->listen);
		return EXIT_ERROR;
	}
	pr_info("metrics filter (%s) on %s for %s", mesh_variant_name(f.variant), o->listen, o->upstream);
	/*
	 * Requests are answered one at a time (each within the upstream's 5 s);
	 * a client waiting on its head holds a slot, not the loop.
	 */
	for (;;) {
		r = evloop_run_once(&loop, 1000);
		if (r < 0) {
			error_errno(r, "event loop");
			return EXIT_ERROR;
		}
		http_server_tick(&srv, mono_ns());
	}
}
