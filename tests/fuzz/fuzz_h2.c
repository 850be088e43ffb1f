/*
 * fuzz_h2 - the HTTP/2 path of exchange assembly (preface and upgrade
 * detection, framing, HPACK through libnghttp2, streams) on arbitrary
 * record sequences: no crash or leak (ASan), every exchange emitted exactly
 * once, nothing left waiting after the end, a complete exchange has a
 * status and ordered times, a connection that spoke HTTP/2 says how it
 * started.
 *
 * Input: byte 0 picks the role (bits 0-1: unknown, client, server), whether
 * the request direction starts with the client preface by itself (bit 2,
 * so inputs can be frames only) and whether the end brings kernel byte
 * counts (bit 3). Then records: a control byte (bit 0 direction, bit 1 EOF,
 * bit 2 a gap of `len` bytes before it, bits 3-4 how much is captured: all,
 * half, none, bit 5 a TCP reset first), a 16-bit big-endian length, and up
 * to that many payload bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/assemble.h"
#include "capture/h2frame.h"

struct fz {
	struct assembler a;
	struct asm_cfg cfg;
	struct asm_pool pool;
	struct asm_counters counters;
	uint8_t seen[ASM_MAX_QUEUE * 64 / 8];
	uint64_t emitted;
};

static void on_emit(void *ctx, const struct assembler *a, struct cap_exchange *x)
{
	struct fz *f = ctx;

	(void)a;
	if (x->seq >= sizeof(f->seen) * 8 || f->seen[x->seq / 8] & (1u << (x->seq % 8)))
		abort();	/* emitted twice (or an absurd sequence number) */
	f->seen[x->seq / 8] |= 1u << (x->seq % 8);
	if (x->complete && (x->incomplete || x->status < 100 || x->start_ns > x->end_ns))
		abort();
	if (!x->complete && !x->incomplete)
		abort();
	if (x->protocol != CAP_HTTP1 && !x->stream_id)
		abort();
	f->emitted++;
}

static void record(struct fz *f, int dir, const uint8_t *p, size_t len, size_t cap, uint64_t off, uint64_t ts)
{
	struct smiw_data_event e = {
		.type = SMIW_EV_DATA, .dir = dir, .off = off, .len = len, .cap_len = cap,
		.enter_ns = ts, .exit_ns = ts + 5,
	};

	asm_data(&f->a, &e, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz *f;
	uint64_t ts = 1000, final[2];
	size_t i = 1;
	int role;

	if (size < 1 || !(f = calloc(1, sizeof(*f))))
		return 0;
	role = data[0] & 3;
	if (role == 3)
		role = SMIW_ROLE_UNKNOWN;
	f->cfg = (struct asm_cfg){ .emit = on_emit, .ctx = f, .pool = &f->pool, .counters = &f->counters };
	asm_init(&f->a, role, &f->cfg);
	if ((data[0] & 4) && role != SMIW_ROLE_UNKNOWN)
		record(f, role == SMIW_ROLE_CLIENT ? SMIW_DIR_SEND : SMIW_DIR_RECV, (const uint8_t *)H2_PREFACE,
		       H2_PREFACE_LEN, H2_PREFACE_LEN, 0, ts);
	while (i + 3 <= size) {
		uint8_t ctl = data[i];
		size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
		size_t n = size - i - 3 < len ? size - i - 3 : len;
		int dir = ctl & 1;
		uint64_t off = f->a.st[dir].next_off;

		ts += 10;
		if (ctl & 32)
			asm_reset(&f->a);
		if (ctl & 2) {
			struct smiw_data_event e = { .type = SMIW_EV_DATA, .dir = dir, .flags = SMIW_DATA_EOF, .off = off };

			asm_data(&f->a, &e, NULL);
			i += 3;
			continue;
		}
		if (ctl & 4)
			off += len;
		record(f, dir, data + i + 3, n, (ctl >> 3 & 3) == 0 ? n : (ctl >> 3 & 3) == 1 ? n / 2 : 0, off, ts);
		i += 3 + n;
	}
	final[0] = f->a.st[0].next_off + (data[0] & 8 ? 7 : 0);
	final[1] = f->a.st[1].next_off;
	asm_end(&f->a, "closed", data[0] & 8 ? final : NULL);
	if (f->a.head || f->emitted != f->counters.exchanges)
		abort();
	if (f->a.h2 && !f->a.h2info.start)
		abort();
	asm_free(&f->a);
	asm_pool_free(&f->pool);
	free(f);
	return 0;
}
