/* call.h - the learn-layer5 /call request body and its /metrics entry. */
#ifndef SMIW_LL5_CALL_H
#define SMIW_LL5_CALL_H

#include <jansson.h>
#include <stddef.h>

#include "http/client.h"

/* A parsed /call body: {"url","method","headers","body"}; strings point into doc. */
struct ll5_call {
	json_t *doc;		/* owned: ll5_call_free */
	const char *url;
	const char *method;	/* "GET" when absent or empty */
	json_t *headers;	/* an object of strings, or NULL when absent / null */
	const char *body;	/* "" when absent */
};

/*
 * Parses a /call body. Returns 0, or -EINVAL when it is not JSON, not an
 * object, has no string url, or a field of the wrong type (header values must
 * be strings). On success the caller frees with ll5_call_free.
 */
int ll5_call_parse(struct ll5_call *c, const char *body, size_t len);

void ll5_call_free(struct ll5_call *c);

/*
 * Returns this call's RespSucceeded / RespFailed entry,
 * {"URL":..,"Method":..,"Headers":<object with sorted keys, or null>},
 * malloc'd (caller frees), or NULL when out of memory.
 */
char *ll5_entry_json(const struct ll5_call *c);

/* Returns a /call body for these fields (compact, in url/method/headers/body order), malloc'd, or NULL. */
char *ll5_call_body(const char *url, const char *method, const struct hc_header *hdrs, size_t n,
		    const char *body);

#endif
