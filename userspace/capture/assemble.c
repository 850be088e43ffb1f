/* assemble.c - see assemble.h */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "capture/assemble.h"
#include "capture/exchange.h"

/* Per-direction states. */
enum {
	ST_HEAD,	/* at or inside a message head */
	ST_BODY,	/* inside a body framed by s->body */
	ST_LOST,	/* out of step: waiting for a syscall that starts with a head */
	ST_TUNNEL,	/* the connection switched protocols: nothing more to parse */
};

/* x_alloc clears cap_exchange in ranges: the text fields, then the scalars up to the header table. */
_Static_assert(offsetof(struct cap_exchange, method) < offsetof(struct cap_exchange, path) &&
	       offsetof(struct cap_exchange, request_id) < offsetof(struct cap_exchange, truncated) &&
	       offsetof(struct cap_exchange, nheaders) < offsetof(struct cap_exchange, headers) &&
	       offsetof(struct cap_exchange, hdrbuf) < offsetof(struct cap_exchange, next),
	       "cap_exchange field order");

/* Recycled records kept for reuse; more are freed. */
#define POOL_KEEP 256

/* When and by whom the bytes of one data record were moved. */
struct ev {
	uint64_t first_ns;	/* its first byte was at the process */
	uint64_t last_ns;	/* its last byte was */
	uint32_t pid, tgid;
};

static int req_dir(const struct assembler *a)
{
	if (a->role == SMIW_ROLE_CLIENT)
		return SMIW_DIR_SEND;
	return a->role == SMIW_ROLE_SERVER ? SMIW_DIR_RECV : -1;
}

static enum http_kind kind_of(const struct assembler *a, int dir)
{
	return dir == req_dir(a) ? HTTP_REQUEST : HTTP_RESPONSE;
}

/* ---- records and the response queue ---- */

static struct cap_exchange *x_alloc(struct assembler *a)
{
	struct asm_pool *p = a->cfg->pool;
	struct cap_exchange *x = p->free;

	if (x) {
		p->free = x->next;
		p->nfree--;
	} else if (!(x = malloc(sizeof(*x)))) {
		return NULL;
	}
	/*
	 * Only the scalars are cleared: the text fields are read up to their
	 * NUL and the header table within nheaders, so their kilobytes stay as
	 * they were (clearing them cost more than assembling the exchange).
	 */
	memset(x, 0, offsetof(struct cap_exchange, method));
	x->method[0] = x->path[0] = x->host[0] = x->request_id[0] = '\0';
	memset(&x->truncated, 0, offsetof(struct cap_exchange, headers) - offsetof(struct cap_exchange, truncated));
	memset(&x->next, 0, sizeof(*x) - offsetof(struct cap_exchange, next));
	return x;
}

static void x_release(struct assembler *a, struct cap_exchange *x)
{
	struct asm_pool *p = a->cfg->pool;

	if (p->nfree >= POOL_KEEP) {
		free(x);
		return;
	}
	x->next = p->free;
	p->free = x;
	p->nfree++;
}

static void q_push(struct assembler *a, struct cap_exchange *x)
{
	x->next = NULL;
	if (a->tail)
		a->tail->next = x;
	else
		a->head = x;
	a->tail = x;
	a->queued++;
}

static void q_remove(struct assembler *a, struct cap_exchange *x)
{
	struct cap_exchange **pp = &a->head, *prev = NULL;

	while (*pp && *pp != x) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = x->next;
	if (a->tail == x)
		a->tail = prev;
	a->queued--;
}

/* Hands x to the sink (incomplete for `reason` unless already marked) and recycles it. */
static void emit(struct assembler *a, struct cap_exchange *x, const char *reason)
{
	q_remove(a, x);
	if (reason && !x->incomplete)
		x->incomplete = reason;
	x->complete = !x->incomplete;
	a->cfg->counters->exchanges++;
	a->cfg->emit(a->cfg->ctx, a, x);
	x_release(a, x);
}

static void maybe_emit(struct assembler *a, struct cap_exchange *x)
{
	if (x->req_done && x->resp_done)
		emit(a, x, NULL);
}

/* Every exchange still waiting ends now, incomplete for `reason`. */
static void flush_all(struct assembler *a, const char *reason)
{
	while (a->head)
		emit(a, a->head, reason);
	a->st[0].cur = a->st[1].cur = NULL;
}

/* ---- message boundaries ---- */

/* Heads spread over syscalls are rare: no buffer is kept once one is done. */
static void head_drop(struct asm_stream *s)
{
	free(s->hbuf);
	s->hbuf = NULL;
	s->hlen = s->hcap = 0;
}

static void msg_reset(struct asm_stream *s)
{
	s->in_msg = false;
	s->interim = false;
	s->msg_bytes = 0;
	s->cur = NULL;
	head_drop(s);
}

/* Makes room for n more head bytes (up to ASM_MAX_HEAD); returns how many fit, 0 on failure. */
static size_t head_room(struct asm_stream *s, size_t n)
{
	size_t want = s->hlen + n < ASM_MAX_HEAD ? s->hlen + n : ASM_MAX_HEAD, cap = s->hcap ? s->hcap : 512;
	char *nb;

	if (want > s->hcap) {
		while (cap < want)
			cap *= 2;
		nb = realloc(s->hbuf, cap < ASM_MAX_HEAD ? cap : ASM_MAX_HEAD);
		if (!nb)
			return 0;
		s->hbuf = nb;
		s->hcap = cap < ASM_MAX_HEAD ? cap : ASM_MAX_HEAD;
	}
	return want - s->hlen;
}

/*
 * The direction can no longer be followed. A request cut here still gets
 * its response paired (responses come in order) and is then reported
 * incomplete. Responses lost here may belong to any request waiting, so all
 * of those end now; a response that later arrives with nothing waiting is
 * counted as unpaired rather than guessed onto a newer request.
 */
static void lose(struct assembler *a, int dir, const char *reason)
{
	struct asm_stream *s = &a->st[dir];
	struct cap_exchange *x = s->cur;

	if (x && dir == req_dir(a)) {
		x->req_bytes += s->msg_bytes;
	} else if (x && s->msg_bytes) {
		x->resp_bytes += s->msg_bytes;
		x->end_ns = s->last_ns;	/* the last response byte that did arrive */
	}
	s->state = ST_LOST;
	msg_reset(s);
	if (dir != req_dir(a)) {
		flush_all(a, reason);
		return;
	}
	if (x) {
		if (!x->incomplete)
			x->incomplete = reason;
		x->req_done = true;
		maybe_emit(a, x);
	}
}

static void message_done(struct assembler *a, int dir, uint64_t end_ns)
{
	struct asm_stream *s = &a->st[dir];
	struct cap_exchange *x = s->cur;
	uint64_t bytes = s->msg_bytes;
	bool interim = s->interim;

	msg_reset(s);
	s->state = a->tunnel ? ST_TUNNEL : ST_HEAD;
	if (a->tunnel)
		a->st[!dir].state = ST_TUNNEL;
	if (!x)
		return;
	if (dir == req_dir(a)) {
		x->req_bytes += bytes;
		x->req_done = true;
	} else {
		x->resp_bytes += bytes;
		if (!interim) {
			x->resp_done = true;
			x->end_ns = end_ns;
		}
	}
	maybe_emit(a, x);
}

static void request_head(struct assembler *a, struct asm_stream *s, const struct http_head *h)
{
	struct cap_exchange *x = NULL;
	uint64_t seq = a->next_seq++;

	http_body_init(&s->body, h, false);
	if (a->queued >= ASM_MAX_QUEUE || !(x = x_alloc(a))) {
		a->cfg->counters->user_drops++;
	} else {
		x->seq = seq;
		x->role = a->role;
		x->pid = s->msg_pid;
		x->tgid = s->msg_tgid;
		x->start_ns = s->msg_start_ns;
		exchange_fill_request(x, h, a->cfg->unredacted);
		q_push(a, x);
	}
	s->cur = x;
}

static void response_head(struct assembler *a, struct asm_stream *s, const struct http_head *h)
{
	struct cap_exchange *x = a->head;

	while (x && x->resp_started)
		x = x->next;
	s->cur = x;
	if (h->status < 200 && h->status != 101) {
		/* 1xx interim: the final response for the same request follows. */
		http_body_init(&s->body, h, false);
		s->interim = true;
		return;
	}
	if (!x) {
		a->cfg->counters->unpaired++;
	} else {
		x->resp_started = true;
		x->status = h->status;
	}
	http_body_init(&s->body, h, x && x->head_request);
	if (h->status == 101 || (x && x->tunnel_request && h->status / 100 == 2)) {
		a->tunnel = true;
		s->body.framing = HTTP_BODY_NONE;
		s->body.complete = true;
	}
}

/* ---- feeding bytes ---- */

/* Consumes head bytes; returns how many belong to the head (the rest is body), 0 when lost. */
static size_t feed_head(struct assembler *a, int dir, const char *p, size_t n, const struct ev *ev)
{
	struct asm_stream *s = &a->st[dir];
	enum http_kind kind = kind_of(a, dir);
	size_t prev = s->hlen, add;
	struct http_head h;
	int r = 0;

	if (!s->in_msg) {
		s->in_msg = true;
		s->msg_start_ns = ev->first_ns;
		s->msg_pid = ev->pid;
		s->msg_tgid = ev->tgid;
	}
	/* The usual case: the whole head is inside this record, parse it in place. */
	if (!prev && (r = http_parse_head(&h, kind, p, n, ASM_MAX_HEAD)) > 0)
		goto done;
	if (r < 0)
		goto bad;
	add = head_room(s, n);
	if (!add && prev < ASM_MAX_HEAD) {
		a->cfg->counters->user_drops++;
		goto bad;
	}
	memcpy(s->hbuf + prev, p, add);
	s->hlen = prev + add;
	if (!prev)
		return add;	/* already parsed: not complete yet */
	r = http_parse_head(&h, kind, s->hbuf, s->hlen, ASM_MAX_HEAD);
	if (r == 0)
		return add;
	if (r < 0)
		goto bad;
done:
	s->state = ST_BODY;
	if (kind == HTTP_REQUEST)
		request_head(a, s, &h);
	else
		response_head(a, s, &h);
	head_drop(s);	/* the fields it needed are copied */
	return (size_t)r - prev;
bad:
	lose(a, dir, "unparsed");
	return 0;
}

/* Feeds n bytes (p NULL: moved but not captured) of one record to direction dir. */
static void feed(struct assembler *a, int dir, const char *p, size_t n, const struct ev *ev)
{
	struct asm_stream *s = &a->st[dir];

	for (;;) {
		size_t used = 0;
		int r;

		if (s->state == ST_BODY && s->body.complete) {
			message_done(a, dir, ev->last_ns);
			continue;
		}
		if (!n || s->state == ST_TUNNEL)
			return;
		if (s->state == ST_LOST) {
			a->cfg->counters->unparsed_bytes += n;
			return;
		}
		if (s->state == ST_HEAD) {
			if (!p) {
				lose(a, dir, "snaplen");
				continue;
			}
			used = feed_head(a, dir, p, n, ev);
		} else {
			r = http_body_consume(&s->body, p, n, &used);
			if (r)
				lose(a, dir, r == -ENODATA ? "snaplen" : "unparsed");
		}
		s->msg_bytes += used;
		n -= used;
		if (p)
			p += used;
	}
}

/*
 * A direction out of step picks up again only where a syscall's bytes start
 * with a well-formed first line of the kind expected (either kind while the
 * role is unknown, which then fixes the role).
 */
static bool resync(struct assembler *a, int dir, const char *p, size_t n)
{
	enum http_kind kinds[2] = { HTTP_REQUEST, HTTP_RESPONSE };
	int nk = 2;
	struct http_head h;

	if (a->tunnel || !n || p[0] == '\r' || p[0] == '\n')
		return false;
	if (a->role != SMIW_ROLE_UNKNOWN) {
		kinds[0] = kind_of(a, dir);
		nk = 1;
	}
	for (int i = 0; i < nk; i++) {
		int r = http_parse_head(&h, kinds[i], p, n, ASM_MAX_HEAD);

		if (r > 0 || (r == 0 && memchr(p, '\n', n))) {
			if (a->role == SMIW_ROLE_UNKNOWN)
				a->role = (kinds[i] == HTTP_REQUEST) == (dir == SMIW_DIR_SEND) ?
					  SMIW_ROLE_CLIENT : SMIW_ROLE_SERVER;
			a->st[dir].state = ST_HEAD;
			return true;
		}
	}
	return false;
}

/*
 * n bytes of direction dir were never seen. Inside a body whose length is
 * known they are skipped by count and only that exchange is marked; anywhere
 * else the direction is out of step.
 */
static void gap(struct assembler *a, int dir, uint64_t n, const struct ev *ev)
{
	struct asm_stream *s = &a->st[dir];
	size_t used = 0;

	a->gaps++;
	a->cfg->counters->gaps++;
	if (s->state == ST_TUNNEL || s->state == ST_LOST)
		return;
	if (s->state == ST_BODY && !s->body.complete &&
	    http_body_consume(&s->body, NULL, n, &used) == 0 && used == n) {
		s->msg_bytes += n;
		if (s->cur && !s->cur->incomplete)
			s->cur->incomplete = "gap";
		if (s->body.complete)
			message_done(a, dir, ev->first_ns);
		return;
	}
	lose(a, dir, "gap");
}

/* A receive returned 0: the peer will send nothing more. */
static void stream_eof(struct assembler *a, int dir)
{
	struct asm_stream *s = &a->st[dir];

	s->eof = true;
	if (s->state == ST_BODY && http_body_finish_at_eof(&s->body))
		message_done(a, dir, s->last_ns);
	else if (s->in_msg && s->state != ST_LOST && s->state != ST_TUNNEL)
		lose(a, dir, "closed");
}

/*
 * A proxy may open a connection with a PROXY protocol header (text v1 or
 * binary v2) carrying the original addresses: a preamble, not HTTP. Returns
 * its length at the start of p, 0 when there is none (or it is not whole).
 */
static size_t proxy_header_len(const char *p, size_t n)
{
	static const char v2[12] = { '\r', '\n', '\r', '\n', 0, '\r', '\n', 'Q', 'U', 'I', 'T', '\n' };
	const char *lf;
	size_t len;

	if (n >= 16 && !memcmp(p, v2, sizeof(v2))) {
		len = 16 + ((size_t)(uint8_t)p[14] << 8 | (uint8_t)p[15]);
		return len <= n ? len : 0;
	}
	if (n < 8 || memcmp(p, "PROXY ", 6))
		return 0;
	lf = memchr(p, '\n', n < 107 ? n : 107);	/* v1 lines are at most 107 bytes */
	return lf && lf[-1] == '\r' ? (size_t)(lf - p) + 1 : 0;
}

void asm_data(struct assembler *a, const struct smiw_data_event *e, const void *payload)
{
	int dir = e->dir & 1;
	struct asm_stream *s = &a->st[dir];
	const char *p = payload;
	uint64_t off = e->off, len = e->len, cap = e->cap_len < e->len ? e->cap_len : e->len;
	struct ev ev = {
		.first_ns = dir == SMIW_DIR_SEND ? e->enter_ns : e->exit_ns,
		.last_ns = e->exit_ns,
		.pid = e->pid,
		.tgid = e->tgid,
	};

	if (e->flags & SMIW_DATA_EOF) {
		stream_eof(a, dir);
		return;
	}
	if (off < s->next_off) {
		/* Bytes already consumed (concurrent syscalls on one socket): keep the new part. */
		uint64_t dup = s->next_off - off;

		if (dup >= len)
			return;
		off += dup;
		len -= dup;
		p += dup < cap ? dup : cap;
		cap = dup < cap ? cap - dup : 0;
	}
	if (off > s->next_off)
		gap(a, dir, off - s->next_off, &ev);
	s->next_off = off + len;
	if (off == 0 && cap) {
		size_t skip = proxy_header_len(p, cap);

		p += skip;
		cap -= skip;
		len -= skip;
	}
	s->last_ns = ev.last_ns;
	if (s->state == ST_LOST && !resync(a, dir, p, cap)) {
		a->cfg->counters->unparsed_bytes += len;
		return;
	}
	if (cap)
		feed(a, dir, p, cap, &ev);
	if (len > cap)
		feed(a, dir, NULL, len - cap, &ev);
}

void asm_init(struct assembler *a, int role, const struct asm_cfg *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->role = role;
	/* Without a role the first bytes may be mid-message: wait for a head. */
	a->st[0].state = a->st[1].state = role == SMIW_ROLE_UNKNOWN ? ST_LOST : ST_HEAD;
}

void asm_set_role(struct assembler *a, int role)
{
	if (a->role != SMIW_ROLE_UNKNOWN || role == SMIW_ROLE_UNKNOWN || a->head)
		return;
	a->role = role;
	for (int d = 0; d < 2; d++)
		if (a->st[d].state == ST_LOST && a->st[d].next_off == 0)
			a->st[d].state = ST_HEAD;
}

void asm_reset(struct assembler *a)
{
	a->reset = true;
}

void asm_end(struct assembler *a, const char *reason, const uint64_t *final_bytes)
{
	for (int d = 0; d < 2; d++) {
		struct asm_stream *s = &a->st[d];
		struct ev ev = { .first_ns = s->last_ns, .last_ns = s->last_ns };

		if (final_bytes && final_bytes[d] > s->next_off) {
			gap(a, d, final_bytes[d] - s->next_off, &ev);
			s->next_off = final_bytes[d];
		}
		if (s->state == ST_BODY && http_body_finish_at_eof(&s->body))
			message_done(a, d, s->last_ns);
	}
	flush_all(a, a->reset ? "reset" : reason);
}

void asm_free(struct assembler *a)
{
	while (a->head) {
		struct cap_exchange *x = a->head;

		q_remove(a, x);
		x_release(a, x);
	}
	for (int d = 0; d < 2; d++)
		msg_reset(&a->st[d]);
}

void asm_pool_free(struct asm_pool *p)
{
	while (p->free) {
		struct cap_exchange *x = p->free;

		p->free = x->next;
		free(x);
	}
	p->nfree = 0;
}
