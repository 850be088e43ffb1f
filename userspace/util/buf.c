/* buf.c - see buf.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

int buf_reserve(struct buf *b, size_t more, size_t limit)
{
	size_t need = b->len + more, cap;
	char *p;

	if (need < b->len || need > limit)
		return -E2BIG;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 1024;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > limit)
		cap = limit;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* buf_reserve for an append: a failure is remembered in b->failed. */
static int reserve_append(struct buf *b, size_t more, size_t limit)
{
	int r = buf_reserve(b, more, limit);

	if (r)
		b->failed = true;
	return r;
}

int buf_append(struct buf *b, const void *p, size_t n, size_t limit)
{
	int r = reserve_append(b, n, limit);

	if (r)
		return r;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

int buf_printf(struct buf *b, size_t limit, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return -EINVAL;
	}
	r = reserve_append(b, (size_t)n + 1, limit);
	if (r)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_puts(struct buf *b, const char *s, size_t limit)
{
	return buf_append(b, s, strlen(s), limit);
}

int buf_putc(struct buf *b, char c, size_t limit)
{
	return buf_append(b, &c, 1, limit);
}

char *buf_detach(struct buf *b)
{
	char *s = NULL;

	if (!b->failed && !buf_reserve(b, 1, BUF_NO_LIMIT)) {
		b->p[b->len] = '\0';
		s = b->p;
		b->p = NULL;
	}
	buf_free(b);
	return s;
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

void buf_trim(struct buf *b, size_t keep)
{
	if (b->len == 0 && b->cap > keep)
		buf_free(b);
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}
