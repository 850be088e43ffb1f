/*
 * outcome.c - what a request must come to under the routes that apply:
 * 404, a redirect (status and Location), or a backend with the path and
 * headers it must receive. The rules are the spec's filter semantics
 * (HTTPRequestRedirectFilter, HTTPURLRewriteFilter, HTTPHeaderFilter).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gateway/gateway.h"

/* One field line of the request as it travels: name, value. */
struct line {
	const char *name, *value;
};

#define MAX_LINES 96

struct lines {
	struct line v[MAX_LINES];
	size_t n;
	const char *touched[MAX_LINES];	/* names a filter set, added or removed */
	size_t n_touched;
};

static void touch(struct lines *l, const char *name)
{
	for (size_t i = 0; i < l->n_touched; i++)
		if (!strcasecmp(l->touched[i], name))
			return;
	if (l->n_touched < MAX_LINES)
		l->touched[l->n_touched++] = name;
}

static void drop(struct lines *l, const char *name)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].name, name))
			l->v[k++] = l->v[i];
	l->n = k;
}

static int append(struct lines *l, const char *name, const char *value)
{
	if (l->n == MAX_LINES)
		return -E2BIG;
	l->v[l->n++] = (struct line){ name, value };
	return 0;
}

/* set replaces every line of the name, add appends one, remove deletes them all. */
static int modify(struct lines *l, const struct gw_header_mod *m)
{
	for (size_t i = 0; i < m->n_set; i++) {
		drop(l, m->set[i].name);
		touch(l, m->set[i].name);
		if (append(l, m->set[i].name, m->set[i].value))
			return -E2BIG;
	}
	for (size_t i = 0; i < m->n_add; i++) {
		touch(l, m->add[i].name);
		if (append(l, m->add[i].name, m->add[i].value))
			return -E2BIG;
	}
	for (size_t i = 0; i < m->n_remove; i++) {
		drop(l, m->remove[i]);
		touch(l, m->remove[i]);
	}
	return 0;
}

/* The expected header `name` from the lines into v[0..*n) (max): joined values, or absent. */
static int expect_into(struct gw_outcome *o, struct gw_out_header *v, size_t *n, size_t max, const struct lines *l,
		       const char *name)
{
	struct gw_out_header *h;
	size_t start = o->used;
	bool any = false;

	for (size_t i = 0; i < *n; i++)
		if (!strcasecmp(v[i].name, name))
			return 0;
	if (*n == max || strlen(name) >= sizeof(h->name))
		return -E2BIG;
	h = &v[(*n)++];
	snprintf(h->name, sizeof(h->name), "%s", name);
	for (size_t i = 0; i < l->n; i++) {
		int w;

		if (strcasecmp(l->v[i].name, name))
			continue;
		w = snprintf(o->buf + o->used, sizeof(o->buf) - o->used, "%s%s", any ? "," : "", l->v[i].value);
		if (w < 0 || (size_t)w >= sizeof(o->buf) - o->used)
			return -E2BIG;
		o->used += (size_t)w;
		any = true;
	}
	if (!any) {
		h->value = NULL;
		return 0;
	}
	h->value = o->buf + start;
	o->used++;	/* past the NUL */
	return 0;
}

/* A request header as the backend must receive it. */
static int expect_header(struct gw_outcome *o, const struct lines *l, const char *name)
{
	return expect_into(o, o->headers, &o->n_headers, GW_OUT_MAX_HEADERS, l, name);
}

/*
 * The response headers the ResponseHeaderModifiers of filters[0..n) touch,
 * from a response that carries none of them (what the echo backends send):
 * set and add give their values, remove leaves the name absent.
 */
static int response_filters(const struct gw_filter *f, size_t n, struct lines *resp)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].type == GW_RESPONSE_HEADER_MODIFIER && modify(resp, &f[i].headers))
			return -E2BIG;
	return 0;
}

/*
 * The path after ReplaceFullPath or ReplacePrefixMatch (`prefix` the
 * match's PathPrefix), the query kept; into out. The spec's table: prefix
 * and replacement are taken without a trailing '/', and an empty result is "/".
 */
static int change_path(const struct gw_path_change *pc, const char *prefix, const char *target, char *out,
		       size_t len)
{
	const char *q = strchr(target, '?');
	size_t plen = q ? (size_t)(q - target) : strlen(target), pfx, rlen;
	int w;

	if (pc->type == GW_KEEP_PATH)
		w = snprintf(out, len, "%s", target);
	else if (pc->type == GW_FULL_PATH)
		w = snprintf(out, len, "%s%s", pc->value, q ? q : "");
	else {
		pfx = strlen(prefix);
		while (pfx && prefix[pfx - 1] == '/')
			pfx--;
		rlen = strlen(pc->value);
		while (rlen && pc->value[rlen - 1] == '/')
			rlen--;
		if (!rlen && plen == pfx)
			w = snprintf(out, len, "/%s", q ? q : "");
		else
			w = snprintf(out, len, "%.*s%.*s%s", (int)rlen, pc->value, (int)(plen - pfx), target + pfx,
				     q ? q : "");
	}
	return w < 0 || (size_t)w >= len ? -E2BIG : 0;
}

static int redirect(const struct gw_redirect *r, const char *prefix, const struct gw_http_request *req,
		    const char *host, uint16_t svc_port, struct gw_outcome *o)
{
	const char *scheme = r->scheme ? r->scheme : "http";
	size_t hlen = strcspn(host, ":");
	uint16_t port = r->port ? r->port : r->scheme ? 0 : svc_port;
	char path[sizeof(o->path)], portbuf[8] = "";
	int w;

	if (change_path(&r->path, prefix, req->path, path, sizeof(path)))
		return -E2BIG;
	/* The port is left out where it is the scheme's own. */
	if (port && !(!strcmp(scheme, "http") && port == 80) && !(!strcmp(scheme, "https") && port == 443))
		snprintf(portbuf, sizeof(portbuf), ":%u", port);
	if (r->hostname)
		w = snprintf(o->location, sizeof(o->location), "%s://%s%s%s", scheme, r->hostname, portbuf, path);
	else
		w = snprintf(o->location, sizeof(o->location), "%s://%.*s%s%s", scheme, (int)hlen, host, portbuf,
			     path);
	o->kind = GW_OUT_REDIRECT;
	o->status = r->status;
	return w < 0 || (size_t)w >= sizeof(o->location) ? -E2BIG : 0;
}

/* Applies filters[0..n) to the request lines, path and host. */
static int apply_filters(const struct gw_filter *f, size_t n, const char *prefix, struct lines *l,
			 struct gw_outcome *o)
{
	for (size_t i = 0; i < n; i++) {
		char path[sizeof(o->path)];

		if (f[i].type == GW_REQUEST_HEADER_MODIFIER && modify(l, &f[i].headers))
			return -E2BIG;
		if (f[i].type == GW_REQUEST_MIRROR && f[i].mirror_share < 1)
			o->n_mirrors_partial++;
		else if (f[i].type == GW_REQUEST_MIRROR && o->n_mirrors == sizeof(o->mirrors) / sizeof(o->mirrors[0]))
			return -E2BIG;
		else if (f[i].type == GW_REQUEST_MIRROR)
			o->mirrors[o->n_mirrors++] = f[i].mirror;
		if (f[i].type != GW_URL_REWRITE)
			continue;
		if (f[i].rewrite.hostname)
			snprintf(o->host, sizeof(o->host), "%s", f[i].rewrite.hostname);
		if (change_path(&f[i].rewrite.path, prefix, o->path, path, sizeof(path)))
			return -E2BIG;
		memcpy(o->path, path, sizeof(path));
	}
	return 0;
}

/* The response headers the client must receive from the rule's (and its one backend's) ResponseHeaderModifiers. */
static int expect_response(const struct gw_rule *rule, struct gw_outcome *o)
{
	struct lines resp = { .n = 0 };

	if (response_filters(rule->filters, rule->n_filters, &resp) ||
	    (o->n_backends == 1 && response_filters(o->backends[0]->filters, o->backends[0]->n_filters, &resp)))
		return -E2BIG;
	for (size_t i = 0; i < resp.n_touched; i++)
		if (expect_into(o, o->resp_headers, &o->n_resp_headers, GW_OUT_MAX_RESP_HEADERS, &resp,
				resp.touched[i]))
			return -E2BIG;
	return 0;
}

/*
 * The backends of the picked rule and the headers they must receive: the
 * request's field lines after the rule's filters and, with one backend of
 * weight > 0, that backend's own. o->path holds the request target.
 */
static int to_backend(const struct gw_rule *rule, const char *prefix, size_t n_headers,
		      const struct gw_header *headers, struct gw_outcome *o)
{
	struct lines l = { .n = 0 };

	o->kind = GW_OUT_BACKEND;
	for (size_t i = 0; i < n_headers; i++)
		if (append(&l, headers[i].name, headers[i].value))
			return -E2BIG;
	if (apply_filters(rule->filters, rule->n_filters, prefix, &l, o))
		return -E2BIG;
	for (size_t i = 0; i < rule->n_backends; i++)
		if (rule->backends[i].weight && o->n_backends < sizeof(o->backends) / sizeof(o->backends[0]))
			o->backends[o->n_backends++] = &rule->backends[i];
	/* A backend's own filters apply when it is chosen: known in advance only for a single backend. */
	if (o->n_backends == 1) {
		if (apply_filters(o->backends[0]->filters, o->backends[0]->n_filters, prefix, &l, o))
			return -E2BIG;
	} else {
		for (size_t i = 0; i < o->n_backends; i++)
			o->backend_filters_unknown |= o->backends[i]->n_filters > 0;
	}
	for (size_t i = 0; i < n_headers; i++)
		if (expect_header(o, &l, headers[i].name))
			return -E2BIG;
	for (size_t i = 0; i < l.n_touched; i++)
		if (expect_header(o, &l, l.touched[i]))
			return -E2BIG;
	return expect_response(rule, o);
}

int gw_http_outcome(const struct gw_route *const *routes, size_t n, const struct gw_http_request *req,
		    const char *host, uint16_t svc_port, struct gw_outcome *o)
{
	const struct gw_rule *rule;
	const char *prefix;

	memset(o, 0, sizeof(*o));
	if (!gw_http_pick(routes, n, req, &o->pick)) {
		o->kind = GW_OUT_NOT_FOUND;
		o->status = 404;
		return 0;
	}
	rule = o->pick.rule;
	prefix = rule->http[o->pick.match_index].path;
	for (size_t i = 0; i < rule->n_filters; i++)
		if (rule->filters[i].type == GW_REQUEST_REDIRECT)
			return redirect(&rule->filters[i].redirect, prefix, req, host, svc_port, o);
	if (snprintf(o->path, sizeof(o->path), "%s", req->path) >= (int)sizeof(o->path))
		return -E2BIG;
	return to_backend(rule, prefix, req->n_headers, req->headers, o);
}

int gw_grpc_outcome(const struct gw_route *const *routes, size_t n, const char *path, size_t n_headers,
		    const struct gw_header *headers, struct gw_outcome *o)
{
	char service[256] = "", method[256] = "";
	const char *slash = path[0] == '/' ? strchr(path + 1, '/') : NULL;
	struct gw_grpc_request req = { .n_headers = n_headers, .headers = headers };

	memset(o, 0, sizeof(*o));
	/* ":path /pkg.Service/Method"; anything else names neither, and only a match without a method takes it. */
	if (slash && (size_t)(slash - path - 1) < sizeof(service) && strlen(slash + 1) < sizeof(method) &&
	    slash > path + 1 && slash[1] && !strchr(slash + 1, '/')) {
		snprintf(service, sizeof(service), "%.*s", (int)(slash - path - 1), path + 1);
		snprintf(method, sizeof(method), "%s", slash + 1);
		req.service = service;
		req.method = method;
	}
	if (!gw_grpc_pick(routes, n, &req, &o->pick)) {
		o->kind = GW_OUT_NOT_FOUND;
		o->status = 404;
		return 0;
	}
	if (snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path))
		return -E2BIG;
	return to_backend(o->pick.rule, NULL, n_headers, headers, o);
}
