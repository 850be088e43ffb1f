/* check.c - see check.h */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics/check.h"
#include "metrics/fetch.h"
#include "metrics/observed.h"
#include "metrics/profile.h"
#include "metrics/reported.h"

struct ctx {
	const struct metrics_check_req *req;
	struct obs_set *own_obs;
	const struct obs_set *obs;
	struct profile *prof;
	struct prom_scrape *own_before, *own_after;
	const struct prom_scrape *before, *after;
	json_t *tm_doc;
	struct mx_meshinfo mesh;
	struct mx_endpoint scrape_of;
	bool have_scrape_of;
	struct metrics_result *res;
	struct mx_quality q;
	char **watched;		/* "ns/pod" of every observer in the records */
	size_t nwatched;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static void note(struct metrics_result *r, const char *fmt, ...)
{
	char *s;
	void *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	p = realloc(r->notes, (r->nnotes + 1) * sizeof(*r->notes));
	if (!p) {
		free(s);
		return;
	}
	r->notes = p;
	r->notes[r->nnotes++] = s;
}

void metrics_result_free(struct metrics_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nedges; i++)
		for (int j = 0; j < r->edges[i].nchecks; j++)
			json_decref(r->edges[i].checks[j].detail);
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->edges);
	free(r);
}

/* Reads the reported side: an exposition, or (starting with '{') a TrafficMetrics document. */
static int load_reported(struct ctx *c, const char *src, struct prom_scrape **scrape, json_t **tm)
{
	json_error_t jerr;
	const char *p;
	uint64_t mono;
	size_t len;
	char *text;
	int r;

	r = fetch_document(src, &text, &len, &mono, c->err, c->errlen);
	if (r)
		return r;
	for (p = text; *p && isspace((unsigned char)*p); p++)
		;
	if (*p == '{') {
		*tm = json_loadb(text, len, 0, &jerr);
		r = *tm ? 0 : -EINVAL;
		if (r)
			snprintf(c->err, c->errlen, "'%s': line %d: %s", src, jerr.line, jerr.text);
	} else {
		r = prom_parse(text, len, src, scrape, c->err, c->errlen);
		if (!r)
			(*scrape)->mono_ns = fetch_is_url(src) ? mono : 0;
	}
	free(text);
	return r;
}

static int load_inputs(struct ctx *c)
{
	const struct metrics_check_req *req = c->req;
	json_t *tm_before = NULL;
	int r;

	c->obs = req->obs;
	if (!c->obs) {
		if (!req->observations) {
			snprintf(c->err, c->errlen, "no observations given");
			return -EINVAL;
		}
		/* the reader prints what is wrong with the file itself */
		if ((r = mx_obs_open(req->observations, &c->own_obs)))
			return r;
		c->obs = c->own_obs;
	}
	c->after = req->after_scrape;
	if (!c->after) {
		if (!req->after) {
			snprintf(c->err, c->errlen, "no reported metrics given (after)");
			return -EINVAL;
		}
		if ((r = load_reported(c, req->after, &c->own_after, &c->tm_doc)))
			return r;
		c->after = c->own_after;
	}
	c->before = req->before_scrape;
	if (!c->before && req->before) {
		if ((r = load_reported(c, req->before, &c->own_before, &tm_before)))
			return r;
		c->before = c->own_before;
	}
	if (tm_before || (c->tm_doc && c->before)) {
		json_decref(tm_before);
		snprintf(c->err, c->errlen, "TrafficMetrics carry their own window: give only one document, "
			 "without a before scrape");
		return -EINVAL;
	}
	if (req->profile && (r = profile_load(req->profile, &c->prof, c->err, c->errlen)))
		return r;
	if (!c->prof && !c->tm_doc) {
		snprintf(c->err, c->errlen, "Prometheus metrics need a mapping profile");
		return -EINVAL;
	}
	return 0;
}

static int load_mesh(struct ctx *c)
{
	const struct metrics_check_req *req = c->req;
	const char *inv = req->inventory;
	int r;

	for (size_t i = 0; i < req->nmesh_pods; i++)
		if ((r = mx_meshinfo_add_pod(&c->mesh, req->mesh_pods[i])))
			return r;
	if (!inv && c->obs->meta.inventory && *c->obs->meta.inventory && !access(c->obs->meta.inventory, R_OK))
		inv = c->obs->meta.inventory;
	if (inv && (r = mx_meshinfo_from_inventory(&c->mesh, inv, c->err, c->errlen)))
		return r;
	if (req->scrape_of) {
		if (mx_endpoint_parse(req->scrape_of, &c->scrape_of)) {
			snprintf(c->err, c->errlen, "scrape-of '%s': not a workload name", req->scrape_of);
			return -EINVAL;
		}
		c->have_scrape_of = true;
	}
	return 0;
}

static void quality_notes(struct ctx *c)
{
	const struct obs_set *o = c->obs;
	struct obs_counters k = mx_obs_counters(o);
	struct metrics_result *r = c->res;

	if (k.kernel_drops || k.user_drops) {
		note(r, "observation lost events (kernel drops %llu, agent drops %llu): observed counts are lower bounds",
		     (unsigned long long)k.kernel_drops, (unsigned long long)k.user_drops);
		c->q.loss = true;
	}
	if (k.gaps) {
		note(r, "observation has %llu stream gap(s): exchanges may be missing",
		     (unsigned long long)k.gaps);
		c->q.loss = true;
	}
	if (!o->have_end && !c->req->obs) {
		note(r, "the observation file has no end record: it was cut short");
		c->q.loss = true;
	}
	if (o->torn)
		note(r, "a torn last line of the observation file was dropped");
}

static void observed_notes(struct ctx *c, const struct mx_observed *ob)
{
	if (ob->at_mesh)
		note(c->res, "%llu exchange(s) observed inside the mesh pod were left out",
		     (unsigned long long)ob->at_mesh);
	if (ob->not_via_mesh)
		note(c->res, "%llu exchange(s) did not go through the proxy and were left out",
		     (unsigned long long)ob->not_via_mesh);
	if (ob->mesh_unknown) {
		note(c->res, "the mesh is a standalone proxy but no mesh pod or address is known "
		     "(give --mesh-pod or an inventory): traffic that bypassed it is counted too");
		c->q.bypass_unknown = true;
	}
	if (ob->outside)
		note(c->res, "%llu exchange(s) outside the window were left out", (unsigned long long)ob->outside);
}

static struct mx_edge_result *add_edge(struct metrics_result *r, const struct mx_endpoint *src,
				       const struct mx_endpoint *dst, bool server_side)
{
	struct mx_edge_result *e;
	void *p = realloc(r->edges, (r->nedges + 1) * sizeof(*r->edges));

	if (!p)
		return NULL;
	r->edges = p;
	e = &r->edges[r->nedges++];
	memset(e, 0, sizeof(*e));
	e->src = *src;
	e->dst = *dst;
	e->server_side = server_side;
	return e;
}

static const struct mx_obs_edge *find_obs(const struct mx_observed *o, const struct mx_endpoint *s,
					  const struct mx_endpoint *d)
{
	for (size_t i = 0; i < o->n; i++)
		if (mx_endpoint_eq(&o->edges[i].src, s) && mx_endpoint_eq(&o->edges[i].dst, d))
			return &o->edges[i];
	return NULL;
}

static bool unknown(const struct mx_endpoint *e)
{
	return !strcmp(e->name, "?");
}

static uint64_t total(const struct mx_obs_edge *e)
{
	return e->ok + e->fail + e->ok_edge + e->fail_edge;
}

/* Exchanges of which only this edge's source or only its destination is known. */
static uint64_t unattributed(const struct mx_observed *o, const struct mx_endpoint *s,
			     const struct mx_endpoint *d)
{
	uint64_t n = 0;

	for (size_t i = 0; i < o->n; i++) {
		const struct mx_obs_edge *e = &o->edges[i];

		if ((unknown(&e->src) && strcmp(s->name, "*") && mx_endpoint_eq(&e->dst, d)) ||
		    (unknown(&e->dst) && strcmp(d->name, "*") && mx_endpoint_eq(&e->src, s)))
			n += total(e);
	}
	return n;
}

/* Whether the end the mesh measures at was under capture (so silence there means no traffic). */
static int add_watched(struct ctx *c, const char *ns, const char *pod)
{
	char *key;
	void *p;

	if (!*pod)
		return 0;
	for (size_t i = 0; i < c->nwatched; i++) {
		size_t n = strlen(ns);

		if (!strncmp(c->watched[i], ns, n) && c->watched[i][n] == '/' && !strcmp(c->watched[i] + n + 1, pod))
			return 0;
	}
	if (asprintf(&key, "%s/%s", ns, pod) < 0)
		return -ENOMEM;
	p = realloc(c->watched, (c->nwatched + 1) * sizeof(*c->watched));
	if (!p) {
		free(key);
		return -ENOMEM;
	}
	c->watched = p;
	c->watched[c->nwatched++] = key;
	return 0;
}

/* Pods seen observing (exchanges and connections): where silence means no traffic. */
static int collect_watched(struct ctx *c)
{
	int r = 0;

	for (size_t i = 0; i < c->obs->n_ex && !r; i++)
		r = add_watched(c, c->obs->ex[i].ns, c->obs->ex[i].pod);
	for (size_t i = 0; i < c->obs->n_conns && !r; i++)
		r = add_watched(c, c->obs->conns[i].ns, c->obs->conns[i].pod);
	return r;
}

static bool end_watched(const struct ctx *c, const struct ep_spec *ep, const struct mx_endpoint *e)
{
	if (!strcmp(e->name, "*") && !e->ns[0])
		return true;
	if (ep->kind == EP_SERVICE || ep->kind == EP_SERVICE_ACCOUNT)
		return true;	/* capture does not list these; assume so */
	for (size_t i = 0; i < c->nwatched; i++) {
		const char *slash = strchr(c->watched[i], '/');
		struct mx_endpoint w = { 0 };

		if (!slash)
			continue;
		snprintf(w.ns, sizeof(w.ns), "%.*s", (int)(slash - c->watched[i]), c->watched[i]);
		if (ep->kind == EP_WORKLOAD)
			mx_workload_of_pod(slash + 1, w.name, sizeof(w.name));
		else
			snprintf(w.name, sizeof(w.name), "%s", ep->kind == EP_NAMESPACE ? "*" : slash + 1);
		mx_project(ep, &w);
		if (!strcmp(w.name, e->name) && (!e->ns[0] || !strcmp(w.ns, e->ns)))
			return true;
	}
	return false;
}

static struct mx_obs_view obs_view(const struct ctx *c, const struct mx_observed *ob, const struct mx_view *v,
				   const struct mx_endpoint *s, const struct mx_endpoint *d)
{
	struct mx_obs_view ov = { .edge = find_obs(ob, s, d), .unattributed = unattributed(ob, s, d) };

	ov.watched = v->server_side ? end_watched(c, v->dst, d) : end_watched(c, v->src, s);
	return ov;
}

static void edge_notes(struct mx_edge_result *er, const struct mx_rep_edge *rep, const struct mx_obs_view *ov)
{
	size_t n = 0;

	if (!ov->watched)
		n += (size_t)snprintf(er->note + n, sizeof(er->note) - n,
				      "the end the mesh measures at was not under capture; ");
	if (rep && rep->nan && n < sizeof(er->note))
		n += (size_t)snprintf(er->note + n, sizeof(er->note) - n, "a reported counter is NaN; ");
	if (rep && rep->other > 0 && n < sizeof(er->note))
		n += (size_t)snprintf(er->note + n, sizeof(er->note) - n,
				      "%g reported response(s) are neither success nor failure; ", rep->other);
	if (ov->edge && ov->edge->ignored && n < sizeof(er->note))
		n += (size_t)snprintf(er->note + n, sizeof(er->note) - n,
				      "%llu exchange(s) without a response are not counted by this mesh; ",
				      (unsigned long long)ov->edge->ignored);
	if (ov->edge && ov->edge->damaged && n < sizeof(er->note))
		n += (size_t)snprintf(er->note + n, sizeof(er->note) - n,
				      "%llu exchange(s) with missing bytes; ", (unsigned long long)ov->edge->damaged);
	if (n >= 2 && n < sizeof(er->note))
		er->note[n - 2] = '\0';
}

/*
 * What the mesh counted at the measured end of edge s -> d against an end it
 * places outside itself: at the server, calls from outside into d; at the
 * client, calls from s to outside. Requests of s -> d it could not name may
 * be among them.
 */
static void outside_counts(const struct mx_reported *rep, bool server_side, const struct mx_endpoint *s,
			   const struct mx_endpoint *d, double *ok, double *fail)
{
	*ok = *fail = 0;
	for (size_t i = 0; i < rep->n; i++) {
		const struct mx_rep_edge *e = &rep->edges[i];

		if (server_side ? mx_endpoint_outside(&e->src) && mx_endpoint_eq(&e->dst, d)
				: mx_endpoint_outside(&e->dst) && mx_endpoint_eq(&e->src, s)) {
			*ok += e->ok;
			*fail += e->fail;
		}
	}
}

static int eval_prom_edge(struct ctx *c, const struct mx_view *v, const struct mx_observed *ob,
			  const struct mx_reported *rep, const struct mx_endpoint *s, const struct mx_endpoint *d)
{
	const struct mx_rep_edge *re = mx_reported_find(rep, s, d);
	struct mx_obs_view ov = obs_view(c, ob, v, s, d);
	struct mx_edge_result *er = add_edge(c->res, s, d, v->server_side);
	struct mx_rep_counts rc = { .ok = re ? re->ok : 0, .fail = re ? re->fail : 0, .have = re != NULL,
				    .reported = rep->requests == MX_PRESENT, .reset_ok = re && re->reset_ok,
				    .reset_fail = re && re->reset_fail };

	if (!er)
		return -ENOMEM;
	edge_notes(er, re, &ov);
	if (!re && !ov.edge) {
		snprintf(er->note, sizeof(er->note), "no traffic reported or observed on this edge");
		mx_edge_finish(er, VERDICT_INCONCLUSIVE);
		return 0;
	}
	outside_counts(rep, v->server_side, s, d, &rc.outside_ok, &rc.outside_fail);
	mx_compare_counts(er, &rc, &ov, &c->q);
	mx_compare_latency(er, &c->prof->lat, re, &ov, rep->have_before, rep->latency == MX_PRESENT);
	mx_edge_finish(er, VERDICT_INCONCLUSIVE);
	if (!rc.reported) {
		size_t n = strlen(er->note);

		snprintf(er->note + n, sizeof(er->note) - n, "%sthe mesh reports none of the metrics this profile reads",
			 n ? "; " : "");
	}
	if (re && re->nan && er->verdict == VERDICT_PASS)
		er->verdict = VERDICT_INCONCLUSIVE;
	return 0;
}

static bool rep_active(const struct mx_rep_edge *e)
{
	return e->ok > 0 || e->fail > 0 || e->other > 0 || e->lat_count > 0 || e->reset || e->nan ||
	       (!isnan(e->max_after) && !isnan(e->max_before) && e->max_after != e->max_before);
}

static bool listed(const struct metrics_result *r, const struct mx_endpoint *s, const struct mx_endpoint *d)
{
	for (size_t i = 0; i < r->nedges; i++)
		if (mx_endpoint_eq(&r->edges[i].src, s) && mx_endpoint_eq(&r->edges[i].dst, d))
			return true;
	return false;
}

/* The profile's request metric names as one string ("a, b") for messages. */
static void metric_names(const struct profile *p, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->nreq_metrics && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " or " : "", p->req_metrics[i]);
}

/* Notes about what the reported side has and lacks, and what of it was not read as edges. */
static void reported_notes(struct ctx *c, const struct mx_reported *rep)
{
	const struct profile *p = c->prof;
	char names[256], list[700];
	size_t n = 0;

	metric_names(p, names, sizeof(names));
	if (rep->requests == MX_ABSENT)
		note(c->res, "the exposition has no %s: the mesh does not report requests as this profile reads "
		     "them (checks NONE)", names);
	else if (rep->requests == MX_UNMATCHED)
		note(c->res, "%s has no series this profile reads (none selected by its match, or only the "
		     "proxy's own): the mesh does not report these requests (checks NONE)", rep->req_metric);
	if (p->lat.type != LAT_NONE && rep->latency == MX_ABSENT)
		note(c->res, "the exposition has no %s: the mesh does not report latency (checks NONE)", p->lat.metric);
	else if (p->lat.type != LAT_NONE && rep->latency == MX_UNMATCHED)
		note(c->res, "%s has no series this profile reads: the mesh does not report this latency (checks NONE)",
		     p->lat.metric);
	if (rep->skipped)
		note(c->res, "%zu series of the proxy's own traffic (control plane, statistics, inbound clusters) "
		     "were left out", rep->skipped);
	if (rep->unrec_series) {
		for (size_t i = 0; i < rep->nunrec && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s=\"%s\" (%zu)", i ? ", " : "",
					      rep->unrec[i].label, rep->unrec[i].value, rep->unrec[i].nseries);
		note(c->res, "%zu series name an end this profile does not recognise and were not read as edges: %s%s",
		     rep->unrec_series, list, rep->nunrec == MX_UNREC_MAX ? ", ..." : "");
	}
	if (rep->no_result)
		note(c->res, "%zu request series have none of the result labels: counted as neither success nor failure",
		     rep->no_result);
}

/* One note listing what the mesh counted against ends outside itself: reported, never compared. */
static void outside_notes(struct ctx *c, const struct mx_reported *rep)
{
	char list[900], s[400], d[400];
	size_t n = 0, cnt = 0;

	for (size_t i = 0; i < rep->n && n < sizeof(list); i++) {
		const struct mx_rep_edge *e = &rep->edges[i];

		if (!mx_endpoint_outside(&e->src) && !mx_endpoint_outside(&e->dst))
			continue;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s -> %s: %.15g successes, %.15g failures",
				      cnt++ ? "; " : "", mx_endpoint_str(&e->src, s, sizeof(s)),
				      mx_endpoint_str(&e->dst, d, sizeof(d)), e->ok, e->fail);
	}
	if (cnt)
		note(c->res, "reported against ends outside the mesh (not compared): %s", list);
}

static bool outside_edge(const struct mx_rep_edge *e)
{
	return mx_endpoint_outside(&e->src) || mx_endpoint_outside(&e->dst);
}

/* Wall-clock offset of the observations' monotonic clock; false without one. */
static bool wall_offset(const struct obs_set *o, int64_t *off)
{
	if (!o->have_meta || !o->meta.real_ns)
		return false;
	*off = (int64_t)o->meta.real_ns - (int64_t)o->meta.mono_ns;
	return true;
}

/*
 * When the scrapes were taken, on the wall clock: the window's ends (the
 * scrapes themselves when the runner or a URL gave their times), else the
 * span of the observations, which the scrapes bracket.
 */
static void scrape_times(const struct ctx *c, struct mx_scrape_times *t)
{
	const struct obs_set *o = c->obs;
	const struct mx_window *w = &c->res->window;
	uint64_t lo = UINT64_MAX, hi = 0;
	int64_t off;

	memset(t, 0, sizeof(*t));
	if (!wall_offset(o, &off))
		return;
	if (w->set) {
		lo = w->start_ns;
		hi = w->end_ns;
	} else {
		for (size_t i = 0; i < o->n_ex; i++) {
			if (o->ex[i].start_ns && o->ex[i].start_ns < lo)
				lo = o->ex[i].start_ns;
			if (o->ex[i].end_ns > hi)
				hi = o->ex[i].end_ns;
		}
		if (lo == UINT64_MAX)
			return;
	}
	t->known = true;
	t->before_s = ((double)lo + (double)off) / 1e9;
	t->after_s = ((double)hi + (double)off) / 1e9;
}

/* "2023-11-14T22:13:20.005Z" for seconds since the epoch. */
static void wall_text(double secs, char *buf, size_t len)
{
	time_t whole = (time_t)floor(secs);
	struct tm tm;

	gmtime_r(&whole, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)floor((secs - floor(secs)) * 1000));
}

/*
 * A restart at the reported start time means every counter counts only
 * what happened after it. A request counter that holds more than the
 * exchanges observed on its edge since then (and around the window's end)
 * shows the process did not start then. Returns true with *why when the
 * counters contradict the claimed start.
 */
static bool restart_contradicted(struct ctx *c, const struct mx_obs_params *prm, const struct mx_observed *ob,
				 const struct mx_reported *rep, char *why, size_t len)
{
	struct mx_obs_params since = *prm;
	struct mx_observed *after = NULL;
	char s[400], d[400];
	bool bad = false;
	int64_t off;

	if (!wall_offset(c->obs, &off))
		return false;
	since.window.set = true;
	since.window.start_ns = (uint64_t)((int64_t)(rep->start_after * 1e9) - off);
	since.window.end_ns = c->res->window.set ? c->res->window.end_ns : UINT64_MAX;
	if (mx_observe(c->obs, &since, &after))
		return false;
	for (size_t i = 0; i < rep->n && !bad; i++) {
		const struct mx_rep_edge *e = &rep->edges[i];
		const struct mx_obs_edge *seen = NULL, *now = NULL;
		double counted = e->ok + e->fail;
		uint64_t happened = 0;

		for (size_t j = 0; j < ob->n; j++)
			if (mx_endpoint_eq(&ob->edges[j].src, &e->src) && mx_endpoint_eq(&ob->edges[j].dst, &e->dst))
				seen = &ob->edges[j];
		for (size_t j = 0; j < after->n; j++)
			if (mx_endpoint_eq(&after->edges[j].src, &e->src) && mx_endpoint_eq(&after->edges[j].dst, &e->dst))
				now = &after->edges[j];
		if (!seen || seen->damaged)
			continue;	/* only edges seen whole can contradict */
		if (now)
			happened = now->ok + now->fail + now->ok_edge + now->fail_edge;
		if (counted > (double)happened) {
			snprintf(why, len, "its counters hold %.15g responses on %s -> %s and only %llu happened after "
				 "that", counted, mx_endpoint_str(&e->src, s, sizeof(s)),
				 mx_endpoint_str(&e->dst, d, sizeof(d)), (unsigned long long)happened);
			bad = true;
		}
	}
	mx_observed_free(after);
	return bad;
}

/* The note on a reported restart: taken, or impossible and why. */
static void restart_note(struct ctx *c, const struct mx_reported *rep, const struct mx_scrape_times *t,
			 const char *contradiction)
{
	const char *m = c->prof->restart_metric;
	char x[96], y[96], b[96], a[96];

	wall_text(rep->start_before, x, sizeof(x));
	wall_text(rep->start_after, y, sizeof(y));
	wall_text(t->before_s, b, sizeof(b));
	wall_text(t->after_s, a, sizeof(a));
	if (rep->restart == MX_RESTART_SEEN)
		note(c->res, "the exporter restarted between the scrapes ('%s' moved from %s to %s, between %s and "
		     "%s): counts before the restart are lost", m, x, y, b, a);
	else if (rep->restart == MX_RESTART_UNPLACED)
		note(c->res, "the exporter's start time changed ('%s' from %s to %s), but the observations carry no "
		     "wall clock to place it between the scrapes: not taken as a restart, counts compared as they are",
		     m, x, y);
	else if (*contradiction)
		note(c->res, "impossible start time: the exporter says it started at %s ('%s', between the scrapes), "
		     "yet %s: not a restart, counts compared as they are", y, m, contradiction);
	else if (rep->start_after <= rep->start_before)
		note(c->res, "impossible start time: the exporter's start time went back from %s to %s ('%s'): "
		     "not a restart, counts compared as they are", x, y, m);
	else
		note(c->res, "impossible start time: the exporter says it started at %s ('%s'), %s the scrapes "
		     "(%s and %s): not a restart, counts compared as they are", y, m,
		     rep->start_after > t->after_s ? "after" : "before", b, a);
}

static int check_prom(struct ctx *c)
{
	const struct metrics_check_req *req = c->req;
	struct mx_view v = { c->prof->server_side, &c->prof->src, &c->prof->dst };
	struct mx_obs_params prm = { .view = v, .window = c->res->window, .outcome = &c->prof->outcome,
				     .standalone_proxy = c->prof->standalone_proxy, .mesh = &c->mesh,
				     .request_of = req->request_of };
	struct mx_observed *ob = NULL;
	struct mx_reported *rep = NULL;
	struct mx_scrape_times times;
	struct mx_endpoint s, d;
	char why[600] = "";
	int r;

	scrape_times(c, &times);
	if ((r = mx_observe(c->obs, &prm, &ob)) ||
	    (r = mx_report_from_prom(c->prof, c->before, c->after, c->have_scrape_of ? &c->scrape_of : NULL,
				     &times, &rep, c->err, c->errlen)))
		goto out;
	if (rep->restart == MX_RESTART_SEEN && restart_contradicted(c, &prm, ob, rep, why, sizeof(why))) {
		/* Read again as no restart: every counter's delta is after - before. */
		times.refuse = true;
		mx_reported_free(rep);
		rep = NULL;
		if ((r = mx_report_from_prom(c->prof, c->before, c->after, c->have_scrape_of ? &c->scrape_of : NULL,
					     &times, &rep, c->err, c->errlen)))
			goto out;
	}
	observed_notes(c, ob);
	if (!rep->have_before)
		note(c->res, "no earlier scrape: reported counts are totals since the exporter started");
	if (rep->restart != MX_RESTART_NONE)
		restart_note(c, rep, &times, why);
	if (rep->unnamed)
		note(c->res, "%zu reported series were skipped: an end label is missing%s", rep->unnamed,
		     c->have_scrape_of ? "" : " (the scraped workload can be given with --scrape-of)");
	reported_notes(c, rep);
	outside_notes(c, rep);
	for (size_t i = 0; i < req->nedges && !r; i++)
		if (!(r = mx_edge_parse(c->prof, req->edges[i], &s, &d, c->err, c->errlen)) && !listed(c->res, &s, &d))
			r = eval_prom_edge(c, &v, ob, rep, &s, &d);
	for (size_t i = 0; !req->nedges && i < rep->n && !r; i++)
		if (rep_active(&rep->edges[i]) && !outside_edge(&rep->edges[i]) &&
		    !listed(c->res, &rep->edges[i].src, &rep->edges[i].dst))
			r = eval_prom_edge(c, &v, ob, rep, &rep->edges[i].src, &rep->edges[i].dst);
	for (size_t i = 0; !req->nedges && i < ob->n && !r; i++) {
		const struct mx_obs_edge *e = &ob->edges[i];

		if (!unknown(&e->src) && !unknown(&e->dst) && (total(e) || e->damaged) &&
		    !listed(c->res, &e->src, &e->dst))
			r = eval_prom_edge(c, &v, ob, rep, &e->src, &e->dst);
	}
out:
	mx_observed_free(ob);
	mx_reported_free(rep);
	return r;
}

/* TrafficMetrics windows are wall-clock; exchanges are on CLOCK_MONOTONIC. */
static bool tm_window(const struct ctx *c, const struct mx_tm_item *it, struct mx_window *w)
{
	const struct obs_set *o = c->obs;
	int64_t off, end, start;

	memset(w, 0, sizeof(*w));
	if (!o->have_meta || !o->meta.real_ns)
		return false;
	off = (int64_t)o->meta.real_ns - (int64_t)o->meta.mono_ns;
	end = it->ts_real_ns - off;
	start = end - (int64_t)it->window_ns;
	w->set = true;
	w->start_ns = start > 0 ? (uint64_t)start : 0;
	w->end_ns = end > 0 ? (uint64_t)end : 0;
	return true;
}

static int eval_tm_item(struct ctx *c, const struct mx_tm_item *it, const struct outcome_rule *rule)
{
	struct mx_view v = { it->server_side, &it->src_ep, &it->dst_ep };
	struct mx_obs_params prm = { .view = v, .outcome = rule, .mesh = &c->mesh,
				     .standalone_proxy = c->prof && c->prof->standalone_proxy,
				     .request_of = c->req->request_of };
	struct mx_edge_result *er = add_edge(c->res, &it->src, &it->dst, it->server_side);
	struct mx_observed *ob = NULL;
	struct mx_obs_view ov;
	bool have;
	int r;

	if (!er)
		return -ENOMEM;
	snprintf(er->note, sizeof(er->note), "item: %s", it->resource);
	if (it->unsupported) {
		snprintf(er->note, sizeof(er->note), "%s: %s", it->resource, it->note);
		mx_edge_finish(er, VERDICT_INCONCLUSIVE);
		return 0;
	}
	if (!tm_window(c, it, &prm.window))
		snprintf(er->note, sizeof(er->note), "item: %s (no clock pair in the observations: whole file used)",
			 it->resource);
	if ((r = mx_observe(c->obs, &prm, &ob)))
		return r;
	ov = obs_view(c, ob, &v, &it->src, &it->dst);
	have = !isnan(it->success) && !isnan(it->failure);
	{
		struct mx_rep_counts rc = { .ok = have ? it->success : 0, .fail = have ? it->failure : 0,
					    .have = have, .reported = have };

		mx_compare_counts(er, &rc, &ov, &c->q);
	}
	for (int i = 0; i < MX_TM_NQ; i++)
		mx_compare_quantile_value(er, mx_tm_quantiles[i], it->q_ns[i], c->prof ? &c->prof->lat : NULL, &ov);
	mx_edge_finish(er, VERDICT_INCONCLUSIVE);
	mx_observed_free(ob);
	return 0;
}

static int check_tm(struct ctx *c)
{
	static const struct outcome_rule dflt = { .failure_classes = 1u << 5, .no_response_failure = true };
	struct mx_tm_item *items = NULL;
	size_t n = 0;
	int r;

	r = mx_tm_decode(c->tm_doc, c->req->after ? c->req->after : "-", &items, &n, c->err, c->errlen);
	if (r)
		return r;
	c->res->trafficmetrics = true;
	for (size_t i = 0; i < n && !r; i++)
		r = eval_tm_item(c, &items[i], c->prof ? &c->prof->outcome : &dflt);
	free(items);
	return r;
}

static void set_window(struct ctx *c)
{
	const struct metrics_check_req *req = c->req;
	struct mx_window *w = &c->res->window;

	if (req->window.set) {
		*w = req->window;
	} else if (c->before && c->after && c->before->mono_ns && c->after->mono_ns) {
		w->set = true;
		w->start_ns = c->before->mono_ns;
		w->end_ns = c->after->mono_ns;
	}
}

static void finish(struct metrics_result *r, const struct mx_quality *q)
{
	r->verdict = r->nedges ? VERDICT_PASS : VERDICT_INCONCLUSIVE;
	for (size_t i = 0; i < r->nedges; i++)
		r->verdict = verdict_worst(r->verdict, r->edges[i].verdict);
	if (!r->nedges)
		note(r, "nothing to compare: no traffic reported or observed");
	if (q->loss && r->verdict == VERDICT_PASS) {
		r->verdict = VERDICT_INCONCLUSIVE;
		note(r, "every check passed, but on data with losses a PASS cannot be given");
	}
}

int metrics_check(const struct metrics_check_req *req, struct metrics_result **out, char *err, size_t errlen)
{
	struct ctx c = { .req = req, .err = err, .errlen = errlen };
	int r;

	err[0] = '\0';
	c.res = calloc(1, sizeof(*c.res));
	if (!c.res)
		return -ENOMEM;
	r = load_inputs(&c);
	if (!r)
		r = load_mesh(&c);
	if (!r)
		r = collect_watched(&c);
	if (!r) {
		snprintf(c.res->observations, sizeof(c.res->observations), "%s",
			 c.obs->path ? c.obs->path : "(in memory)");
		snprintf(c.res->reported, sizeof(c.res->reported), "%s",
			 req->after ? req->after : c.after ? c.after->source : "-");
		if (c.prof)
			snprintf(c.res->profile, sizeof(c.res->profile), "%s", c.prof->name);
		c.res->server_side = c.prof && c.prof->server_side;
		quality_notes(&c);
		set_window(&c);
		r = c.tm_doc ? check_tm(&c) : check_prom(&c);
	}
	if (!r)
		finish(c.res, &c.q);
	if (r == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	mx_obs_close(c.own_obs);
	for (size_t i = 0; i < c.nwatched; i++)
		free(c.watched[i]);
	free(c.watched);
	prom_scrape_free(c.own_before);
	prom_scrape_free(c.own_after);
	json_decref(c.tm_doc);
	profile_free(c.prof);
	mx_meshinfo_release(&c.mesh);
	if (r) {
		metrics_result_free(c.res);
		return r;
	}
	*out = c.res;
	return 0;
}
