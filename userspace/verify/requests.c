/* requests.c - see requests.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
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
	uint64_t round, seq;
	uintptr_t rec;		/* the record: an intent when bit 0 is set, else an exchange */
};

static uint64_t tag_key(unsigned step, unsigned traffic, bool probe)
{
	return (uint64_t)step << 32 | (uint64_t)traffic << 1 | probe;
}

static struct vtag make_tag(const struct reqid *id, const void *rec, bool intent)
{
	return (struct vtag){ tag_key(id->step, id->traffic, id->probe), id->round, id->seq,
			      (uintptr_t)rec | intent };
}

static const struct obs_exchange *tag_ex(const struct vtag *g)
{
	return g->rec & 1 ? NULL : (const struct obs_exchange *)g->rec;
}

static const struct obs_intent *tag_in(const struct vtag *g)
{
	return g->rec & 1 ? (const struct obs_intent *)(g->rec & ~(uintptr_t)1) : NULL;
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

/* Merges the sorted a[0..na) and b[0..nb) into out. */
static void merge_tags(struct vtag *out, const struct vtag *a, size_t na, const struct vtag *b, size_t nb)
{
	size_t i = 0, j = 0;

	while (i < na && j < nb)
		*out++ = tag_cmp(&a[i], &b[j]) <= 0 ? a[i++] : b[j++];
	memcpy(out, a + i, (na - i) * sizeof(*a));
	memcpy(out + (na - i), b + j, (nb - j) * sizeof(*b));
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int vindex_runs(const struct obs_set *obs, char ***runs)
{
	size_t total = obs->n_ex + obs->n_intents, n = 0;
	char **v = calloc(total + 1, sizeof(*v));
	struct reqid id;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < total; i++) {
		const char *rid = i < obs->n_ex ? obs->ex[i].request_id :
			obs->intents[i - obs->n_ex].request_id;
		size_t j;

		if (reqid_parse(rid, &id))
			continue;
		for (j = 0; j < n && strcmp(v[j], id.run); j++)
			;
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

int vindex_build(struct vindex *ix, const struct obs_set *obs, const struct inventory *inv,
		 const char *run, const char *const *proxy_comms)
{
	size_t cap = obs->n_ex + obs->n_intents;
	struct reqid id;

	memset(ix, 0, sizeof(*ix));
	ix->obs = obs;
	ix->inv = inv;
	ix->proxy_comms = proxy_comms ? proxy_comms : default_proxy_comms;
	size_t n_ex;
	struct vtag *tmp;

	snprintf(ix->run, sizeof(ix->run), "%s", run);
	ix->tags = calloc(cap + 1, sizeof(*ix->tags));
	tmp = calloc(cap + 1, sizeof(*tmp));
	if (!ix->tags || !tmp) {
		free(tmp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < obs->n_ex; i++)
		if (!reqid_parse(obs->ex[i].request_id, &id) && !strcmp(id.run, run))
			tmp[ix->n++] = make_tag(&id, &obs->ex[i], false);
	n_ex = ix->n;
	for (size_t i = 0; i < obs->n_intents; i++)
		if (!reqid_parse(obs->intents[i].request_id, &id) && !strcmp(id.run, run))
			tmp[ix->n++] = make_tag(&id, &obs->intents[i], true);
	/*
	 * Exchanges and intents each come mostly in request order already (the
	 * driver numbers requests as it sends them): each part is sorted only
	 * when it is not, then the two are merged.
	 */
	sort_tags(tmp, n_ex);
	sort_tags(tmp + n_ex, ix->n - n_ex);
	merge_tags(ix->tags, tmp, n_ex, tmp + n_ex, ix->n - n_ex);
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

/* The learn-layer5 relay request: POST /call, which the driver sends to the source pod. */
static bool is_relay(const struct obs_exchange *e)
{
	return !strcmp(e->method, "POST") && !strncmp(e->path, "/call", 5) &&
	       (e->path[5] == '\0' || e->path[5] == '?');
}

static void add_exchange(const struct vindex *ix, const struct sc_traffic *t, struct vreq *r,
			 const struct obs_exchange *e, const struct obs_exchange **pods, size_t max_pods)
{
	if (vindex_is_mesh(ix, e))
		return;
	if (at_pod(e->ns, e->pod, t)) {
		/*
		 * Through /call the source pod sees the relay twice (the driver's
		 * request and the app serving it) besides the app's own request to
		 * the destination, which is the one that counts.
		 */
		if (t->via == SC_VIA_CALL && is_relay(e)) {
			if (e->role == OBS_ROLE_SERVER && !r->relay)
				r->relay = e;
		} else if (e->role == OBS_ROLE_CLIENT && !r->client) {
			r->client = e;
		}
		return;
	}
	if (e->role != OBS_ROLE_SERVER)
		return;
	if (!*e->pod) {
		/*
		 * No pod: the kernel's record of the connection's opening was lost
		 * (or the process is in no pod of the inventory), so neither the
		 * process nor whether it is the mesh is known. It proves nothing
		 * about where the request was served.
		 */
		if (!r->unattributed)
			r->unattributed = e;
		return;
	}
	if (!r->served)
		r->served = e;
	for (size_t i = 0; i < r->served_pods && i < max_pods; i++)
		if (!strcmp(pods[i]->ns, e->ns) && !strcmp(pods[i]->pod, e->pod))
			return;
	if (r->served_pods < max_pods)
		pods[r->served_pods] = e;
	r->served_pods++;
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
 */
static void attribute_connect_errors(const struct vindex *ix, const struct sc_traffic *t,
				     struct vreq *r, size_t n)
{
	const struct obs_set *obs = ix->obs;
	char addr[80];
	bool *used = calloc(obs->n_conns + 1, sizeof(*used));

	if (!used)
		return;
	service_addr(ix, t, addr, sizeof(addr));
	for (size_t i = 0; i < n; i++) {
		if (r[i].client || !r[i].t0)
			continue;
		for (size_t j = 0; j < obs->n_conns; j++) {
			const struct obs_conn *c = &obs->conns[j];

			if (used[j] || !*c->connect_error || c->role != OBS_ROLE_CLIENT ||
			    !at_pod(c->ns, c->pod, t) || (*addr && strcmp(c->peer, addr)) ||
			    c->open_ns < r[i].t0 || c->open_ns > r[i].t1)
				continue;
			used[j] = true;
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
	free(used);
}

int vindex_requests(const struct vindex *ix, unsigned step, const struct sc_traffic *t,
		    bool probes, struct vreq **out)
{
	uint64_t key = tag_key(step, t->index, probes);
	size_t lo = 0, hi = ix->n, n = 0, cap = 0;
	struct vreq *r = NULL;

	/* Lower bound of (step, traffic, probe) in the sorted tags. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->tags[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < ix->n && ix->tags[i].key == key; ) {
		const struct obs_exchange *pods[8];
		struct vreq *q;

		if (array_reserve(&r, &cap, n, sizeof(*r), 64)) {
			free(r);
			return -ENOMEM;
		}
		q = &r[n++];
		memset(q, 0, sizeof(*q));
		snprintf(q->id.run, sizeof(q->id.run), "%s", ix->run);
		q->id.step = step;
		q->id.traffic = t->index;
		q->id.probe = probes;
		q->id.round = ix->tags[i].round;
		q->id.seq = ix->tags[i].seq;
		for (; i < ix->n && ix->tags[i].key == key && ix->tags[i].round == q->id.round &&
		       ix->tags[i].seq == q->id.seq; i++) {
			const struct vtag *g = &ix->tags[i];

			if (tag_in(g)) {
				if (!q->intent)
					q->intent = tag_in(g);
				q->request_id = tag_in(g)->request_id;
			} else {
				q->request_id = tag_ex(g)->request_id;
				add_exchange(ix, t, q, tag_ex(g), pods, 8);
			}
		}
		classify(q);
		set_window(q);
	}
	attribute_connect_errors(ix, t, r, n);
	*out = r;
	return (int)n;
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
	memset(ix, 0, sizeof(*ix));
}
