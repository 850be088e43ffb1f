/*
 * h2frame.h - HTTP/2 framing (RFC 9113 sections 4.1 and 6) of one direction
 * of a connection, fed incrementally: bytes split anywhere across calls,
 * payload bytes counted but not captured, and gaps inside a frame whose
 * length is known. It reads what capture needs (frame headers, padding and
 * the fixed fields, DATA and header block bytes, SETTINGS parameters) and
 * skips the rest by count.
 */
#ifndef SMIW_CAPTURE_H2FRAME_H
#define SMIW_CAPTURE_H2FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define H2_FRAME_HEADER 9
/* The client connection preface (RFC 9113 section 3.4). */
#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN 24

enum h2_frame_type {
	H2_DATA = 0,
	H2_HEADERS = 1,
	H2_PRIORITY = 2,
	H2_RST_STREAM = 3,
	H2_SETTINGS = 4,
	H2_PUSH_PROMISE = 5,
	H2_PING = 6,
	H2_GOAWAY = 7,
	H2_WINDOW_UPDATE = 8,
	H2_CONTINUATION = 9,
};

#define H2_FLAG_END_STREAM 0x01
#define H2_FLAG_ACK 0x01
#define H2_FLAG_END_HEADERS 0x04
#define H2_FLAG_PADDED 0x08
#define H2_FLAG_PRIORITY 0x20

#define H2_SETTINGS_HEADER_TABLE_SIZE 1

struct h2_frame {
	uint32_t len;			/* payload length */
	uint8_t type, flags;
	uint32_t stream;		/* stream identifier, reserved bit cleared */
	/*
	 * The fixed fields after the pad length and priority, big-endian as
	 * sent: PUSH_PROMISE's promised stream, RST_STREAM's error code,
	 * GOAWAY's last stream and error code. Valid from the first body call
	 * (PUSH_PROMISE) or at the end (RST_STREAM, GOAWAY) unless uncaptured.
	 */
	uint8_t fixed[8];
	bool uncaptured;		/* prefix or body bytes were not captured, or lost in a gap (padding does not count) */
	bool gap;			/* payload bytes were lost in a gap */
	bool malformed;			/* too short for its fixed fields or its padding, or a SETTINGS payload not in whole parameters */
};

struct h2_framer_ops {
	/* A frame header was read. */
	void (*begin)(void *ctx, const struct h2_frame *f);
	/*
	 * Bytes of DATA's data or of a header block fragment (HEADERS,
	 * PUSH_PROMISE, CONTINUATION), padding excluded; p NULL: not captured.
	 */
	void (*body)(void *ctx, const struct h2_frame *f, const uint8_t *p, size_t n);
	/* One SETTINGS parameter that was captured whole. */
	void (*setting)(void *ctx, const struct h2_frame *f, uint16_t id, uint32_t value);
	/* The frame's last byte was consumed. */
	void (*end)(void *ctx, const struct h2_frame *f);
};

struct h2_framer {
	int state;			/* private: header, prefix, body, padding */
	struct h2_frame f;
	uint8_t buf[H2_FRAME_HEADER];	/* the frame header, the prefix or a SETTINGS parameter being gathered */
	uint32_t have;			/* bytes in buf */
	bool part_lost;			/* bytes of what buf gathers were not captured */
	uint32_t left;			/* payload bytes not yet consumed */
	uint32_t pre;			/* prefix bytes: pad length, priority, fixed fields */
	uint32_t pad;			/* padding bytes at the end of the payload */
};

/* Prepares fr to read from a frame boundary. */
void h2_framer_init(struct h2_framer *fr);

/*
 * Consumes n bytes (p NULL: counted but not captured), calling ops with ctx.
 * Returns the bytes consumed: n, or fewer when uncaptured bytes fall on a
 * frame header (the framer has lost its place; nothing more can be read).
 */
size_t h2_framer_feed(struct h2_framer *fr, const uint8_t *p, size_t n, const struct h2_framer_ops *ops, void *ctx);

/*
 * n bytes were never seen. Inside the current frame's payload they are
 * skipped by count (f.gap; f.uncaptured unless only padding was missed)
 * and true is returned; false when
 * they reach past it (the next frame header is lost).
 */
bool h2_framer_gap(struct h2_framer *fr, uint64_t n, const struct h2_framer_ops *ops, void *ctx);

/* Bytes of the current frame consumed so far (header included); 0 between frames. */
uint32_t h2_framer_in_frame(const struct h2_framer *fr);

/* The name of an HTTP/2 error code (RFC 9113 section 7), or NULL for codes it does not define. */
const char *h2_error_name(uint32_t code);

/* Reads a big-endian 32-bit value. */
static inline uint32_t h2_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
