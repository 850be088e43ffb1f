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

void jsplit_free(struct jsplit *s)
{
	if (s)
		buf_free(&s->obj);
}

bool jsplit_idle(const struct jsplit *s)
{
	return s->depth == 0 && s->obj.len == 0;
}

int jsplit_feed(struct jsplit *s, const char *data, size_t n)
{
	size_t start = 0;	/* first byte of `data` not yet copied into obj */
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
			r = buf_append(&s->obj, data + start, i + 1 - start, s->max);
			if (r)
				return r;
			r = s->emit(s->arg, s->obj.p, s->obj.len);
			s->obj.len = 0;
			start = i + 1;
			if (r)
				return r;
		}
	}
	if (s->depth > 0 && start < n)
		return buf_append(&s->obj, data + start, n - start, s->max);
	return 0;
}
