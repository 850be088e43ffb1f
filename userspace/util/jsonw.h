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
#include <string.h>

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

/*
 * Members of the current object. Strings are escaped; invalid UTF-8 becomes
 * U+FFFD. The *k functions take the key's length; the wrappers below compute
 * it, at compile time for the literal keys callers use.
 */
void jsonw_strkn(struct jsonw *w, const char *key, size_t klen, const char *v, size_t n);
void jsonw_u64k(struct jsonw *w, const char *key, size_t klen, uint64_t v);
void jsonw_i64k(struct jsonw *w, const char *key, size_t klen, int64_t v);
void jsonw_boolk(struct jsonw *w, const char *key, size_t klen, bool v);
void jsonw_objk(struct jsonw *w, const char *key, size_t klen);
void jsonw_arrk(struct jsonw *w, const char *key, size_t klen);

static inline void jsonw_strn(struct jsonw *w, const char *key, const char *v, size_t n)
{
	jsonw_strkn(w, key, strlen(key), v, n);
}

static inline void jsonw_str(struct jsonw *w, const char *key, const char *v)
{
	jsonw_strkn(w, key, strlen(key), v ? v : "", v ? strlen(v) : 0);
}

static inline void jsonw_u64(struct jsonw *w, const char *key, uint64_t v)
{
	jsonw_u64k(w, key, strlen(key), v);
}

static inline void jsonw_i64(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_i64k(w, key, strlen(key), v);
}

static inline void jsonw_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_boolk(w, key, strlen(key), v);
}

/* A nested object member; close it with jsonw_obj_end. */
static inline void jsonw_obj(struct jsonw *w, const char *key)
{
	jsonw_objk(w, key, strlen(key));
}

void jsonw_obj_end(struct jsonw *w);

/* An array member of numbers: jsonw_arr, jsonw_elem_u64..., jsonw_arr_end. */
static inline void jsonw_arr(struct jsonw *w, const char *key)
{
	jsonw_arrk(w, key, strlen(key));
}

void jsonw_elem_u64(struct jsonw *w, uint64_t v);
void jsonw_arr_end(struct jsonw *w);

/*
 * Appends n bytes of members already written as JSON (`,"k":v,...`, from an
 * earlier record: see jsonw_since) to the current object.
 */
void jsonw_raw(struct jsonw *w, const char *json, size_t n);

/* The bytes written since position `from` (w->len then) of the current record. */
static inline const char *jsonw_since(const struct jsonw *w, size_t from, size_t *n)
{
	*n = w->len - from;
	return w->buf + from;
}

/*
 * Writes out complete records; with sync, also pushes them through stdio or
 * zlib (Z_SYNC_FLUSH) so a reader sees every finished line. Returns 0 or -errno.
 */
int jsonw_flush(struct jsonw *w, bool sync);

/* Flushes, finishes the gzip stream, closes the file. Returns 0 or the first error. */
int jsonw_close(struct jsonw *w);

#endif
