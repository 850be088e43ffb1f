/* jsonl.h - capture records as JSON lines (docs/records.md), plain or gzip. */
#ifndef SMIW_CAPTURE_JSONL_H
#define SMIW_CAPTURE_JSONL_H

#include <stdbool.h>

#include "capture/capture.h"
#include "util/jsonw.h"

#define JSONL_WHO_CACHE 1024	/* connections whose naming members are kept formatted */

/* The naming members of one connection's records, formatted (jsonl.c: who). */
struct jsonl_who {
	uint64_t conn_id;
	uint32_t gen;
	uint16_t len;			/* 0: empty */
	char json[490];
};

struct jsonl_sink {
	struct jsonw w;
	char node[256];
	struct jsonl_who *who;		/* JSONL_WHO_CACHE entries, or NULL */
};

/* What the meta record says about the capture. */
struct jsonl_meta {
	const char *inventory;		/* path, or NULL */
	unsigned int snaplen;
	const char *capture_tag;
	unsigned int watched_cgroups;
	const uint32_t *prog_ids;	/* the capture's BPF programs */
	int nprogs;
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

/* Formats addr:port as records show it (see inv_addr_format; cap_conn has local/peer ready). */
void jsonl_format_addr(char *buf, size_t len, int family, const uint8_t addr[16], uint16_t port);

#endif
