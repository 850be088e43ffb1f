/* fetch.h - reading an exposition or a JSON document from a file or an http(s) URL. */
#ifndef SMIW_METRICS_FETCH_H
#define SMIW_METRICS_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest document read or downloaded; a bigger one is an error, not a truncation. */
#define FETCH_MAX_BYTES (64u << 20)

/* True when `src` names an http:// or https:// URL. */
bool fetch_is_url(const char *src);

/*
 * Reads all of `src` (a file path, "-" for stdin, or an http(s) URL, fetched
 * with a 10 s timeout) into a new NUL-terminated buffer *buf (caller frees)
 * of *len bytes. *complete_ns gets CLOCK_MONOTONIC at the moment the document
 * was complete. Returns 0, or a negative errno with a message in err.
 */
int fetch_document(const char *src, char **buf, size_t *len, uint64_t *complete_ns,
		   char *err, size_t errlen);

#endif
