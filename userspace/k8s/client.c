/* client.c - see client.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/client.h"
#include "k8s/jsplit.h"

/* An error body (a Status object) is short; keep only this much of one. */
#define ERR_BODY_MAX 8192

struct xfer {
	struct k8s_client *c;
	long status;		/* read at the first body byte */
	char *body;		/* whole body (plain GET) or error body */
	size_t len, cap, max;
	struct jsplit split;	/* streaming GET with a 200 answer */
	bool streaming;
	k8s_object_fn fn;
	void *arg;
	int cb_ret;		/* first non-zero result of fn / the splitter */
};

int k8s_client_init(struct k8s_client *c, const struct k8s_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->connect_timeout_s = 10;
	c->request_timeout_s = 60;
	c->curl = curl_easy_init();
	return c->curl ? 0 : -ENOMEM;
}

void k8s_client_free(struct k8s_client *c)
{
	if (c && c->curl)
		curl_easy_cleanup(c->curl);
	if (c)
		c->curl = NULL;
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

static int keep_body(struct xfer *x, const char *p, size_t n)
{
	if (x->len + n > x->max) {
		if (x->status == 200)
			return -E2BIG;
		n = x->max - x->len;	/* an error body is only for the message */
	}
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16384;
		char *nb;

		while (cap < x->len + n + 1)
			cap *= 2;
		nb = realloc(x->body, cap);
		if (!nb)
			return -ENOMEM;
		x->body = nb;
		x->cap = cap;
	}
	memcpy(x->body + x->len, p, n);
	x->len += n;
	x->body[x->len] = '\0';
	return 0;
}

static int emit_object(void *arg, const char *obj, size_t len)
{
	struct xfer *x = arg;
	json_t *doc = json_loadb(obj, len, 0, NULL);
	int r;

	if (!doc)
		return -EPROTO;
	r = x->fn(x->arg, doc);
	json_decref(doc);
	return r;
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	int r;

	if (!x->status)
		curl_easy_getinfo(x->c->curl, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->streaming && x->status == 200)
		r = jsplit_feed(&x->split, p, n);
	else
		r = keep_body(x, p, n);
	if (r) {
		x->cb_ret = r;
		return 0;	/* makes curl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct k8s_client *c = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return c->stop && *c->stop;
}

/* Adds the bearer token, re-read from its file when there is one. */
static struct curl_slist *auth_headers(struct k8s_client *c)
{
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
	char *file_token = NULL, *line;
	const char *token = c->cfg->token;

	if (c->cfg->token_file && (file_token = k8s_read_small_file(c->cfg->token_file)))
		token = file_token;
	if (token && asprintf(&line, "Authorization: Bearer %s", token) > 0) {
		h = curl_slist_append(h, line);
		free(line);
	}
	free(file_token);
	if (c->extra_header)
		h = curl_slist_append(h, c->extra_header);
	return h;
}

/* Hands PEM material to curl: in memory (copied) when there is data, else by path. */
static void set_pem(CURL *e, const char *pem, const char *file, CURLoption blob_opt,
		    CURLoption file_opt, CURLoption type_opt)
{
	if (pem) {
		struct curl_blob b = { (void *)pem, strlen(pem), CURL_BLOB_COPY };

		curl_easy_setopt(e, blob_opt, &b);
	} else if (file) {
		curl_easy_setopt(e, file_opt, file);
	}
	if ((pem || file) && type_opt)
		curl_easy_setopt(e, type_opt, "PEM");
}

static void setup_tls(struct k8s_client *c)
{
	const struct k8s_config *cfg = c->cfg;
	CURL *e = c->curl;

	set_pem(e, cfg->ca_pem, cfg->ca_file, CURLOPT_CAINFO_BLOB, CURLOPT_CAINFO, 0);
	set_pem(e, cfg->cert_pem, cfg->cert_file, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLCERT, CURLOPT_SSLCERTTYPE);
	set_pem(e, cfg->key_pem, cfg->key_file, CURLOPT_SSLKEY_BLOB, CURLOPT_SSLKEY, CURLOPT_SSLKEYTYPE);
	if (cfg->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/* The server's own explanation: the message of a Status object, or the body. */
static void status_message(const struct xfer *x, char *buf, size_t len)
{
	json_t *doc = x->body ? json_loadb(x->body, x->len, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(doc, "message"));

	if (msg)
		snprintf(buf, len, "%s", msg);
	else
		snprintf(buf, len, "%.200s", x->body ? x->body : "");
	json_decref(doc);
}

static int http_error(struct k8s_client *c, const char *what, struct xfer *x)
{
	const char *who = c->cfg->identity ? c->cfg->identity : "anonymous";
	char msg[512];

	status_message(x, msg, sizeof(msg));
	switch (x->status) {
	case 401:
		snprintf(c->err, sizeof(c->err),
			 "cannot %s: 401 Unauthorized: the API server rejected the credentials of %s%s%s",
			 what, who, *msg ? ": " : "", msg);
		return -EACCES;
	case 403:
		snprintf(c->err, sizeof(c->err),
			 "cannot %s: 403 Forbidden for %s (grant get/list/watch in its ClusterRole)%s%s",
			 what, who, *msg ? ": " : "", msg);
		return -EACCES;
	case 404:
		snprintf(c->err, sizeof(c->err), "cannot %s: 404 Not Found%s%s", what,
			 *msg ? ": " : "", msg);
		return -ENOENT;
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

static int transport_error(struct k8s_client *c, const char *what, CURLcode rc, struct xfer *x,
			   const char *errbuf)
{
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(c->err, sizeof(c->err), "cannot %s: stopped", what);
		return -EINTR;
	}
	if (rc == CURLE_WRITE_ERROR && x->cb_ret) {
		if (c->err[0])	/* the callback already said why it stopped */
			return x->cb_ret;
		snprintf(c->err, sizeof(c->err), "cannot %s: %s", what,
			 x->cb_ret == -E2BIG ? "object larger than the limit" :
			 x->cb_ret == -EPROTO ? "answer is not JSON" : strerror(-x->cb_ret));
		return x->cb_ret;
	}
	snprintf(c->err, sizeof(c->err), "cannot %s: %s: %s", what, c->cfg->server,
		 *errbuf ? errbuf : curl_easy_strerror(rc));
	return rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -ECONNRESET;
}

/* One GET of `path`; the body goes to the splitter (streaming) or into x->body. */
static int perform(struct k8s_client *c, const char *what, const char *path, long timeout_s,
		   struct xfer *x)
{
	char errbuf[CURL_ERROR_SIZE] = "", *url;
	struct curl_slist *hdrs;
	CURLcode rc;
	CURL *e = c->curl;

	c->err[0] = '\0';
	c->last_status = 0;
	if (c->stop && *c->stop) {
		snprintf(c->err, sizeof(c->err), "cannot %s: stopped", what);
		return -EINTR;
	}
	if (asprintf(&url, "%s%s", c->cfg->server, path) < 0)
		return -ENOMEM;
	curl_easy_reset(e);
	hdrs = auth_headers(c);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "smi-witness/" SMIW_VERSION);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	if (c->cfg->tls_server_name)
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	setup_tls(c);
	rc = curl_easy_perform(e);
	curl_slist_free_all(hdrs);
	free(url);
	if (!x->status)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &x->status);
	c->last_status = x->status;
	if (x->status && x->status != 200 && (rc == CURLE_OK || rc == CURLE_WRITE_ERROR))
		return http_error(c, what, x);
	if (rc != CURLE_OK)
		return transport_error(c, what, rc, x, errbuf);
	return 0;
}

int k8s_get_json(struct k8s_client *c, const char *what, const char *path, json_t **out)
{
	struct xfer x = { .c = c, .max = K8S_MAX_OBJECT };
	json_error_t jerr;
	int r;

	*out = NULL;
	r = perform(c, what, path, c->request_timeout_s, &x);
	if (!r) {
		*out = x.body ? json_loadb(x.body, x.len, 0, &jerr) : NULL;
		if (!*out) {
			snprintf(c->err, sizeof(c->err), "cannot %s: answer is not JSON: %s", what,
				 x.body ? jerr.text : "empty body");
			r = -EPROTO;
		}
	}
	free(x.body);
	return r;
}

int k8s_stream(struct k8s_client *c, const char *what, const char *path, long timeout_s,
	       k8s_object_fn fn, void *arg)
{
	struct xfer x = { .c = c, .max = ERR_BODY_MAX, .streaming = true, .fn = fn, .arg = arg };
	int r;

	jsplit_init(&x.split, K8S_MAX_OBJECT, emit_object, &x);
	r = perform(c, what, path, timeout_s, &x);
	/* A callback's own verdict (stop, relist) wins over the write error it caused. */
	if (x.cb_ret && x.cb_ret != -E2BIG && x.cb_ret != -EPROTO && x.cb_ret != -ENOMEM)
		r = x.cb_ret;
	else if (!r && !jsplit_idle(&x.split)) {
		snprintf(c->err, sizeof(c->err), "cannot %s: stream ended inside an object", what);
		r = -ECONNRESET;
	}
	jsplit_free(&x.split);
	free(x.body);
	return r;
}
