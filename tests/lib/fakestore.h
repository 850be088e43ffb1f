/*
 * fakestore.h - the object store of the scripted API server
 * (tests/integration/fakecluster.c): objects by resource, namespace and
 * name, server-side apply as far as one field manager needs it, deletes
 * (a namespace takes its objects along), lists with label and field
 * selectors, and watches from a resourceVersion.
 */
#ifndef SMIW_FAKESTORE_H
#define SMIW_FAKESTORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct fstore {
	pthread_mutex_t mu;
	pthread_cond_t changed;
	json_t *objs;		/* "plural/namespace/name" -> object */
	json_t *events;		/* every change: {"rv", "plural", "type", "object"} */
	uint64_t rv;		/* the last resourceVersion given out */
	volatile bool closing;	/* watches end */
};

void fstore_init(struct fstore *s);
void fstore_free(struct fstore *s);

/* The object (a new reference to a copy), or NULL. */
json_t *fstore_get(struct fstore *s, const char *plural, const char *ns, const char *name);

/*
 * Server-side apply of `obj` (borrowed) by `manager`: created, or its
 * labels, annotations and everything but status replaced by what is
 * applied; uid, creation time and status stay; status is taken from `obj`
 * only when it has one (the scripted controllers set it). Returns 201
 * (created) or 200, with *out (when not NULL) a new reference to the
 * stored copy.
 */
int fstore_apply(struct fstore *s, const char *plural, const char *ns, const char *name, json_t *obj,
		 const char *manager, json_t **out);

/* Deletes one object; a Namespace deletes every object in it too. Returns 0 or -ENOENT. */
int fstore_delete(struct fstore *s, const char *plural, const char *ns, const char *name);

/* Whether `obj` matches a label selector "k=v,k2=v2" and a field selector (spec.nodeName=, metadata.name=); NULL or "" matches all. */
bool fstore_match(json_t *obj, const char *labels, const char *fields);

/* The objects of `plural` in `ns` (NULL: every namespace) matching the selectors: a new array; *rv the store's version. */
json_t *fstore_list(struct fstore *s, const char *plural, const char *ns, const char *labels, const char *fields,
		    uint64_t *rv);

/* Called for each watch event; non-zero ends the watch. */
typedef int (*fstore_event_fn)(void *arg, const char *type, json_t *obj);

/*
 * Sends every change of `plural` in `ns` after resourceVersion `since`
 * that matches the selectors, then waits for more until `timeout_s`
 * passes. Returns 0 at the timeout, or fn's non-zero result.
 */
int fstore_watch(struct fstore *s, const char *plural, const char *ns, const char *labels, const char *fields,
		 uint64_t since, long timeout_s, fstore_event_fn fn, void *arg);

/* Every object in the store as one array (a new reference). */
json_t *fstore_all(struct fstore *s);

#endif
