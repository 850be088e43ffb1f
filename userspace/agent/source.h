/* source.h - where the agent's records come from: the interface capture plugs into. */
#ifndef SMIW_AGENT_SOURCE_H
#define SMIW_AGENT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	/* Optional: asks a live source to finish; drain() then returns -ENODATA once it has. */
	void (*stop)(struct record_source *src);
	/* Capabilities the source still needs once open (CAPS_BIT mask; 0 for most). */
	uint64_t caps_needed;
	void *priv;
};

/*
 * Opens a JSONL file, FIFO or "-" (stdin) as a source. With `follow`, a
 * regular file is read like `tail -f` (new lines are picked up as they are
 * appended) instead of ending at its end. Returns 0 or -errno.
 */
int source_file_open(struct record_source *src, const char *path, bool follow);

/*
 * Makes a source of an open descriptor (a pipe, FIFO or file; taken over:
 * closed by close()). Returns 0 or -errno.
 */
int source_fd_open(struct record_source *src, int fd, bool follow);

/* What `--source capture` needs: where the inventory is and how to capture. */
struct capture_source_opts {
	const char *inventory_path;	/* reloaded whenever the file changes */
	const char *node;
	unsigned int snaplen;		/* 0: capture's default */
	uint64_t stats_ns;		/* a stats record this often; 0: 5 s */
	bool unredacted;		/* keep credential header values (http_header_secret) */
	int backend;			/* enum capture_backend (0: auto) */
};

/*
 * Starts in-process kernel capture on a thread of its own; its records
 * (docs/records.md) arrive through drain() like any other source's. The
 * watched pods follow the inventory file: when it changes it is loaded
 * again, its new cgroups are watched and attribution uses it. Returns 0 or
 * -errno (the reason printed).
 */
int source_capture_open(struct record_source *src, const struct capture_source_opts *o);

#endif
