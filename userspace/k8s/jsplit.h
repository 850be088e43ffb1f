/* jsplit.h - splits a byte stream into top-level JSON objects as they complete. */
#ifndef SMIW_K8S_JSPLIT_H
#define SMIW_K8S_JSPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Called with the bytes of one complete object; a non-zero return stops the feed and is returned by it. */
typedef int (*jsplit_emit_fn)(void *arg, const char *obj, size_t len);

/*
 * A watch response is an endless sequence of JSON objects. The splitter
 * keeps only the object being received (bounded by `max`), tracking string
 * and escape state so braces inside strings do not count, and does not
 * depend on newlines between objects.
 */
struct jsplit {
	struct buf obj;		/* the object being received */
	size_t max;
	int depth;
	bool in_str, esc;
	jsplit_emit_fn emit;
	void *arg;
};

/* Prepares `s`; objects larger than `max` bytes are an error. */
void jsplit_init(struct jsplit *s, size_t max, jsplit_emit_fn emit, void *arg);

/*
 * Feeds `n` bytes. Returns 0, the emit callback's non-zero result, -E2BIG
 * for an object over the limit, -EPROTO for bytes outside any object that
 * are not whitespace, or -ENOMEM.
 */
int jsplit_feed(struct jsplit *s, const char *data, size_t n);

/* True when no partial object is pending (the stream ended on a boundary). */
bool jsplit_idle(const struct jsplit *s);

/* Frees the buffer (NULL-safe). */
void jsplit_free(struct jsplit *s);

#endif
