/* buf.h - a growable byte buffer with a hard size limit. */
#ifndef SMIW_BUF_H
#define SMIW_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *p;	/* owned; NULL until the first byte */
	size_t len;	/* bytes held */
	size_t cap;	/* bytes allocated */
};

/* Makes room for `more` bytes beyond len, never past `limit` in total. Returns 0, -ENOMEM or -E2BIG. */
int buf_reserve(struct buf *b, size_t more, size_t limit);

/* Appends n bytes. Returns 0, -ENOMEM or -E2BIG (nothing appended then). */
int buf_append(struct buf *b, const void *p, size_t n, size_t limit);

/* Appends formatted text (needing one spare byte under limit for the NUL). Returns 0, -ENOMEM or -E2BIG (nothing appended then). */
int buf_printf(struct buf *b, size_t limit, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Drops the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);

/* Frees the storage when the buffer is empty and larger than keep bytes (keeps idle memory low). */
void buf_trim(struct buf *b, size_t keep);

/* Frees the storage; the buffer is empty and reusable. */
void buf_free(struct buf *b);

#endif
