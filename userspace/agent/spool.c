/* spool.c - see spool.h */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/spool.h"
#include "util/buf.h"
#include "util/log.h"

static bool ours(const struct spool *sp, const char *name, const char *suffix)
{
	size_t plen = strlen(sp->prefix), l = strlen(name), sl = strlen(suffix);

	return !strncmp(name, sp->prefix, plen) && name[plen] == '-' && l > plen + sl &&
	       !strcmp(name + l - sl, suffix);
}

/* Copies the whole lines of `in` to `out`; returns how many, *torn set when a cut-short one was left. */
static int64_t copy_whole_lines(gzFile in, gzFile out, bool *torn)
{
	struct buf b = { 0 };
	int64_t n = 0;

	/* 64 KiB to start; doubled while a line does not fit. */
	while (!buf_reserve(&b, b.cap ? 2 : 65536, BUF_NO_LIMIT)) {
		/* NULL at the end of the data, and where a stream the writer never finished breaks off. */
		if (!gzgets(in, b.p + b.len, (int)(b.cap - b.len))) {
			*torn = b.len > 0;
			buf_free(&b);
			return n;
		}
		b.len += strlen(b.p + b.len);
		if (b.len && b.p[b.len - 1] == '\n') {
			if (gzwrite(out, b.p, (unsigned)b.len) != (int)b.len)
				break;
			n++;
			b.len = 0;
		}
	}
	buf_free(&b);
	return -EIO;
}

/* Turns a .part file a dead writer left into a closed file; see spool_init(). */
static void recover(struct spool *sp, const char *name)
{
	char part[1280], final[1280], tmp[1300];
	gzFile in, out;
	bool torn = false;
	int64_t n;

	snprintf(part, sizeof(part), "%s/%s", sp->dir, name);
	snprintf(final, sizeof(final), "%.*s", (int)(strlen(part) - 5), part);
	snprintf(tmp, sizeof(tmp), "%s.recovering", final);
	in = gzopen(part, "rbe");
	out = in ? gzopen(tmp, "wbe") : NULL;
	n = out ? copy_whole_lines(in, out, &torn) : -EIO;
	if (in)
		gzclose(in);
	if (out && gzclose(out) != Z_OK)
		n = -EIO;
	if (n < 0 || renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE)) {
		pr_warn("spool: cannot recover '%s' left by an interrupted run: %s", part,
			strerror(n < 0 ? (int)-n : errno));
		unlink(tmp);
		return;
	}
	unlink(part);
	sp->files_recovered++;
	sp->records_recovered += (uint64_t)n;
	pr_warn("spool: '%s' was left open by an interrupted run: %lld whole records kept in '%s' (no end "
		"record)%s", part, (long long)n, final, torn ? "; its cut-short last record dropped" : "");
}

static void recover_all(struct spool *sp)
{
	struct dirent **list;
	int n = scandir(sp->dir, &list, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		if (ours(sp, list[i]->d_name, ".jsonl.gz.part"))
			recover(sp, list[i]->d_name);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

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
	if (access(dir, W_OK))
		return -errno;
	recover_all(sp);
	return 0;
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
	/* Never over an existing file: a restart within the same second starts at seq 0 again. */
	for (int tries = 0; !sp->gz && tries < 1000; tries++) {
		char final[1280];

		snprintf(sp->part, sizeof(sp->part), "%s/%s-%s-%06u.jsonl.gz.part", sp->dir, sp->prefix,
			 stamp, sp->seq++);
		snprintf(final, sizeof(final), "%.*s", (int)(strlen(sp->part) - 5), sp->part);
		if (access(final, F_OK) == 0)
			continue;
		sp->gz = gzopen(sp->part, "wbxe");
		if (!sp->gz && errno != EEXIST)
			return errno ? -errno : -ENOMEM;
	}
	if (!sp->gz)
		return -EEXIST;
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

int spool_flush(struct spool *sp)
{
	if (!sp->gz)
		return 0;
	if (gzflush(sp->gz, Z_SYNC_FLUSH) != Z_OK) {
		sp->write_errors++;
		return -EIO;
	}
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
