/* file.c - see file.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/file.h"

int file_read_stream(FILE *f, size_t max, char **out, size_t *len)
{
	struct buf b = { 0 };
	size_t got;
	int r = 0;

	do {
		if (b.len > max) {
			r = -EFBIG;
			break;
		}
		r = buf_reserve(&b, 4096, BUF_NO_LIMIT);
		if (r)
			break;
		/* one byte is left for the NUL */
		got = fread(b.p + b.len, 1, b.cap - b.len - 1, f);
		b.len += got;
	} while (got);
	if (!r && ferror(f))
		r = errno ? -errno : -EIO;
	if (!r && b.len > max)
		r = -EFBIG;
	if (r) {
		buf_free(&b);
		return r;
	}
	b.p[b.len] = '\0';
	*out = b.p;
	*len = b.len;
	return 0;
}

int file_read_all(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	int r;

	if (!f)
		return -errno;
	r = file_read_stream(f, max, out, len);
	fclose(f);
	return r;
}

int file_append(FILE *out, const char *from)
{
	char buf[65536];
	FILE *in = fopen(from, "rb");
	size_t n;
	int r = 0;

	if (!in)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			r = -EIO;
	fclose(in);
	return r;
}

int file_copy(const char *from, const char *to)
{
	FILE *out = fopen(to, "wb");
	int r = out ? file_append(out, from) : -errno;

	if (out && fclose(out) && !r)
		r = -EIO;
	return r;
}

int path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int file_exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len);
	char *slash;

	if (n < 0)
		return -errno;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	return 0;
}
