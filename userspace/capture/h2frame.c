/* h2frame.c - see h2frame.h */
#include <string.h>

#include "capture/h2frame.h"

enum { S_HEADER, S_PREFIX, S_BODY, S_PAD };

void h2_framer_init(struct h2_framer *fr)
{
	memset(fr, 0, sizeof(*fr));
}

uint32_t h2_framer_in_frame(const struct h2_framer *fr)
{
	if (fr->state == S_HEADER)
		return fr->have;
	return H2_FRAME_HEADER + fr->f.len - fr->left;
}

const char *h2_error_name(uint32_t code)
{
	static const char *const names[] = {
		"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
		"STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
		"CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] : NULL;
}

/* Bytes before a frame's body: pad length, priority, fixed fields. */
static uint32_t prefix_len(const struct h2_frame *f)
{
	uint32_t padded = f->flags & H2_FLAG_PADDED ? 1 : 0;

	switch (f->type) {
	case H2_DATA:
		return padded;
	case H2_HEADERS:
		return padded + (f->flags & H2_FLAG_PRIORITY ? 5 : 0);
	case H2_PUSH_PROMISE:
		return padded + 4;
	case H2_RST_STREAM:
		return 4;
	case H2_GOAWAY:
		return 8;
	default:
		return 0;
	}
}

static bool has_padding(const struct h2_frame *f)
{
	return (f->flags & H2_FLAG_PADDED) &&
	       (f->type == H2_DATA || f->type == H2_HEADERS || f->type == H2_PUSH_PROMISE);
}

static void frame_done(struct h2_framer *fr, const struct h2_framer_ops *ops, void *ctx)
{
	if (fr->f.type == H2_SETTINGS && fr->have)
		fr->f.malformed = true;	/* a parameter cut short by the frame's end */
	ops->end(ctx, &fr->f);
	fr->state = S_HEADER;
	fr->have = 0;
	fr->part_lost = false;
}

/* The body's length is known once the prefix is in: the rest minus the padding. */
static void prefix_done(struct h2_framer *fr)
{
	uint32_t skip = has_padding(&fr->f) ? 1 : 0, n = fr->pre - skip;

	if (fr->f.type == H2_HEADERS && (fr->f.flags & H2_FLAG_PRIORITY))
		skip += 5, n -= 5;
	if (!fr->part_lost)
		memcpy(fr->f.fixed, fr->buf + skip, n < sizeof(fr->f.fixed) ? n : sizeof(fr->f.fixed));
	fr->pad = 0;
	if (has_padding(&fr->f)) {
		fr->pad = fr->part_lost ? 0 : fr->buf[0];
		if (fr->pad > fr->left) {
			fr->f.malformed = true;
			fr->pad = fr->left;
		}
	}
	fr->have = 0;
	fr->part_lost = false;
	fr->state = S_BODY;
}

static void header_done(struct h2_framer *fr)
{
	const uint8_t *b = fr->buf;

	memset(&fr->f, 0, sizeof(fr->f));
	fr->f.len = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
	fr->f.type = b[3];
	fr->f.flags = b[4];
	fr->f.stream = h2_u32(b + 5) & 0x7fffffffu;
	fr->left = fr->f.len;
	fr->pre = prefix_len(&fr->f);
	fr->have = 0;
	fr->part_lost = false;
	if (fr->pre > fr->f.len) {
		fr->f.malformed = true;	/* too short for its fields: skipped whole */
		fr->pre = 0;
		fr->pad = fr->f.len;
		fr->state = S_PAD;
		return;
	}
	fr->state = fr->pre ? S_PREFIX : S_BODY;
	fr->pad = 0;
}

/* Gathers up to `want` bytes into fr->buf; returns how many of n were taken. */
static size_t gather(struct h2_framer *fr, const uint8_t *p, size_t n, uint32_t want)
{
	size_t k = want - fr->have < n ? want - fr->have : n;

	if (p)
		memcpy(fr->buf + fr->have, p, k);
	else
		fr->part_lost = true;
	fr->have += (uint32_t)k;
	return k;
}

/* SETTINGS parameters are 6 bytes each; those not captured whole are skipped. */
static void settings_bytes(struct h2_framer *fr, const uint8_t *p, size_t n, const struct h2_framer_ops *ops,
			   void *ctx)
{
	while (n) {
		size_t k = gather(fr, p, n, 6);

		n -= k;
		if (p)
			p += k;
		if (fr->have < 6)
			return;
		if (!fr->part_lost)
			ops->setting(ctx, &fr->f, (uint16_t)(fr->buf[0] << 8 | fr->buf[1]), h2_u32(fr->buf + 2));
		fr->have = 0;
		fr->part_lost = false;
	}
}

/* Consumes payload bytes of the current frame; returns how many. */
static size_t payload(struct h2_framer *fr, const uint8_t *p, size_t n, const struct h2_framer_ops *ops,
		      void *ctx)
{
	size_t k;

	if (fr->state == S_PREFIX) {
		k = gather(fr, p, n < fr->left ? n : fr->left, fr->pre);
		if (!p)
			fr->f.uncaptured = true;
		if (fr->have == fr->pre)
			prefix_done(fr);
	} else if (fr->state == S_BODY) {
		uint32_t body = fr->left - fr->pad;

		k = n < body ? n : body;
		if (!p && k)
			fr->f.uncaptured = true;
		if (k && fr->f.type == H2_SETTINGS)
			settings_bytes(fr, p, k, ops, ctx);
		else if (k && (fr->f.type == H2_DATA || fr->f.type == H2_HEADERS ||
			       fr->f.type == H2_PUSH_PROMISE || fr->f.type == H2_CONTINUATION))
			ops->body(ctx, &fr->f, p, k);
		if (k == body)
			fr->state = S_PAD;
	} else {
		k = n < fr->left ? n : fr->left;	/* padding: never read */
	}
	fr->left -= (uint32_t)k;
	return k;
}

size_t h2_framer_feed(struct h2_framer *fr, const uint8_t *p, size_t n, const struct h2_framer_ops *ops, void *ctx)
{
	size_t done = 0;

	while (done < n || (fr->state != S_HEADER && !fr->left)) {
		size_t k;

		if (fr->state != S_HEADER && !fr->left) {
			frame_done(fr, ops, ctx);
			continue;
		}
		if (fr->state == S_HEADER) {
			if (!p)
				return done;	/* a frame header we cannot read: the framing is lost */
			k = gather(fr, p + done, n - done, H2_FRAME_HEADER);
			if (fr->have == H2_FRAME_HEADER) {
				header_done(fr);
				ops->begin(ctx, &fr->f);
			}
		} else {
			k = payload(fr, p ? p + done : NULL, n - done, ops, ctx);
		}
		done += k;
	}
	return done;
}

bool h2_framer_gap(struct h2_framer *fr, uint64_t n, const struct h2_framer_ops *ops, void *ctx)
{
	if (fr->state == S_HEADER || n > fr->left)
		return false;
	fr->f.gap = true;
	h2_framer_feed(fr, NULL, (size_t)n, ops, ctx);
	return true;
}
