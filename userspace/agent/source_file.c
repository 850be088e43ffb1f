/* source_file.c - a JSONL file, FIFO or stdin as a record source. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/source.h"

/* A record longer than this is not one capture writes; it is skipped whole. */
#define LINE_MAX_BYTES (1u << 20)

struct file_src {
	int fd;
	bool follow, regular, skipping;
	char *buf;
	size_t len;
};

static int file_drain(struct record_source *src, record_sink_fn sink, void *arg)
{
	struct file_src *f = src->priv;
	int delivered = 0;

	for (;;) {
		ssize_t n;
		char *nl, *start;

		if (f->len == LINE_MAX_BYTES) {	/* overlong line: drop what we have */
			f->len = 0;
			f->skipping = true;
		}
		n = read(f->fd, f->buf + f->len, LINE_MAX_BYTES - f->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? delivered : -errno;
		if (n == 0)	/* end of file: a followed regular file may still grow */
			return f->follow && f->regular ? delivered : (delivered ? delivered : -ENODATA);
		f->len += (size_t)n;
		start = f->buf;
		while ((nl = memchr(start, '\n', f->len - (size_t)(start - f->buf)))) {
			size_t ll = (size_t)(nl - start);

			if (!f->skipping && ll && sink(arg, start, ll) == 0)
				delivered++;
			f->skipping = false;
			start = nl + 1;
		}
		f->len -= (size_t)(start - f->buf);
		memmove(f->buf, start, f->len);
	}
}

static void file_close(struct record_source *src)
{
	struct file_src *f = src->priv;

	if (!f)
		return;
	if (f->fd > 0)
		close(f->fd);
	free(f->buf);
	free(f);
	src->priv = NULL;
}

int source_fd_open(struct record_source *src, int fd, bool follow)
{
	struct file_src *f = calloc(1, sizeof(*f));
	struct stat st;

	if (!f || !(f->buf = malloc(LINE_MAX_BYTES)) || fstat(fd, &st)) {
		int r = f && f->buf ? -errno : -ENOMEM;

		if (f)
			free(f->buf);
		free(f);
		close(fd);
		return r;
	}
	f->fd = fd;
	fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);
	f->follow = follow;
	f->regular = S_ISREG(st.st_mode);
	memset(src, 0, sizeof(*src));
	src->name = "file";
	/* epoll refuses regular files: those are drained on the loop's tick. */
	src->fd = f->regular ? -1 : f->fd;
	src->drain = file_drain;
	src->close = file_close;
	src->priv = f;
	return 0;
}

int source_file_open(struct record_source *src, const char *path, bool follow)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : dup(STDIN_FILENO);

	if (fd < 0)
		return -errno;
	return source_fd_open(src, fd, follow);
}
