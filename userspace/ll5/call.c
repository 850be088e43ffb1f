/* call.c - see call.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ll5/call.h"

int ll5_call_parse(struct ll5_call *c, const char *body, size_t len)
{
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *u = json_object_get(doc, "url"), *m = json_object_get(doc, "method");
	json_t *h = json_object_get(doc, "headers"), *b = json_object_get(doc, "body");
	const char *key;
	json_t *val;

	if (!json_is_object(doc) || !json_is_string(u) || (m && !json_is_string(m) && !json_is_null(m)) ||
	    (b && !json_is_string(b) && !json_is_null(b)) || (h && !json_is_object(h) && !json_is_null(h)))
		goto bad;
	json_object_foreach(h, key, val)
		if (!json_is_string(val))
			goto bad;
	c->doc = doc;
	c->url = json_string_value(u);
	c->method = json_is_string(m) && *json_string_value(m) ? json_string_value(m) : "GET";
	c->headers = json_is_object(h) ? h : NULL;
	c->body = json_is_string(b) ? json_string_value(b) : "";
	return 0;
bad:
	json_decref(doc);
	return -EINVAL;
}

void ll5_call_free(struct ll5_call *c)
{
	json_decref(c->doc);
	c->doc = NULL;
}

/* Go's encoding/json writes map keys sorted, struct fields in order: so must we. */
char *ll5_entry_json(const struct ll5_call *c)
{
	json_t *u = json_string(c->url), *m = json_string(c->method);
	char *us = json_dumps(u, JSON_ENCODE_ANY), *ms = json_dumps(m, JSON_ENCODE_ANY);
	char *hs = c->headers ? json_dumps(c->headers, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *out = NULL;

	if (us && ms && (hs || !c->headers) &&
	    asprintf(&out, "{\"URL\":%s,\"Method\":%s,\"Headers\":%s}", us, ms, hs ? hs : "null") < 0)
		out = NULL;
	json_decref(u);
	json_decref(m);
	free(us);
	free(ms);
	free(hs);
	return out;
}

char *ll5_call_body(const char *url, const char *method, const struct hc_header *hdrs, size_t n,
		    const char *body)
{
	json_t *h = json_object(), *doc;
	char *text;

	for (size_t i = 0; i < n; i++)
		json_object_set_new(h, hdrs[i].name, json_string(hdrs[i].value));
	doc = json_pack("{s:s, s:s, s:o, s:s}", "url", url, "method", method, "headers", h, "body", body);
	text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	return text;
}
