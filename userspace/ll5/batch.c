/* batch.c - see batch.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ll5/batch.h"

/* A member that must be an integer in [lo, hi] when present. Returns 0 (absent: *v untouched) or -EINVAL. */
static int int_member(json_t *doc, const char *key, uint64_t lo, uint64_t hi, uint64_t *v)
{
	json_t *m = json_object_get(doc, key);

	if (!m)
		return 0;
	if (!json_is_integer(m) || json_integer_value(m) < (json_int_t)lo || json_integer_value(m) > (json_int_t)hi)
		return -EINVAL;
	*v = (uint64_t)json_integer_value(m);
	return 0;
}

int ll5_batch_parse(json_t *doc, struct ll5_batch *b)
{
	uint64_t count = 0, ms = 0, conc = 1, first = 1;
	json_t *rid = json_object_get(doc, "request_id");

	if (!json_object_get(doc, "count") && !json_object_get(doc, "duration_ms"))
		return 0;
	if (int_member(doc, "count", 1, LL5_BATCH_MAX_COUNT, &count) ||
	    int_member(doc, "duration_ms", 1, LL5_BATCH_MAX_DURATION_MS, &ms) ||
	    int_member(doc, "concurrency", 1, LL5_BATCH_MAX_CONCURRENCY, &conc) ||
	    int_member(doc, "first", 1, UINT32_MAX, &first) || !json_is_string(rid) || !*json_string_value(rid) ||
	    strlen(json_string_value(rid)) > 128 || (count && ms))
		return -EINVAL;
	/* It goes into a header and the answer: the characters request ids are made of. */
	for (const char *p = json_string_value(rid); *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
			return -EINVAL;
	*b = (struct ll5_batch){ .count = count ? count : UINT64_MAX, .duration_ns = ms * 1000000ULL,
				 .concurrency = (unsigned)conc, .first = first,
				 .request_id = json_string_value(rid) };
	return 1;
}

char *ll5_batch_body(const char *url, const char *method, json_t *hdrs, const char *body,
		     const struct ll5_batch *b)
{
	json_t *doc = json_pack("{s:s, s:s, s:O?, s:s, s:I, s:s, s:I}", "url", url, "method", method,
				"headers", hdrs, "body", body ? body : "", "concurrency", (json_int_t)b->concurrency,
				"request_id", b->request_id, "first", (json_int_t)b->first);
	char *text;

	if (!doc)
		return NULL;
	if (b->duration_ns)
		json_object_set_new(doc, "duration_ms", json_integer((json_int_t)(b->duration_ns / 1000000)));
	else
		json_object_set_new(doc, "count", json_integer((json_int_t)b->count));
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return text;
}

int ll5_batch_answer(json_t *doc, uint64_t *mono_ns, uint64_t *real_ns)
{
	json_t *reqs = json_object_get(doc, "requests"), *r;
	size_t i;

	if (!json_is_integer(json_object_get(doc, "mono_ns")) || !json_is_integer(json_object_get(doc, "real_ns")) ||
	    !json_is_array(reqs))
		return -EPROTO;
	json_array_foreach(reqs, i, r)
		if (!json_is_string(json_object_get(r, "id")) || !json_is_integer(json_object_get(r, "sent_ns")) ||
		    !json_is_integer(json_object_get(r, "done_ns")) || !json_is_integer(json_object_get(r, "status")))
			return -EPROTO;
	*mono_ns = (uint64_t)json_integer_value(json_object_get(doc, "mono_ns"));
	*real_ns = (uint64_t)json_integer_value(json_object_get(doc, "real_ns"));
	return (int)json_array_size(reqs);
}

void ll5_batch_result(json_t *doc, size_t i, struct ll5_batch_result *r)
{
	json_t *e = json_array_get(json_object_get(doc, "requests"), i);

	r->id = json_string_value(json_object_get(e, "id"));
	r->sent_ns = (uint64_t)json_integer_value(json_object_get(e, "sent_ns"));
	r->done_ns = (uint64_t)json_integer_value(json_object_get(e, "done_ns"));
	r->status = (int)json_integer_value(json_object_get(e, "status"));
	r->error = json_string_value(json_object_get(e, "error"));
}
