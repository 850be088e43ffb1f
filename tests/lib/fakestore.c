/* fakestore.c - see fakestore.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakestore.h"

void fstore_init(struct fstore *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->changed, NULL);
	s->objs = json_object();
	s->events = json_array();
	s->rv = 1000;
}

void fstore_free(struct fstore *s)
{
	pthread_mutex_lock(&s->mu);
	s->closing = true;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->mu);
	json_decref(s->objs);
	json_decref(s->events);
	s->objs = s->events = NULL;
}

static void key_of(char *buf, size_t len, const char *plural, const char *ns, const char *name)
{
	snprintf(buf, len, "%s/%s/%s", plural, ns ? ns : "", name);
}

json_t *fstore_get(struct fstore *s, const char *plural, const char *ns, const char *name)
{
	char key[512];
	json_t *o;

	key_of(key, sizeof(key), plural, ns, name);
	pthread_mutex_lock(&s->mu);
	o = json_object_get(s->objs, key);
	o = o ? json_deep_copy(o) : NULL;
	pthread_mutex_unlock(&s->mu);
	return o;
}

static void now_text(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Records a change and wakes the watches; the lock is held. */
static void note(struct fstore *s, const char *plural, const char *type, json_t *obj)
{
	json_array_append_new(s->events, json_pack("{s:I, s:s, s:s, s:O}", "rv", (json_int_t)s->rv, "plural", plural,
						   "type", type, "object", obj));
	pthread_cond_broadcast(&s->changed);
}

static void set_rv(json_t *obj, uint64_t rv)
{
	char v[24];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)rv);
	json_object_set_new(json_object_get(obj, "metadata"), "resourceVersion", json_string(v));
}

int fstore_apply(struct fstore *s, const char *plural, const char *ns, const char *name, json_t *obj,
		 const char *manager, json_t **out)
{
	json_t *old, *now = json_deep_copy(obj), *md = json_object_get(now, "metadata");
	char key[512], when[32], uid[40];
	int status;

	key_of(key, sizeof(key), plural, ns, name);
	now_text(when, sizeof(when));
	pthread_mutex_lock(&s->mu);
	old = json_object_get(s->objs, key);
	s->rv++;
	if (old) {
		json_t *omd = json_object_get(old, "metadata");

		json_object_set(md, "uid", json_object_get(omd, "uid"));
		json_object_set(md, "creationTimestamp", json_object_get(omd, "creationTimestamp"));
		if (!json_object_get(now, "status") && json_object_get(old, "status"))
			json_object_set(now, "status", json_object_get(old, "status"));
		status = 200;
	} else {
		snprintf(uid, sizeof(uid), "00000000-0000-4000-8000-%012llu", (unsigned long long)s->rv);
		json_object_set_new(md, "uid", json_string(uid));
		json_object_set_new(md, "creationTimestamp", json_string(when));
		status = 201;
	}
	if (ns)
		json_object_set_new(md, "namespace", json_string(ns));
	json_object_set_new(md, "managedFields", json_pack("[{s:s, s:s, s:O, s:s}]", "manager", manager, "operation",
							   "Apply", "apiVersion", json_object_get(now, "apiVersion"),
							   "time", when));
	set_rv(now, s->rv);
	json_object_set(s->objs, key, now);
	note(s, plural, old ? "MODIFIED" : "ADDED", now);
	if (out)
		*out = json_deep_copy(now);
	pthread_mutex_unlock(&s->mu);
	json_decref(now);
	return status;
}

static void delete_locked(struct fstore *s, const char *key)
{
	json_t *o = json_incref(json_object_get(s->objs, key));
	char plural[128];
	const char *slash = strchr(key, '/');

	snprintf(plural, sizeof(plural), "%.*s", (int)(slash - key), key);
	json_object_del(s->objs, key);
	s->rv++;
	set_rv(o, s->rv);
	note(s, plural, "DELETED", o);
	json_decref(o);
}

int fstore_delete(struct fstore *s, const char *plural, const char *ns, const char *name)
{
	char key[512];
	const char *k;
	json_t *o;
	void *tmp;

	key_of(key, sizeof(key), plural, ns, name);
	pthread_mutex_lock(&s->mu);
	if (!json_object_get(s->objs, key)) {
		pthread_mutex_unlock(&s->mu);
		return -ENOENT;
	}
	if (!strcmp(plural, "namespaces"))
		json_object_foreach_safe(s->objs, tmp, k, o) {
			const char *ons = json_string_value(json_object_get(json_object_get(o, "metadata"), "namespace"));

			if (ons && !strcmp(ons, name))
				delete_locked(s, k);
		}
	delete_locked(s, key);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* One "k=v" term of a selector: against the labels, or (labels NULL) the fields of obj. */
static bool term_ok(const char *term, size_t len, json_t *labels, json_t *obj)
{
	const char *eq = memchr(term, '=', len);
	char key[256], want[256];
	const char *have;

	if (!eq)
		return true;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - term), term);
	snprintf(want, sizeof(want), "%.*s", (int)(len - (size_t)(eq - term) - 1), eq + 1);
	if (labels)
		have = json_string_value(json_object_get(labels, key));
	else if (!strcmp(key, "spec.nodeName"))
		have = json_string_value(json_object_get(json_object_get(obj, "spec"), "nodeName"));
	else if (!strcmp(key, "metadata.name"))
		have = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
	else
		have = NULL;
	return have && !strcmp(have, want);
}

static bool selector_ok(const char *sel, json_t *labels, json_t *obj)
{
	while (sel && *sel) {
		const char *comma = strchr(sel, ',');
		size_t len = comma ? (size_t)(comma - sel) : strlen(sel);

		if (!term_ok(sel, len, labels, obj))
			return false;
		sel = comma ? comma + 1 : NULL;
	}
	return true;
}

bool fstore_match(json_t *obj, const char *labels, const char *fields)
{
	json_t *l = json_object_get(json_object_get(obj, "metadata"), "labels"), *none = json_object();
	bool ok = selector_ok(labels, l ? l : none, obj) && selector_ok(fields, NULL, obj);

	json_decref(none);
	return ok;
}

static bool in_scope(const char *key, const char *plural, const char *ns, json_t *obj)
{
	size_t pl = strlen(plural);
	const char *ons = json_string_value(json_object_get(json_object_get(obj, "metadata"), "namespace"));

	return !strncmp(key, plural, pl) && key[pl] == '/' && (!ns || (ons && !strcmp(ons, ns)));
}

json_t *fstore_list(struct fstore *s, const char *plural, const char *ns, const char *labels, const char *fields,
		    uint64_t *rv)
{
	json_t *out = json_array(), *o;
	const char *k;

	pthread_mutex_lock(&s->mu);
	json_object_foreach(s->objs, k, o)
		if (in_scope(k, plural, ns, o) && fstore_match(o, labels, fields))
			json_array_append_new(out, json_deep_copy(o));
	*rv = s->rv;
	pthread_mutex_unlock(&s->mu);
	return out;
}

int fstore_watch(struct fstore *s, const char *plural, const char *ns, const char *labels, const char *fields,
		 uint64_t since, long timeout_s, fstore_event_fn fn, void *arg)
{
	struct timespec deadline;
	size_t next = 0;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_s;
	pthread_mutex_lock(&s->mu);
	while (!r && !s->closing) {
		for (; next < json_array_size(s->events) && !r; next++) {
			json_t *ev = json_array_get(s->events, next), *o = json_object_get(ev, "object");
			char key[512];

			if ((uint64_t)json_integer_value(json_object_get(ev, "rv")) <= since ||
			    strcmp(json_string_value(json_object_get(ev, "plural")), plural))
				continue;
			key_of(key, sizeof(key), plural, "", "");
			if (!in_scope(key, plural, ns, o) || !fstore_match(o, labels, fields))
				continue;
			o = json_deep_copy(o);
			pthread_mutex_unlock(&s->mu);
			r = fn(arg, json_string_value(json_object_get(ev, "type")), o);
			json_decref(o);
			pthread_mutex_lock(&s->mu);
		}
		if (r || pthread_cond_timedwait(&s->changed, &s->mu, &deadline) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&s->mu);
	return r;
}

json_t *fstore_all(struct fstore *s)
{
	json_t *out = json_array(), *o;
	const char *k;

	pthread_mutex_lock(&s->mu);
	json_object_foreach(s->objs, k, o)
		json_array_append_new(out, json_deep_copy(o));
	pthread_mutex_unlock(&s->mu);
	return out;
}
