/* evidence.c - see evidence.h */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "verify/evidence.h"

void eval_set(struct eval *e, enum verdict v, bool positive, const char *fmt, ...)
{
	va_list ap;

	e->verdict = v;
	e->positive = positive;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

void evidence_time(const struct obs_set *obs, uint64_t mono_ns, char *buf, size_t len)
{
	uint64_t wall = obs_wall_ns(obs, mono_ns);
	time_t secs;
	struct tm tm;

	if (!wall) {
		snprintf(buf, len, "+%" PRIu64 ".%06" PRIu64 "s", mono_ns / UINT64_C(1000000000),
			 mono_ns % UINT64_C(1000000000) / 1000);
		return;
	}
	secs = (time_t)(wall / 1000000000ULL);
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(wall % 1000000000ULL / 1000000));
}

json_t *evidence_list(void)
{
	return json_pack("{s:I, s:[]}", "total", (json_int_t)0, "items");
}

void evidence_list_add(json_t *list, json_t *item)
{
	json_t *items = json_object_get(list, "items");
	json_int_t total = json_integer_value(json_object_get(list, "total"));

	json_object_set_new(list, "total", json_integer(total + 1));
	if (json_array_size(items) < EVIDENCE_MAX_ITEMS)
		json_array_append_new(items, item);
	else
		json_decref(item);
}

size_t evidence_list_total(const json_t *list)
{
	return (size_t)json_integer_value(json_object_get(list, "total"));
}

json_t *evidence_request(const struct check_ctx *c, const struct vreq *r, const char *what)
{
	const struct obs_exchange *at = r->served ? r->served : r->client;
	char label[48], when[40], pod[160];
	json_t *o;

	evidence_time(c->obs, at ? at->start_ns : r->t0, when, sizeof(when));
	o = json_pack("{s:s, s:s, s:s, s:s}", "request_id", r->request_id ? r->request_id : "",
		      "what", what, "client", vreq_outcome_label(r, label, sizeof(label)), "time", when);
	if (r->served) {
		snprintf(pod, sizeof(pod), "%s/%s", r->served->ns, r->served->pod);
		json_object_set_new(o, "served_by", json_string(pod));
		json_object_set_new(o, "method", json_string(r->served->method));
		json_object_set_new(o, "path", json_string(r->served->path));
		json_object_set_new(o, "server_status", json_integer(r->served->status));
		json_object_set_new(o, "comm", json_string(r->served->comm));
	} else if (r->client) {
		json_object_set_new(o, "method", json_string(r->client->method));
		json_object_set_new(o, "path", json_string(r->client->path));
	}
	if (r->client) {
		snprintf(pod, sizeof(pod), "%s/%s", r->client->ns, r->client->pod);
		json_object_set_new(o, "client_pod", json_string(pod));
	}
	if (r->problem)
		json_object_set_new(o, "capture_problem", json_string(r->problem));
	if (r->n_copies > 1 || r->followed)
		json_object_set_new(o, "copies", evidence_copies(c, r));
	return o;
}

json_t *evidence_copies(const struct check_ctx *c, const struct vreq *r)
{
	static const char *const how[] = { "none", "id", "followed", "followed-to-entry" };
	json_t *list = json_array();
	char when[40], pod[160];

	for (size_t i = 0; i < r->n_copies; i++) {
		const struct obs_exchange *e = r->copies[i].e;

		evidence_time(c->obs, e->start_ns, when, sizeof(when));
		snprintf(pod, sizeof(pod), "%s/%s", e->ns, e->pod);
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:b}", "pod", pod,
			"time", when, "status", e->status, "conn", e->conn, "peer", e->peer, "request_id", e->request_id,
			"how", how[r->copies[i].how & 3], "answered", r->copies[i].answered));
	}
	return list;
}

void evidence_count(json_t *counts, const char *label)
{
	json_t *v = json_object_get(counts, label);

	json_object_set_new(counts, label, json_integer(v ? json_integer_value(v) + 1 : 1));
}

/* "403 ×47, reset ×3": keys in descending count, ties by name: a stable, readable order. */
void evidence_counts_text(const json_t *counts, char *buf, size_t len)
{
	const char *keys[32];
	size_t n = 0, used = 0;
	const char *k;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach((json_t *)counts, k, v)
		if (n < 32)
			keys[n++] = k;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			json_int_t a = json_integer_value(json_object_get(counts, keys[j - 1]));
			json_int_t b = json_integer_value(json_object_get(counts, keys[j]));

			if (a > b || (a == b && strcmp(keys[j - 1], keys[j]) <= 0))
				break;
			const char *t = keys[j - 1];

			keys[j - 1] = keys[j];
			keys[j] = t;
		}
	for (size_t i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s ×%lld", i ? ", " : "", keys[i],
				 (long long)json_integer_value(json_object_get(counts, keys[i])));

		if (w < 0)
			break;
		used += (size_t)w;
	}
}
