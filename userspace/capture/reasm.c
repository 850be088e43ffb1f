/* reasm.c - see reasm.h */
#include <stdlib.h>
#include <string.h>

#include "capture/reasm.h"

/* A segment held ahead of a hole, with a copy of its captured bytes. */
struct reasm_seg {
	struct reasm_seg *next;
	uint64_t off;
	uint64_t ts_ns;
	uint64_t arrived_ns;
	uint32_t len, cap;
	uint32_t pid, tgid;
	uint8_t flags;
	char data[];
};

uint64_t reasm_widen(const struct reasm_dir *d, uint32_t off)
{
	int64_t delta = (int32_t)(off - (uint32_t)d->next);

	/* Before offset 0 (an old retransmission seen by a capture that started late): clamp. */
	if (delta < 0 && (uint64_t)-delta > d->next)
		return 0;
	return d->next + delta;
}

/* Hands one segment on in order: the part already handed on is cut off first. */
static void hand_on(struct reasm_dir *d, int dir, const struct reasm_cfg *cfg, uint64_t off, uint32_t len,
		    uint32_t cap, const char *p, const struct reasm_seg *meta)
{
	struct smiw_data_event e = {
		.type = SMIW_EV_DATA, .dir = dir, .enter_ns = meta->ts_ns, .exit_ns = meta->ts_ns,
		.tgid = meta->tgid, .pid = meta->pid,
	};

	if (off < d->next) {
		uint64_t dup = d->next - off < len ? d->next - off : len;

		cfg->counters->dup_bytes += dup;
		off += dup;
		len -= dup;
		p += dup < cap ? dup : cap;
		cap = dup < cap ? cap - dup : 0;
	}
	if (len) {
		e.off = off;
		e.len = len;
		e.cap_len = cap;
		cfg->out(cfg->ctx, &e, p);
		d->next = d->out_end = off + len;
	}
	if ((meta->flags & SMIW_SKB_FIN) && !d->eof && off + len >= d->next) {
		/* A hole given up just before the FIN: no data shows it, an empty record does. */
		if (d->next > d->out_end) {
			e.off = d->next;
			e.len = e.cap_len = 0;
			cfg->out(cfg->ctx, &e, NULL);
			d->out_end = d->next;
		}
		d->eof = true;
		e.off = d->next;
		e.len = 0;
		e.cap_len = 0;
		e.flags = SMIW_DATA_EOF;
		cfg->out(cfg->ctx, &e, NULL);
	}
}

/* Hands on every held segment that is now in order. */
static void drain(struct reasm_dir *d, int dir, const struct reasm_cfg *cfg)
{
	while (d->held && d->held->off <= d->next) {
		struct reasm_seg *s = d->held;

		d->held = s->next;
		d->nheld--;
		d->held_bytes -= s->cap;
		hand_on(d, dir, cfg, s->off, s->len, s->cap, s->data, s);
		free(s);
	}
	/* The wait is as old as the oldest segment still held. */
	d->held_since_ns = 0;
	for (struct reasm_seg *s = d->held; s; s = s->next)
		if (!d->held_since_ns || s->arrived_ns < d->held_since_ns)
			d->held_since_ns = s->arrived_ns;
}

/* Gives up the hole before the first held segment: it is handed on, the assembler sees the gap. */
static void give_up_hole(struct reasm_dir *d, int dir, const struct reasm_cfg *cfg)
{
	if (!d->held)
		return;
	cfg->counters->holes_given_up++;
	d->next = d->held->off;	/* not a byte of the hole will come: skip it */
	/* The assembler tracks its own offset: handed on at its real place, the segment shows the gap. */
	drain(d, dir, cfg);
}

/* Keeps a copy of segment e (ahead of the next expected offset), in offset order. */
static void hold(struct reasm_dir *d, const struct reasm_cfg *cfg, const struct smiw_skb_event *e, uint64_t off,
		 const void *payload, uint64_t now_ns)
{
	struct reasm_seg *s = malloc(sizeof(*s) + e->cap_len), **pp = &d->held;

	if (!s) {
		cfg->counters->user_drops++;
		return;
	}
	*s = (struct reasm_seg){ .off = off, .ts_ns = e->ts_ns, .arrived_ns = now_ns, .len = e->len,
				 .cap = e->cap_len, .pid = e->pid, .tgid = e->tgid, .flags = e->flags };
	memcpy(s->data, payload, e->cap_len);
	while (*pp && (*pp)->off <= off)
		pp = &(*pp)->next;
	s->next = *pp;
	*pp = s;
	d->nheld++;
	d->held_bytes += e->cap_len;
	cfg->counters->held++;
	if (!d->held_since_ns)
		d->held_since_ns = now_ns;
}

void reasm_segment(struct reasm *r, const struct reasm_cfg *cfg, const struct smiw_skb_event *e,
		   const void *payload, uint64_t now_ns)
{
	int dir = e->dir & 1;
	struct reasm_dir *d = &r->d[dir];
	uint64_t off = reasm_widen(d, e->off);
	struct reasm_seg meta = { .ts_ns = e->ts_ns, .pid = e->pid, .tgid = e->tgid, .flags = e->flags };

	d->started = true;
	if (off > d->next) {
		hold(d, cfg, e, off, payload, now_ns);
		if (d->nheld > REASM_HOLD_SEGS || d->held_bytes > REASM_HOLD_BYTES)
			give_up_hole(d, dir, cfg);
		return;
	}
	hand_on(d, dir, cfg, off, e->len, e->cap_len, payload, &meta);
	drain(d, dir, cfg);
}

bool reasm_expire(struct reasm *r, const struct reasm_cfg *cfg, uint64_t before_ns)
{
	for (int dir = 0; dir < 2; dir++) {
		struct reasm_dir *d = &r->d[dir];

		while (d->held && (!before_ns || d->held_since_ns < before_ns))
			give_up_hole(d, dir, cfg);
	}
	return reasm_holding(r);
}

bool reasm_holding(const struct reasm *r)
{
	return r->d[0].held || r->d[1].held;
}

void reasm_free(struct reasm *r)
{
	for (int dir = 0; dir < 2; dir++) {
		struct reasm_dir *d = &r->d[dir];

		while (d->held) {
			struct reasm_seg *s = d->held;

			d->held = s->next;
			free(s);
		}
		d->nheld = 0;
		d->held_bytes = 0;
	}
}
