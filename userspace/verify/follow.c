/* follow.c - see follow.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "verify/follow.h"

/* Inbound exchanges of a proxy longer than this are few: they are searched one by one. */
#define LONG_NS 1000000000ULL
/* A proxy exchange inside more candidates than this is not followed (VO_MIXED). */
#define MAX_CANDIDATES 32
/* Links followed back from one exchange at most (a request crosses a few proxies). */
#define MAX_DEPTH 16

enum { ST_TODO, ST_BUSY, ST_DONE };

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static bool loopback(const char *addr)
{
	return !strncmp(addr, "127.", 4) || !strncmp(addr, "[::1]", 5) || !strncmp(addr, "::1", 3);
}

/*
 * The key of an exchange's place on a connection as its server side sees
 * it: (local, peer), the pod for loopback, and the position on the
 * connection (other_end() needs all of them equal, so a key holds the
 * exchanges of one position of one connection: not the whole of a
 * keep-alive connection, whose every client exchange would be compared
 * with every server one).
 */
static uint64_t conn_key(const struct obs_exchange *e, bool as_client)
{
	const char *local = as_client ? e->peer : e->local, *peer = as_client ? e->local : e->peer;
	uint64_t h = fnv(fnv(0xcbf29ce484222325ULL, local), "|");

	h = fnv(h, peer);
	if (loopback(local))
		h = fnv(fnv(fnv(h, "|"), e->ns), e->pod);
	return (h ^ e->seq) * 0x9e3779b97f4a7c15ULL;
}

/* Whether server exchange s is the other end of client exchange c (same connection, same position). */
static bool other_end(const struct obs_exchange *c, const struct obs_exchange *s)
{
	if (s->seq != c->seq || strcmp(s->local, c->peer) || strcmp(s->peer, c->local))
		return false;
	if (loopback(s->local) && (!*c->pod || strcmp(c->ns, s->ns) || strcmp(c->pod, s->pod)))
		return false;
	/*
	 * The server reads the request after the client began sending it, and
	 * before the client has read the answer. (Not: it finished answering
	 * before the client finished reading - the server's last send can return
	 * after the client's read of it did.)
	 */
	if (s->start_ns < c->start_ns)
		return false;
	return !c->end_ns || s->start_ns <= c->end_ns;
}

/*
 * The server exchanges by conn_key: a slot per key (open addressing), and
 * the exchanges of one key chained from it. Chained, not a slot each: a
 * key shared by many exchanges (a port reused over a long capture) must
 * not make one long run of slots that every other key has to cross.
 */
struct srv_table {
	struct slot {
		uint64_t key;
		uint32_t first;	/* 1 + index of the key's last exchange added; 0: empty slot */
	} *slot;
	uint32_t *next;		/* per exchange: 1 + index of the one added before it with its key; 0: none */
	size_t mask;
};

static bool server_end(const struct obs_exchange *e)
{
	return e->role == OBS_ROLE_SERVER && *e->local && *e->peer;
}

/* The slot of key in t: its own, or the empty one where it would go. */
static struct slot *srv_slot(const struct srv_table *t, uint64_t key)
{
	size_t j = (key >> 32) & t->mask;

	while (t->slot[j].first && t->slot[j].key != key)
		j = (j + 1) & t->mask;
	return &t->slot[j];
}

static int srv_build(struct srv_table *t, const struct obs_set *obs)
{
	size_t ns = 0, cap = 16;

	for (size_t i = 0; i < obs->n_ex; i++)
		ns += server_end(&obs->ex[i]);
	while (cap < ns + ns / 2)	/* at most two thirds full */
		cap *= 2;
	t->mask = cap - 1;
	t->slot = array_calloc(cap, sizeof(*t->slot));
	t->next = array_calloc(obs->n_ex + 1, sizeof(*t->next));
	if (!t->slot || !t->next)
		return -ENOMEM;
	for (size_t i = 0; i < obs->n_ex; i++) {
		struct slot *sl;
		uint64_t key;

		if (!server_end(&obs->ex[i]))
			continue;
		key = conn_key(&obs->ex[i], false);
		sl = srv_slot(t, key);
		t->next[i] = sl->first;
		*sl = (struct slot){ key, (uint32_t)i + 1 };
	}
	return 0;
}

/*
 * Links each client exchange to the server exchange at the other end of its
 * connection, when exactly one is (see follow.h).
 */
static int build_hops(struct follow *f)
{
	const struct obs_set *obs = f->obs;
	struct srv_table t;
	int r = -ENOMEM;

	if (srv_build(&t, obs))
		goto out;
	for (size_t i = 0; i < obs->n_ex; i++) {
		const struct obs_exchange *c = &obs->ex[i];
		size_t found = 0, which = 0;

		if (c->role != OBS_ROLE_CLIENT || !*c->local || !*c->peer)
			continue;
		for (uint32_t s = srv_slot(&t, conn_key(c, true))->first; s; s = t.next[s - 1])
			if (other_end(c, &obs->ex[s - 1])) {
				found++;
				which = s - 1;
			}
		/* Port reuse cannot put two matches in one time span; if it ever did, no guess. */
		if (found == 1 && !f->hop[which]) {
			f->hop[i] = (uint32_t)which + 1;
			f->hop[which] = (uint32_t)i + 1;
			f->hops++;
		}
	}
	r = 0;
out:
	free(t.slot);
	free(t.next);
	return r;
}

static int inbound_cmp(const void *a, const void *b, void *arg)
{
	const struct obs_set *obs = arg;
	const struct obs_exchange *x = &obs->ex[*(const uint32_t *)a], *y = &obs->ex[*(const uint32_t *)b];

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static int build_inbound(struct follow *f)
{
	const struct obs_set *obs = f->obs;
	const struct obs_exchange *prev = NULL;	/* the last inbound one kept in in_short */
	bool sorted = true;			/* in_short, as filled (in inbound_cmp's order) */

	f->in_short = array_calloc(obs->n_ex + 1, sizeof(*f->in_short));
	f->in_long = array_calloc(obs->n_ex + 1, sizeof(*f->in_long));
	if (!f->in_short || !f->in_long)
		return -ENOMEM;
	for (size_t i = 0; i < obs->n_ex; i++) {
		const struct obs_exchange *e = &obs->ex[i];

		if (!f->mesh[i] || e->role != OBS_ROLE_SERVER)
			continue;
		if (e->end_ns && e->end_ns >= e->start_ns && e->end_ns - e->start_ns <= LONG_NS) {
			/* Checked while the exchanges are at hand: in order (as a proxy writes them, mostly), no sort. */
			sorted = sorted && (!prev || prev->tgid < e->tgid ||
					    (prev->tgid == e->tgid && prev->start_ns <= e->start_ns));
			prev = e;
			f->in_short[f->n_short++] = (uint32_t)i;
			if (e->end_ns - e->start_ns > f->max_short_ns)
				f->max_short_ns = e->end_ns - e->start_ns;
		} else {
			f->in_long[f->n_long++] = (uint32_t)i;
		}
	}
	if (!sorted)
		qsort_r(f->in_short, f->n_short, sizeof(*f->in_short), inbound_cmp, (void *)obs);
	return 0;
}

int follow_build(struct follow *f, const struct obs_set *obs, const uint8_t *mesh, follow_own_fn *own,
		 const void *own_ctx)
{
	int r;

	memset(f, 0, sizeof(*f));
	f->obs = obs;
	f->mesh = mesh;
	f->own = own;
	f->own_ctx = own_ctx;
	f->n = obs->n_ex;
	f->hop = array_calloc(obs->n_ex + 1, sizeof(*f->hop));
	f->trace = array_calloc(obs->n_ex + 1, sizeof(*f->trace));
	f->state = array_calloc(obs->n_ex + 1, sizeof(*f->state));
	if (!f->hop || !f->trace || !f->state)
		return -ENOMEM;
	if ((r = build_hops(f)) || (r = build_inbound(f)))
		return r;
	return 0;
}

/* Whether inbound exchange in (of the proxy) holds outbound exchange out in time, method and path. */
static bool contains(const struct obs_exchange *in, const struct obs_exchange *out)
{
	if (in->tgid != out->tgid || in->start_ns > out->start_ns)
		return false;
	if (in->end_ns && out->end_ns && out->end_ns > in->end_ns)
		return false;
	if (in->end_ns && !out->end_ns && out->start_ns > in->end_ns)
		return false;
	return !strcmp(in->method, out->method) && !strcmp(in->path, out->path) &&
	       !strcmp(in->ns, out->ns) && !strcmp(in->pod, out->pod);
}

/* The inbound exchanges of the proxy that may have caused outbound exchange o; returns how many (up to max + 1). */
static size_t candidates(const struct follow *f, size_t o, uint32_t *out, size_t max)
{
	const struct obs_exchange *ex = f->obs->ex, *oe = &ex[o];
	size_t n = 0, lo = 0, hi = f->n_short;

	/* First inbound exchange of this process starting after oe: every candidate is before it. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct obs_exchange *m = &ex[f->in_short[mid]];

		if (m->tgid < oe->tgid || (m->tgid == oe->tgid && m->start_ns <= oe->start_ns))
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0) {
		const struct obs_exchange *m = &ex[f->in_short[lo]];

		if (m->tgid != oe->tgid || m->start_ns + f->max_short_ns < oe->start_ns)
			break;
		if (contains(m, oe)) {
			if (n == max)
				return max + 1;
			out[n++] = f->in_short[lo];
		}
	}
	for (size_t i = 0; i < f->n_long; i++)
		if (contains(&ex[f->in_long[i]], oe)) {
			if (n == max)
				return max + 1;
			out[n++] = f->in_long[i];
		}
	return n;
}

/*
 * Combines two traces: the same request, the same entry, probes of one step,
 * or neither. Probes of several entries sent in one round meet in the proxy
 * at once; when nothing else was in hand, what came out is a probe whichever
 * it was (a measured request among the candidates makes it MIXED).
 */
static struct vorigin join(struct vorigin a, struct vorigin b)
{
	if (a.kind == VO_MIXED || b.kind == VO_MIXED || a.kind == VO_NONE || b.kind == VO_NONE)
		return (struct vorigin){ .kind = VO_MIXED };
	if (a.key != b.key || a.kind == VO_PROBES || b.kind == VO_PROBES) {
		if ((a.key & 1) && (b.key & 1) && a.key >> 32 == b.key >> 32)
			return (struct vorigin){ .key = (a.key >> 32) << 32 | 1, .kind = VO_PROBES };
		return (struct vorigin){ .kind = VO_MIXED };
	}
	if (a.kind == VO_REQUEST && b.kind == VO_REQUEST && a.round == b.round && a.seq == b.seq)
		return a;
	return (struct vorigin){ .key = a.key, .kind = VO_ENTRY };
}

static struct vorigin trace(struct follow *f, size_t i, unsigned depth);

/* An outbound exchange of a proxy traces back through the inbound exchange(s) that contain it. */
static struct vorigin trace_outbound(struct follow *f, size_t o, unsigned depth)
{
	const struct obs_exchange *ex = f->obs->ex;
	uint32_t cand[MAX_CANDIDATES];
	size_t n = candidates(f, o, cand, MAX_CANDIDATES), same = 0, which = 0;
	struct vorigin acc;

	if (n > MAX_CANDIDATES)
		return (struct vorigin){ .kind = VO_MIXED };
	if (!n)
		return (struct vorigin){ .kind = VO_NONE };
	if (n == 1) {
		f->inside_unique++;
		return trace(f, cand[0], depth + 1);
	}
	/* Several at once: the one carrying the outbound exchange's own request id, if exactly one does. */
	for (size_t k = 0; *ex[o].request_id && k < n; k++)
		if (!strcmp(ex[cand[k]].request_id, ex[o].request_id)) {
			same++;
			which = cand[k];
		}
	if (same == 1) {
		f->inside_by_id++;
		return trace(f, which, depth + 1);
	}
	f->inside_several++;
	acc = trace(f, cand[0], depth + 1);
	for (size_t k = 1; k < n && acc.kind != VO_MIXED; k++)
		acc = join(acc, trace(f, cand[k], depth + 1));
	return acc;
}

/*
 * Whether exchange i traces back through a link (a server end with its
 * client end, a proxy's outbound exchange): the traces worth remembering.
 * The others end where they are.
 */
static bool linked(const struct follow *f, size_t i)
{
	const struct obs_exchange *e = &f->obs->ex[i];

	return (e->role == OBS_ROLE_SERVER && f->hop[i]) || (e->role == OBS_ROLE_CLIENT && f->mesh[i]);
}

/* Where an exchange without a link ends: a workload's own request (where every chain starts), or nothing. */
static struct vorigin unlinked(const struct follow *f, size_t i)
{
	return f->obs->ex[i].role == OBS_ROLE_CLIENT ? f->own(f->own_ctx, i) : (struct vorigin){ .kind = VO_NONE };
}

static struct vorigin trace(struct follow *f, size_t i, unsigned depth)
{
	const struct obs_exchange *e = &f->obs->ex[i];
	struct vorigin r;

	/* Only linked traces are kept in f->trace: the others cost less to find again than to store. */
	if (f->state[i] == ST_DONE)
		return linked(f, i) ? f->trace[i] : unlinked(f, i);
	if (f->state[i] == ST_BUSY || depth > MAX_DEPTH)
		return (struct vorigin){ .kind = VO_MIXED };
	if (!linked(f, i)) {
		f->state[i] = ST_DONE;
		return unlinked(f, i);
	}
	f->state[i] = ST_BUSY;
	if (e->role == OBS_ROLE_SERVER)
		r = trace(f, f->hop[i] - 1, depth + 1);
	else
		r = trace_outbound(f, i, depth);
	f->trace[i] = r;
	f->state[i] = ST_DONE;
	return r;
}

struct vorigin follow_trace(struct follow *f, size_t i)
{
	return trace(f, i, 0);
}

void follow_free(struct follow *f)
{
	free(f->hop);
	free(f->trace);
	free(f->state);
	free(f->in_short);
	free(f->in_long);
	memset(f, 0, sizeof(*f));
}
