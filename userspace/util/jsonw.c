/* jsonw.c - see jsonw.h */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/jsonw.h"

#define FLUSH_AT (64 * 1024)

static bool room(struct jsonw *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 256 * 1024;
	char *nb;

	if (w->len + n <= w->cap)
		return true;
	while (cap < w->len + n)
		cap *= 2;
	nb = realloc(w->buf, cap);
	if (!nb) {
		w->err = w->err ? w->err : -ENOMEM;
		return false;
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void putc_(struct jsonw *w, char c)
{
	put(w, &c, 1);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static void put_string(struct jsonw *w, const char *v, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0, run = 0;

	putc_(w, '"');
	while (i < n) {
		unsigned char c = s[i];
		size_t ulen = utf8_len(s + i, n - i);
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\' && ulen) {
			i += ulen;
			run += ulen;
			continue;
		}
		put(w, (const char *)s + i - run, run);
		run = 0;
		if (!ulen) {
			put(w, "\\ufffd", 6);
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = c;
			put(w, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(w, esc, 6);
		}
		i++;
	}
	put(w, (const char *)s + i - run, run);
	putc_(w, '"');
}

static void key(struct jsonw *w, const char *k)
{
	if (!w->first)
		putc_(w, ',');
	w->first = false;
	putc_(w, '"');
	put(w, k, strlen(k));
	put(w, "\":", 2);
}

int jsonw_open(struct jsonw *w, const char *path)
{
	size_t n = path ? strlen(path) : 0;

	memset(w, 0, sizeof(*w));
	if (!path || !strcmp(path, "-")) {
		w->f = stdout;
		return 0;
	}
	if (n > 3 && !strcmp(path + n - 3, ".gz")) {
		w->gz = gzopen(path, "wb6");
		return w->gz ? 0 : (errno ? -errno : -ENOMEM);
	}
	w->f = fopen(path, "we");
	w->own_file = true;
	return w->f ? 0 : -errno;
}

void jsonw_begin(struct jsonw *w)
{
	w->mark = w->len;
	w->first = true;
	w->depth = 1;
	putc_(w, '{');
}

void jsonw_end(struct jsonw *w)
{
	put(w, "}\n", 2);
	w->depth = 0;
	if (w->len >= FLUSH_AT)
		jsonw_flush(w, false);
}

void jsonw_strn(struct jsonw *w, const char *k, const char *v, size_t n)
{
	key(w, k);
	put_string(w, v, n);
}

void jsonw_str(struct jsonw *w, const char *k, const char *v)
{
	jsonw_strn(w, k, v ? v : "", v ? strlen(v) : 0);
}

void jsonw_u64(struct jsonw *w, const char *k, uint64_t v)
{
	char num[24];

	key(w, k);
	put(w, num, snprintf(num, sizeof(num), "%" PRIu64, v));
}

void jsonw_i64(struct jsonw *w, const char *k, int64_t v)
{
	char num[24];

	key(w, k);
	put(w, num, snprintf(num, sizeof(num), "%" PRId64, v));
}

void jsonw_bool(struct jsonw *w, const char *k, bool v)
{
	key(w, k);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_obj(struct jsonw *w, const char *k)
{
	key(w, k);
	putc_(w, '{');
	w->first = true;
	w->depth++;
}

void jsonw_obj_end(struct jsonw *w)
{
	putc_(w, '}');
	w->first = false;
	w->depth--;
}

int jsonw_flush(struct jsonw *w, bool sync)
{
	/* Only whole records leave the buffer: one being built stays. */
	size_t n = w->depth ? w->mark : w->len;

	if (n && !w->err) {
		if (w->gz ? gzwrite(w->gz, w->buf, n) != (int)n : fwrite(w->buf, 1, n, w->f) != n)
			w->err = errno ? -errno : -EIO;
	}
	if (n) {
		memmove(w->buf, w->buf + n, w->len - n);
		w->len -= n;
		w->mark -= n < w->mark ? n : w->mark;
	}
	if (sync && !w->err) {
		if (w->gz ? gzflush(w->gz, Z_SYNC_FLUSH) != Z_OK : fflush(w->f) != 0)
			w->err = errno ? -errno : -EIO;
	}
	return w->err;
}

int jsonw_close(struct jsonw *w)
{
	int err;

	w->depth = 0;
	jsonw_flush(w, true);
	err = w->err;
	if (w->gz && gzclose(w->gz) != Z_OK && !err)
		err = -EIO;
	if (w->own_file && fclose(w->f) && !err)
		err = -errno;
	free(w->buf);
	memset(w, 0, sizeof(*w));
	return err;
}
