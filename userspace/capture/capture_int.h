/* capture_int.h - the capture's internals, shared by capture.c and events.c. */
#ifndef SMIW_CAPTURE_INT_H
#define SMIW_CAPTURE_INT_H

#include "capture/assemble.h"
#include "capture/capture.h"
#include "capture/conntrack.h"
#include "capture/loader.h"

/* Connections followed at once before new ones are dropped (counted). */
#define CAPTURE_CONNS_MAX (1u << 20)

struct capture {
	struct loader *ld;
	struct ring_buffer *rb;
	struct capture_opts o;
	char tag[12];
	struct conntable conns;
	struct asm_pool pool;
	struct asm_counters counters;
	struct asm_cfg acfg;
	uint64_t events;
	uint64_t conns_total;
	unsigned int drain_ms;
};

/* libbpf ring-buffer callback: one kernel record. Always returns 0. */
int capture_on_record(void *ctx, void *data, size_t len);

/* Ends connection k: pending exchanges out (as `reason`), its record to the sink, k freed. */
void capture_end_conn(struct capture *c, struct ct_conn *k, const char *reason, const uint64_t *final_bytes);

/* The assembler's emit callback: attaches the connection and hands x to the sink. */
void capture_on_exchange(void *ctx, const struct assembler *a, struct cap_exchange *x);

#endif
