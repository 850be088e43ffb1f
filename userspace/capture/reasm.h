/*
 * reasm.h - each direction of a connection seen as TCP segments (the cgroup
 * backend) put back in stream order for the exchange assembler.
 *
 * Segments come with stream offsets modulo 2^32, in the order the kernel
 * saw them: duplicates and overlaps (retransmissions, GRO super-packets
 * that cover part of an earlier one) are trimmed, segments ahead of the
 * next expected offset are held until the hole fills. A hole that does not
 * fill (a record lost to a full ring, data that never passed the hook) is
 * given up when too much is held behind it, when it is older than
 * REASM_HOLD_NS, or when the connection ends: the assembler then sees a
 * gap of exactly the missing bytes.
 */
#ifndef SMIW_CAPTURE_REASM_H
#define SMIW_CAPTURE_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smiw_abi.h"

/* Bounds of what one direction holds behind a hole before giving the hole up. */
#define REASM_HOLD_SEGS 256
#define REASM_HOLD_BYTES (1u << 20)
/* A hole still open after this long is given up at the next check. */
#define REASM_HOLD_NS 1000000000ull

struct reasm_seg;

struct reasm_dir {
	uint64_t next;			/* every byte before this offset has been handed on (or given up) */
	uint64_t out_end;		/* end of the last bytes handed on: below next, a hole given up */
	bool started;			/* a segment has been seen */
	bool eof;			/* the FIN has been handed on */
	struct reasm_seg *held;		/* ahead of `next`, by ascending offset */
	unsigned nheld;
	size_t held_bytes;
	uint64_t held_since_ns;		/* when the oldest held segment arrived (CLOCK_MONOTONIC) */
};

struct reasm {
	struct reasm_dir d[2];		/* indexed by enum smiw_dir */
};

/* Counters shared by the connections of a capture. */
struct reasm_counters {
	uint64_t dup_bytes;		/* payload bytes seen twice (retransmissions, overlaps) */
	uint64_t held;			/* segments held out of order */
	uint64_t holes_given_up;	/* holes that never filled */
	uint64_t user_drops;		/* segments dropped: no memory to hold them */
};

/*
 * Receives the stream in order: e describes len bytes at stream offset
 * e->off (64-bit) of which the first e->cap_len are at payload; a record
 * with SMIW_DATA_EOF set and len 0 is the direction's end (its FIN). A
 * record of len 0 without it only moves the offset across a hole given up
 * right before a FIN (the assembler counts the gap).
 */
typedef void (*reasm_out_fn)(void *ctx, const struct smiw_data_event *e, const void *payload);

struct reasm_cfg {
	reasm_out_fn out;
	void *ctx;
	struct reasm_counters *counters;
};

/* Widens a 32-bit stream offset of direction d to the 64-bit one nearest to what it expects next. */
uint64_t reasm_widen(const struct reasm_dir *d, uint32_t off);

/*
 * Takes one segment (header e, payload bytes after it) seen at now_ns and
 * hands everything now in order to cfg->out.
 */
void reasm_segment(struct reasm *r, const struct reasm_cfg *cfg, const struct smiw_skb_event *e,
		   const void *payload, uint64_t now_ns);

/*
 * Gives up the holes of both directions whose oldest held segment arrived
 * before `before_ns` (0: every hole): what is held is handed on, each hole
 * becoming a gap. Returns true while anything is still held.
 */
bool reasm_expire(struct reasm *r, const struct reasm_cfg *cfg, uint64_t before_ns);

/* True when either direction holds segments. */
bool reasm_holding(const struct reasm *r);

/* Frees what r holds (nothing is handed on). */
void reasm_free(struct reasm *r);

#endif
