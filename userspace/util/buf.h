/*
 * buf.h - the growable byte buffer: request and response bytes, text being
 * built, documents being read. Every append takes a hard size limit
 * (BUF_NO_LIMIT when the caller has none) so a peer cannot make it grow
 * without bound.
 */
#ifndef SMIW_BUF_H
#define SMIW_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *p;	/* owned; NULL until the first byte */
	size_t len;	/* bytes held */
	size_t cap;	/* bytes allocated */
	/*
	 * An append since the last buf_free did not fit (memory or limit): the
	 * content has a hole. Text builders append without checking each call
	 * and learn it once, from buf_detach.
	 */
	bool failed;
};

#define BUF_NO_LIMIT SIZE_MAX

/* Makes room for `more` bytes beyond len, never past `limit` in total. Returns 0, -ENOMEM or -E2BIG. */
int buf_reserve(struct buf *b, size_t more, size_t limit);

/* Appends n bytes. Returns 0, -ENOMEM or -E2BIG (nothing appended then). */
int buf_append(struct buf *b, const void *p, size_t n, size_t limit);

/* Appends formatted text (needing one spare byte under limit for the NUL). Returns 0, -ENOMEM or -E2BIG (nothing appended then). */
int buf_printf(struct buf *b, size_t limit, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends the string s (without its NUL). Returns 0, -ENOMEM or -E2BIG (nothing appended then). */
int buf_puts(struct buf *b, const char *s, size_t limit);

/* Appends one byte. Returns 0, -ENOMEM or -E2BIG (nothing appended then). */
int buf_putc(struct buf *b, char c, size_t limit);

/*
 * Returns the content as a NUL-terminated string that the caller frees (""
 * when empty) and leaves b empty; NULL when an append failed or memory ran
 * out (the content is freed then).
 */
char *buf_detach(struct buf *b);

/* Drops the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);

/* Frees the storage when the buffer is empty and larger than keep bytes (keeps idle memory low). */
void buf_trim(struct buf *b, size_t keep);

/* Frees the storage; the buffer is empty and reusable. */
void buf_free(struct buf *b);

#endif
