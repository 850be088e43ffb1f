/* account.c - see account.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "verify/account.h"

/*
 * After its last answer a step keeps what begins within this time: what a
 * mesh sends late (a delayed copy) still belongs to it. Between steps the
 * earlier one keeps everything until the next begins.
 */
#define SETTLE_NS 2000000000ULL

const char *const xclass_names[XC_COUNT] = {
	"joined", "followed", "probe", "relay", "mesh", "scrape", "background", "unexplained"
};

/* The port of an address "ip:port" / "[v6]:port" (0 when none). */
static unsigned addr_port(const char *addr)
{
	const char *colon = strrchr(addr, ':');

	return colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
}

/*
 * Whether e is a request for the metrics URL: its path, on its port (the
 * exchange's local port when served, its peer's when made).
 */
static bool scrape_of(const char *url, const struct obs_exchange *e)
{
	const char *p = url ? strstr(url, "://") : NULL, *path, *colon;
	unsigned port;

	if (!p || !(path = strchr(p + 3, '/')) || strcmp(path, e->path))
		return false;
	colon = memchr(p + 3, ':', (size_t)(path - (p + 3)));
	if (colon && *(p + 3) != '[')
		port = (unsigned)strtoul(colon + 1, NULL, 10);
	else if ((colon = memchr(p + 3, ']', (size_t)(path - (p + 3)))) && colon[1] == ':')
		port = (unsigned)strtoul(colon + 2, NULL, 10);
	else
		port = !strncmp(url, "https", 5) ? 443 : 80;
	return addr_port(e->role == OBS_ROLE_SERVER ? e->local : e->peer) == port;
}

static bool at_mesh_pod(const struct inventory *inv, const struct obs_exchange *e)
{
	size_t nl = strlen(e->ns);

	return inv && *inv->mesh_pod && *e->pod && !strncmp(inv->mesh_pod, e->ns, nl) && inv->mesh_pod[nl] == '/' &&
	       !strcmp(inv->mesh_pod + nl + 1, e->pod);
}

/*
 * The runner's scrape of the mesh's metrics: a GET of the scrape URL's path
 * in the mesh pod (or by a proxy), served there or passed on inside it (a
 * process of the mesh pod relaying the scrape to the proxy).
 */
static bool is_scrape(const struct accounting *a, const struct obs_exchange *e, bool mesh)
{
	const char *url = a->inv ? a->inv->mesh_metrics_url : NULL;

	if (strcmp(e->method, "GET") || (!mesh && !at_mesh_pod(a->inv, e)))
		return false;
	if (scrape_of(url, e))
		return true;
	for (size_t i = 0; i < a->sc->n_steps; i++) {
		const struct sc_metrics *m = &a->sc->steps[i].metrics;

		if (m->enabled && scrape_of(m->scrape, e))
			return true;
	}
	return false;
}

/* The traffic entry an attribution names, or NULL (a step or entry the scenario lacks). */
static const struct sc_traffic *entry_of(const struct scenario *sc, const struct vattr *at, unsigned *step)
{
	size_t s = at->key >> 32, t = (at->key & 0xffffffff) >> 1;

	if (!s || s > sc->n_steps || !t || t > sc->steps[s - 1].n_traffic)
		return NULL;
	*step = (unsigned)s;
	return &sc->steps[s - 1].traffic[t - 1];
}

/* The step of an attribution to probes of several of its entries (traffic 0), or 0. */
static unsigned probes_step(const struct scenario *sc, const struct vattr *at)
{
	size_t s = at->key >> 32;

	return s && s <= sc->n_steps && !(at->key & 0xfffffffe) ? (unsigned)s : 0;
}

static enum xclass tied_class(const struct vattr *at, const struct sc_traffic *t, const struct obs_exchange *e,
			      bool mesh)
{
	if (at->key & 1)
		return XC_PROBE;
	if (t->via == SC_VIA_CALL && vindex_is_relay(e) && !strcmp(e->ns, t->from_ns) && !strcmp(e->pod, t->from))
		return XC_RELAY;
	if (mesh)
		return XC_MESH;
	return at->how == VL_ID ? XC_JOINED : XC_FOLLOWED;
}

struct span {
	uint64_t start, end;
	unsigned step;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->step < y->step ? -1 : x->step > y->step;
}

/* Windows: each step from its first record to the next step's first; the last until SETTLE_NS after its end. */
static int windows(struct accounting *a, struct span **out, size_t *n_out)
{
	size_t n_steps = a->sc->n_steps, n = 0;
	uint64_t *end = calloc(n_steps + 1, sizeof(*end));
	struct span *sp = calloc(n_steps + 1, sizeof(*sp));

	*out = sp;
	if (!end || !sp) {
		free(end);
		return -ENOMEM;
	}
	vindex_step_spans(a->ix, n_steps, a->start, end);
	for (size_t i = 0; i < n_steps; i++)
		if (a->start[i])
			sp[n++] = (struct span){ a->start[i], end[i], (unsigned)i + 1 };
	qsort(sp, n, sizeof(*sp), span_cmp);
	for (size_t i = 0; i < n; i++) {
		sp[i].end = i + 1 < n ? sp[i + 1].start : sp[i].end + SETTLE_NS;
		a->end[sp[i].step - 1] = sp[i].end;
	}
	free(end);
	*n_out = n;
	return 0;
}

static unsigned window_of(const struct span *sp, size_t n, uint64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sp[mid].start <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && t < sp[lo - 1].end ? sp[lo - 1].step : 0;
}

static enum xclass untied_class(const struct accounting *a, unsigned step, const struct obs_exchange *e, bool mesh)
{
	if (is_scrape(a, e, mesh))
		return XC_SCRAPE;
	if (sc_step_background(a->sc, &a->sc->steps[step - 1], a->inv, e->ns, e->pod, e->role == OBS_ROLE_SERVER,
			       e->method, e->path))
		return XC_BACKGROUND;
	return XC_UNEXPLAINED;
}

/* Counting sort of the exchanges by step, so that a step's are found without a pass over all. */
static int group(struct accounting *a)
{
	const struct obs_set *obs = a->ix->obs;
	size_t n_steps = a->sc->n_steps, *next;

	a->first = calloc(n_steps + 2, sizeof(*a->first));
	a->order = array_calloc(obs->n_ex + 1, sizeof(*a->order));
	next = calloc(n_steps + 2, sizeof(*next));
	if (!a->first || !a->order || !next) {
		free(next);
		return -ENOMEM;
	}
	for (size_t i = 0; i < obs->n_ex; i++)
		if (a->step_of[i])
			a->first[a->step_of[i]]++;
	for (size_t s = 1; s <= n_steps; s++)
		a->first[s] += a->first[s - 1];
	memcpy(next, a->first, (n_steps + 1) * sizeof(*next));
	for (size_t i = 0; i < obs->n_ex; i++)
		if (a->step_of[i])
			a->order[next[a->step_of[i] - 1]++] = (uint32_t)i;
	free(next);
	return 0;
}

int account_build(struct accounting *a, const struct vindex *ix, const struct scenario *sc,
		  const struct inventory *inv)
{
	const struct obs_set *obs = ix->obs;
	struct span *sp = NULL;
	size_t n_sp = 0;

	memset(a, 0, sizeof(*a));
	a->ix = ix;
	a->sc = sc;
	a->inv = inv;
	a->step_of = array_calloc(obs->n_ex + 1, sizeof(*a->step_of));
	a->cls = array_calloc(obs->n_ex + 1, sizeof(*a->cls));
	a->start = calloc(sc->n_steps + 1, sizeof(*a->start));
	a->end = calloc(sc->n_steps + 1, sizeof(*a->end));
	if (!a->step_of || !a->cls || !a->start || !a->end || windows(a, &sp, &n_sp)) {
		free(sp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < obs->n_ex; i++) {
		const struct obs_exchange *e = &obs->ex[i];
		const struct vattr *at = &ix->attr[i];
		const struct sc_traffic *t = NULL;
		unsigned step = 0;

		if (at->how != VL_NONE && (t = entry_of(sc, at, &step))) {
			a->step_of[i] = step;
			a->cls[i] = tied_class(at, t, e, ix->mesh[i]);
		} else if (at->how != VL_NONE && (at->key & 1) && (step = probes_step(sc, at))) {
			a->step_of[i] = step;	/* one of several entries' probes (VO_PROBES) */
			a->cls[i] = XC_PROBE;
		} else if ((step = window_of(sp, n_sp, e->start_ns))) {
			a->step_of[i] = step;
			a->cls[i] = untied_class(a, step, e, ix->mesh[i]);
		} else {
			a->outside++;
		}
	}
	free(sp);
	return group(a);
}

static json_t *exchange_json(const struct check_ctx *c, const struct obs_exchange *e)
{
	char when[40], pod[160];

	evidence_time(c->obs, e->start_ns, when, sizeof(when));
	snprintf(pod, sizeof(pod), "%s%s%s", e->ns, *e->ns ? "/" : "", e->pod);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "pod", pod,
		"role", e->role == OBS_ROLE_SERVER ? "server" : e->role == OBS_ROLE_CLIENT ? "client" : "unknown",
		"comm", e->comm, "time", when, "method", e->method, "path", e->path, "status", e->status,
		"request_id", e->request_id, "conn", e->conn, "local", e->local, "peer", e->peer);
}

/* "default/app-b server GET /echo at TIME, conn C, peer P" */
static void exchange_text(const struct check_ctx *c, const struct obs_exchange *e, char *buf, size_t len)
{
	char when[40];

	evidence_time(c->obs, e->start_ns, when, sizeof(when));
	snprintf(buf, len, "%s%s%s %s %s %s at %s, conn %s, peer %s", e->ns, *e->ns ? "/" : "",
		 *e->pod ? e->pod : "(unknown pod)", e->role == OBS_ROLE_SERVER ? "server" : "client", e->method,
		 e->path, when, e->conn, e->peer);
}

json_t *account_step_json(const struct accounting *a, const struct check_ctx *c, const struct sc_step *st)
{
	const struct obs_set *obs = a->ix->obs;
	size_t count[XC_COUNT] = { 0 }, total = 0, removed = 0, rewritten = 0;
	json_t *o, *list = evidence_list();
	char start[40] = "", end[40] = "";

	for (size_t j = a->first[st->index - 1]; j < a->first[st->index]; j++) {
		size_t i = a->order[j];

		total++;
		count[a->cls[i]]++;
		if (a->cls[i] == XC_FOLLOWED) {
			removed += a->ix->attr[i].id == VID_NONE;
			rewritten += a->ix->attr[i].id != VID_NONE;
		} else if (a->cls[i] == XC_UNEXPLAINED) {
			evidence_list_add(list, exchange_json(c, &obs->ex[i]));
		}
	}
	if (a->start[st->index - 1]) {
		evidence_time(obs, a->start[st->index - 1], start, sizeof(start));
		evidence_time(obs, a->end[st->index - 1], end, sizeof(end));
	}
	o = json_pack("{s:s, s:s, s:I}", "start", start, "end", end, "exchanges", (json_int_t)total);
	for (int k = 0; k < XC_COUNT; k++)
		json_object_set_new(o, xclass_names[k], json_integer((json_int_t)count[k]));
	json_object_set_new(o, "ids_removed", json_integer((json_int_t)removed));
	json_object_set_new(o, "ids_rewritten", json_integer((json_int_t)rewritten));
	json_object_set_new(o, "unexplained_exchanges", list);
	return o;
}

static bool pod_of(const struct check_ctx *c, const struct sc_traffic *t, const char *svc, const struct obs_exchange *e)
{
	const struct inv_service *s = inventory_service(c->inv, t->to_ns, svc);

	return s && inv_service_has_pod(s, e->ns, e->pod);
}

/* Whether e is at a backend of x: with weight > 0 (positive) or of weight 0. */
static bool at_backend(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		       const struct obs_exchange *e, bool positive)
{
	for (size_t i = 0; x && x->split != SC_SPLIT_NONE && i < x->n_shares; i++)
		if ((x->shares[i].weight > 0) == positive && pod_of(c, t, x->shares[i].service, e))
			return true;
	return false;
}

static bool in_window(uint64_t t0, uint64_t t1, const struct obs_exchange *e)
{
	return t0 && e->start_ns >= t0 && e->start_ns <= t1;
}

static bool same_request(const struct sc_traffic *t, const struct obs_exchange *e)
{
	return !strcmp(t->method, e->method) && !strcmp(t->path, e->path);
}

/*
 * Whether another entry of the step, running when e began, may send the
 * same request to e's pod: then e may be that entry's, and is no proof
 * against entry k.
 */
static bool other_may_send(const struct check_ctx *c, const struct sc_step *st, size_t k,
			   const struct sc_expect *const *xs, const uint64_t *t0s, const uint64_t *t1s,
			   const struct obs_exchange *e)
{
	for (size_t j = 0; j < st->n_traffic; j++) {
		const struct sc_traffic *u = &st->traffic[j];

		if (j == k || !in_window(t0s[j], t1s[j], e) || !same_request(u, e))
			continue;
		if (!xs[j] || xs[j]->access != SC_ACCESS_DENY)
			if (pod_of(c, u, u->to, e) || at_backend(c, u, xs[j], e, true))
				return true;
	}
	return false;
}

static bool in_other_window(const struct sc_step *st, size_t k, const uint64_t *t0s, const uint64_t *t1s,
			    const struct obs_exchange *e)
{
	for (size_t j = 0; j < st->n_traffic; j++)
		if (j != k && in_window(t0s[j], t1s[j], e))
			return true;
	return false;
}

/*
 * Whether the entry's requests, and any copy of them, may be served at a pod
 * (at the destination of an allowed entry, at a backend of weight > 0 of a
 * split): an exchange there that nothing explains cannot turn a PASS into
 * anything else, whoever sent it (a PASS needs every request served where
 * it may be; a copy there is listed, never judged).
 */
static bool may_serve(const struct sc_expect *x, bool dest, bool pos)
{
	if (!x)
		return false;
	if (x->split != SC_SPLIT_NONE)
		return pos;
	return x->access == SC_ACCESS_ALLOW && dest;
}

static void add_item(json_t *list, size_t *count, char *first, size_t len, const struct check_ctx *c,
		     const struct obs_exchange *e)
{
	if (!(*count)++)
		exchange_text(c, e, first, len);
	evidence_list_add(list, exchange_json(c, e));
}

void account_entry(const struct accounting *a, const struct check_ctx *c, const struct sc_step *st,
		   size_t k, const struct sc_expect *const *xs, const uint64_t *t0s, const uint64_t *t1s,
		   struct acct_entry *out)
{
	const struct obs_set *obs = a->ix->obs;
	const struct sc_traffic *t = &st->traffic[k];
	const struct sc_expect *x = xs[k];
	size_t hits = 0;

	memset(out, 0, sizeof(*out));
	out->hits = evidence_list();
	out->concerned = evidence_list();
	for (size_t j = a->first[st->index - 1]; j < a->first[st->index]; j++) {
		size_t i = a->order[j];
		const struct obs_exchange *e = &obs->ex[i];
		bool win, dest, pos, zero, src;

		if (a->cls[i] != XC_UNEXPLAINED || a->ix->mesh[i])
			continue;
		win = in_window(t0s[k], t1s[k], e);
		if (!win && in_other_window(st, k, t0s, t1s, e))
			continue;	/* while another entry's traffic ran: that entry's to answer for */
		src = !strcmp(e->ns, t->from_ns) && !strcmp(e->pod, t->from);
		if (e->role != OBS_ROLE_SERVER || !*e->pod || src) {
			/* Unknown pod, or the source itself: only what happened while the entry's traffic ran. */
			if (win && (e->role == OBS_ROLE_SERVER || src))
				add_item(out->concerned, &out->concerns, out->first_concern, sizeof(out->first_concern), c, e);
			continue;
		}
		dest = pod_of(c, t, t->to, e);
		pos = at_backend(c, t, x, e, true);
		zero = at_backend(c, t, x, e, false) && !pos;
		if (win && same_request(t, e) && (dest || pos || zero) && !may_serve(x, dest, pos)) {
			out->lost_no_id += !*e->request_id;
			out->lost_other_id += !!*e->request_id;
		}
		if (win && same_request(t, e) && x && !other_may_send(c, st, k, xs, t0s, t1s, e) &&
		    ((x->access == SC_ACCESS_DENY && dest) || (x->split != SC_SPLIT_NONE && zero))) {
			if (x->access == SC_ACCESS_DENY && dest)
				out->deny_hits++;
			else
				out->zero_hits++;
			add_item(out->hits, &hits, out->first_hit, sizeof(out->first_hit), c, e);
		} else if ((win || dest || pos || zero) && !may_serve(x, dest, pos)) {
			add_item(out->concerned, &out->concerns, out->first_concern, sizeof(out->first_concern), c, e);
		}
	}
}

static void append(struct eval *e, const char *fmt, const char *a, size_t n, const char *b)
{
	size_t used = strlen(e->reason);

	snprintf(e->reason + used, sizeof(e->reason) - used, fmt, a, n, b);
}

void account_apply(const struct acct_entry *ae, const char *kind, bool single_backend, struct eval *e)
{
	bool access = !strcmp(kind, "access");
	size_t hits = access ? ae->deny_hits : ae->zero_hits;
	bool hit_here = hits && (access || !strcmp(kind, "zero-weight") || (single_backend && !strcmp(kind, "split")));

	if (hit_here) {
		const char *what = access ? "the destination" : "a weight-0 backend";

		if (e->verdict == VERDICT_FAIL && e->misdelivered)
			append(e, "; %s received %zu more without a request id of this run (first: %s)", what, hits,
			       ae->first_hit);
		else
			eval_set(e, VERDICT_FAIL, true, "%zu request%s without a request id of this run reached %s "
				 "while this entry's traffic ran (first: %s)", hits, hits == 1 ? "" : "s", what,
				 ae->first_hit);
		e->misdelivered = true;
		json_object_set(e->evidence, "unexplained_hits", ae->hits);
	}
	if (ae->concerns) {
		json_object_set(e->evidence, "unexplained", ae->concerned);
		if (e->verdict == VERDICT_PASS)
			eval_set(e, VERDICT_INCONCLUSIVE, false, "%zu exchange%s during the step could not be tied to a "
				 "request and may be this entry's (first: %s)", ae->concerns, ae->concerns == 1 ? "" : "s",
				 ae->first_concern);
	}
}

void account_ids(const struct acct_entry *ae, const struct vreq *r, size_t n, struct acct_ids *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		out->followed += r[i].followed;
		out->removed += r[i].id_removed;
		out->rewritten += r[i].id_rewritten && !r[i].id_removed;
	}
	out->lost = ae->lost_no_id + ae->lost_other_id;
	out->removed += ae->lost_no_id;
	out->rewritten += ae->lost_other_id;
}

void account_ids_text(const struct acct_ids *ids, char *buf, size_t len)
{
	size_t n = ids->followed + ids->lost;

	buf[0] = '\0';
	if (!ids->removed && !ids->rewritten)
		return;
	if (ids->removed && ids->rewritten)
		snprintf(buf, len, "; the mesh removed X-Request-Id from %zu requests and rewrote it in %zu; followed "
			 "through the proxy: %zu of %zu", ids->removed, ids->rewritten, ids->followed, n);
	else if (ids->removed)
		snprintf(buf, len, "; the mesh removed X-Request-Id from %zu request%s; followed through the proxy: "
			 "%zu of %zu", ids->removed, ids->removed == 1 ? "" : "s", ids->followed, n);
	else
		snprintf(buf, len, "; the mesh rewrote X-Request-Id in %zu request%s; followed through the proxy: "
			 "%zu of %zu", ids->rewritten, ids->rewritten == 1 ? "" : "s", ids->followed, n);
}

json_t *account_ids_json(const struct acct_ids *ids)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "followed", (json_int_t)ids->followed,
		"removed", (json_int_t)ids->removed, "rewritten", (json_int_t)ids->rewritten,
		"not_followed", (json_int_t)ids->lost);
}

void acct_entry_free(struct acct_entry *ae)
{
	json_decref(ae->hits);
	json_decref(ae->concerned);
	ae->hits = ae->concerned = NULL;
}

void account_free(struct accounting *a)
{
	free(a->step_of);
	free(a->cls);
	free(a->start);
	free(a->end);
	free(a->order);
	free(a->first);
	memset(a, 0, sizeof(*a));
}
