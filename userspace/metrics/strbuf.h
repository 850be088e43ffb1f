/* strbuf.h - a growable NUL-terminated string, for building text and keys. */
#ifndef SMIW_METRICS_STRBUF_H
#define SMIW_METRICS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;	/* NULL until the first append; always NUL-terminated after */
	size_t len, cap;
	bool oom;	/* an append failed: the content is truncated */
};

#define STRBUF_INIT { 0 }

/* Appends formatted text. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a string. */
void strbuf_puts(struct strbuf *b, const char *s);
/* Appends one character. */
void strbuf_putc(struct strbuf *b, char c);
/* Returns the string (caller frees; "" when empty), or NULL after an allocation failure. */
char *strbuf_detach(struct strbuf *b);
/* Frees the content. */
void strbuf_release(struct strbuf *b);

#endif
