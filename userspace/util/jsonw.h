/*
 * jsonw.h - JSON lines written straight into one growing buffer, to a file or
 * gzip stream. No allocation per record; a record reaches the file only whole.
 */
#ifndef SMIW_JSONW_H
#define SMIW_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct jsonw {
	char *buf;
	size_t len, cap;
	size_t mark;		/* where the record being built started */
	bool first;		/* no member written yet in the current object */
	int depth;
	FILE *f;
	void *gz;		/* gzFile when compressing */
	bool own_file;
	int err;		/* first write error (negative errno) */
};

/*
 * Opens `path` for writing ("-" or NULL: stdout); gzip when the name ends in
 * ".gz". Returns 0 or -errno.
 */
int jsonw_open(struct jsonw *w, const char *path);

/* Starts a record (a top-level object). */
void jsonw_begin(struct jsonw *w);
/* Ends the record with a newline; writes the buffer out when it has grown large. */
void jsonw_end(struct jsonw *w);

/* Members of the current object. Strings are escaped; invalid UTF-8 becomes U+FFFD. */
void jsonw_str(struct jsonw *w, const char *key, const char *v);
void jsonw_strn(struct jsonw *w, const char *key, const char *v, size_t n);
void jsonw_u64(struct jsonw *w, const char *key, uint64_t v);
void jsonw_i64(struct jsonw *w, const char *key, int64_t v);
void jsonw_bool(struct jsonw *w, const char *key, bool v);
/* A nested object member; close it with jsonw_obj_end. */
void jsonw_obj(struct jsonw *w, const char *key);
void jsonw_obj_end(struct jsonw *w);

/*
 * Writes out complete records; with sync, also pushes them through stdio or
 * zlib (Z_SYNC_FLUSH) so a reader sees every finished line. Returns 0 or -errno.
 */
int jsonw_flush(struct jsonw *w, bool sync);

/* Flushes, finishes the gzip stream, closes the file. Returns 0 or the first error. */
int jsonw_close(struct jsonw *w);

#endif
