/* call.c - see call.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of an object of strings with its keys inserted in sorted order (jansson keeps insertion order). */
static json_t *sorted_copy(json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = malloc((n ? n : 1) * sizeof(*keys)), *key;
	json_t *out = keys ? json_object() : NULL, *val;

	if (out) {
		json_object_foreach(obj, key, val)
			keys[i++] = key;
		qsort(keys, n, sizeof(*keys), key_cmp);
		for (i = 0; i < n; i++)
			if (json_object_set(out, keys[i], json_object_get(obj, keys[i]))) {
				json_decref(out);
				out = NULL;
				break;
			}
	}
	free(keys);
	return out;
}

/* Go's encoding/json writes map keys sorted, struct fields in order: so must we. */
char *ll5_entry_json(const struct ll5_call *c)
{
	json_t *h = c->headers ? sorted_copy(c->headers) : json_null();
	json_t *doc = h ? json_pack("{s:s, s:s, s:o}", "URL", c->url, "Method", c->method, "Headers", h) : NULL;
	char *out = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

	json_decref(doc);
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
