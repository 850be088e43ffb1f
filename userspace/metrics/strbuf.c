/* strbuf.c - see strbuf.h */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/strbuf.h"

static bool grow(struct strbuf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->buf, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->buf = p;
	b->cap = cap;
	return true;
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void strbuf_puts(struct strbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (!grow(b, n))
		return;
	memcpy(b->buf + b->len, s, n + 1);
	b->len += n;
}

void strbuf_putc(struct strbuf *b, char c)
{
	if (!grow(b, 1))
		return;
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
}

char *strbuf_detach(struct strbuf *b)
{
	char *s = b->buf;

	if (b->oom) {
		free(s);
		s = NULL;
	} else if (!s) {
		s = strdup("");
	}
	memset(b, 0, sizeof(*b));
	return s;
}

void strbuf_release(struct strbuf *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}
