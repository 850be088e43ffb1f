/* metrics.h - what a learn-layer5 service counts, served as its /metrics JSON. */
#ifndef SMIW_LL5_METRICS_H
#define SMIW_LL5_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Bounds that keep memory finite under any load (documented in docs/sample-app.md). */
#define METRICS_MAX_NAMES 1024		/* distinct calling service names */
#define METRICS_MAX_NAME_LEN 256
#define METRICS_MAX_RECEIVED 4000000	/* ReqReceived entries (2 bytes each) */
#define METRICS_MAX_RESP_BYTES (64u << 20)	/* JSON of RespSucceeded / RespFailed, each */

struct metrics {
	char *names[METRICS_MAX_NAMES];	/* JSON-encoded strings, interned */
	unsigned nnames;
	uint16_t *received;		/* indexes into names */
	size_t nreceived, cap_received;
	struct buf succeeded, failed;	/* comma-joined JSON objects */
	size_t nsucceeded, nfailed;
	uint64_t dropped;		/* entries not kept because a bound was reached */
};

/* Records one request received from `name` (NULL or empty: "Unidentified"). */
void metrics_received(struct metrics *m, const char *name, size_t len);

/* Records one /call outcome; entry_json is {"URL":..,"Method":..,"Headers":..}. */
void metrics_response(struct metrics *m, int succeeded, const char *entry_json);

/* Appends {"ReqReceived":[..],"RespSucceeded":[..],"RespFailed":[..]} and a newline. Returns 0 or -errno. */
int metrics_json(const struct metrics *m, struct buf *out, size_t limit);

/* Forgets everything recorded, service names included (DELETE /metrics). */
void metrics_reset(struct metrics *m);

/* Frees all storage. */
void metrics_free(struct metrics *m);

#endif
