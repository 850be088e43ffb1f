/* h2.c - see h2.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/exchange.h"
#include "capture/h2.h"
#include "capture/h2frame.h"
#include "capture/hpack.h"

/*
 * SETTINGS frames a direction may have waiting for their acknowledgement.
 * Peers send one or two; more unacknowledged ones than this is abuse, and
 * the header table they govern is then given up on.
 */
#define PEND_MAX 16
#define NO_TABLE_SIZE UINT32_MAX		/* a SETTINGS without SETTINGS_HEADER_TABLE_SIZE */
#define UNKNOWN_TABLE_SIZE (UINT32_MAX - 1)	/* one whose parameters were not all captured */
/* Frame length at most the default SETTINGS_MAX_FRAME_SIZE, for recognising frames mid-stream. */
#define PLAUSIBLE_FRAME 16384

/* What the header block in progress belongs to. */
enum blk_kind {
	BLK_NONE,	/* nothing recorded (a closed or unknown stream): decoded only to keep the table */
	BLK_REQUEST,	/* a new stream's request */
	BLK_PUSH,	/* a PUSH_PROMISE: the request of a pushed stream */
	BLK_RESPONSE,	/* response headers (1xx or final) */
	BLK_TRAILERS,	/* trailers of the response */
};

struct h2dir {
	struct h2_framer fr;
	struct hpack *hp;
	const char *lost;		/* framing lost (why): nothing more is read */
	bool table_lost;		/* header blocks are no longer decoded */
	uint32_t preface_left;		/* client preface bytes still to come (request direction) */
	struct asm_ev fev;		/* the record the current frame began in */
	bool split;			/* a frame header began in an earlier record */
	struct asm_ev split_ev;
	/* the header block in progress */
	bool in_block;
	enum blk_kind kind;
	uint32_t blk_stream;
	bool blk_end_stream;
	int blk_status;
	struct cap_exchange *bx;
	/* SETTINGS_HEADER_TABLE_SIZE this direction's sender announced, not yet acknowledged */
	uint32_t frame_table_size;	/* of the SETTINGS frame being read */
	uint32_t pend[PEND_MAX];
	unsigned npend;
	unsigned early_acks;		/* acknowledgements read before the SETTINGS they answer */
	bool limit_next_set;		/* a new limit for hp, applied before its next block */
	uint32_t limit_next;
};

struct h2conn {
	struct assembler *a;
	struct h2dir d[2];		/* indexed by enum smiw_dir */
	int dir;			/* the direction being fed (for the framer callbacks) */
	const struct asm_ev *ev;	/* the record being fed */
	uint32_t max_stream[2];		/* highest stream opened: [0] by the client (odd), [1] pushed (even) */
};

/* ---- recognising HTTP/2 ---- */

enum h2_sniff h2_sniff_preface(const uint8_t *p, size_t n)
{
	size_t k = n < H2_PREFACE_LEN ? n : H2_PREFACE_LEN;

	if (!k || memcmp(p, H2_PREFACE, k))
		return H2_SNIFF_NO;
	return k == H2_PREFACE_LEN ? H2_SNIFF_YES : H2_SNIFF_MAYBE;
}

enum h2_sniff h2_sniff_settings(const uint8_t *p, size_t n)
{
	/* length (at most 64 parameters), type SETTINGS, no flags, stream 0 */
	static const uint8_t want[H2_FRAME_HEADER] = { 0, 0, 0, H2_SETTINGS, 0, 0, 0, 0, 0 };
	size_t k = n < H2_FRAME_HEADER ? n : H2_FRAME_HEADER;

	if (!k)
		return H2_SNIFF_NO;
	for (size_t i = 0; i < k; i++)
		if (i != 1 && i != 2 && p[i] != want[i])
			return H2_SNIFF_NO;
	if (k > 1 && p[1] > 1)
		return H2_SNIFF_NO;
	if (k > 2 && ((uint32_t)p[1] << 8 | p[2]) % 6)
		return H2_SNIFF_NO;
	return k == H2_FRAME_HEADER ? H2_SNIFF_YES : H2_SNIFF_MAYBE;
}

bool h2_looks_like_frames(const uint8_t *p, size_t n)
{
	size_t at = 0;
	int frames = 0;

	while (at + H2_FRAME_HEADER <= n) {
		uint32_t len = (uint32_t)p[at] << 16 | (uint32_t)p[at + 1] << 8 | p[at + 2];

		if (len > PLAUSIBLE_FRAME || p[at + 3] > H2_CONTINUATION || (p[at + 5] & 0x80))
			return false;
		frames++;
		at += H2_FRAME_HEADER + len;
	}
	return frames > 0 && at >= n;	/* the last frame ends with the bytes or goes on past them */
}

/* ---- streams and losses ---- */

static int sender_role(const struct h2conn *h, int dir)
{
	return dir == asm_req_dir(h->a) ? SMIW_ROLE_CLIENT : SMIW_ROLE_SERVER;
}

static struct cap_exchange *find(const struct assembler *a, uint32_t stream)
{
	for (struct cap_exchange *x = a->head; x; x = x->next)
		if (x->stream_id == stream)
			return x;
	return NULL;
}

/* Hands stream x on (see asm_emit); a header block still being read for it no longer points at it. */
static void end_stream(struct h2conn *h, struct cap_exchange *x, const char *reason)
{
	for (int d = 0; d < 2; d++)
		if (h->d[d].bx == x)
			h->d[d].bx = NULL;
	asm_emit(h->a, x, reason);
}

/* The first loss of the connection is named in its record and counted as one gap (a real gap already is). */
static void note_lost(struct h2conn *h, const char *why)
{
	struct assembler *a = h->a;

	if (a->h2info.lost)
		return;
	a->h2info.lost = why;
	a->h2info.lost_ns = h->ev ? h->ev->last_ns : 0;
	if (strcmp(why, "gap")) {
		a->gaps++;
		a->cfg->counters->gaps++;
	}
}

/* Header blocks of direction dir can no longer be decoded; the block in progress is cut. */
static void lose_table(struct h2conn *h, int dir, const char *why)
{
	struct h2dir *d = &h->d[dir];

	if (!d->table_lost) {
		d->table_lost = true;
		note_lost(h, why);
	}
	if (d->in_block && d->bx && !d->bx->incomplete)
		d->bx->incomplete = "gap";
}

/*
 * Direction dir can no longer be framed. Requests cut there end when their
 * response does; when it is the response direction, every stream still
 * waiting for its response ends now (it will never be read).
 */
static void lose_framing(struct h2conn *h, int dir, const char *why)
{
	struct assembler *a = h->a;
	struct h2dir *d = &h->d[dir];
	struct cap_exchange *x, *next;

	if (d->lost)
		return;
	lose_table(h, dir, why);
	d->lost = why;
	d->in_block = false;
	for (x = a->head; x; x = next) {
		next = x->next;
		if (!x->stream_id)
			continue;
		if (dir != asm_req_dir(a)) {
			if (!x->resp_done)
				end_stream(h, x, "gap");
		} else if (!x->req_done) {
			if (!x->incomplete)
				x->incomplete = "gap";
			x->req_done = true;
			if (x->resp_done)
				end_stream(h, x, NULL);
		}
	}
}

void h2_lose(struct assembler *a, int dir, const char *why, uint64_t ns)
{
	struct h2conn *h = a->h2;
	struct asm_ev ev = { .first_ns = ns, .last_ns = ns };

	if (!h)
		return;
	h->ev = &ev;
	for (int d = 0; d < 2; d++)
		if (dir < 0 || d == dir)
			lose_framing(h, d, why);
	h->ev = NULL;
}

/* One direction's message of stream x is complete. */
static void message_end(struct h2conn *h, int dir, struct cap_exchange *x)
{
	if (dir == asm_req_dir(h->a)) {
		x->req_done = true;
	} else {
		if (!x->resp_started && !x->incomplete)
			x->incomplete = "unparsed";	/* ended without final response headers */
		x->resp_done = true;
		x->end_ns = h->ev->last_ns;
	}
	if (x->req_done && x->resp_done)
		end_stream(h, x, NULL);
}

/* A new stream opened by the client's HEADERS. */
static struct cap_exchange *open_stream(struct h2conn *h, uint32_t stream)
{
	struct cap_exchange *x = asm_x_new(h->a, &h->d[h->dir].fev);
	int resp = !h->dir;

	h->max_stream[0] = stream;
	if (!x)
		return NULL;
	x->stream_id = stream;
	x->protocol = CAP_H2;
	if (h->d[h->dir].table_lost)
		x->incomplete = "gap";	/* its request fields cannot be known */
	if (h->d[resp].lost) {
		x->incomplete = "gap";	/* nor its response */
		x->resp_done = true;
	}
	return x;
}

/* ---- header blocks ---- */

static int parse_status(const char *v, size_t n)
{
	if (n != 3 || v[0] < '1' || v[0] > '9' || v[1] < '0' || v[1] > '9' || v[2] < '0' || v[2] > '9')
		return 0;
	return (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
}

static void on_field(void *ctx, const struct hpack_field *f)
{
	struct h2conn *h = ctx;
	struct h2dir *d = &h->d[h->dir];
	struct cap_exchange *x = d->bx;

	switch (d->kind) {
	case BLK_REQUEST:
	case BLK_PUSH:
		if (x)
			exchange_h2_request_field(x, f->name, f->name_len, f->value, f->value_len, f->sensitive,
						  h->a->cfg->unredacted);
		break;
	case BLK_RESPONSE:
	case BLK_TRAILERS:
		/* grpc-status comes in trailers, or in the headers of a trailers-only response */
		if (d->kind == BLK_RESPONSE && f->name_len == 7 && !memcmp(f->name, ":status", 7)) {
			d->blk_status = parse_status(f->value, f->value_len);
			if (x && x->role == SMIW_ROLE_CLIENT && h->a->cfg->n_resp_names && d->blk_status >= 200)
				x->has_resp_headers = true;	/* a final response: its table, even empty */
			break;
		}
		/* The names asked for, as the client received them (a final response's block, not trailers). */
		if (x && d->kind == BLK_RESPONSE && x->role == SMIW_ROLE_CLIENT && h->a->cfg->n_resp_names &&
		    d->blk_status >= 200)
			exchange_h2_response_header(x, f->name, f->name_len, f->value, f->value_len, f->sensitive,
						    h->a->cfg->resp_names, h->a->cfg->n_resp_names,
						    h->a->cfg->unredacted);
		if (x && d->kind == BLK_RESPONSE && d->blk_status / 100 == 3)
			exchange_h2_location(x, f->name, f->name_len, f->value, f->value_len);
		else if (x)
			exchange_h2_response_field(x, f->name, f->name_len, f->value, f->value_len);
		break;
	case BLK_NONE:
		break;
	}
}

static void block_begin(struct h2conn *h, struct h2dir *d, const struct h2_frame *f)
{
	struct assembler *a = h->a;
	struct cap_exchange *x;

	d->in_block = true;
	d->blk_stream = f->stream;
	d->blk_end_stream = f->type == H2_HEADERS && (f->flags & H2_FLAG_END_STREAM);
	d->blk_status = 0;
	d->kind = BLK_NONE;
	d->bx = NULL;
	if (d->limit_next_set && !d->table_lost) {
		d->limit_next_set = false;
		if (hpack_set_limit(d->hp, d->limit_next))
			lose_table(h, h->dir, "error");
	}
	if (f->type == H2_PUSH_PROMISE) {
		d->kind = BLK_PUSH;	/* its stream is opened once the promised id is read */
		return;
	}
	x = find(a, f->stream);
	if (h->dir == asm_req_dir(a)) {
		/* Request trailers are decoded only to keep the table. */
		if (!x && (f->stream & 1) && f->stream > h->max_stream[0]) {
			d->bx = open_stream(h, f->stream);
			d->kind = BLK_REQUEST;
		}
		return;
	}
	if (x) {
		d->bx = x;
		d->kind = x->resp_started ? BLK_TRAILERS : BLK_RESPONSE;
		if (d->table_lost && !x->incomplete)
			x->incomplete = "gap";
	} else if (f->stream > h->max_stream[f->stream & 1 ? 0 : 1]) {
		a->cfg->counters->unpaired++;	/* a response to a stream never seen */
	}
}

/* A PUSH_PROMISE's promised stream, once its fixed fields are in. */
static void open_pushed(struct h2conn *h, struct h2dir *d, const struct h2_frame *f)
{
	uint32_t promised = h2_u32(f->fixed) & 0x7fffffffu;

	if (d->bx || f->uncaptured || promised <= h->max_stream[1] || (promised & 1))
		return;
	h->max_stream[1] = promised;
	d->bx = asm_x_new(h->a, &d->fev);
	if (!d->bx)
		return;
	d->bx->stream_id = promised;
	d->bx->protocol = CAP_H2;
	d->bx->req_done = true;		/* a promised request has no body */
	if (d->table_lost)
		d->bx->incomplete = "gap";
}

static void block_end(struct h2conn *h, struct h2dir *d)
{
	struct cap_exchange *x;

	d->in_block = false;
	if (!d->table_lost && hpack_block(d->hp, NULL, 0, true, on_field, h))
		lose_table(h, h->dir, "error");
	x = d->bx;
	d->bx = NULL;
	if (!x)
		return;
	if (d->table_lost && !x->incomplete)
		x->incomplete = "gap";
	if (d->kind == BLK_RESPONSE) {
		/* 1xx: the final response headers follow (undecodable ones are taken as final) */
		if (!d->table_lost && d->blk_status >= 100 && d->blk_status < 200 && !d->blk_end_stream)
			return;
		if (!d->table_lost && !d->blk_status && !x->incomplete)
			x->incomplete = "unparsed";	/* no valid :status: a malformed response */
		x->status = d->blk_status;
		x->resp_started = true;
	}
	if (d->blk_end_stream)
		message_end(h, h->dir, x);
}

/* ---- SETTINGS, RST_STREAM, GOAWAY ---- */

/* Direction dir's encoder now honours limit v (applied before its next block). */
static void table_limit(struct h2conn *h, int dir, uint32_t v)
{
	struct h2dir *d = &h->d[dir];

	if (v == NO_TABLE_SIZE)
		return;
	if (v == UNKNOWN_TABLE_SIZE) {
		lose_table(h, dir, "snaplen");
		return;
	}
	d->limit_next = v;
	d->limit_next_set = true;
}

/*
 * A SETTINGS frame from dir's sender sets limits for the table its peer's
 * encoder uses (the other direction); they hold once the peer acknowledges
 * them, in order. The acknowledgement is read in the other direction, so
 * on a busy observer it can come first: it is then remembered.
 */
static void settings_end(struct h2conn *h, int dir, const struct h2_frame *f)
{
	struct h2dir *d = &h->d[dir], *o = &h->d[!dir];
	uint32_t v;

	if (f->stream)
		return;
	if (f->flags & H2_FLAG_ACK) {
		if (!o->npend) {
			o->early_acks++;
			return;
		}
		v = o->pend[0];
		memmove(o->pend, o->pend + 1, --o->npend * sizeof(*o->pend));
		table_limit(h, dir, v);
		return;
	}
	v = f->uncaptured || f->malformed ? UNKNOWN_TABLE_SIZE : d->frame_table_size;
	if (d->early_acks) {
		d->early_acks--;
		table_limit(h, !dir, v);
	} else if (d->npend == PEND_MAX) {
		lose_table(h, !dir, "error");
	} else {
		d->pend[d->npend++] = v;
	}
}

static void rst_stream(struct h2conn *h, int dir, const struct h2_frame *f)
{
	struct cap_exchange *x = f->stream ? find(h->a, f->stream) : NULL;
	uint32_t code;

	if (!x)
		return;
	if (!f->uncaptured && !f->malformed) {
		code = h2_u32(f->fixed);
		x->rst = true;
		x->rst_code = code;
		x->rst_by = sender_role(h, dir);
		/* A server may end a request it no longer needs once its response is complete. */
		if (x->resp_done && code == 0) {
			x->req_done = true;
			end_stream(h, x, NULL);
			return;
		}
	}
	end_stream(h, x, "reset");
}

/*
 * GOAWAY: streams the receiver opened above the last stream id were not
 * processed and never will be; they end now as refused.
 */
static void goaway(struct h2conn *h, int dir, const struct h2_frame *f)
{
	struct assembler *a = h->a;
	int by = sender_role(h, dir);
	uint32_t last = h2_u32(f->fixed) & 0x7fffffffu;
	struct cap_exchange *x, *next;

	if (f->stream || f->uncaptured || f->malformed)
		return;
	a->h2info.goaway[by == SMIW_ROLE_SERVER].seen = true;
	a->h2info.goaway[by == SMIW_ROLE_SERVER].last_stream = last;
	a->h2info.goaway[by == SMIW_ROLE_SERVER].error = h2_u32(f->fixed + 4);
	for (x = a->head; x; x = next) {
		next = x->next;
		/* client streams are odd: a server's GOAWAY refuses them, a client's refuses pushed ones */
		if (x->stream_id > last && (x->stream_id & 1) == (by == SMIW_ROLE_SERVER) && !x->resp_done)
			end_stream(h, x, "refused");
	}
}

/* ---- framer callbacks ---- */

static void on_begin(void *ctx, const struct h2_frame *f)
{
	struct h2conn *h = ctx;
	struct h2dir *d = &h->d[h->dir];

	d->fev = d->split ? d->split_ev : *h->ev;
	d->split = false;
	if (d->in_block && (f->type != H2_CONTINUATION || f->stream != d->blk_stream)) {
		lose_table(h, h->dir, "error");	/* a header block must not be interleaved */
		d->in_block = false;
		d->bx = NULL;
	}
	if (f->type == H2_HEADERS || f->type == H2_PUSH_PROMISE)
		block_begin(h, d, f);
	else if (f->type == H2_CONTINUATION && !d->in_block)
		lose_table(h, h->dir, "error");
	else if (f->type == H2_SETTINGS)
		d->frame_table_size = NO_TABLE_SIZE;
}

static void on_body(void *ctx, const struct h2_frame *f, const uint8_t *p, size_t n)
{
	struct h2conn *h = ctx;
	struct h2dir *d = &h->d[h->dir];

	if (f->type == H2_DATA || !d->in_block)
		return;
	if (d->kind == BLK_PUSH)
		open_pushed(h, d, f);
	if (d->table_lost)
		return;
	if (!p || f->uncaptured)
		lose_table(h, h->dir, f->gap ? "gap" : "snaplen");
	else if (hpack_block(d->hp, p, n, false, on_field, h))
		lose_table(h, h->dir, "error");
}

static void on_setting(void *ctx, const struct h2_frame *f, uint16_t id, uint32_t value)
{
	struct h2conn *h = ctx;

	(void)f;
	if (id == H2_SETTINGS_HEADER_TABLE_SIZE)
		h->d[h->dir].frame_table_size = value;
}

/* HEADERS, CONTINUATION and DATA frames count as their stream's bytes in their direction. */
static void count_bytes(struct h2conn *h, const struct h2_frame *f)
{
	struct cap_exchange *x = f->stream ? find(h->a, f->stream) : NULL;
	uint64_t n = H2_FRAME_HEADER + (uint64_t)f->len;

	if (!x)
		return;
	if (h->dir == asm_req_dir(h->a))
		x->req_bytes += n;
	else
		x->resp_bytes += n;
}

static void on_end(void *ctx, const struct h2_frame *f)
{
	struct h2conn *h = ctx;
	struct h2dir *d = &h->d[h->dir];
	struct cap_exchange *x;

	switch (f->type) {
	case H2_DATA:
		count_bytes(h, f);
		x = f->stream ? find(h->a, f->stream) : NULL;
		if (x && f->gap && !x->incomplete)
			x->incomplete = "gap";
		if (x && (f->flags & H2_FLAG_END_STREAM))
			message_end(h, h->dir, x);
		break;
	case H2_HEADERS:
	case H2_PUSH_PROMISE:
	case H2_CONTINUATION:
		if (!d->in_block)
			break;
		if (f->type == H2_PUSH_PROMISE)
			open_pushed(h, d, f);
		count_bytes(h, f);
		if (!d->table_lost && (f->uncaptured || f->malformed))
			lose_table(h, h->dir, f->malformed ? "error" : f->gap ? "gap" : "snaplen");
		if (f->flags & H2_FLAG_END_HEADERS)
			block_end(h, d);
		break;
	case H2_RST_STREAM:
		rst_stream(h, h->dir, f);
		break;
	case H2_SETTINGS:
		settings_end(h, h->dir, f);
		break;
	case H2_GOAWAY:
		goaway(h, h->dir, f);
		break;
	default:
		break;
	}
}

static const struct h2_framer_ops ops = {
	.begin = on_begin, .body = on_body, .setting = on_setting, .end = on_end,
};

/* ---- feeding ---- */

int h2_begin(struct assembler *a, const char *how)
{
	struct h2conn *h;
	int req = asm_req_dir(a);

	if (a->h2)
		return 0;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->d[0].hp = hpack_new()) || !(h->d[1].hp = hpack_new())) {
		if (h) {
			hpack_free(h->d[0].hp);
			free(h);
		}
		a->cfg->counters->user_drops++;
		return -ENOMEM;
	}
	h->a = a;
	for (int d = 0; d < 2; d++) {
		h2_framer_init(&h->d[d].fr);
		if (d == req)
			h->d[d].preface_left = H2_PREFACE_LEN;
	}
	a->h2 = h;
	a->h2info.start = how;
	return 0;
}

void h2_upgraded(struct assembler *a, struct cap_exchange *x, uint32_t table_size)
{
	struct h2conn *h = a->h2;
	int resp = !asm_req_dir(a);

	h->max_stream[0] = 1;
	x->stream_id = 1;
	x->protocol = x->protocol ? x->protocol : CAP_H2;
	/* HTTP2-Settings is acknowledged by the 101 itself. */
	table_limit(h, resp, table_size == UINT32_MAX ? NO_TABLE_SIZE : table_size);
}

/* The client connection preface opens the request direction; returns the bytes it took. */
static size_t preface(struct h2conn *h, int dir, const uint8_t *p, size_t n)
{
	struct h2dir *d = &h->d[dir];
	size_t k = n < d->preface_left ? n : d->preface_left;

	if (p && memcmp(p, &H2_PREFACE[H2_PREFACE_LEN - d->preface_left], k)) {
		lose_framing(h, dir, "error");
		return n;
	}
	d->preface_left -= (uint32_t)k;
	return k;
}

void h2_feed(struct assembler *a, int dir, const uint8_t *p, size_t n, const struct asm_ev *ev)
{
	struct h2conn *h = a->h2;
	struct h2dir *d = &h->d[dir];
	size_t k, done, total = n;

	h->dir = dir;
	h->ev = ev;
	if (!d->lost && d->preface_left && n) {
		k = preface(h, dir, p, n);
		n -= k;
		if (p)
			p += k;
	}
	if (!d->lost && n) {
		done = h2_framer_feed(&d->fr, p, n, &ops, h);
		if (done < n)
			lose_framing(h, dir, "snaplen");
		k = h2_framer_in_frame(&d->fr);
		if (k && k < H2_FRAME_HEADER && !d->split) {
			d->split = true;
			d->split_ev = *ev;
		}
	}
	if (a->h2info.lost)
		a->cfg->counters->h2_lost_bytes += total;
	h->ev = NULL;
}

void h2_gap(struct assembler *a, int dir, uint64_t n, const struct asm_ev *ev)
{
	struct h2conn *h = a->h2;
	struct h2dir *d = &h->d[dir];

	h->dir = dir;
	h->ev = ev;
	if (d->lost)
		;
	else if (d->preface_left && n <= d->preface_left)
		d->preface_left -= (uint32_t)n;
	else if (d->preface_left || !h2_framer_gap(&d->fr, n, &ops, h))
		lose_framing(h, dir, "gap");
	if (a->h2info.lost)
		a->cfg->counters->h2_lost_bytes += n;
	h->ev = NULL;
}

void h2_free(struct assembler *a)
{
	struct h2conn *h = a->h2;

	if (!h)
		return;
	hpack_free(h->d[0].hp);
	hpack_free(h->d[1].hp);
	free(h);
	a->h2 = NULL;
}
