/*
 * test_reasm - segments of the cgroup backend back in stream order:
 * retransmissions and overlaps trimmed, out-of-order segments held until
 * the hole fills, holes given up (by bound, by age, at the end) as gaps of
 * exactly the missing bytes, FINs, offsets widened across 2^32, and a
 * stream cut, duplicated and shuffled at random that must come out whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture/reasm.h"

#define STREAM 65536

/* What came out of the reassembly for one direction. */
struct out {
	uint64_t next;			/* offset expected next, as the assembler tracks it */
	uint64_t gaps, gap_bytes;
	int eofs;
	uint64_t eof_at;
	uint64_t delivered;
	unsigned char bytes[STREAM];	/* bytes at their offsets (below STREAM) */
};

struct harness {
	struct reasm r;
	struct reasm_counters counters;
	struct reasm_cfg cfg;
	struct out out[2];
};

static void on_out(void *ctx, const struct smiw_data_event *e, const void *payload)
{
	struct harness *h = ctx;
	struct out *o = &h->out[e->dir & 1];

	if (e->flags & SMIW_DATA_EOF) {
		assert_int_equal(e->len, 0);
		o->eofs++;
		o->eof_at = e->off;
		return;
	}
	/* In order: never behind what was handed on, ahead only across a hole given up. */
	assert_true(e->off >= o->next);
	assert_true(e->len > 0 || e->off > o->next);	/* an empty record only shows a hole */
	if (e->off > o->next) {
		o->gaps++;
		o->gap_bytes += e->off - o->next;
	}
	for (uint64_t i = 0; i < e->cap_len && e->off + i < STREAM; i++)
		o->bytes[e->off + i] = ((const unsigned char *)payload)[i];
	o->delivered += e->len;
	o->next = e->off + e->len;
}

static struct harness *harness(void)
{
	struct harness *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->cfg = (struct reasm_cfg){ .out = on_out, .ctx = h, .counters = &h->counters };
	return h;
}

static void done(struct harness *h)
{
	reasm_free(&h->r);
	free(h);
}

/* The byte at stream offset i of the test stream. */
static unsigned char byte_at(uint64_t i)
{
	return (unsigned char)(i * 131 + (i >> 8) * 7 + 1);
}

/* Feeds stream bytes [off, off + len) of direction dir (offset given modulo 2^32), FIN as asked. */
static void seg(struct harness *h, int dir, uint64_t off, uint32_t len, bool fin, uint64_t now)
{
	struct {
		struct smiw_skb_event e;
		unsigned char data[STREAM];
	} *rec = malloc(sizeof(*rec));

	assert_non_null(rec);
	rec->e = (struct smiw_skb_event){ .type = SMIW_EV_SKB, .dir = dir, .flags = fin ? SMIW_SKB_FIN : 0,
					  .cap_len = len, .conn_id = 1, .ts_ns = now, .off = (uint32_t)off,
					  .len = len };
	for (uint32_t i = 0; i < len && i < STREAM; i++)
		rec->data[i] = byte_at(off + i);
	reasm_segment(&h->r, &h->cfg, &rec->e, rec->data, now);
	free(rec);
}

static void assert_stream(const struct out *o, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++)
		if (o->bytes[i] != byte_at(i))
			fail_msg("byte %llu: got %u, want %u", (unsigned long long)i, o->bytes[i], byte_at(i));
}

static void test_in_order(void **state)
{
	struct harness *h = harness();

	(void)state;
	for (int i = 0; i < 10; i++)
		seg(h, SMIW_DIR_RECV, i * 100, 100, false, 1);
	assert_int_equal(h->out[SMIW_DIR_RECV].next, 1000);
	assert_int_equal(h->out[SMIW_DIR_RECV].gaps, 0);
	assert_int_equal(h->counters.held, 0);
	assert_int_equal(h->out[SMIW_DIR_SEND].delivered, 0);
	assert_stream(&h->out[SMIW_DIR_RECV], 0, 1000);
	done(h);
}

static void test_duplicates_and_overlaps(void **state)
{
	struct harness *h = harness();
	struct out *o = &h->out[SMIW_DIR_RECV];

	(void)state;
	seg(h, SMIW_DIR_RECV, 0, 100, false, 1);
	seg(h, SMIW_DIR_RECV, 0, 100, false, 1);	/* retransmitted */
	seg(h, SMIW_DIR_RECV, 50, 100, false, 1);	/* half old, half new */
	seg(h, SMIW_DIR_RECV, 20, 30, false, 1);	/* wholly inside what came */
	seg(h, SMIW_DIR_RECV, 150, 50, false, 1);
	assert_int_equal(o->next, 200);
	assert_int_equal(o->delivered, 200);
	assert_int_equal(o->gaps, 0);
	assert_int_equal(h->counters.dup_bytes, 100 + 50 + 30);
	assert_stream(o, 0, 200);
	done(h);
}

static void test_out_of_order(void **state)
{
	struct harness *h = harness();
	struct out *o = &h->out[SMIW_DIR_SEND];

	(void)state;
	seg(h, SMIW_DIR_SEND, 200, 100, false, 1);
	seg(h, SMIW_DIR_SEND, 100, 100, false, 1);
	assert_int_equal(o->delivered, 0);
	assert_true(reasm_holding(&h->r));
	seg(h, SMIW_DIR_SEND, 0, 100, false, 1);
	assert_int_equal(o->next, 300);
	assert_int_equal(o->gaps, 0);
	assert_int_equal(h->counters.held, 2);
	assert_false(reasm_holding(&h->r));
	assert_stream(o, 0, 300);
	done(h);
}

/* More segments than the bound behind one hole: the hole is given up, exactly its bytes missing. */
static void test_hole_given_up_by_bound(void **state)
{
	struct harness *h = harness();
	struct out *o = &h->out[SMIW_DIR_RECV];

	(void)state;
	seg(h, SMIW_DIR_RECV, 0, 10, false, 1);
	for (int i = 0; i <= REASM_HOLD_SEGS; i++)
		seg(h, SMIW_DIR_RECV, 50 + i * 10, 10, false, 1);
	assert_int_equal(o->gaps, 1);
	assert_int_equal(o->gap_bytes, 40);
	assert_int_equal(o->next, 50 + (REASM_HOLD_SEGS + 1) * 10);
	assert_int_equal(h->counters.holes_given_up, 1);
	assert_false(reasm_holding(&h->r));
	/* The missing bytes arriving late are behind: trimmed away, nothing delivered twice. */
	seg(h, SMIW_DIR_RECV, 10, 40, false, 1);
	assert_int_equal(o->delivered, 10 + (REASM_HOLD_SEGS + 1) * 10);
	assert_stream(o, 50, o->next);
	done(h);
}

static void test_hole_given_up_by_age(void **state)
{
	struct harness *h = harness();
	struct out *o = &h->out[SMIW_DIR_RECV];

	(void)state;
	seg(h, SMIW_DIR_RECV, 100, 100, false, 1000);
	seg(h, SMIW_DIR_RECV, 300, 100, false, 5000);
	assert_true(reasm_expire(&h->r, &h->cfg, 500));		/* younger than the limit: kept */
	assert_int_equal(o->delivered, 0);
	/* Older than 2000: the first hole goes, the second segment (held at 5000) waits on. */
	assert_true(reasm_expire(&h->r, &h->cfg, 2000));
	assert_int_equal(o->next, 200);
	assert_int_equal(o->gap_bytes, 100);
	assert_false(reasm_expire(&h->r, &h->cfg, 0));		/* everything, at the end */
	assert_int_equal(o->next, 400);
	assert_int_equal(o->gaps, 2);
	assert_int_equal(o->gap_bytes, 200);
	done(h);
}

static void test_fin(void **state)
{
	struct harness *h = harness();
	struct out *o = &h->out[SMIW_DIR_RECV];

	(void)state;
	seg(h, SMIW_DIR_RECV, 100, 50, true, 1);	/* the last segment, with the FIN, first */
	assert_int_equal(o->eofs, 0);
	seg(h, SMIW_DIR_RECV, 0, 100, false, 1);
	assert_int_equal(o->eofs, 1);
	assert_int_equal(o->eof_at, 150);
	seg(h, SMIW_DIR_RECV, 150, 0, true, 1);	/* the FIN again, alone */
	seg(h, SMIW_DIR_RECV, 100, 50, true, 1);	/* and with its segment */
	assert_int_equal(o->eofs, 1);
	assert_int_equal(o->delivered, 150);
	/* A FIN without payload on the other side. */
	seg(h, SMIW_DIR_SEND, 0, 0, true, 1);
	assert_int_equal(h->out[SMIW_DIR_SEND].eofs, 1);
	assert_int_equal(h->out[SMIW_DIR_SEND].eof_at, 0);
	done(h);
}

/* A hole given up right before a FIN without payload: the gap is shown, then the end. */
static void test_hole_before_fin(void **state)
{
	struct harness *h = harness();
	struct out *o = &h->out[SMIW_DIR_RECV];

	(void)state;
	seg(h, SMIW_DIR_RECV, 0, 100, false, 1);
	seg(h, SMIW_DIR_RECV, 150, 0, true, 1);
	assert_int_equal(o->eofs, 0);
	assert_false(reasm_expire(&h->r, &h->cfg, 0));
	assert_int_equal(o->gaps, 1);
	assert_int_equal(o->gap_bytes, 50);
	assert_int_equal(o->eofs, 1);
	assert_int_equal(o->eof_at, 150);
	assert_int_equal(o->delivered, 100);
	done(h);
}

static void test_widen(void **state)
{
	struct reasm_dir d = { .next = (1ull << 32) - 10 };

	(void)state;
	assert_int_equal(reasm_widen(&d, 0xfffffff6u), (1ull << 32) - 10);
	assert_int_equal(reasm_widen(&d, 10), (1ull << 32) + 10);
	assert_int_equal(reasm_widen(&d, 0xffffff00u), (1ull << 32) - 256);
	d.next = 5;
	assert_int_equal(reasm_widen(&d, 0xfffffff0u), 0);	/* before the start: clamped */
	d.next = (5ull << 32) + 7;
	assert_int_equal(reasm_widen(&d, 3), (5ull << 32) + 3);
}

/* Offsets past 2^32: a long stream's segments keep their order and bytes. */
static void test_across_4g(void **state)
{
	struct harness *h = harness();
	struct out *o = &h->out[SMIW_DIR_RECV];

	(void)state;
	h->r.d[SMIW_DIR_RECV].next = o->next = (1ull << 32) - 100;
	seg(h, SMIW_DIR_RECV, (1ull << 32) + 50, 50, false, 1);
	seg(h, SMIW_DIR_RECV, (1ull << 32) - 100, 150, false, 1);
	assert_int_equal(o->next, (1ull << 32) + 100);
	assert_int_equal(o->gaps, 0);
	done(h);
}

/* A 64 KiB stream cut at random, every segment sent once or twice, shuffled within a window. */
static void test_random_order(void **state)
{
	enum { MAXSEG = 4096 };
	static struct { uint64_t off; uint32_t len; } segs[MAXSEG];
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 50; round++) {
		struct harness *h = harness();
		struct out *o = &h->out[SMIW_DIR_SEND];
		int n = 0;

		for (uint64_t off = 0; off < STREAM;) {
			uint32_t len = 1 + rand_r(&seed) % 1500;

			if (off + len > STREAM)
				len = STREAM - off;
			segs[n].off = off;
			segs[n++].len = len;
			if (rand_r(&seed) % 4 == 0 && n < MAXSEG) {	/* a retransmission, overlapping the next */
				segs[n].off = off;
				segs[n++].len = len + (off + len < STREAM ? 1 : 0);
			}
			off += len;
		}
		for (int i = 0; i < n; i++) {	/* swap within a window of 8 */
			int j = i + rand_r(&seed) % 8;

			if (j < n) {
				uint64_t t = segs[i].off;
				uint32_t l = segs[i].len;

				segs[i] = segs[j];
				segs[j].off = t;
				segs[j].len = l;
			}
		}
		for (int i = 0; i < n; i++)
			seg(h, SMIW_DIR_SEND, segs[i].off, segs[i].len, segs[i].off + segs[i].len == STREAM, 1);
		assert_int_equal(o->next, STREAM);
		assert_int_equal(o->delivered, STREAM);
		assert_int_equal(o->gaps, 0);
		assert_int_equal(o->eofs, 1);
		assert_false(reasm_holding(&h->r));
		assert_stream(o, 0, STREAM);
		done(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_duplicates_and_overlaps),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_hole_given_up_by_bound),
		cmocka_unit_test(test_hole_given_up_by_age),
		cmocka_unit_test(test_fin),
		cmocka_unit_test(test_hole_before_fin),
		cmocka_unit_test(test_widen),
		cmocka_unit_test(test_across_4g),
		cmocka_unit_test(test_random_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
