/*
 * jsonw.h - JSON lines written straight into one growing buffer, to a file or
 * gzip stream. No allocation per record; a record reaches the file only whole.
 *
 * JSON is written one way per purpose:
 *  - Records (the JSON lines of docs/records.md) written field by field,
 *    thousands a second by capture and the driver: with jsonw, streaming.
 *    Records a relay passes on (the agent, fetch) are the jansson values it
 *    read, dumped compact one per line (records/relay.h).
 *  - Documents (reports, inventories, API answers, a command's result in
 *    JSON mode, input handed to another program): built as jansson values
 *    and written with json_dump*, so escaping, UTF-8 checks and key order
 *    live in one place.
 *  - Never printf: a string put into JSON with %s is not escaped. Fixed
 *    punctuation around values that jansson already encoded is not printf
 *    JSON: the learn-layer5 /metrics answer keeps its up to millions of
 *    entries encoded (ll5/metrics.c) and only joins them.
 */
#ifndef SMIW_JSONW_H
#define SMIW_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/swar.h"
#include "util/u64.h"

struct jsonw {
	struct buf out;		/* records not yet written out */
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

/* Opens the plain file named `path`, whatever the name ("-" too). Returns 0 or -errno. */
int jsonw_open_plain(struct jsonw *w, const char *path);

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

static inline __attribute__((always_inline)) char *jsonw__key_in_place(struct jsonw *w, const char *key, size_t klen);

/* Printable ASCII other than '"' and '\\': goes into a JSON string as it is. */
static const bool jsonw__plain[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7f] = true,	/* not 0x22 '"', 0x5c '\\' */
};

/* Length of the run of bytes at s (at most n) that go into a JSON string as they are, eight at a time. */
static inline __attribute__((always_inline)) size_t jsonw__plain_run(const unsigned char *s, size_t n)
{
	size_t i = 0;
	uint64_t w, m;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		m = swar_json_stops(w);
		if (m)
			return i + (__builtin_ctzll(m) >> 3);
	}
	if (i < n && n >= 8) {
		/* The last word again, overlapping: its first bytes were plain and borrow nothing, so its lowest flag is exact. */
		memcpy(&w, s + n - 8, 8);
		m = swar_json_stops(w);
		return m ? n - 8 + (__builtin_ctzll(m) >> 3) : n;
	}
	while (i < n && jsonw__plain[s[i]])
		i++;
	return i;
}

/*
 * A string member whose key (klen bytes, not NUL-terminated, written as it
 * is: callers pass keys that need no escaping) is not a literal. Most values
 * need no escaping and go out with the key in one bounds check.
 */
static inline __attribute__((always_inline)) void jsonw_strkn_fast(struct jsonw *w, const char *key, size_t klen,
								    const char *v, size_t n)
{
	char *p;

	if (w->out.len + klen + n + 6 > w->out.cap || jsonw__plain_run((const unsigned char *)v, n) < n) {
		jsonw_strkn(w, key, klen, v, n);
		return;
	}
	p = jsonw__key_in_place(w, key, klen);
	*p++ = '"';
	memcpy(p, v, n);
	p += n;
	*p++ = '"';
	w->out.len = (size_t)(p - w->out.p);
}

/* String members with a literal key: its length is known at compile time. */
static inline __attribute__((always_inline)) void jsonw_strn(struct jsonw *w, const char *key, const char *v, size_t n)
{
	jsonw_strkn_fast(w, key, strlen(key), v, n);
}

static inline __attribute__((always_inline)) void jsonw_str(struct jsonw *w, const char *key, const char *v)
{
	jsonw_strn(w, key, v ? v : "", v ? strlen(v) : 0);
}

/*
 * The hot path of number members, inline so that a literal key is copied
 * with a fixed-size move: `,"key":` and the digits written in place when
 * the buffer has room (else the out-of-line jsonw_u64k grows it).
 */
static inline __attribute__((always_inline)) char *jsonw__key_in_place(struct jsonw *w, const char *key, size_t klen)
{
	char *p = w->out.p + w->out.len;

	if (!w->first)
		*p++ = ',';
	w->first = false;
	*p++ = '"';
	memcpy(p, key, klen);
	p += klen;
	*p++ = '"';
	*p++ = ':';
	return p;
}

static inline __attribute__((always_inline)) void jsonw_u64(struct jsonw *w, const char *key, uint64_t v)
{
	size_t klen = strlen(key);

	if (w->out.len + klen + 25 > w->out.cap) {
		jsonw_u64k(w, key, klen, v);
		return;
	}
	w->out.len = (size_t)(u64_digits(jsonw__key_in_place(w, key, klen), v) - w->out.p);
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

/* The bytes written since position `from` (w->out.len then) of the current record. */
static inline const char *jsonw_since(const struct jsonw *w, size_t from, size_t *n)
{
	*n = w->out.len - from;
	return w->out.p + from;
}

/*
 * Writes out complete records; with sync, also pushes them through stdio or
 * zlib (Z_SYNC_FLUSH) so a reader sees every finished line. Returns 0 or -errno.
 */
int jsonw_flush(struct jsonw *w, bool sync);

/* Flushes, finishes the gzip stream, closes the file. Returns 0 or the first error. */
int jsonw_close(struct jsonw *w);

#endif
