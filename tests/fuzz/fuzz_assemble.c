/*
 * fuzz_assemble - exchange assembly on arbitrary record sequences: no crash or
 * leak (ASan), every exchange emitted exactly once, nothing left waiting after
 * the end, complete exchanges carry a status and ordered timestamps.
 *
 * Input: byte 0 picks the role (and whether the end brings kernel byte counts);
 * then records, each a control byte (bit 0 direction, bit 1 EOF, bit 2 a gap
 * of `len` bytes before it, bits 3-4 how much is captured: all, half, none),
 * a length byte, and up to that many payload bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/assemble.h"

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
	f->emitted++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz *f = calloc(1, sizeof(*f));
	uint64_t ts = 1000, final[2];
	size_t i = 1;

	if (!f || size < 1) {
		free(f);
		return 0;
	}
	f->cfg = (struct asm_cfg){ .emit = on_emit, .ctx = f, .pool = &f->pool, .counters = &f->counters };
	asm_init(&f->a, data[0] % 3, &f->cfg);
	while (i + 2 <= size) {
		uint8_t ctl = data[i], len = data[i + 1];
		size_t n = size - i - 2 < len ? size - i - 2 : len;
		int dir = ctl & 1;
		struct smiw_data_event e = {
			.type = SMIW_EV_DATA, .dir = dir, .off = f->a.st[dir].next_off,
			.enter_ns = ts, .exit_ns = ts + 5,
		};

		ts += 10;
		if (ctl & 2) {
			e.flags = SMIW_DATA_EOF;
			asm_data(&f->a, &e, NULL);
			i += 2;
			continue;
		}
		if (ctl & 4)
			e.off += len;
		e.len = n;
		e.cap_len = (ctl >> 3 & 3) == 0 ? n : (ctl >> 3 & 3) == 1 ? n / 2 : 0;
		asm_data(&f->a, &e, data + i + 2);
		i += 2 + n;
	}
	final[0] = f->a.st[0].next_off + (data[0] & 8 ? 7 : 0);
	final[1] = f->a.st[1].next_off;
	asm_end(&f->a, "closed", data[0] & 4 ? final : NULL);
	if (f->a.head || f->emitted != f->counters.exchanges)
		abort();
	asm_free(&f->a);
	asm_pool_free(&f->pool);
	free(f);
	return 0;
}
