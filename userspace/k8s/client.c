/* client.c - see client.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/client.h"
#include "k8s/jsplit.h"

/* An error body (a Status object) is short; keep only this much of one. */
#define ERR_BODY_MAX 8192

/* A streaming GET with a 2xx answer: objects reach the caller as they complete. */
struct stream {
	struct jsplit split;
	k8s_object_fn fn;
	void *arg;
	int cb_ret;		/* the caller's own non-zero result, which ends the stream */
};

int k8s_client_init(struct k8s_client *c, const struct k8s_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->connect_timeout_s = 10;
	c->request_timeout_s = 60;
	return hcurl_init(&c->http);
}

void k8s_client_free(struct k8s_client *c)
{
	if (c)
		hcurl_free(&c->http);
}

char *k8s_query_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			*o++ = (char)ch;
		} else {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
	}
	*o = '\0';
	return out;
}

static int emit_object(void *arg, const char *obj, size_t len)
{
	struct stream *st = arg;
	json_t *doc = json_loadb(obj, len, 0, NULL);

	if (!doc)
		return -EPROTO;
	st->cb_ret = st->fn(st->arg, doc);
	json_decref(doc);
	return st->cb_ret;
}

static int feed_stream(void *arg, long status, const char *p, size_t n)
{
	struct stream *st = arg;

	(void)status;
	return jsplit_feed(&st->split, p, n);
}

/* The bearer token as a new string (NULL when none), re-read from its file when there is one: bound tokens rotate. */
static char *bearer(const struct k8s_client *c)
{
	char *t = c->cfg->token_file ? k8s_read_small_file(c->cfg->token_file) : NULL;

	return t ? t : c->cfg->token ? strdup(c->cfg->token) : NULL;
}

/* The server's own explanation: the message of a Status object, or the body. */
static void status_message(const struct buf *body, char *buf, size_t len)
{
	json_t *doc = body->len ? json_loadb(body->p, body->len, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(doc, "message"));

	if (msg)
		snprintf(buf, len, "%s", msg);
	else
		snprintf(buf, len, "%.*s", body->len < 200 ? (int)body->len : 200, body->len ? body->p : "");
	json_decref(doc);
}

/* The verbs a 403 asks to grant: those of the request's method. */
static const char *verbs_of(const char *method)
{
	if (!method || !strcmp(method, "GET"))
		return "get/list/watch";
	if (!strcmp(method, "PATCH"))
		return "create/patch";
	if (!strcmp(method, "DELETE"))
		return "delete";
	return "create";
}

static int http_error(struct k8s_client *c, const char *what, const char *method,
		      const struct hcurl_result *x)
{
	const char *who = c->cfg->identity ? c->cfg->identity : "anonymous";
	char msg[512];

	status_message(&x->body, msg, sizeof(msg));
	switch (x->status) {
	case 401:
		snprintf(c->err, sizeof(c->err),
			 "cannot %s: 401 Unauthorized: the API server rejected the credentials of %s%s%s",
			 what, who, *msg ? ": " : "", msg);
		return -EACCES;
	case 403:
		snprintf(c->err, sizeof(c->err),
			 "cannot %s: 403 Forbidden for %s (grant %s in its RBAC role)%s%s",
			 what, who, verbs_of(method), *msg ? ": " : "", msg);
		return -EACCES;
	case 404:
		snprintf(c->err, sizeof(c->err), "cannot %s: 404 Not Found%s%s", what,
			 *msg ? ": " : "", msg);
		return -ENOENT;
	case 409:
		snprintf(c->err, sizeof(c->err), "cannot %s: 409 Conflict%s%s", what, *msg ? ": " : "", msg);
		return -EEXIST;
	case 410:
		snprintf(c->err, sizeof(c->err), "cannot %s: 410 Gone (resourceVersion too old)%s%s",
			 what, *msg ? ": " : "", msg);
		return -ESTALE;
	default:
		snprintf(c->err, sizeof(c->err), "cannot %s: HTTP %ld%s%s", what, x->status,
			 *msg ? ": " : "", msg);
		return -EIO;
	}
}

static int transport_error(struct k8s_client *c, const char *what, int r, const struct hcurl_result *x)
{
	if (r == -EINTR) {
		snprintf(c->err, sizeof(c->err), "cannot %s: stopped", what);
		return -EINTR;
	}
	if (x->write_err) {
		if (c->err[0])	/* the callback already said why it stopped */
			return r;
		snprintf(c->err, sizeof(c->err), "cannot %s: %s", what,
			 r == -E2BIG ? "object larger than the limit" :
			 r == -EPROTO ? "answer is not JSON" : strerror(-r));
		return r;
	}
	snprintf(c->err, sizeof(c->err), "cannot %s: %s: %s", what, c->cfg->server, x->err);
	return r;
}

/* What one request sends besides its path: a GET has neither method nor body. */
struct send {
	const char *method;		/* NULL: GET */
	const char *body, *content_type;	/* NULL: nothing sent */
};

/*
 * One request for `path` (a GET unless `snd` says otherwise); a 2xx body goes
 * to st (streaming) or into res->body, bounded by max_body.
 */
static int perform(struct k8s_client *c, const char *what, const char *path, long timeout_s,
		   const struct send *snd, size_t max_body, struct stream *st, struct hcurl_result *res)
{
	const struct k8s_config *cfg = c->cfg;
	struct hcurl_tls tls = {
		.ca_file = cfg->ca_file, .ca_pem = cfg->ca_pem, .cert_file = cfg->cert_file,
		.cert_pem = cfg->cert_pem, .key_file = cfg->key_file, .key_pem = cfg->key_pem,
		.insecure = cfg->insecure,
	};
	char *url, *token;
	bool abortable;
	int r;

	c->err[0] = '\0';
	c->last_status = 0;
	if (c->stop && *c->stop) {
		snprintf(c->err, sizeof(c->err), "cannot %s: stopped", what);
		return -EINTR;
	}
	if (asprintf(&url, "%s%s", cfg->server, path) < 0)
		return -ENOMEM;
	/*
	 * A raised stop flag cuts short what only reads (a list, a watch, a
	 * proxied call), never a request that changes objects: cut short, the
	 * server may still carry it out after the caller's cleanup has looked,
	 * and an object would be left behind. Such a request is not started
	 * once the flag is up (above).
	 */
	abortable = !snd || !snd->method || !strcmp(snd->method, "GET") || strstr(path, "/proxy/");
	token = bearer(c);
	r = hcurl_get(&c->http, &(struct hcurl_request){
		.url = url, .accept = "application/json", .bearer = token, .extra_header = c->extra_header,
		.user_agent = "smi-witness/" SMIW_VERSION, .tls = &tls,
		.connect_timeout_s = c->connect_timeout_s, .timeout_s = timeout_s, .tcp_keepalive = true,
		.max_body = max_body, .on_data = st ? feed_stream : NULL, .arg = st,
		.stop = abortable ? c->stop : NULL,
		.method = snd ? snd->method : NULL, .body = snd ? snd->body : NULL,
		.content_type = snd ? snd->content_type : NULL,
	}, res);
	free(token);
	free(url);
	c->last_status = res->status;
	if (res->status && (res->status < 200 || res->status > 299) && (!r || res->write_err))
		return http_error(c, what, snd ? snd->method : NULL, res);
	if (r)
		return transport_error(c, what, r, res);
	return 0;
}

int k8s_get_json(struct k8s_client *c, const char *what, const char *path, json_t **out)
{
	struct hcurl_result res = { 0 };
	json_error_t jerr;
	int r;

	*out = NULL;
	r = perform(c, what, path, c->request_timeout_s, NULL, K8S_MAX_OBJECT, NULL, &res);
	if (!r) {
		*out = res.body.len ? json_loadb(res.body.p, res.body.len, 0, &jerr) : NULL;
		if (!*out) {
			snprintf(c->err, sizeof(c->err), "cannot %s: answer is not JSON: %s", what,
				 res.body.len ? jerr.text : "empty body");
			r = -EPROTO;
		}
	}
	buf_free(&res.body);
	return r;
}

int k8s_request_raw(struct k8s_client *c, const char *what, const char *method, const char *path,
		    const char *content_type, const char *body, char **out, size_t *len)
{
	struct send snd = { .method = method, .body = body, .content_type = body ? content_type : NULL };
	struct hcurl_result res = { 0 };
	int r = perform(c, what, path, c->request_timeout_s, &snd, K8S_MAX_OBJECT, NULL, &res);

	*out = NULL;
	*len = 0;
	if (r || !res.body.len) {
		buf_free(&res.body);
		return r;
	}
	*len = res.body.len;
	*out = buf_detach(&res.body);
	return *out ? 0 : -ENOMEM;
}

int k8s_request(struct k8s_client *c, const char *what, const char *method, const char *path,
		const char *content_type, const char *body, json_t **out)
{
	json_error_t jerr;
	size_t len;
	char *text;
	int r = k8s_request_raw(c, what, method, path, content_type, body, &text, &len);

	if (out)
		*out = NULL;
	if (!r && out && len) {
		*out = json_loadb(text, len, 0, &jerr);
		if (!*out) {
			snprintf(c->err, sizeof(c->err), "cannot %s: answer is not JSON: %s", what, jerr.text);
			r = -EPROTO;
		}
	}
	free(text);
	return r;
}

int k8s_stream(struct k8s_client *c, const char *what, const char *path, long timeout_s,
	       k8s_object_fn fn, void *arg)
{
	struct stream st = { .fn = fn, .arg = arg };
	struct hcurl_result res = { 0 };
	int r;

	jsplit_init(&st.split, K8S_MAX_OBJECT, emit_object, &st);
	r = perform(c, what, path, timeout_s, NULL, ERR_BODY_MAX, &st, &res);
	/* A callback's own verdict (stop, relist) wins over the write error it caused. */
	if (st.cb_ret)
		r = st.cb_ret;
	else if (!r && !jsplit_idle(&st.split)) {
		snprintf(c->err, sizeof(c->err), "cannot %s: stream ended inside an object", what);
		r = -ECONNRESET;
	}
	jsplit_free(&st.split);
	buf_free(&res.body);
	return r;
}
