/* jsonl.h - capture records as JSON lines (docs/records.md), plain or gzip. */
#ifndef SMIW_CAPTURE_JSONL_H
#define SMIW_CAPTURE_JSONL_H

#include <stdbool.h>

#include "capture/capture.h"
#include "util/jsonw.h"

struct jsonl_sink {
	struct jsonw w;
	char node[256];
};

/* What the meta record says about the capture. */
struct jsonl_meta {
	const char *inventory;		/* path, or NULL */
	unsigned int snaplen;
	const char *capture_tag;
	unsigned int watched_cgroups;
};

/* Opens `path` ("-"/NULL: stdout; ".gz": gzip); node names the observing node. Returns 0 or -errno. */
int jsonl_open(struct jsonl_sink *s, const char *path, const char *node);

/* The callbacks that write exchange and conn records to s. */
struct capture_sink jsonl_capture_sink(struct jsonl_sink *s);

/* Writes the meta record (first line of a file). */
void jsonl_meta(struct jsonl_sink *s, const struct jsonl_meta *m);

/* Writes a stats record, or the end record when reason is set. */
void jsonl_stats(struct jsonl_sink *s, const struct capture_stats *st, const char *end_reason);

/* Writes out whole records (sync: also through stdio/zlib). Returns 0 or -errno. */
int jsonl_flush(struct jsonl_sink *s, bool sync);

/* Flushes and closes. Returns 0 or the first write error. */
int jsonl_close(struct jsonl_sink *s);

/* Formats addr:port ("[v6]:port"; IPv4-mapped shown as IPv4) into buf. */
void jsonl_format_addr(char *buf, size_t len, int family, const uint8_t addr[16], uint16_t port);

#endif
