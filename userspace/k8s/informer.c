/* informer.c - see informer.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s/informer.h"
#include "util/log.h"

#define BACKOFF_MAX_S 30

void k8s_informer_init(struct k8s_informer *inf, struct k8s_client *client, const char *path,
		       const char *what)
{
	memset(inf, 0, sizeof(*inf));
	inf->client = client;
	inf->path = path;
	inf->what = what;
	inf->watch_timeout_s = 300;
	inf->page_limit = 500;
	inf->cache = json_object();
}

void k8s_informer_free(struct k8s_informer *inf)
{
	if (!inf)
		return;
	json_decref(inf->cache);
	inf->cache = NULL;
}

void k8s_object_key(json_t *obj, char *buf, size_t len)
{
	json_t *md = json_object_get(obj, "metadata");
	const char *ns = json_string_value(json_object_get(md, "namespace"));
	const char *name = json_string_value(json_object_get(md, "name"));

	if (ns && *ns)
		snprintf(buf, len, "%s/%s", ns, name ? name : "");
	else
		snprintf(buf, len, "%s", name ? name : "");
}

static const char *rv_of(json_t *obj)
{
	return json_string_value(json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
}

static void set_rv(struct k8s_informer *inf, const char *rv)
{
	if (rv && *rv)
		snprintf(inf->rv, sizeof(inf->rv), "%s", rv);
}

/* Builds "path?a=b&c=d" with the selectors and `extra` appended. */
static char *query(struct k8s_informer *inf, const char *extra)
{
	char *fs = inf->field_selector ? k8s_query_escape(inf->field_selector) : NULL;
	char *ls = inf->label_selector ? k8s_query_escape(inf->label_selector) : NULL;
	char *q = NULL;

	if (asprintf(&q, "%s?%s%s%s%s%s", inf->path, extra,
		     fs ? "&fieldSelector=" : "", fs ? fs : "",
		     ls ? "&labelSelector=" : "", ls ? ls : "") < 0)
		q = NULL;
	free(fs);
	free(ls);
	return q;
}

static int apply_unlocked(struct k8s_informer *inf, enum k8s_event_type type, json_t *obj)
{
	char key[512];
	json_t *old;
	int r;

	k8s_object_key(obj, key, sizeof(key));
	old = json_object_get(inf->cache, key);
	if (type == K8S_DELETED) {
		if (!old)
			return 0;
		json_incref(old);
		json_object_del(inf->cache, key);
		r = inf->on_change ? inf->on_change(inf->arg, K8S_DELETED, old) : 0;
		json_decref(old);
		return r;
	}
	type = old ? K8S_MODIFIED : K8S_ADDED;
	json_object_set(inf->cache, key, obj);
	return inf->on_change ? inf->on_change(inf->arg, type, obj) : 0;
}

/* Updates the cache and reports the change; `type` ADDED/MODIFIED is decided by the cache. */
static int apply(struct k8s_informer *inf, enum k8s_event_type type, json_t *obj)
{
	int r;

	if (inf->lock)
		pthread_mutex_lock(inf->lock);
	r = apply_unlocked(inf, type, obj);
	if (inf->lock)
		pthread_mutex_unlock(inf->lock);
	return r;
}

/*
 * Fetches one page of the list into fresh (objects by key) and sets the
 * informer's resourceVersion from it. *cont is the continue token to send
 * (freed here) and, on return, the next one or NULL. Returns 0 or -errno.
 */
static int list_page(struct k8s_informer *inf, json_t *fresh, char **cont)
{
	char *path, extra[1024], key[512];
	json_t *page = NULL, *items, *item, *meta;
	const char *next;
	size_t i;
	int r;

	if (*cont)
		snprintf(extra, sizeof(extra), "limit=%u&continue=%s", inf->page_limit, *cont);
	else
		snprintf(extra, sizeof(extra), "limit=%u", inf->page_limit);
	free(*cont);
	*cont = NULL;
	path = query(inf, extra);
	if (!path)
		return -ENOMEM;
	snprintf(key, sizeof(key), "list %s", inf->what);
	r = k8s_get_json(inf->client, key, path, &page);
	free(path);
	if (r)
		return r;
	items = json_object_get(page, "items");
	if (!json_is_array(items)) {
		snprintf(inf->client->err, sizeof(inf->client->err),
			 "cannot list %s: answer has no items array", inf->what);
		json_decref(page);
		return -EPROTO;
	}
	json_array_foreach(items, i, item) {
		k8s_object_key(item, key, sizeof(key));
		json_object_set(fresh, key, item);
	}
	meta = json_object_get(page, "metadata");
	set_rv(inf, json_string_value(json_object_get(meta, "resourceVersion")));
	next = json_string_value(json_object_get(meta, "continue"));
	if (next && *next)
		*cont = k8s_query_escape(next);
	json_decref(page);
	return 0;
}

/* Reports the difference between the cache and fresh: gone ones first, then new or changed. */
static int apply_listed(struct k8s_informer *inf, json_t *fresh)
{
	const char *key;
	json_t *item;
	void *tmp;
	int r;

	json_object_foreach_safe(inf->cache, tmp, key, item) {
		if (!json_object_get(fresh, key) && (r = apply(inf, K8S_DELETED, item)))
			return r;
	}
	json_object_foreach(fresh, key, item) {
		json_t *old = json_object_get(inf->cache, key);
		const char *orv = old ? rv_of(old) : NULL, *nrv = rv_of(item);

		if (old && orv && nrv && !strcmp(orv, nrv))
			continue;
		if ((r = apply(inf, K8S_ADDED, item)))
			return r;
	}
	return 0;
}

int k8s_informer_list(struct k8s_informer *inf)
{
	json_t *fresh = json_object();
	char *cont = NULL;
	int r;

	inf->lists++;
	do
		r = list_page(inf, fresh, &cont);
	while (!r && cont);
	free(cont);
	/* Report what changed while we were not watching. */
	if (!r && !(r = apply_listed(inf, fresh)))
		inf->synced = true;
	json_decref(fresh);
	return r;
}

static int on_watch_event(void *arg, json_t *ev)
{
	struct k8s_informer *inf = arg;
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *obj = json_object_get(ev, "object");

	if (!type || !json_is_object(obj))
		return -EPROTO;
	inf->events++;
	if (!strcmp(type, "BOOKMARK")) {
		inf->bookmarks++;
		set_rv(inf, rv_of(obj));
		return 0;
	}
	if (!strcmp(type, "ERROR")) {
		json_int_t code = json_integer_value(json_object_get(obj, "code"));
		const char *msg = json_string_value(json_object_get(obj, "message"));

		snprintf(inf->client->err, sizeof(inf->client->err), "watch %s: error event %lld: %s",
			 inf->what, (long long)code, msg ? msg : "");
		return code == 410 ? -ESTALE : -EIO;
	}
	set_rv(inf, rv_of(obj));
	if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED"))
		return apply(inf, K8S_MODIFIED, obj);
	if (!strcmp(type, "DELETED"))
		return apply(inf, K8S_DELETED, obj);
	return 0;	/* unknown event types are skipped, as readers skip unknown fields */
}

int k8s_informer_watch(struct k8s_informer *inf)
{
	char extra[256], what[128];
	char *path, *rv = k8s_query_escape(inf->rv);
	int r;

	if (!rv)
		return -ENOMEM;
	snprintf(extra, sizeof(extra),
		 "watch=1&allowWatchBookmarks=true&resourceVersion=%s&timeoutSeconds=%ld",
		 rv, inf->watch_timeout_s);
	free(rv);
	path = query(inf, extra);
	if (!path)
		return -ENOMEM;
	snprintf(what, sizeof(what), "watch %s", inf->what);
	inf->watches++;
	/* The client's own timeout is a margin past the server's, for a server that forgets. */
	r = k8s_stream(inf->client, what, path, inf->watch_timeout_s + 30, on_watch_event, inf);
	free(path);
	return r;
}

static void sleep_s(struct k8s_informer *inf, unsigned s)
{
	for (unsigned i = 0; i < s * 10 && !(inf->client->stop && *inf->client->stop); i++)
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
}

int k8s_informer_run(struct k8s_informer *inf, unsigned max_watches)
{
	unsigned backoff = 1, watches = 0;
	int r;

	for (;;) {
		if (!inf->synced || !inf->rv[0]) {
			r = k8s_informer_list(inf);
			if (r == -EACCES || r == -EINTR || r > 0)
				return r;
			if (r) {
				pr_warn("%s; retrying in %us", inf->client->err, backoff);
				sleep_s(inf, backoff);
				backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
				continue;
			}
		}
		if (max_watches && watches++ >= max_watches)
			return 0;
		r = k8s_informer_watch(inf);
		if (r == -EACCES || r == -EINTR || r > 0)
			return r;
		if (r == -ESTALE) {
			/* The server compacted past our version: only a new list is correct. */
			inf->relists_gone++;
			inf->synced = false;
			pr_info("%s: relisting", inf->client->err);
			continue;
		}
		if (r) {
			inf->reconnects++;
			pr_warn("%s; reconnecting from resourceVersion %s in %us", inf->client->err,
				inf->rv, backoff);
			sleep_s(inf, backoff);
			backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
			continue;
		}
		backoff = 1;	/* a clean end of the stream: resume at once */
	}
}
