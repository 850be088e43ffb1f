/* jsonw.c - see jsonw.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/jsonw.h"

/* Records leave in blocks this large: a few hundred write calls a second at full speed. */
#define FLUSH_AT (256 * 1024)

static bool grow(struct jsonw *w, size_t n)
{
	/* The first allocation holds what accumulates between two flushes. */
	if (buf_reserve(&w->out, w->out.cap || n > 2 * FLUSH_AT ? n : 2 * FLUSH_AT, BUF_NO_LIMIT)) {
		w->err = w->err ? w->err : -ENOMEM;
		return false;
	}
	return true;
}

static inline bool room(struct jsonw *w, size_t n)
{
	return w->out.len + n <= w->out.cap || grow(w, n);
}

static inline void put(struct jsonw *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->out.p + w->out.len, s, n);
	w->out.len += n;
}

static inline void putc_(struct jsonw *w, char c)
{
	if (room(w, 1))
		w->out.p[w->out.len++] = c;
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


#define plain_run jsonw__plain_run

static void put_string(struct jsonw *w, const char *v, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0;

	putc_(w, '"');
	while (i < n) {
		size_t start = i, ulen;
		unsigned char c;
		char esc[8];

		i += plain_run(s + i, n - i);
		put(w, v + start, i - start);
		if (i == n)
			break;
		c = s[i];
		ulen = c >= 0x80 ? utf8_len(s + i, n - i) : 0;
		if (ulen) {
			put(w, v + i, ulen);
			i += ulen;
			continue;
		}
		if (c >= 0x80) {
			put(w, "\\ufffd", 6);
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = c;
			put(w, esc, 2);
		} else {
			static const char hex[] = "0123456789abcdef";

			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
			put(w, esc, 6);
		}
		i++;
	}
	putc_(w, '"');
}

/* `,"k":` (no comma first in an object) with one bounds check. */
static void key(struct jsonw *w, const char *k, size_t n)
{
	char *p;

	if (!room(w, n + 4))
		return;
	p = w->out.p + w->out.len;
	if (!w->first)
		*p++ = ',';
	w->first = false;
	*p++ = '"';
	memcpy(p, k, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	w->out.len = p - w->out.p;
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
		/*
		 * Level 1: records repeat themselves so much that it compresses
		 * them nearly as well as the default level 6 (27 against 22
		 * bytes an exchange) at less than half the CPU time.
		 */
		w->gz = gzopen(path, "wb1");
		return w->gz ? 0 : (errno ? -errno : -ENOMEM);
	}
	return jsonw_open_plain(w, path);
}

int jsonw_open_plain(struct jsonw *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->f = fopen(path, "we");
	w->own_file = true;
	if (!w->f)
		return -errno;
	/* Records are buffered here already: stdio's own buffer would only copy them again. */
	setvbuf(w->f, NULL, _IONBF, 0);
	return 0;
}

void jsonw_begin(struct jsonw *w)
{
	w->mark = w->out.len;
	w->first = true;
	w->depth = 1;
	putc_(w, '{');
}

void jsonw_end(struct jsonw *w)
{
	put(w, "}\n", 2);
	w->depth = 0;
	if (w->out.len >= FLUSH_AT)
		jsonw_flush(w, false);
}

void jsonw_strkn(struct jsonw *w, const char *k, size_t klen, const char *v, size_t n)
{
	key(w, k, klen);
	put_string(w, v, n);
}

void jsonw_raw(struct jsonw *w, const char *json, size_t n)
{
	put(w, json, n);
	w->first = false;
}

static void put_u64(struct jsonw *w, uint64_t v)
{
	if (room(w, 20))
		w->out.len = (size_t)(u64_digits(w->out.p + w->out.len, v) - w->out.p);
}

void jsonw_u64k(struct jsonw *w, const char *k, size_t klen, uint64_t v)
{
	key(w, k, klen);
	put_u64(w, v);
}

void jsonw_i64k(struct jsonw *w, const char *k, size_t klen, int64_t v)
{
	key(w, k, klen);
	if (v < 0)
		putc_(w, '-');
	put_u64(w, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

void jsonw_boolk(struct jsonw *w, const char *k, size_t klen, bool v)
{
	key(w, k, klen);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_objk(struct jsonw *w, const char *k, size_t klen)
{
	key(w, k, klen);
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

void jsonw_arrk(struct jsonw *w, const char *k, size_t klen)
{
	key(w, k, klen);
	putc_(w, '[');
	w->first = true;
	w->depth++;
}

void jsonw_elem_u64(struct jsonw *w, uint64_t v)
{
	if (!w->first)
		putc_(w, ',');
	w->first = false;
	put_u64(w, v);
}

void jsonw_arr_end(struct jsonw *w)
{
	putc_(w, ']');
	w->first = false;
	w->depth--;
}

int jsonw_flush(struct jsonw *w, bool sync)
{
	/* Only whole records leave the buffer: one being built stays. */
	size_t n = w->depth ? w->mark : w->out.len;

	if (n && !w->err) {
		if (w->gz ? gzwrite(w->gz, w->out.p, n) != (int)n : fwrite(w->out.p, 1, n, w->f) != n)
			w->err = errno ? -errno : -EIO;
	}
	if (n) {
		memmove(w->out.p, w->out.p + n, w->out.len - n);
		w->out.len -= n;
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
	buf_free(&w->out);
	memset(w, 0, sizeof(*w));
	return err;
}
