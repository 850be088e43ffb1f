/* observed.c - see observed.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/observed.h"
#include "records/inventory.h"
#include "stats/quantile.h"
#include "util/array.h"
#include "util/u64.h"

int mx_obs_open(const char *path, struct obs_set **out)
{
	struct obs_set *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	r = obs_read(s, path);
	if (r) {
		mx_obs_close(s);
		return r;
	}
	*out = s;
	return 0;
}

void mx_obs_close(struct obs_set *s)
{
	if (!s)
		return;
	obs_free(s);
	free(s);
}

struct obs_counters mx_obs_counters(const struct obs_set *s)
{
	struct obs_counters none = { 0 };

	return s->n_stats ? s->stats[s->n_stats - 1] : none;
}

/* A duration; a record whose end precedes its start (never written so) counts as 0. */
static uint64_t duration(const struct obs_exchange *x)
{
	return x->end_ns > x->start_ns ? x->end_ns - x->start_ns : 0;
}

int u64vec_push(struct u64vec *a, uint64_t x)
{
	if (array_reserve(&a->v, &a->cap, a->n, sizeof(*a->v), 64))
		return -ENOMEM;
	a->v[a->n++] = x;
	return 0;
}

static int push_str(char ***list, size_t *n, const char *s)
{
	void *p = realloc(*list, (*n + 1) * sizeof(**list));

	if (!p)
		return -ENOMEM;
	*list = p;
	if (!((*list)[*n] = strdup(s)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

int mx_meshinfo_add_pod(struct mx_meshinfo *m, const char *pod)
{
	return push_str(&m->pods, &m->npods, pod);
}

void mx_meshinfo_release(struct mx_meshinfo *m)
{
	for (size_t i = 0; i < m->npods; i++)
		free(m->pods[i]);
	for (size_t i = 0; i < m->nips; i++)
		free(m->ips[i]);
	free(m->pods);
	free(m->ips);
	memset(m, 0, sizeof(*m));
}

int mx_meshinfo_from_inventory(struct mx_meshinfo *m, const char *path, char *err, size_t errlen)
{
	struct inventory *inv;
	int r = inventory_read(path, &inv, err, errlen);

	if (r || !*inv->mesh_pod) {
		inventory_free(inv);
		return r;
	}
	r = mx_meshinfo_add_pod(m, inv->mesh_pod);
	for (size_t i = 0; !r && i < inv->npods; i++)
		if (*inv->pods[i].ip && !strcmp(inv->pods[i].ref, inv->mesh_pod))
			r = push_str(&m->ips, &m->nips, inv->pods[i].ip);
	/* With a mesh in the inventory, service names resolve to its listener. */
	for (size_t i = 0; !r && i < inv->nservices; i++)
		if (*inv->services[i].ip)
			r = push_str(&m->ips, &m->nips, inv->services[i].ip);
	inventory_free(inv);
	return r;
}

void mx_observed_free(struct mx_observed *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		struct mx_obs_edge *e = &o->edges[i];
		struct u64vec *vecs[] = { &e->side, &e->lo, &e->hi, &e->e_side, &e->e_lo, &e->e_hi };

		for (size_t j = 0; j < sizeof(vecs) / sizeof(vecs[0]); j++)
			free(vecs[j]->v);
	}
	free(o->edges);
	free(o);
}

static bool is_mesh_pod(const struct mx_meshinfo *m, const char *ns, const char *pod)
{
	char key[512];

	if (!m || !*pod)
		return false;
	snprintf(key, sizeof(key), "%s/%s", ns, pod);
	for (size_t i = 0; i < m->npods; i++)
		if (!strcmp(m->pods[i], key))
			return true;
	return false;
}

static bool is_mesh_peer_pod(const struct mx_meshinfo *m, const char *peer_pod)
{
	if (!m)
		return false;
	for (size_t i = 0; i < m->npods; i++)
		if (!strcmp(m->pods[i], peer_pod))
			return true;
	return false;
}

static bool peer_is_mesh(const struct mx_meshinfo *m, const struct obs_exchange *x)
{
	size_t iplen;

	if (is_mesh_peer_pod(m, x->peer_pod))
		return true;
	iplen = strrchr(x->peer, ':') ? (size_t)(strrchr(x->peer, ':') - x->peer) : strlen(x->peer);
	for (size_t i = 0; m && i < m->nips; i++)
		if (strlen(m->ips[i]) == iplen && !strncmp(m->ips[i], x->peer, iplen))
			return true;
	return false;
}

/* --- pairing client and server exchanges of one request ------------------ */

struct pairing {
	const struct obs_set *obs;
	long *partner;		/* index of the exchange at the other end, -1 when unknown */
	const bool *skip;
	const uint64_t *request_of;	/* mx_obs_params.request_of */
};

static bool followed(const struct pairing *pr, size_t i)
{
	return pr->request_of && pr->request_of[2 * i];
}

/*
 * The same group: the entry the caller followed the exchange to (its
 * request is told apart within the group), else the same request id.
 */
static int cmp_request(const struct pairing *pr, size_t i, size_t j)
{
	bool fi = followed(pr, i), fj = followed(pr, j);

	if (fi != fj)
		return fi ? -1 : 1;
	if (fi)
		return pr->request_of[2 * i] < pr->request_of[2 * j] ? -1 : pr->request_of[2 * i] > pr->request_of[2 * j];
	return strcmp(pr->obs->ex[i].request_id, pr->obs->ex[j].request_id);
}

/*
 * Whether client exchange j may be the client side of server exchange i in
 * their group: the same request, or any of the entry's when i is known to
 * be one of them only.
 */
static bool may_pair(const struct pairing *pr, size_t i, size_t j)
{
	if (!followed(pr, i))
		return true;	/* grouped by request id already */
	return pr->request_of[2 * i + 1] == MX_ANY_REQUEST || pr->request_of[2 * i + 1] == pr->request_of[2 * j + 1];
}

static uint64_t span_of(const struct obs_exchange *e)
{
	return e->end_ns > e->start_ns ? e->end_ns - e->start_ns : 0;
}

static int cmp_by_request(const void *a, const void *b, void *arg)
{
	const struct pairing *pr = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct obs_exchange *x = &pr->obs->ex[i], *y = &pr->obs->ex[j];
	int c = cmp_request(pr, i, j);

	return c ? c : x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static bool same_observer(const struct obs_exchange *a, const struct obs_exchange *b)
{
	return !strcmp(a->ns, b->ns) && !strcmp(a->pod, b->pod) && a->pod[0];
}

/*
 * Within one request, a server exchange belongs to the client exchange of
 * another pod that encloses it in time most tightly: along a chain
 * driver -> a -> (mesh) -> b, b's server side is enclosed both by a's call
 * and by the driver's request, and a's call is the one that started last.
 * A server exchange known only as one of an entry's requests takes the
 * longest of the entry's client exchanges that enclose it: its own client
 * encloses it too, so the client's view it gives is never below the true
 * one (a looser bound on latency, never a false one).
 */
static void pair_group(struct pairing *pr, const size_t *idx, size_t n)
{
	const struct obs_exchange *ex = pr->obs->ex;

	for (size_t i = 0; i < n; i++) {
		const struct obs_exchange *s = &ex[idx[i]];
		bool any = followed(pr, idx[i]) && pr->request_of[2 * idx[i] + 1] == MX_ANY_REQUEST;
		long best = -1;

		if (s->role != OBS_ROLE_SERVER || pr->skip[idx[i]])
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct obs_exchange *c = &ex[idx[j]];

			if (c->role != OBS_ROLE_CLIENT || pr->skip[idx[j]] || same_observer(c, s) ||
			    c->start_ns > s->start_ns || c->end_ns < s->end_ns || !may_pair(pr, idx[i], idx[j]))
				continue;
			if (best < 0 || (any ? span_of(c) > span_of(&ex[best]) : c->start_ns > ex[best].start_ns))
				best = (long)idx[j];
		}
		if (best < 0)
			continue;
		pr->partner[idx[i]] = best;
		/* A client whose request was retried encloses several servers: keep the last. */
		if (pr->partner[best] < 0 || ex[pr->partner[best]].start_ns < s->start_ns)
			pr->partner[best] = (long)idx[i];
	}
}

static int pair_exchanges(struct pairing *pr)
{
	const struct obs_set *obs = pr->obs;
	size_t *idx, n = 0;

	for (size_t i = 0; i < obs->n_ex; i++)
		pr->partner[i] = -1;
	idx = malloc((obs->n_ex ? obs->n_ex : 1) * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < obs->n_ex; i++)
		if ((obs->ex[i].request_id[0] || followed(pr, i)) && !pr->skip[i])
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_by_request, pr);
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n && !cmp_request(pr, idx[a], idx[b]); b++)
			;
		if (b - a > 1)
			pair_group(pr, idx + a, b - a);
	}
	free(idx);
	return 0;
}

/* --- naming the ends ------------------------------------------------------ */

static void unknown_end(struct mx_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->name, "?");
}

/* Names a pod end (ns, pod, sa known) by kind. */
static void name_pod_end(enum ep_kind kind, const char *ns, const char *pod, const char *sa,
			 struct mx_endpoint *e)
{
	const char *name = kind == EP_SERVICE_ACCOUNT ? sa : pod;

	memset(e, 0, sizeof(*e));
	if (!*name) {
		strcpy(e->name, "?");
		return;
	}
	snprintf(e->ns, sizeof(e->ns), "%s", ns);
	if (kind == EP_NAMESPACE)
		strcpy(e->name, "*");
	else if (kind == EP_WORKLOAD)
		mx_workload_of_pod(pod, e->name, sizeof(e->name));
	else
		snprintf(e->name, sizeof(e->name), "%s", name);
}

/* The far end when only the inventory's name of the peer address is known. */
static void name_peer_pod(enum ep_kind kind, const struct obs_exchange *x,
			  const struct mx_meshinfo *mesh, struct mx_endpoint *e)
{
	const char *slash = strchr(x->peer_pod, '/');
	char ns[64];

	if (!slash || is_mesh_peer_pod(mesh, x->peer_pod) || kind == EP_SERVICE_ACCOUNT) {
		unknown_end(e);
		return;
	}
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - x->peer_pod), x->peer_pod);
	name_pod_end(kind, ns, slash + 1, "", e);
}

static void name_end(enum ep_kind kind, const struct obs_exchange *at, const struct obs_exchange *client,
		     struct mx_endpoint *e)
{
	if (kind == EP_SERVICE) {
		mx_service_of_host(client ? client->host : at->host, e);
		if (!e->ns[0] && client)	/* a short name resolves in the caller's namespace */
			snprintf(e->ns, sizeof(e->ns), "%s", client->ns);
		return;
	}
	name_pod_end(kind, at->ns, at->pod, at->sa, e);
}

/* --- aggregation ------------------------------------------------------------ */

static struct mx_obs_edge *edge_for(struct mx_observed *o, const struct mx_endpoint *src,
				    const struct mx_endpoint *dst, size_t *cap)
{
	for (size_t i = 0; i < o->n; i++)
		if (mx_endpoint_eq(&o->edges[i].src, src) && mx_endpoint_eq(&o->edges[i].dst, dst))
			return &o->edges[i];
	if (array_reserve(&o->edges, cap, o->n, sizeof(*o->edges), 16))
		return NULL;
	memset(&o->edges[o->n], 0, sizeof(o->edges[0]));
	o->edges[o->n].src = *src;
	o->edges[o->n].dst = *dst;
	return &o->edges[o->n++];
}

enum place { INSIDE, STRADDLING, OUTSIDE };

static enum place place_in(const struct mx_window *w, const struct obs_exchange *x, uint64_t start,
			   uint64_t end)
{
	/* Capture stopped while the exchange was open: it may have ended after the window. */
	bool open_end = !strcmp(x->incomplete, "capture-ended");

	if (!w->set)
		return open_end ? STRADDLING : INSIDE;
	if (end < w->start_ns || start > w->end_ns)
		return OUTSIDE;
	if (start >= w->start_ns && end <= w->end_ns && !open_end)
		return INSIDE;
	return STRADDLING;
}

static bool damaged(const struct obs_exchange *x)
{
	return !strcmp(x->incomplete, "gap") || !strcmp(x->incomplete, "unparsed");
}

static int add_durations(struct mx_obs_edge *e, bool inside, uint64_t side, uint64_t lo, uint64_t hi)
{
	if (inside)
		return u64vec_push(&e->side, side) || u64vec_push(&e->lo, lo) || u64vec_push(&e->hi, hi)
			? -ENOMEM : 0;
	return u64vec_push(&e->e_side, side) || u64vec_push(&e->e_lo, lo) || u64vec_push(&e->e_hi, hi)
		? -ENOMEM : 0;
}

/* Counts exchange x (observed at the side the mesh measures) with partner p (or NULL). */
static int count_one(struct mx_observed *o, size_t *cap, const struct mx_obs_params *prm,
		     const struct obs_exchange *x, const struct obs_exchange *p)
{
	const struct obs_exchange *client = x->role == OBS_ROLE_CLIENT ? x : p;
	const struct obs_exchange *server = x->role == OBS_ROLE_SERVER ? x : p;
	const struct obs_exchange *outer = client ? client : x;
	struct mx_endpoint src, dst;
	struct mx_obs_edge *e;
	enum place where;
	bool counted, fail;

	if (client)
		name_end(prm->view.src->kind, client, client, &src);
	else
		name_peer_pod(prm->view.src->kind, x, prm->mesh, &src);
	if (server)
		name_end(prm->view.dst->kind, server, client, &dst);
	else if (prm->view.dst->kind == EP_SERVICE)
		name_end(EP_SERVICE, x, client, &dst);
	else
		name_peer_pod(prm->view.dst->kind, x, prm->mesh, &dst);
	mx_project(prm->view.src, &src);
	mx_project(prm->view.dst, &dst);
	where = place_in(&prm->window, x, outer->start_ns, outer->end_ns);
	if (where == OUTSIDE) {
		o->outside++;
		return 0;
	}
	e = edge_for(o, &src, &dst, cap);
	if (!e)
		return -ENOMEM;
	if (damaged(x)) {
		e->damaged++;
		return 0;
	}
	fail = outcome_is_failure(prm->outcome, x->status, &counted);
	if (!counted) {
		e->ignored++;
		return 0;
	}
	if (where == INSIDE)
		*(fail ? &e->fail : &e->ok) += 1;
	else
		*(fail ? &e->fail_edge : &e->ok_edge) += 1;
	if (!x->status)
		return 0;	/* no response: no latency */
	/*
	 * A mesh on the path handles the request after the client sent it and
	 * before the server read it, and the response after the server wrote it
	 * and before the client read it: server view <= mesh <= client view.
	 * Without one of the two, that bound is unknown (a request can wait in
	 * the server's accept queue for any time the server never sees).
	 */
	e->no_server += !server;
	e->no_client += !client;
	return add_durations(e, where == INSIDE, duration(x), server ? duration(server) : MX_UNKNOWN_LO,
			     client ? duration(client) : MX_UNKNOWN_HI);
}

static void sort_durations(struct mx_observed *o)
{
	for (size_t i = 0; i < o->n; i++) {
		struct mx_obs_edge *e = &o->edges[i];

		u64_sort(e->side.v, e->side.n);
		u64_sort(e->lo.v, e->lo.n);
		u64_sort(e->hi.v, e->hi.n);
		u64_sort(e->e_side.v, e->e_side.n);
		u64_sort(e->e_lo.v, e->e_lo.n);
		u64_sort(e->e_hi.v, e->e_hi.n);
	}
	o->sorted = true;
}

int mx_observe(const struct obs_set *obs, const struct mx_obs_params *prm, struct mx_observed **out)
{
	enum obs_role side = prm->view.server_side ? OBS_ROLE_SERVER : OBS_ROLE_CLIENT;
	struct pairing pr = { .obs = obs, .request_of = prm->request_of };
	struct mx_observed *o = calloc(1, sizeof(*o));
	bool *skip = calloc(obs->n_ex ? obs->n_ex : 1, sizeof(*skip));
	size_t cap = 0;
	int r = -ENOMEM;

	pr.partner = malloc((obs->n_ex ? obs->n_ex : 1) * sizeof(*pr.partner));
	if (!o || !skip || !pr.partner)
		goto out;
	o->mesh_unknown = prm->standalone_proxy && (!prm->mesh || (!prm->mesh->npods && !prm->mesh->nips));
	for (size_t i = 0; i < obs->n_ex; i++) {
		skip[i] = is_mesh_pod(prm->mesh, obs->ex[i].ns, obs->ex[i].pod);
		o->at_mesh += skip[i];
	}
	pr.skip = skip;
	if ((r = pair_exchanges(&pr)))
		goto out;
	for (size_t i = 0; i < obs->n_ex && !r; i++) {
		const struct obs_exchange *x = &obs->ex[i];

		if (skip[i] || x->role != side)
			continue;
		if (prm->standalone_proxy && !o->mesh_unknown && !peer_is_mesh(prm->mesh, x)) {
			o->not_via_mesh++;
			continue;
		}
		r = count_one(o, &cap, prm, x, pr.partner[i] >= 0 ? &obs->ex[pr.partner[i]] : NULL);
	}
	if (!r)
		sort_durations(o);
out:
	free(skip);
	free(pr.partner);
	if (r) {
		mx_observed_free(o);
		return r;
	}
	*out = o;
	return 0;
}
