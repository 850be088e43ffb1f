/*
 * intent_write.h - writing intent files (docs/records.md): what the traffic
 * driver sent (a meta line, one `intent` per request, an end line), and the
 * scenario runner's `mesh` note that goes among them.
 */
#ifndef SMIW_RECORDS_INTENT_WRITE_H
#define SMIW_RECORDS_INTENT_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/jsonw.h"

/* An extra request header as the record shows it: the name a token, the value redacted already when secret. */
struct intent_header {
	const char *name, *value;
};

/* The members every intent record of one run shares. */
struct intent_run {
	const char *run, *method, *url;
	const char *via;		/* the /call URL relayed through, or NULL: no member */
	const struct intent_header *headers;
	size_t nheaders;
};

struct intent_log {
	struct jsonw w;
	bool open;
	uint64_t written;
	struct intent_run run;		/* its headers are the log's own copy */
};

/*
 * Creates the plain file `path` (the name taken as it is) and writes the meta
 * line of node `node`. The run's strings must outlive the log; its headers
 * are copied, a name given twice keeping the later value in the earlier
 * place (an object holds a name once). Returns 0 or -errno (nothing open).
 */
int intent_open(struct intent_log *log, const char *path, const char *node, const struct intent_run *run);

/*
 * Writes one intent record: request request_id, sent and done on
 * CLOCK_MONOTONIC, the status received (0 without a response), `error`
 * naming why there was none (NULL: no member). Returns 0 or the first write
 * error (-errno).
 */
int intent_write(struct intent_log *log, const char *request_id, uint64_t sent_ns, uint64_t done_ns, int status,
		 const char *error);

/*
 * Writes the end line (reason "signal" when interrupted, else "duration")
 * and closes. Returns 0 (also when the log is not open) or -errno.
 */
int intent_close(struct intent_log *log, bool interrupted);

/*
 * Creates `path` holding one `mesh` record: before step `step` of run `run`
 * the mesh was found gone, `detail` says how (stamped with CLOCK_MONOTONIC
 * now). Returns 0 or -errno.
 */
int intent_write_mesh_gone(const char *path, const char *run, unsigned int step, const char *detail);

#endif
