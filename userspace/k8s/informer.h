/* informer.h - list + watch of one resource kind, kept as a local cache. */
#ifndef SMIW_K8S_INFORMER_H
#define SMIW_K8S_INFORMER_H

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <jansson.h>

#include "k8s/client.h"

enum k8s_event_type { K8S_ADDED, K8S_MODIFIED, K8S_DELETED };

/* Called for each change of the cache; `obj` is borrowed. Non-zero stops the informer. */
typedef int (*k8s_change_fn)(void *arg, enum k8s_event_type type, json_t *obj);

/*
 * Keeps `cache` ("namespace/name" -> object) equal to the server's view of
 * `path` (a collection such as "/api/v1/pods"): a paged list, then watches
 * resumed from the last resourceVersion seen (events and bookmarks), a
 * relist when the server answers 410 Gone, and backoff on failures.
 */
struct k8s_informer {
	struct k8s_client *client;	/* borrowed */
	const char *path;		/* collection path, no query */
	const char *what;		/* resource name for messages ("pods") */
	const char *field_selector;	/* optional, e.g. "spec.nodeName=node-1" */
	const char *label_selector;	/* optional */
	long watch_timeout_s;		/* asked of the server per watch; default 300 */
	unsigned page_limit;		/* list page size; default 500 */
	k8s_change_fn on_change;
	void *arg;
	pthread_mutex_t *lock;		/* optional: held while the cache changes and on_change runs */

	json_t *cache;
	char rv[64];			/* last resourceVersion seen; "" before the first list */
	bool synced;			/* a list has completed */
	uint64_t lists, watches, events, bookmarks, relists_gone, reconnects;
};

/* Prepares `inf` (the fields above must be set by the caller afterwards or before). */
void k8s_informer_init(struct k8s_informer *inf, struct k8s_client *client, const char *path,
		       const char *what);

/* Frees the cache (NULL-safe). */
void k8s_informer_free(struct k8s_informer *inf);

/*
 * Lists the collection (all pages), replaces the cache and reports the
 * differences (ADDED / MODIFIED / DELETED) through on_change. Returns 0 or a
 * client error (message in client->err).
 */
int k8s_informer_list(struct k8s_informer *inf);

/*
 * Runs one watch from inf->rv until the server ends it or it fails.
 * Returns 0 on a clean end, -ESTALE when the resourceVersion is gone (a
 * relist is due), or a client error.
 */
int k8s_informer_watch(struct k8s_informer *inf);

/*
 * The loop: list, then watch again and again, relisting after 410 Gone and
 * backing off (1 s doubling to 30 s) after failures. Stops on a permission
 * error (-EACCES, returned), a callback's non-zero result, the client's stop
 * flag (-EINTR), or after `max_watches` watches when that is not 0 (tests).
 */
int k8s_informer_run(struct k8s_informer *inf, unsigned max_watches);

/* Writes "namespace/name" (or "name") of a Kubernetes object into buf. */
void k8s_object_key(json_t *obj, char *buf, size_t len);

#endif
