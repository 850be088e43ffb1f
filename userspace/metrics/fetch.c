/* fetch.c - see fetch.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/curl.h"
#include "metrics/fetch.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/netguard.h"

bool fetch_is_url(const char *src)
{
	return !strncmp(src, "http://", 7) || !strncmp(src, "https://", 8);
}

static int read_file(const char *src, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = strcmp(src, "-") ? fopen(src, "rb") : stdin;
	int r;

	if (!f) {
		r = -errno;
		snprintf(err, errlen, "cannot open '%s': %s", src, strerror(errno));
		return r;
	}
	r = file_read_stream(f, FETCH_MAX_BYTES, buf, len);
	if (f != stdin)
		fclose(f);
	if (r)
		snprintf(err, errlen, "cannot read '%s': %s", src, r == -EFBIG ? "larger than 64 MiB" : strerror(-r));
	return r;
}

/*
 * Asks for the classic text format: without an Accept header some exporters
 * answer OpenMetrics, and Prometheus-style negotiation can pick protobuf.
 */
static int fetch_url(const char *src, char **buf, size_t *len, char *err, size_t errlen)
{
	struct hcurl_result res = { 0 };
	int r;

	r = hcurl_get(NULL, &(struct hcurl_request){
		.url = src, .accept = "text/plain;version=0.0.4;q=1.0, application/json;q=0.9, */*;q=0.1",
		.connect_timeout_s = 5, .timeout_s = 10, .any_encoding = true, .max_body = FETCH_MAX_BYTES,
	}, &res);
	if (r) {
		snprintf(err, errlen, "cannot fetch '%s': %s", src,
			 r == -E2BIG ? "larger than 64 MiB" : res.err[0] ? res.err : strerror(-r));
		buf_free(&res.body);
		return -EIO;
	}
	if (res.status < 200 || res.status > 299) {
		snprintf(err, errlen, "cannot fetch '%s': HTTP status %ld", src, res.status);
		buf_free(&res.body);
		return -EIO;
	}
	*buf = res.body.p;
	*len = res.body.len;
	return 0;
}

int fetch_document(const char *src, char **buf, size_t *len, uint64_t *complete_ns,
		   char *err, size_t errlen)
{
	int r;

	if (fetch_is_url(src) && netguard_url(src, err, errlen))
		return -EINVAL;
	r = fetch_is_url(src) ? fetch_url(src, buf, len, err, errlen) : read_file(src, buf, len, err, errlen);
	if (r)
		return r;
	*complete_ns = mono_ns();
	return 0;
}
