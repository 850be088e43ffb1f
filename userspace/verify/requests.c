/* requests.c - see requests.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "verify/place.h"
#include "verify/requests.h"

const char *const default_proxy_comms[] = {
	"envoy", "linkerd2-proxy", "haproxy", "nginx", "traefik", "pilot-agent", NULL
};

/*
 * A request-tagged record. 32 bytes, so sorting a million of them moves
 * them directly rather than through pointers; the request id's parts are
 * packed so that comparing `key`, then `round`, then `seq` orders by step,
 * traffic entry, probe (measured requests first), round, sequence number.
 */
struct vtag {
	uint64_t key;		/* step << 32 | traffic << 1 | probe (both at most 100000) */
	uint64_t round, seq;	/* ENTRY_ROUND, start time: an exchange followed to the entry only */
	uintptr_t rec;		/* the record: an intent when bit 0 is set, else an exchange; bits 1-2: enum vlink */
};

/* Exchanges followed to an entry but not to one request sort after its requests (no round is this large). */
#define ENTRY_ROUND UINT64_MAX
#define TAG_BITS ((uintptr_t)7)

static uint64_t tag_key(unsigned step, unsigned traffic, bool probe)
{
	return (uint64_t)step << 32 | (uint64_t)traffic << 1 | probe;
}

uint64_t vindex_key(unsigned step, unsigned traffic, bool probe)
{
	return tag_key(step, traffic, probe);
}

static struct vtag intent_tag(const struct reqid *id, const struct obs_intent *rec)
{
	return (struct vtag){ tag_key(id->step, id->traffic, id->probe), id->round, id->seq, (uintptr_t)rec | 1 };
}

static const struct obs_exchange *tag_ex(const struct vtag *g)
{
	return g->rec & 1 ? NULL : (const struct obs_exchange *)(g->rec & ~TAG_BITS);
}

static const struct obs_intent *tag_in(const struct vtag *g)
{
	return g->rec & 1 ? (const struct obs_intent *)(g->rec & ~TAG_BITS) : NULL;
}

static enum vlink tag_how(const struct vtag *g)
{
	return (enum vlink)(g->rec >> 1 & 3);
}

static int tag_cmp(const void *a, const void *b)
{
	const struct vtag *x = a, *y = b;
	const struct obs_exchange *xe = tag_ex(x), *ye = tag_ex(y);

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->round != y->round)
		return x->round < y->round ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (!xe != !ye)
		return xe ? 1 : -1;	/* the intent first */
	if (xe && xe->start_ns != ye->start_ns)
		return xe->start_ns < ye->start_ns ? -1 : 1;
	return (xe ? xe->line : tag_in(x)->line) < (ye ? ye->line : tag_in(y)->line) ? -1 : 1;
}

static void sort_tags(struct vtag *t, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (tag_cmp(&t[i - 1], &t[i]) > 0) {
			qsort(t, n, sizeof(*t), tag_cmp);
			return;
		}
}

/*
 * Merges the sorted b[0..nb) into the sorted a[0..na), which has room for
 * both. From the back, so that a is merged in place: no copy of the larger
 * part (a million exchanges' tags) is needed. No tag of a compares equal to
 * one of b (an exchange and an intent never do), so the order is the one a
 * merge from the front would give.
 */
static void merge_tags(struct vtag *a, size_t na, const struct vtag *b, size_t nb)
{
	while (nb) {
		if (na && tag_cmp(&a[na - 1], &b[nb - 1]) > 0) {
			a[na + nb - 1] = a[na - 1];
			na--;
		} else {
			a[na + nb - 1] = b[nb - 1];
			nb--;
		}
	}
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether request id rid names run `run` if it follows the scheme at all: a
 * run holds no '.', so the part before the first one is the run. The ids of
 * a capture come from one run or a few, so most are settled by this prefix
 * without parsing them.
 */
static bool of_run(const char *rid, const char *run, size_t len)
{
	return !strncmp(rid, run, len) && rid[len] == '.';
}

int vindex_runs(const struct obs_set *obs, char ***runs)
{
	size_t total = obs->n_ex + obs->n_intents, n = 0, last = 0, last_len = 0;
	char **v = calloc(total + 1, sizeof(*v));
	const char *prev = NULL;
	struct reqid id;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < total; i++) {
		const char *rid = i < obs->n_ex ? obs->ex[i].request_id :
			obs->intents[i - obs->n_ex].request_id;
		size_t j;

		/*
		 * The record before's id (the reader shares a string equal to the
		 * one before it: a request's exchanges come together), or one of
		 * the run found last: listed already, whether or not the rest of
		 * it parses.
		 */
		if (rid == prev || (n && of_run(rid, v[last], last_len)))
			continue;
		prev = rid;
		if (reqid_parse(rid, &id))
			continue;
		for (j = 0; j < n && strcmp(v[j], id.run); j++)
			;
		last = j;
		last_len = strlen(id.run);
		if (j < n)
			continue;
		v[n] = strdup(id.run);
		if (!v[n]) {
			vindex_runs_free(v, n);
			return -ENOMEM;
		}
		n++;
	}
	qsort(v, n, sizeof(*v), str_cmp);
	*runs = v;
	return (int)n;
}

void vindex_runs_free(char **runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(runs[i]);
	free(runs);
}

/* What exchange e's own request id names, when it is of the run. */
static struct vorigin own_origin(const struct obs_exchange *e, const char *run, uint8_t *idk)
{
	struct reqid id;

	*idk = *e->request_id ? VID_OTHER : VID_NONE;
	if (!*e->request_id || reqid_parse(e->request_id, &id) || strcmp(id.run, run) || id.round == ENTRY_ROUND)
		return (struct vorigin){ .kind = VO_NONE };
	*idk = VID_RUN;
	return (struct vorigin){ tag_key(id.step, id.traffic, id.probe), id.round, id.seq, VO_REQUEST };
}

static struct vattr attr_of(struct vorigin o, enum vlink how, uint8_t idk)
{
	if (o.kind == VO_ENTRY || o.kind == VO_PROBES)
		return (struct vattr){ o.key, ENTRY_ROUND, 0, VL_ENTRY, idk };
	if (o.kind != VO_REQUEST)
		return (struct vattr){ .how = VL_NONE, .id = idk };
	return (struct vattr){ o.key, o.round, o.seq, (uint8_t)how, idk };
}

static bool same_request(struct vorigin a, struct vorigin b)
{
	return a.kind == VO_REQUEST && b.kind == VO_REQUEST && a.key == b.key && a.round == b.round && a.seq == b.seq;
}

/*
 * The request an exchange belongs to. For a server exchange of a workload
 * what the kernel saw wins over the id it carries: the chain of connections
 * and proxy hops back to the source's request, when it leads to one
 * request (or to one entry, the id then picking the request when it is of
 * that entry). Elsewhere, and where the chain leads nowhere or to several
 * entries, the exchange's own id decides. Mesh legs are traced too, for the
 * accounting of the step.
 */
static struct vattr attribute(struct follow *f, const struct obs_exchange *e, size_t i, bool mesh,
			      struct vorigin own, uint8_t idk)
{
	struct vorigin c;

	if (!mesh && e->role != OBS_ROLE_SERVER)
		return attr_of(own, VL_ID, idk);
	if (mesh && own.kind == VO_REQUEST)
		return attr_of(own, VL_ID, idk);
	c = follow_trace(f, i);
	if (c.kind == VO_REQUEST)
		return attr_of(c, same_request(c, own) ? VL_ID : VL_CHAIN, idk);
	if (c.kind == VO_ENTRY && own.kind == VO_REQUEST && own.key == c.key)
		return attr_of(own, VL_ID, idk);
	if (c.kind == VO_ENTRY || (c.kind == VO_PROBES && own.kind != VO_REQUEST))
		return attr_of(c, VL_ENTRY, idk);
	return attr_of(own, VL_ID, idk);
}

/* vindex_is_mesh() answers remembered by the exchange's strings (mesh_of). */
struct mesh_memo {
	const char *comm, *ns, *pod;
	bool mesh;
};

#define MESH_MEMO 16

/*
 * vindex_is_mesh(ix, e), remembered in memo[MESH_MEMO] by the addresses of
 * e's process name, namespace and pod: the reader keeps one copy of each
 * such string, so the exchanges of a capture name a few, and the same
 * addresses always get the same answer (other addresses are asked again).
 */
static bool mesh_of(const struct vindex *ix, const struct obs_exchange *e, struct mesh_memo *memo)
{
	struct mesh_memo *m = &memo[((uintptr_t)e->comm ^ (uintptr_t)e->ns * 3 ^ (uintptr_t)e->pod * 5) % MESH_MEMO];

	if (m->comm != e->comm || m->ns != e->ns || m->pod != e->pod)
		*m = (struct mesh_memo){ e->comm, e->ns, e->pod, vindex_is_mesh(ix, e) };
	return m->mesh;
}

/* follow_own_fn for the index ctx: own_origin() of exchange i. */
static struct vorigin own_of(const void *ctx, size_t i)
{
	const struct vindex *ix = ctx;
	uint8_t idk;

	return own_origin(&ix->obs->ex[i], ix->run, &idk);
}

/*
 * Each exchange's own origin is found where it is used (attribute(), and
 * following for the exchanges where chains start) rather than kept: an
 * array of them for a million exchanges costs more to fill than the ids
 * cost to parse again.
 */
static int build_attr(struct vindex *ix)
{
	const struct obs_set *obs = ix->obs;
	struct mesh_memo memo[MESH_MEMO] = { { 0 } };
	struct follow f;
	int r;

	ix->mesh = array_calloc(obs->n_ex + 1, sizeof(*ix->mesh));
	ix->attr = array_calloc(obs->n_ex + 1, sizeof(*ix->attr));
	if (!ix->mesh || !ix->attr)
		return -ENOMEM;
	for (size_t i = 0; i < obs->n_ex; i++)
		ix->mesh[i] = mesh_of(ix, &obs->ex[i], memo);
	if ((r = follow_build(&f, obs, ix->mesh, own_of, ix)) == 0) {
		for (size_t i = 0; i < obs->n_ex; i++) {
			uint8_t idk;
			struct vorigin own = own_origin(&obs->ex[i], ix->run, &idk);

			ix->attr[i] = attribute(&f, &obs->ex[i], i, ix->mesh[i], own, idk);
		}
		ix->hops = f.hops;
		ix->inside_unique = f.inside_unique;
		ix->inside_by_id = f.inside_by_id;
		ix->inside_several = f.inside_several;
	}
	follow_free(&f);
	return r;
}

int vindex_build(struct vindex *ix, const struct obs_set *obs, const struct inventory *inv,
		 const char *run, const char *const *proxy_comms)
{
	size_t cap = obs->n_ex + obs->n_intents;
	struct reqid id;
	size_t n_in = 0;
	struct vtag *tmp;	/* the intents' tags */
	bool sorted = true;	/* the exchanges' tags, as made */

	memset(ix, 0, sizeof(*ix));
	ix->obs = obs;
	ix->inv = inv;
	ix->proxy_comms = proxy_comms ? proxy_comms : default_proxy_comms;
	snprintf(ix->run, sizeof(ix->run), "%s", run);
	ix->tags = array_calloc(cap + 1, sizeof(*ix->tags));
	tmp = array_calloc(obs->n_intents + 1, sizeof(*tmp));
	if (!ix->tags || !tmp || build_attr(ix)) {
		free(tmp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < obs->n_ex; i++) {
		const struct vattr *a = &ix->attr[i];
		struct vtag g;

		/* Mesh legs found by following only serve the step's accounting. */
		if (a->how == VL_NONE || (ix->mesh[i] && a->how != VL_ID))
			continue;
		g = (struct vtag){ a->key, a->round, a->how == VL_ENTRY ? obs->ex[i].start_ns : a->seq,
				   (uintptr_t)&obs->ex[i] | (uintptr_t)a->how << 1 };
		/* Checked as they come, while their exchanges are at hand: sort_tags() need not look again. */
		sorted = sorted && (!ix->n || tag_cmp(&ix->tags[ix->n - 1], &g) <= 0);
		ix->tags[ix->n++] = g;
	}
	for (size_t i = 0; i < obs->n_intents; i++)
		if (!reqid_parse(obs->intents[i].request_id, &id) && !strcmp(id.run, run) && id.round != ENTRY_ROUND)
			tmp[n_in++] = intent_tag(&id, &obs->intents[i]);
	/*
	 * Exchanges and intents each come mostly in request order already (the
	 * driver numbers requests as it sends them): each part is sorted only
	 * when it is not, then the two are merged.
	 */
	if (!sorted)
		qsort(ix->tags, ix->n, sizeof(*ix->tags), tag_cmp);
	sort_tags(tmp, n_in);
	merge_tags(ix->tags, ix->n, tmp, n_in);
	ix->n += n_in;
	free(tmp);
	return 0;
}

bool vindex_is_mesh(const struct vindex *ix, const struct obs_exchange *e)
{
	for (const char *const *c = ix->proxy_comms; *c; c++)
		if (!strcmp(e->comm, *c))
			return true;
	if (ix->inv && *ix->inv->mesh_pod) {
		size_t nl = strlen(e->ns);
		const char *mp = ix->inv->mesh_pod;

		if (!strncmp(mp, e->ns, nl) && mp[nl] == '/' && !strcmp(mp + nl + 1, e->pod))
			return true;
	}
	return false;
}

static bool at_pod(const char *ns, const char *pod, const struct sc_traffic *t)
{
	return !strcmp(ns, t->from_ns) && !strcmp(pod, t->from);
}

/* Capture problems that make an exchange unusable as evidence of an outcome. */
static const char *exchange_problem(const struct obs_exchange *e)
{
	if (!e || e->complete)
		return NULL;
	if (!strcmp(e->incomplete, "gap") || !strcmp(e->incomplete, "unparsed") ||
	    !strcmp(e->incomplete, "snaplen") || !strcmp(e->incomplete, "capture-ended"))
		return e->incomplete;
	return NULL;
}

static void classify(struct vreq *r)
{
	const struct obs_exchange *c = r->client;

	r->problem = exchange_problem(c);
	if (!r->problem)
		r->problem = exchange_problem(r->served);
	if (!r->problem && !r->served && r->unattributed)
		r->problem = "unattributed";
	if (!c) {
		r->outcome = CO_UNOBSERVED;
		return;
	}
	if (c->status > 0) {
		r->outcome = CO_STATUS;
		r->status = c->status;
	} else if (!strcmp(c->incomplete, "reset")) {
		r->outcome = CO_RESET;
	} else if (!strcmp(c->incomplete, "closed")) {
		r->outcome = CO_CLOSED;
	} else if (!strcmp(c->incomplete, "refused")) {
		/* HTTP/2: a GOAWAY said the stream was never processed; the client saw a refusal. */
		r->outcome = CO_REFUSED;
	} else {
		r->outcome = CO_UNOBSERVED;
	}
}

bool vindex_is_relay(const struct obs_exchange *e)
{
	return !strcmp(e->method, "POST") && !strncmp(e->path, "/call", 5) &&
	       (e->path[5] == '\0' || e->path[5] == '?');
}

static int add_copy(struct vreq *r, const struct obs_exchange *e, enum vlink how, size_t *cap)
{
	if (r->n_copies == *cap) {
		struct vcopy *g = realloc(r->copies, (*cap = *cap ? *cap * 2 : 2) * sizeof(*g));

		if (!g)
			return -ENOMEM;
		r->copies = g;
	}
	r->copies[r->n_copies++] = (struct vcopy){ e, (uint8_t)how, false };
	if (how == VL_CHAIN || how == VL_ENTRY) {
		r->followed = true;
		if (*e->request_id)
			r->id_rewritten = true;
		else
			r->id_removed = true;
	}
	return 0;
}

static int add_exchange(const struct vindex *ix, const struct sc_traffic *t, struct vreq *r,
			const struct obs_exchange *e, enum vlink how, size_t *cap)
{
	if (ix->mesh[e - ix->obs->ex])	/* vindex_is_mesh(), found once per exchange by vindex_build */
		return 0;
	if (at_pod(e->ns, e->pod, t)) {
		/*
		 * Through /call the source pod sees the relay twice (the driver's
		 * request and the app serving it) besides the app's own request to
		 * the destination, which is the one that counts.
		 */
		if (t->via == SC_VIA_CALL && vindex_is_relay(e)) {
			if (e->role == OBS_ROLE_SERVER && !r->relay)
				r->relay = e;
		} else if (e->role == OBS_ROLE_CLIENT && !r->client) {
			r->client = e;
		}
		return 0;
	}
	if (e->role != OBS_ROLE_SERVER)
		return 0;
	if (!*e->pod) {
		/*
		 * No pod: the kernel's record of the connection's opening was lost
		 * (or the process is in no pod of the inventory), so neither the
		 * process nor whether it is the mesh is known. It proves nothing
		 * about where the request was served.
		 */
		if (!r->unattributed)
			r->unattributed = e;
		return 0;
	}
	return add_copy(r, e, how, cap);
}

static int copy_cmp(const void *a, const void *b)
{
	const struct vcopy *x = a, *y = b;

	if (x->e->start_ns != y->e->start_ns)
		return x->e->start_ns < y->e->start_ns ? -1 : 1;
	return x->e->line < y->e->line ? -1 : x->e->line > y->e->line;
}

/* See vindex_requests() in requests.h: which copy's response reached the client. */
static const struct vcopy *answered_copy(const struct vreq *r)
{
	const struct obs_exchange *c = r->client;
	const struct vcopy *best = NULL;

	if (!r->n_copies)
		return NULL;
	if (!c || c->status <= 0)
		return &r->copies[0];
	for (size_t i = 0; i < r->n_copies; i++) {
		const struct obs_exchange *e = r->copies[i].e;

		if (e->status == c->status && (!c->end_ns || e->end_ns <= c->end_ns) &&
		    (!best || e->end_ns < best->e->end_ns))
			best = &r->copies[i];
	}
	if (best)
		return best;
	for (size_t i = 0; i < r->n_copies; i++) {
		const struct obs_exchange *e = r->copies[i].e;

		if ((!c->end_ns || e->end_ns <= c->end_ns) && (!best || e->end_ns >= best->e->end_ns))
			best = &r->copies[i];
	}
	return best ? best : &r->copies[0];
}

static void finish_copies(struct vreq *r)
{
	struct vcopy *a;

	if (!r->n_copies)
		return;
	qsort(r->copies, r->n_copies, sizeof(*r->copies), copy_cmp);
	a = (struct vcopy *)answered_copy(r);
	a->answered = true;
	r->served = a->e;
	for (size_t i = 0; i < r->n_copies; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (!strcmp(r->copies[j].e->ns, r->copies[i].e->ns) &&
			    !strcmp(r->copies[j].e->pod, r->copies[i].e->pod))
				break;
		r->served_pods += j == i;
	}
}

static void set_window(struct vreq *r)
{
	const struct obs_exchange *e = r->relay ? r->relay : r->client ? r->client : r->served;

	if (r->relay) {
		r->t0 = r->relay->start_ns;
		r->t1 = r->relay->end_ns;
	} else if (r->intent && r->intent->sent_ns) {
		r->t0 = r->intent->sent_ns;
		r->t1 = r->intent->done_ns;
	} else if (e) {
		r->t0 = e->start_ns;
		r->t1 = e->end_ns;
	}
	if (r->t1 < r->t0)
		r->t1 = r->t0;
}

/* "ip:port" of the destination service, or "" when the inventory has no address. */
static void service_addr(const struct vindex *ix, const struct sc_traffic *t, char *buf, size_t len)
{
	const struct inv_service *svc = ix->inv ? inventory_service(ix->inv, t->to_ns, t->to) : NULL;

	buf[0] = '\0';
	if (svc && *svc->ip)
		snprintf(buf, len, "%s:%u", svc->ip, t->port);
}

/*
 * A refused connect leaves no exchange and no request id, only a conn
 * record of the source pod. Each such record is given to at most one
 * request whose flight window contains the connect attempt, earliest first.
 * The failed connects of the source are listed first (in record order): a
 * run has few of them, and every request scanning every conn record of the
 * run made the pass requests x records.
 */
static void attribute_connect_errors(const struct vindex *ix, const struct sc_traffic *t,
				     struct vreq *r, size_t n)
{
	const struct obs_set *obs = ix->obs;
	const struct obs_conn **failed = NULL;
	size_t n_failed = 0;
	char addr[80];

	service_addr(ix, t, addr, sizeof(addr));
	for (size_t j = 0; j < obs->n_conns; j++) {
		const struct obs_conn *c = &obs->conns[j];

		if (!*c->connect_error || c->role != OBS_ROLE_CLIENT || !at_pod(c->ns, c->pod, t) ||
		    (*addr && strcmp(c->peer, addr)))
			continue;
		if (!failed && !(failed = calloc(obs->n_conns - j, sizeof(*failed))))
			return;
		failed[n_failed++] = c;
	}
	for (size_t i = 0; i < n && n_failed; i++) {
		if (r[i].client || !r[i].t0)
			continue;
		for (size_t j = 0; j < n_failed; j++) {
			const struct obs_conn *c = failed[j];

			/* A record given to a request leaves the list (NULL). */
			if (!c || c->open_ns < r[i].t0 || c->open_ns > r[i].t1)
				continue;
			failed[j] = NULL;
			r[i].refused = c;
			if (!strcmp(c->connect_error, "ECONNREFUSED"))
				r[i].outcome = CO_REFUSED;
			else if (!strcmp(c->connect_error, "ECONNRESET"))
				r[i].outcome = CO_RESET;
			else
				r[i].outcome = CO_CONNECT_ERROR;
			break;
		}
	}
	free(failed);
}

/* Index of the first tag of ix whose key is not below key (ix->n when none). */
static size_t tag_lower_bound(const struct vindex *ix, uint64_t key)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->tags[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The number of requests in the tags from i on of key `key`: runs of tags
 * that share a round and sequence number, up to the entry-only ones.
 */
static size_t count_requests(const struct vindex *ix, uint64_t key, size_t i)
{
	size_t n = 0;

	for (; i < ix->n && ix->tags[i].key == key && ix->tags[i].round != ENTRY_ROUND; i++)
		n += i == 0 || ix->tags[i - 1].key != key || ix->tags[i - 1].round != ix->tags[i].round ||
		     ix->tags[i - 1].seq != ix->tags[i].seq;
	return n;
}

/*
 * Fills q (zeroed, its id but round and sequence number set: id) from the
 * run of tags at *i that share a round and sequence number, advancing *i
 * past them; *ccap is the capacity of q's copies. Returns 0 or -ENOMEM.
 */
static int read_request(const struct vindex *ix, const struct sc_traffic *t, const struct reqid *id,
			uint64_t key, size_t *i, struct vreq *q, size_t *ccap)
{
	q->id = *id;
	q->id.round = ix->tags[*i].round;
	q->id.seq = ix->tags[*i].seq;
	for (; *i < ix->n && ix->tags[*i].key == key && ix->tags[*i].round == q->id.round &&
	       ix->tags[*i].seq == q->id.seq; (*i)++) {
		const struct vtag *g = &ix->tags[*i];

		if (tag_in(g)) {
			if (!q->intent)
				q->intent = tag_in(g);
			q->request_id = tag_in(g)->request_id;
		} else {
			if (tag_how(g) == VL_ID)
				q->request_id = tag_ex(g)->request_id;
			if (add_exchange(ix, t, q, tag_ex(g), tag_how(g), ccap))
				return -ENOMEM;
		}
	}
	return 0;
}

int vindex_requests(const struct vindex *ix, unsigned step, const struct sc_traffic *t,
		    bool probes, struct vreq **out)
{
	uint64_t key = tag_key(step, t->index, probes);
	struct reqid id = { .step = step, .traffic = t->index, .probe = probes };
	size_t n = 0, cap, i;
	size_t *ccap;		/* the capacities of the requests' copies */
	struct placer *pl = NULL;
	struct vreq *r;

	/* From the lower bound of (step, traffic, probe) in the sorted tags. */
	i = tag_lower_bound(ix, key);
	/* Counted first: arrays of their final size, not grown by copying as they fill. */
	cap = count_requests(ix, key, i);
	r = array_calloc(cap + 1, sizeof(*r));
	ccap = calloc(cap + 1, sizeof(*ccap));
	if (!r || !ccap)
		goto oom;
	memcpy(id.run, ix->run, sizeof(id.run));
	for (; n < cap; n++)
		if (read_request(ix, t, &id, key, &i, &r[n], &ccap[n]))
			goto oom;
	/* Exchanges followed to the entry only (their tags come last, by start time). */
	if (i < ix->n && ix->tags[i].key == key) {
		pl = placer_new(r, n, ix->obs->ends_may_lag);
		if (!pl)
			goto oom;
	}
	for (; i < ix->n && ix->tags[i].key == key; i++) {
		struct vreq *q = placer_pick(pl, tag_ex(&ix->tags[i]));

		if (q && add_exchange(ix, t, q, tag_ex(&ix->tags[i]), VL_ENTRY, &ccap[q - r]))
			goto oom;
		if (q)
			placer_placed(pl, q);
	}
	placer_free(pl);
	for (size_t k = 0; k < n; k++) {
		finish_copies(&r[k]);
		classify(&r[k]);
		set_window(&r[k]);
	}
	attribute_connect_errors(ix, t, r, n);
	free(ccap);
	*out = r;
	return (int)n;
oom:
	placer_free(pl);
	free(ccap);
	vreqs_free(r, cap);	/* the requests not read yet are zeroed: nothing of theirs to free */
	return -ENOMEM;
}

void vreqs_free(struct vreq *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		free(r[i].copies);
	free(r);
}

void vindex_step_spans(const struct vindex *ix, size_t n_steps, uint64_t *start, uint64_t *end)
{
	memset(start, 0, n_steps * sizeof(*start));
	memset(end, 0, n_steps * sizeof(*end));
	for (size_t i = 0; i < ix->n; i++) {
		const struct vtag *g = &ix->tags[i];
		size_t step = g->key >> 32;
		uint64_t t0, t1;

		if (!step || step > n_steps)
			continue;
		if (tag_in(g)) {
			t0 = tag_in(g)->sent_ns;
			t1 = tag_in(g)->done_ns;
		} else {
			t0 = tag_ex(g)->start_ns;
			t1 = tag_ex(g)->end_ns;
		}
		if (t0 && (!start[step - 1] || t0 < start[step - 1]))
			start[step - 1] = t0;
		if (t1 > end[step - 1])
			end[step - 1] = t1;
		if (t0 > end[step - 1])
			end[step - 1] = t0;
	}
}

size_t vindex_strays(const struct vindex *ix, const struct scenario *sc)
{
	size_t n = 0;

	for (size_t i = 0; i < ix->n; i++) {
		size_t step = ix->tags[i].key >> 32, traffic = (ix->tags[i].key & 0xffffffff) >> 1;

		if (step > sc->n_steps || traffic > sc->steps[step - 1].n_traffic)
			n++;
	}
	return n;
}

const char *vreq_outcome_label(const struct vreq *r, char *buf, size_t len)
{
	switch (r->outcome) {
	case CO_STATUS:
		snprintf(buf, len, "%d", r->status);
		return buf;
	case CO_RESET:
		return "reset";
	case CO_REFUSED:
		return "refused";
	case CO_CLOSED:
		return "closed";
	case CO_CONNECT_ERROR:
		snprintf(buf, len, "connect-error:%s", r->refused->connect_error);
		return buf;
	default:
		return "unobserved";
	}
}

bool vreq_succeeded(const struct vreq *r)
{
	return r->outcome == CO_STATUS && r->status >= 200 && r->status < 400;
}

void vindex_free(struct vindex *ix)
{
	free(ix->tags);
	free(ix->mesh);
	free(ix->attr);
	memset(ix, 0, sizeof(*ix));
}
