/* curl.c - see curl.h */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "http/curl.h"

_Static_assert(HCURL_ERR_SIZE >= CURL_ERROR_SIZE, "room for libcurl's error text");

/* One transfer in progress. */
struct xfer {
	CURL *e;
	const struct hcurl_request *rq;
	struct hcurl_result *res;
};

static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* libcurl's global set-up is not thread-safe in every version: once, whoever comes first. */
static void init_once(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, global_init);
}

int hcurl_init(struct hcurl *h)
{
	init_once();
	h->easy = curl_easy_init();
	return h->easy ? 0 : -ENOMEM;
}

void hcurl_free(struct hcurl *h)
{
	if (h && h->easy)
		curl_easy_cleanup(h->easy);
	if (h)
		h->easy = NULL;
}

static bool is_2xx(long status)
{
	return status >= 200 && status <= 299;
}

/* The buffered body: over the limit, a 2xx answer fails and any other is cut. */
static int keep(struct xfer *x, const char *p, size_t n)
{
	struct buf *b = &x->res->body;
	size_t max = x->rq->max_body;

	if (b->len + n > max) {
		if (is_2xx(x->res->status))
			return -E2BIG;
		n = max > b->len ? max - b->len : 0;
	}
	return buf_append(b, p, n, max);
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	int r;

	/* The status is known before the first body byte: it decides where the body goes. */
	if (!x->res->status)
		curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &x->res->status);
	if (x->rq->on_data && is_2xx(x->res->status))
		r = x->rq->on_data(x->rq->arg, x->res->status, p, n);
	else
		r = keep(x, p, n);
	if (r) {
		x->res->write_err = r;
		return 0;	/* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct hcurl_request *rq = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return *rq->stop != 0;
}

/* Hands PEM material to libcurl: in memory (copied) when there is data, else by path. */
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

static void set_tls(CURL *e, const struct hcurl_tls *t)
{
	set_pem(e, t->ca_pem, t->ca_file, CURLOPT_CAINFO_BLOB, CURLOPT_CAINFO, 0);
	set_pem(e, t->cert_pem, t->cert_file, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLCERT, CURLOPT_SSLCERTTYPE);
	set_pem(e, t->key_pem, t->key_file, CURLOPT_SSLKEY_BLOB, CURLOPT_SSLKEY, CURLOPT_SSLKEYTYPE);
	if (t->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/* Accept, Authorization, the extra line and a body's lines, in that order. NULL when there is none (or no memory). */
static struct curl_slist *headers(const struct hcurl_request *rq)
{
	struct curl_slist *h = NULL;
	char *line;

	if (rq->accept && asprintf(&line, "Accept: %s", rq->accept) > 0) {
		h = curl_slist_append(h, line);
		free(line);
	}
	if (rq->bearer && asprintf(&line, "Authorization: Bearer %s", rq->bearer) > 0) {
		h = curl_slist_append(h, line);
		free(line);
	}
	if (rq->extra_header)
		h = curl_slist_append(h, rq->extra_header);
	if (rq->body && rq->content_type && asprintf(&line, "Content-Type: %s", rq->content_type) > 0) {
		h = curl_slist_append(h, line);
		free(line);
	}
	/* No "Expect: 100-continue" round trip before a body: not every server answers it, and libcurl would wait. */
	if (rq->body)
		h = curl_slist_append(h, "Expect:");
	return h;
}

static void set_options(struct xfer *x, struct curl_slist *hdrs, char *errbuf)
{
	const struct hcurl_request *rq = x->rq;
	CURL *e = x->e;

	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	if (rq->method && strcmp(rq->method, "GET"))
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
	if (rq->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body);
	}
	if (hdrs)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	if (rq->user_agent)
		curl_easy_setopt(e, CURLOPT_USERAGENT, rq->user_agent);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (rq->connect_timeout_s)
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, rq->connect_timeout_s);
	if (rq->timeout_s)
		curl_easy_setopt(e, CURLOPT_TIMEOUT, rq->timeout_s);
	if (rq->tcp_keepalive)
		curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (rq->no_proxy)
		curl_easy_setopt(e, CURLOPT_PROXY, "");
	if (rq->any_encoding)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	if (rq->stop) {
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, rq);
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	}
	if (rq->tls)
		set_tls(e, rq->tls);
}

/* Keeps the answer's Content-Type: a relay passes it on with the body. */
static void content_type(CURL *e, struct hcurl_result *res)
{
	char *ct = NULL;

	res->content_type[0] = '\0';
	if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(res->content_type, sizeof(res->content_type), "%s", ct);
}

/* Maps libcurl's outcome to the contract of hcurl_get. */
static int outcome(struct xfer *x, CURLcode rc, const char *errbuf)
{
	struct hcurl_result *res = x->res;

	if (rc == CURLE_OK) {
		/* An empty body is "" too: callers read it as a string. */
		if (buf_reserve(&res->body, 1, BUF_NO_LIMIT))
			return -ENOMEM;
		res->body.p[res->body.len] = '\0';
		return 0;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return -EINTR;
	if (rc == CURLE_WRITE_ERROR && res->write_err)
		return res->write_err;
	snprintf(res->err, sizeof(res->err), "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
	return rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -ECONNRESET;
}

int hcurl_get(struct hcurl *h, const struct hcurl_request *rq, struct hcurl_result *res)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct xfer x = { .rq = rq, .res = res };
	struct curl_slist *hdrs;
	CURLcode rc;
	int r;

	res->err[0] = '\0';
	if (h) {
		x.e = h->easy;
		curl_easy_reset(x.e);	/* options of an earlier request do not carry over; connections do */
	} else {
		init_once();
		x.e = curl_easy_init();
	}
	if (!x.e)
		return -ENOMEM;
	hdrs = headers(rq);
	set_options(&x, hdrs, errbuf);
	rc = curl_easy_perform(x.e);
	if (!res->status)
		curl_easy_getinfo(x.e, CURLINFO_RESPONSE_CODE, &res->status);
	content_type(x.e, res);
	r = outcome(&x, rc, errbuf);
	curl_slist_free_all(hdrs);
	if (!h)
		curl_easy_cleanup(x.e);
	return r;
}
