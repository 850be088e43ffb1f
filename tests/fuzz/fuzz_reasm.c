/*
 * fuzz_reasm - the cgroup backend's reassembly, and the exchange assembly
 * behind it, on arbitrary segment sequences: no crash or leak (ASan); what
 * comes out is in order (offsets never go back, a byte is handed on at most
 * once, a gap only where a hole was given up), every held segment is handed
 * on by the end, every exchange is emitted exactly once, a FIN comes after
 * every byte before it (a hole given up right before it shown by an empty
 * record that moves the offset).
 *
 * Input: byte 0 picks the role; then segments, each a control byte (bit 0
 * direction, bit 1 FIN, bits 2-3 how much is captured: all, half, none,
 * bit 4 an age check after it), a 2-byte offset delta (signed, from the
 * direction's highest end so far), a length byte, and up to that many
 * payload bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/assemble.h"
#include "capture/reasm.h"

struct fz {
	struct reasm r;
	struct reasm_counters rc;
	struct reasm_cfg cfg;
	struct assembler a;
	struct asm_cfg acfg;
	struct asm_pool pool;
	struct asm_counters counters;
	uint64_t next[2];
	bool eof[2];
	uint64_t emitted;
};

static void on_emit(void *ctx, const struct assembler *a, struct cap_exchange *x)
{
	struct fz *f = ctx;

	(void)a;
	(void)x;
	f->emitted++;
}

static void on_out(void *ctx, const struct smiw_data_event *e, const void *payload)
{
	struct fz *f = ctx;
	int dir = e->dir & 1;

	if (e->flags & SMIW_DATA_EOF) {
		if (f->eof[dir] || e->len || e->off != f->next[dir])
			abort();	/* a second end, or one before the bytes that precede it */
		f->eof[dir] = true;
	} else if (e->off < f->next[dir] || (!e->len && e->off == f->next[dir]) || e->cap_len > e->len) {
		abort();	/* back in the stream, an empty record that moves nothing, or an overfull one */
	} else {
		f->next[dir] = e->off + e->len;
	}
	asm_data(&f->a, e, payload);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz *f = calloc(1, sizeof(*f));
	uint64_t top[2] = { 0, 0 }, ts = 1000;
	uint8_t buf[sizeof(struct smiw_skb_event) + 256];
	size_t i = 1;

	if (!f || size < 1) {
		free(f);
		return 0;
	}
	f->cfg = (struct reasm_cfg){ .out = on_out, .ctx = f, .counters = &f->rc };
	f->acfg = (struct asm_cfg){ .emit = on_emit, .ctx = f, .pool = &f->pool, .counters = &f->counters };
	asm_init(&f->a, data[0] % 3, &f->acfg);
	while (i + 4 <= size) {
		uint8_t ctl = data[i], len = data[i + 3];
		int16_t delta = (int16_t)(data[i + 1] | data[i + 2] << 8);
		size_t n = size - i - 4 < len ? size - i - 4 : len;
		struct smiw_skb_event *e = (struct smiw_skb_event *)buf;
		int dir = ctl & 1;
		int64_t off = (int64_t)top[dir] + delta;

		if (off < 0)
			off = 0;
		*e = (struct smiw_skb_event){
			.type = SMIW_EV_SKB, .dir = dir, .flags = ctl & 2 ? SMIW_SKB_FIN : 0, .conn_id = 1,
			.ts_ns = ts, .off = (uint32_t)off, .len = n,
			.cap_len = (ctl >> 2 & 3) == 0 ? n : (ctl >> 2 & 3) == 1 ? n / 2 : 0,
		};
		memcpy(e + 1, data + i + 4, e->cap_len);
		if ((uint64_t)off + n > top[dir])
			top[dir] = off + n;
		reasm_segment(&f->r, &f->cfg, e, e + 1, ts);
		if (ctl & 16)
			reasm_expire(&f->r, &f->cfg, ts - 500);
		ts += 100;
		i += 4 + n;
	}
	/* The end: every hole given up, everything held handed on. */
	if (reasm_expire(&f->r, &f->cfg, 0) || reasm_holding(&f->r))
		abort();
	asm_end(&f->a, "closed", NULL);
	if (f->a.head || f->emitted != f->counters.exchanges)
		abort();
	asm_free(&f->a);
	asm_pool_free(&f->pool);
	reasm_free(&f->r);
	free(f);
	return 0;
}
