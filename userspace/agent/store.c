/* store.c - see store.h */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "agent/store.h"

int store_init(struct store *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->ring = calloc(cap, sizeof(*s->ring));
	if (!s->ring)
		return -ENOMEM;
	s->cap = cap;
	pthread_mutex_init(&s->mu, NULL);
	return 0;
}

static void rec_free(struct store_rec *r)
{
	free(r->line);
	free(r->fields);
	memset(r, 0, sizeof(*r));
}

void store_free(struct store *s)
{
	if (!s || !s->ring)
		return;
	for (size_t i = 0; i < s->cap; i++)
		rec_free(&s->ring[i]);
	free(s->ring);
	s->ring = NULL;
	pthread_mutex_destroy(&s->mu);
}

static const char *str_field(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static uint64_t ts_of(json_t *o)
{
	static const char *const keys[] = { "start_ns", "open_ns", "ts_ns", "sent_ns" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(o, keys[i]);

		if (json_is_integer(v) && json_integer_value(v) > 0)
			return (uint64_t)json_integer_value(v);
	}
	return 0;
}

/* Parses the fields a query needs; the line itself is stored untouched. */
static int rec_fill(struct store_rec *r, const char *line, size_t len)
{
	json_t *o = json_loadb(line, len, 0, NULL);
	const char *t, *ns, *pod, *rid;
	size_t nl, pl, rl;

	if (!json_is_object(o) || !(t = json_string_value(json_object_get(o, "t")))) {
		json_decref(o);
		return -EINVAL;
	}
	ns = str_field(o, "namespace");
	pod = str_field(o, "pod");
	rid = str_field(o, "request_id");
	nl = strlen(ns), pl = strlen(pod), rl = strlen(rid);
	r->line = malloc(len + 1);
	r->fields = malloc(nl + pl + rl + 3);
	if (!r->line || !r->fields) {
		json_decref(o);
		rec_free(r);
		return -ENOMEM;
	}
	memcpy(r->line, line, len);
	r->line[len] = '\0';
	r->len = (uint32_t)len;
	r->ns = r->fields;
	r->pod = r->ns + nl + 1;
	r->request_id = r->pod + pl + 1;
	memcpy(r->ns, ns, nl + 1);
	memcpy(r->pod, pod, pl + 1);
	memcpy(r->request_id, rid, rl + 1);
	snprintf(r->type, sizeof(r->type), "%s", t);
	r->ts_ns = ts_of(o);
	json_decref(o);
	return 0;
}

int store_add(struct store *s, const char *line, size_t len)
{
	struct store_rec r = { 0 }, *slot;
	int ret;

	if (len > UINT32_MAX)
		return -E2BIG;
	ret = rec_fill(&r, line, len);
	pthread_mutex_lock(&s->mu);
	if (ret) {
		s->rejected++;
		pthread_mutex_unlock(&s->mu);
		return ret;
	}
	if (s->count == s->cap) {
		slot = &s->ring[s->head];
		if (slot->ts_ns > s->last_evicted_ts_ns)
			s->last_evicted_ts_ns = slot->ts_ns;
		s->bytes -= slot->len;
		rec_free(slot);
		s->head = (s->head + 1) % s->cap;
		s->count--;
		s->evicted++;
	}
	slot = &s->ring[(s->head + s->count) % s->cap];
	*slot = r;
	s->count++;
	s->added++;
	s->bytes += r.len;
	s->oldest_ts_ns = s->ring[s->head].ts_ns;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static bool matches(const struct store_rec *r, const struct store_filter *f)
{
	/* Records without a time (meta, stats) pass any window. */
	if (r->ts_ns && f->since_ns && r->ts_ns < f->since_ns)
		return false;
	if (r->ts_ns && f->until_ns && r->ts_ns > f->until_ns)
		return false;
	if (f->type && *f->type && strcmp(r->type, f->type))
		return false;
	if (!strcmp(r->type, "stats"))
		return true;	/* capture-wide counters belong to every pod's view */
	if (f->ns && *f->ns && strcmp(r->ns, f->ns))
		return false;
	if (f->pod && *f->pod && strcmp(r->pod, f->pod))
		return false;
	if (f->request_id_prefix && *f->request_id_prefix &&
	    strncmp(r->request_id, f->request_id_prefix, strlen(f->request_id_prefix)))
		return false;
	return true;
}

static void put(const struct store_rec *r, FILE *out)
{
	fwrite(r->line, 1, r->len, out);
	fputc('\n', out);
}

uint64_t store_query(struct store *s, const struct store_filter *f, FILE *out)
{
	const struct store_rec *baseline = NULL;
	uint64_t n = 0;

	pthread_mutex_lock(&s->mu);
	/*
	 * Counters are cumulative: a reader measures a window by the increase
	 * from the last stats record before it, so that one comes along.
	 */
	if (f->since_ns && (!f->type || !*f->type || !strcmp(f->type, "stats")))
		for (size_t i = 0; i < s->count; i++) {
			const struct store_rec *r = &s->ring[(s->head + i) % s->cap];

			if (!strcmp(r->type, "stats") && r->ts_ns && r->ts_ns < f->since_ns &&
			    (!baseline || r->ts_ns >= baseline->ts_ns))
				baseline = r;
		}
	if (baseline) {
		put(baseline, out);
		n++;
	}
	for (size_t i = 0; i < s->count; i++) {
		const struct store_rec *r = &s->ring[(s->head + i) % s->cap];

		if (!matches(r, f))
			continue;
		put(r, out);
		n++;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

bool store_window_evicted(struct store *s, const struct store_filter *f)
{
	bool lost;

	pthread_mutex_lock(&s->mu);
	lost = s->evicted && (!f->since_ns || f->since_ns <= s->last_evicted_ts_ns);
	pthread_mutex_unlock(&s->mu);
	return lost;
}
