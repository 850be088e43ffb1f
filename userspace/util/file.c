/* file.c - see file.h */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/*
 * 0 when path_fmt() fit and the result exists (with `mode` access), else
 * -ENOENT or -ENAMETOOLONG. A found path is made canonical in place, so
 * messages name it without "bin/../".
 */
static int found(int fmt_result, char *path, int mode)
{
	char real[PATH_MAX];

	if (fmt_result)
		return fmt_result;
	if (access(path, mode))
		return -ENOENT;
	if (realpath(path, real) && strlen(real) < strlen(path) + 1)
		strcpy(path, real);
	return 0;
}

int file_data_path(const char *rel, char *buf, size_t len)
{
	const char *env = getenv("SMIW_DATA_DIR");
	char exe[PATH_MAX];

	if (env && *env)
		return found(path_fmt(buf, len, "%s/%s", env, rel), buf, F_OK);
	if (file_exe_dir(exe, sizeof(exe)))
		return found(path_fmt(buf, len, "%s", rel), buf, F_OK);
	if (!found(path_fmt(buf, len, "%s/../%s", exe, rel), buf, F_OK))
		return 0;
	return found(path_fmt(buf, len, "%s/../share/smi-witness/%s", exe, rel), buf, F_OK);
}

int file_helper_path(const char *name, char *buf, size_t len)
{
	char exe[PATH_MAX];

	if (file_exe_dir(exe, sizeof(exe)))
		return -ENOENT;
	if (!found(path_fmt(buf, len, "%s/%s", exe, name), buf, X_OK))
		return 0;
	return found(path_fmt(buf, len, "%s/../libexec/smi-witness/%s", exe, name), buf, X_OK);
}

/* 0 when dir is a directory this process may create entries in, else -errno. */
static int writable_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st))
		return errno == ENOTDIR ? -ENOENT : -errno;	/* a part above is no directory: that part says so */
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(dir, W_OK | X_OK) ? -errno : 0;
}

int file_dir_writable(const char *dir, char *where, size_t len)
{
	char *slash;
	int r;

	if (path_fmt(where, len, "%s", dir))
		return -ENAMETOOLONG;
	/* The deepest part that exists decides: the rest will be created in it. */
	while ((r = writable_dir(where)) == -ENOENT && strcmp(where, ".") && strcmp(where, "/")) {
		slash = strrchr(where, '/');
		if (!slash)
			snprintf(where, len, ".");
		else
			*(slash == where ? slash + 1 : slash) = '\0';
	}
	return r;
}
