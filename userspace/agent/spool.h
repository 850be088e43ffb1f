/* spool.h - records on disk as gzip-compressed JSONL files, rotated by size. */
#ifndef SMIW_AGENT_SPOOL_H
#define SMIW_AGENT_SPOOL_H

#include <stdint.h>
#include <zlib.h>

/*
 * Builds a line for the spool as a new string (no newline): the `meta`
 * record that starts a file when `end_reason` is NULL, otherwise the `end`
 * record that closes one ("rotated", "signal").
 */
typedef char *(*spool_line_fn)(void *arg, const char *end_reason);

/*
 * The file being written is "<prefix>-<UTC time>-<seq>.jsonl.gz.part"; it
 * is renamed to ".jsonl.gz" only after its `end` record is written and the
 * gzip stream is closed, so a file with the final name never holds a torn
 * record. Past `max_files` closed files, the oldest are removed.
 */
struct spool {
	char dir[1024];
	char prefix[128];
	uint64_t max_bytes;	/* rotate once this many compressed bytes are written */
	unsigned max_files;	/* closed files kept; 0 = unlimited */
	spool_line_fn line;
	void *line_arg;
	gzFile gz;
	char part[1280];	/* path of the open file */
	unsigned seq;
	uint64_t records;	/* in the open file */
	uint64_t files_closed, files_removed, write_errors, bytes_total;
	uint64_t files_recovered, records_recovered;
};

/*
 * Prepares a spool in `dir` (created when missing) without opening a file
 * yet: the first spool_write() does. A `.part` file of this prefix left by
 * a writer that died is recovered first: its whole records become a closed
 * file of the final name without an `end` record (so readers see it was
 * cut short), a torn last record is dropped, and both are reported with
 * pr_warn(). A new file never replaces an existing one. Returns 0 or -errno.
 */
int spool_init(struct spool *sp, const char *dir, const char *prefix, uint64_t max_bytes,
	       unsigned max_files, spool_line_fn line, void *line_arg);

/*
 * Pushes what was written so far to the file as a gzip sync point, so a
 * reader (or a crash) finds every record written before it. Returns 0 or -EIO.
 */
int spool_flush(struct spool *sp);

/* Appends one record (no newline) and rotates when the file is full. Returns 0 or -errno. */
int spool_write(struct spool *sp, const char *line, size_t len);

/*
 * Closes the open file with an `end` record for `reason` and gives it its
 * final name. Returns 0 or -errno.
 */
int spool_close(struct spool *sp, const char *reason);

#endif
