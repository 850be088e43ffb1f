/* place.c - see place.h */
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "verify/place.h"

#define NONE UINT32_MAX

/*
 * The requests with a flight, in two orders, and two range-minimum trees
 * over the flight-end order: `any` holds the request's index once its
 * flight has begun before the exchange being placed (it can hold it), and
 * `free_` the position itself while that request has no copy yet. A query
 * for "flights that end late enough" is then a suffix of the flight-end
 * order: its minimum in `any` is the lowest-numbered request that holds the
 * exchange, its minimum in `free_` the free one whose flight ends first.
 * Exchanges come in start order, so flights only ever join the trees (a
 * sweep over the flight-start order); copies only ever make a request
 * non-free.
 */
struct placer {
	struct vreq *r;
	size_t n;		/* requests */
	size_t m;		/* of them with a flight */
	size_t size;		/* tree leaves: a power of two >= m */
	bool lag;
	bool dirty;		/* a request's flight changed: index again before the next pick */
	uint64_t *f0, *f1;	/* per request: its flight as indexed */
	uint32_t *by_t0;	/* requests with a flight, by (start, index) */
	uint32_t *by_t1;	/* the same, by (end, index) */
	uint32_t *pos;		/* per request: its position in by_t1, NONE without a flight */
	uint32_t *any, *free_;	/* 2 * size nodes each; leaf i at size + i */
	struct key *tmp;	/* sorting room */
	size_t next;		/* by_t0[next] is the first flight not in the trees */
	uint64_t last;		/* start of the last exchange placed */
};

struct key {
	uint64_t t;
	uint32_t i;
};

void vreq_flight(const struct vreq *r, uint64_t *t0, uint64_t *t1)
{
	const struct obs_exchange *e = r->client ? r->client : r->relay;

	*t0 = *t1 = 0;
	if (e) {
		*t0 = e->start_ns;
		*t1 = e->end_ns ? e->end_ns : UINT64_MAX;
	} else if (r->intent && r->intent->sent_ns) {
		*t0 = r->intent->sent_ns;
		*t1 = r->intent->done_ns ? r->intent->done_ns : UINT64_MAX;
	}
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void tree_set(uint32_t *t, size_t size, size_t at, uint32_t v)
{
	size_t i = size + at;

	t[i] = v;
	for (i >>= 1; i; i >>= 1)
		t[i] = t[2 * i] < t[2 * i + 1] ? t[2 * i] : t[2 * i + 1];
}

/* The minimum over leaves [lo, hi). */
static uint32_t tree_min(const uint32_t *t, size_t size, size_t lo, size_t hi)
{
	uint32_t best = NONE;

	for (lo += size, hi += size; lo < hi; lo >>= 1, hi >>= 1) {
		if ((lo & 1) && t[lo++] < best)
			best = t[lo - 1];
		if ((hi & 1) && t[--hi] < best)
			best = t[hi];
	}
	return best;
}

/* Sorts the requests with a flight into order[] by (the time in v, index). */
static void sort_by(struct placer *p, const uint64_t *v, uint32_t *order)
{
	size_t m = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->f0[i])
			p->tmp[m++] = (struct key){ v[i], (uint32_t)i };
	qsort(p->tmp, m, sizeof(*p->tmp), key_cmp);
	for (size_t k = 0; k < m; k++)
		order[k] = p->tmp[k].i;
}

/* (Re)indexes every request's flight; the trees start empty. */
static void build(struct placer *p)
{
	p->m = 0;
	for (size_t i = 0; i < p->n; i++) {
		vreq_flight(&p->r[i], &p->f0[i], &p->f1[i]);
		p->m += p->f0[i] != 0;
		p->pos[i] = NONE;
	}
	sort_by(p, p->f0, p->by_t0);
	sort_by(p, p->f1, p->by_t1);
	for (size_t k = 0; k < p->m; k++)
		p->pos[p->by_t1[k]] = (uint32_t)k;
	for (p->size = 1; p->size < p->m; p->size <<= 1)
		;
	memset(p->any, 0xff, 2 * p->size * sizeof(*p->any));
	memset(p->free_, 0xff, 2 * p->size * sizeof(*p->free_));
	p->next = 0;
	p->last = 0;
	p->dirty = false;
}

struct placer *placer_new(struct vreq *r, size_t n, bool ends_may_lag)
{
	struct placer *p = calloc(1, sizeof(*p));
	size_t size = 1;

	if (!p || n >= NONE) {
		free(p);
		return NULL;
	}
	while (size < n)
		size <<= 1;
	p->r = r;
	p->n = n;
	p->lag = ends_may_lag;
	p->f0 = array_calloc(n + 1, sizeof(*p->f0));
	p->f1 = array_calloc(n + 1, sizeof(*p->f1));
	p->by_t0 = array_calloc(n + 1, sizeof(*p->by_t0));
	p->by_t1 = array_calloc(n + 1, sizeof(*p->by_t1));
	p->pos = array_calloc(n + 1, sizeof(*p->pos));
	p->tmp = array_calloc(n + 1, sizeof(*p->tmp));
	p->any = array_calloc(2 * size, sizeof(*p->any));
	p->free_ = array_calloc(2 * size, sizeof(*p->free_));
	if (!p->f0 || !p->f1 || !p->by_t0 || !p->by_t1 || !p->pos || !p->tmp || !p->any || !p->free_) {
		placer_free(p);
		return NULL;
	}
	build(p);
	return p;
}

/* The first k in [0, m) with key(order[k]) >= t, order sorted by that key. */
static size_t lower_bound(const struct placer *p, const uint32_t *order, const uint64_t *key, uint64_t t)
{
	size_t lo = 0, hi = p->m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key[order[mid]] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The request whose flight began nearest to start (the lowest-numbered of
 * those equally near): the first of the flights starting at or after it
 * and the first of those starting at the latest time before it.
 */
static uint32_t nearest(const struct placer *p, uint64_t start)
{
	size_t k = lower_bound(p, p->by_t0, p->f0, start);
	uint32_t after = k < p->m ? p->by_t0[k] : NONE, before = NONE;
	uint64_t da = after != NONE ? p->f0[after] - start : UINT64_MAX, db = UINT64_MAX;

	if (k > 0) {
		uint64_t t = p->f0[p->by_t0[k - 1]];

		before = p->by_t0[lower_bound(p, p->by_t0, p->f0, t)];
		db = start - t;
	}
	if (before == NONE)
		return after;
	if (after == NONE || db < da || (db == da && before < after))
		return before;
	return after;
}

struct vreq *placer_pick(struct placer *p, const struct obs_exchange *e)
{
	uint64_t s = e->start_ns, f = e->end_ns, least_end;
	uint32_t q;
	size_t lb;

	if (!p->n)
		return NULL;
	if (p->dirty || s < p->last)
		build(p);
	p->last = s;
	/* Flights begun by the exchange's start can hold it. */
	for (; p->next < p->m && p->f0[p->by_t0[p->next]] <= s; p->next++) {
		uint32_t i = p->by_t0[p->next];

		tree_set(p->any, p->size, p->pos[i], i);
		if (!p->r[i].n_copies)
			tree_set(p->free_, p->size, p->pos[i], p->pos[i]);
	}
	/*
	 * A flight holds the exchange when it also ends at or after the
	 * exchange's end; with lagging ends, at or after its start (place.h).
	 * An exchange that never ended is held by every flight begun before it.
	 */
	least_end = !f ? 0 : p->lag && s < f ? s : f;
	lb = lower_bound(p, p->by_t1, p->f1, least_end);
	q = tree_min(p->free_, p->size, lb, p->m);
	if (q != NONE)
		return &p->r[p->by_t1[q]];
	q = tree_min(p->any, p->size, lb, p->m);
	if (q == NONE)
		q = nearest(p, s);
	return q != NONE ? &p->r[q] : &p->r[0];
}

void placer_placed(struct placer *p, const struct vreq *q)
{
	size_t i = (size_t)(q - p->r);
	uint64_t t0, t1;

	vreq_flight(q, &t0, &t1);
	if (t0 != p->f0[i] || t1 != p->f1[i]) {
		p->dirty = true;
		return;
	}
	if (q->n_copies && p->pos[i] != NONE && p->free_[p->size + p->pos[i]] != NONE)
		tree_set(p->free_, p->size, p->pos[i], NONE);
}

void placer_free(struct placer *p)
{
	if (!p)
		return;
	free(p->f0);
	free(p->f1);
	free(p->by_t0);
	free(p->by_t1);
	free(p->pos);
	free(p->tmp);
	free(p->any);
	free(p->free_);
	free(p);
}
