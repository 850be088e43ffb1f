/* source.h - where the agent's records come from: the interface capture plugs into. */
#ifndef SMIW_AGENT_SOURCE_H
#define SMIW_AGENT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

/* Receives one complete record (a JSON object, no newline). Non-zero stops the drain. */
typedef int (*record_sink_fn)(void *arg, const char *line, size_t len);

/*
 * A producer of JSONL records (docs/records.md). `fd` is polled for input
 * when >= 0; otherwise drain() is called on every loop tick. drain()
 * delivers every complete record available now and returns the number
 * delivered, or -errno; -ENODATA means the source ended for good.
 */
struct record_source {
	const char *name;
	int fd;
	int (*drain)(struct record_source *src, record_sink_fn sink, void *arg);
	void (*close)(struct record_source *src);
	void *priv;
};

/*
 * Opens a JSONL file, FIFO or "-" (stdin) as a source. With `follow`, a
 * regular file is read like `tail -f` (new lines are picked up as they are
 * appended) instead of ending at its end. Returns 0 or -errno.
 */
int source_file_open(struct record_source *src, const char *path, bool follow);

#endif
