/* fetch.c - see fetch.h */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>

#include "metrics/fetch.h"
#include "util/clock.h"
#include "util/file.h"

struct sink {
	char *buf;
	size_t len, cap;
	bool too_big;
};

bool fetch_is_url(const char *src)
{
	return !strncmp(src, "http://", 7) || !strncmp(src, "https://", 8);
}

static int sink_add(struct sink *s, const void *data, size_t n)
{
	if (s->len + n > FETCH_MAX_BYTES) {
		s->too_big = true;
		return -EFBIG;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 65536;
		char *p;

		while (cap < s->len + n + 1)
			cap *= 2;
		p = realloc(s->buf, cap);
		if (!p)
			return -ENOMEM;
		s->buf = p;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

static int read_file(const char *src, struct sink *s, char *err, size_t errlen)
{
	FILE *f = strcmp(src, "-") ? fopen(src, "rb") : stdin;
	int r;

	if (!f) {
		r = -errno;
		snprintf(err, errlen, "cannot open '%s': %s", src, strerror(errno));
		return r;
	}
	r = file_read_stream(f, FETCH_MAX_BYTES, &s->buf, &s->len);
	if (f != stdin)
		fclose(f);
	if (r)
		snprintf(err, errlen, "cannot read '%s': %s", src, r == -EFBIG ? "larger than 64 MiB" : strerror(-r));
	return r;
}

static size_t curl_write(char *data, size_t size, size_t nmemb, void *arg)
{
	return sink_add(arg, data, size * nmemb) ? 0 : size * nmemb;
}

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/*
 * Asks for the classic text format: without an Accept header some exporters
 * answer OpenMetrics, and Prometheus-style negotiation can pick protobuf.
 */
static int fetch_url(const char *src, struct sink *s, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	char curl_err[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr;
	CURLcode rc;
	long status = 0;
	CURL *c;

	pthread_once(&once, curl_init_once);
	c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "cannot fetch '%s': libcurl failed to start", src);
		return -ENOMEM;
	}
	hdr = curl_slist_append(NULL, "Accept: text/plain;version=0.0.4;q=1.0, application/json;q=0.9, */*;q=0.1");
	curl_easy_setopt(c, CURLOPT_URL, src);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "cannot fetch '%s': %s", src,
			 s->too_big ? "larger than 64 MiB" : curl_err[0] ? curl_err : curl_easy_strerror(rc));
		return -EIO;
	}
	if (status < 200 || status > 299) {
		snprintf(err, errlen, "cannot fetch '%s': HTTP status %ld", src, status);
		return -EIO;
	}
	return sink_add(s, "", 0);
}

int fetch_document(const char *src, char **buf, size_t *len, uint64_t *complete_ns,
		   char *err, size_t errlen)
{
	struct sink s = { 0 };
	int r;

	r = fetch_is_url(src) ? fetch_url(src, &s, err, errlen) : read_file(src, &s, err, errlen);
	if (r) {
		free(s.buf);
		return r;
	}
	*complete_ns = mono_ns();
	*buf = s.buf;
	*len = s.len;
	return 0;
}
