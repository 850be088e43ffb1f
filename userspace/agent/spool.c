/* spool.c - see spool.h */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/spool.h"

int spool_init(struct spool *sp, const char *dir, const char *prefix, uint64_t max_bytes,
	       unsigned max_files, spool_line_fn line, void *line_arg)
{
	memset(sp, 0, sizeof(*sp));
	if (snprintf(sp->dir, sizeof(sp->dir), "%s", dir) >= (int)sizeof(sp->dir))
		return -ENAMETOOLONG;
	snprintf(sp->prefix, sizeof(sp->prefix), "%s", prefix);
	sp->max_bytes = max_bytes;
	sp->max_files = max_files;
	sp->line = line;
	sp->line_arg = line_arg;
	if (mkdir(dir, 0750) && errno != EEXIST)
		return -errno;
	return access(dir, W_OK) ? -errno : 0;
}

static int put_line(struct spool *sp, const char *line, size_t len)
{
	if (gzwrite(sp->gz, line, (unsigned)len) != (int)len || gzputc(sp->gz, '\n') != '\n') {
		sp->write_errors++;
		return -EIO;
	}
	sp->bytes_total += len + 1;
	return 0;
}

static int open_next(struct spool *sp)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	char *meta;
	int r = 0;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(sp->part, sizeof(sp->part), "%s/%s-%s-%06u.jsonl.gz.part", sp->dir, sp->prefix, stamp,
		 sp->seq++);
	sp->gz = gzopen(sp->part, "wbe");
	if (!sp->gz)
		return errno ? -errno : -ENOMEM;
	sp->records = 0;
	meta = sp->line ? sp->line(sp->line_arg, NULL) : NULL;
	if (meta)
		r = put_line(sp, meta, strlen(meta));
	free(meta);
	return r;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Keeps the newest max_files closed files of this spool (names sort by time). */
static void prune(struct spool *sp)
{
	struct dirent **list;
	size_t plen = strlen(sp->prefix);
	int n, closed = 0;

	if (!sp->max_files)
		return;
	n = scandir(sp->dir, &list, NULL, by_name);
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t l = strlen(name);

		if (!strncmp(name, sp->prefix, plen) && name[plen] == '-' && l > 9 &&
		    !strcmp(name + l - 9, ".jsonl.gz"))
			closed++;
	}
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t l = strlen(name);
		char path[1400];

		if (closed > (int)sp->max_files && !strncmp(name, sp->prefix, plen) &&
		    name[plen] == '-' && l > 9 && !strcmp(name + l - 9, ".jsonl.gz")) {
			snprintf(path, sizeof(path), "%s/%s", sp->dir, name);
			if (!unlink(path))
				sp->files_removed++;
			closed--;
		}
		free(list[i]);
	}
	free(list);
}

int spool_close(struct spool *sp, const char *reason)
{
	char final[1280], *end;
	int r = 0;

	if (!sp->gz)
		return 0;
	end = sp->line ? sp->line(sp->line_arg, reason) : NULL;
	if (end)
		r = put_line(sp, end, strlen(end));
	free(end);
	if (gzclose(sp->gz) != Z_OK && !r)
		r = -EIO;
	sp->gz = NULL;
	if (r) {
		/* A file that could not be finished keeps its .part name: readers see it was cut short. */
		sp->write_errors++;
		return r;
	}
	snprintf(final, sizeof(final), "%.*s", (int)(strlen(sp->part) - 5), sp->part);
	if (rename(sp->part, final))
		return -errno;
	sp->files_closed++;
	prune(sp);
	return 0;
}

int spool_write(struct spool *sp, const char *line, size_t len)
{
	int r;

	if (!sp->gz && (r = open_next(sp)))
		return r;
	r = put_line(sp, line, len);
	if (r)
		return r;
	sp->records++;
	if (sp->max_bytes && (uint64_t)gzoffset(sp->gz) >= sp->max_bytes)
		return spool_close(sp, "rotated");
	return 0;
}
