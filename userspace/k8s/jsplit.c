/* jsplit.c - see jsplit.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/jsplit.h"

void jsplit_init(struct jsplit *s, size_t max, jsplit_emit_fn emit, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
	s->emit = emit;
	s->arg = arg;
}

void jsplit_reset(struct jsplit *s)
{
	s->len = 0;
	s->depth = 0;
	s->in_str = s->esc = false;
}

void jsplit_free(struct jsplit *s)
{
	if (s)
		free(s->buf);
	if (s)
		s->buf = NULL;
}

bool jsplit_idle(const struct jsplit *s)
{
	return s->depth == 0 && s->len == 0;
}

static int append(struct jsplit *s, const char *p, size_t n)
{
	if (s->len + n > s->max)
		return -E2BIG;
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *nb;

		while (cap < s->len + n)
			cap *= 2;
		if (cap > s->max)
			cap = s->max;
		nb = realloc(s->buf, cap);
		if (!nb)
			return -ENOMEM;
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

int jsplit_feed(struct jsplit *s, const char *data, size_t n)
{
	size_t start = 0;	/* first byte of `data` not yet copied into buf */
	int r;

	for (size_t i = 0; i < n; i++) {
		char ch = data[i];

		if (s->depth == 0) {
			if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') {
				start = i + 1;
				continue;
			}
			if (ch != '{')
				return -EPROTO;
			start = i;
			s->depth = 1;
			continue;
		}
		if (s->in_str) {
			if (s->esc)
				s->esc = false;
			else if (ch == '\\')
				s->esc = true;
			else if (ch == '"')
				s->in_str = false;
			continue;
		}
		if (ch == '"')
			s->in_str = true;
		else if (ch == '{' || ch == '[')
			s->depth++;
		else if ((ch == '}' || ch == ']') && --s->depth == 0) {
			r = append(s, data + start, i + 1 - start);
			if (r)
				return r;
			r = s->emit(s->arg, s->buf, s->len);
			s->len = 0;
			start = i + 1;
			if (r)
				return r;
		}
	}
	if (s->depth > 0 && start < n)
		return append(s, data + start, n - start);
	return 0;
}
