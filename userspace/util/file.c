/* file.c - see file.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"

int file_read_stream(FILE *f, size_t max, char **out, size_t *len)
{
	size_t cap = 0, used = 0, got;
	char *buf = NULL;
	int r = 0;

	do {
		if (cap - used < 4096) {
			char *bigger = used > max ? NULL : realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!bigger) {
				r = used > max ? -EFBIG : -ENOMEM;
				break;
			}
			buf = bigger;
		}
		got = fread(buf + used, 1, cap - used - 1, f);
		used += got;
	} while (got);
	if (!r && ferror(f))
		r = errno ? -errno : -EIO;
	if (!r && used > max)
		r = -EFBIG;
	if (r) {
		free(buf);
		return r;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
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
