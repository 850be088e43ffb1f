/* reported.c - per-edge deltas from two scrapes of a mesh's Prometheus exposition. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/reported.h"
#include "util/array.h"

void mx_reported_free(struct mx_reported *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->edges[i].buckets);
	free(r->edges);
	free(r);
}

const struct mx_rep_edge *mx_reported_find(const struct mx_reported *r, const struct mx_endpoint *src,
					   const struct mx_endpoint *dst)
{
	for (size_t i = 0; i < r->n; i++)
		if (mx_endpoint_eq(&r->edges[i].src, src) && mx_endpoint_eq(&r->edges[i].dst, dst))
			return &r->edges[i];
	return NULL;
}

static struct mx_rep_edge *edge_for(struct mx_reported *r, const struct mx_endpoint *src,
				    const struct mx_endpoint *dst)
{
	struct mx_rep_edge *e = (struct mx_rep_edge *)mx_reported_find(r, src, dst);

	if (e)
		return e;
	if (array_reserve(&r->edges, &r->cap, r->n, sizeof(*r->edges), 16))
		return NULL;
	e = &r->edges[r->n++];
	memset(e, 0, sizeof(*e));
	e->src = *src;
	e->dst = *dst;
	e->max_before = e->max_after = NAN;
	return e;
}

/*
 * One sample as the profile reads it: its name after the profile's relabel
 * rules, and the labels a rule took out of the name (OSM writes the ends of
 * an edge into the statistic's name; its own Prometheus turns them into
 * labels with the same kind of rules).
 */
#define SERIES_EXTRA 12

struct series {
	const struct prom_sample *s;
	const char *name;
	char renamed[160];
	size_t nextra;
	struct { char name[48]; char value[200]; } extra[SERIES_EXTRA];
};

/* Writes rule name template `tpl` into v->renamed, "${g}" replaced by group g of the match. */
static void expand_name(const char *tpl, pcre2_match_data *md, struct series *v)
{
	size_t n = 0;

	while (*tpl && n + 1 < sizeof(v->renamed)) {
		const char *close = tpl[0] == '$' && tpl[1] == '{' ? strchr(tpl, '}') : NULL;

		if (close) {
			char group[48];
			PCRE2_SIZE len = sizeof(v->renamed) - n;

			snprintf(group, sizeof(group), "%.*s", (int)(close - tpl - 2), tpl + 2);
			if (pcre2_substring_copy_byname(md, (PCRE2_SPTR)group, (PCRE2_UCHAR *)v->renamed + n, &len) == 0)
				n += len;
			tpl = close + 1;
			continue;
		}
		v->renamed[n++] = *tpl++;
	}
	v->renamed[n] = '\0';
}

/* Every named group of a match of `re` (but those the name template uses) becomes a label. */
static void take_groups(pcre2_code *re, pcre2_match_data *md, const char *tpl, struct series *v)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t count = 0, size = 0;
	PCRE2_SPTR table = NULL;

	pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count && v->nextra < SERIES_EXTRA; i++) {
		PCRE2_SPTR e = table + (size_t)i * size;
		int num = (e[0] << 8) | e[1];
		const char *gname = (const char *)e + 2;
		char ref[52];

		snprintf(ref, sizeof(ref), "${%s}", gname);
		if (strstr(tpl, ref) || ov[2 * num] == PCRE2_UNSET)
			continue;
		snprintf(v->extra[v->nextra].name, sizeof(v->extra[0].name), "%s", gname);
		snprintf(v->extra[v->nextra].value, sizeof(v->extra[0].value), "%.*s",
			 (int)(ov[2 * num + 1] - ov[2 * num]), v->s->name + ov[2 * num]);
		v->nextra++;
	}
}

static void series_view(const struct profile *p, const struct prom_sample *s, struct series *v)
{
	v->s = s;
	v->name = s->name;
	v->nextra = 0;
	for (size_t i = 0; i < p->nrelabel; i++) {
		pcre2_code *re = p->relabel[i].re;
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
		int rc;

		if (!md)
			return;
		rc = pcre2_match(re, (PCRE2_SPTR)s->name, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
		if (rc > 0) {
			expand_name(p->relabel[i].name, md, v);
			take_groups(re, md, p->relabel[i].name, v);
			v->name = v->renamed;
		}
		pcre2_match_data_free(md);
		if (rc > 0)
			return;
	}
}

/* A label of the series: one taken out of its name first, then the sample's own. */
static const char *series_label(const struct series *v, const char *name)
{
	for (size_t i = 0; i < v->nextra; i++)
		if (!strcmp(v->extra[i].name, name))
			return v->extra[i].value;
	return prom_label(v->s, name);
}

static bool regex_matches(pcre2_code *re, const char *v)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc;

	if (!md)
		return false;
	rc = pcre2_match(re, (PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc > 0;
}

static bool matches(const struct match_spec *m, const struct series *v)
{
	for (size_t i = 0; i < m->n; i++) {
		const char *x = series_label(v, m->names[i]);

		if (!x || (m->res[i] ? !regex_matches(m->res[i], x) : strcmp(x, m->values[i]) != 0))
			return false;
	}
	return true;
}

/* Whether the series is the proxy's own traffic (its control plane, its stats), which no edge counts. */
static bool skipped(const struct profile *p, const struct series *v)
{
	for (size_t i = 0; i < p->nskip; i++)
		if (matches(&p->skip[i], v))
			return true;
	return false;
}

static bool in_list(char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], v))
			return true;
	return false;
}

enum end_state { END_NAMED, END_OUTSIDE, END_UNNAMED, END_UNRECOGNISED };

/* The first of the end's labels the series has (its name in *which), or NULL. */
static const char *end_value(const struct ep_spec *ep, const struct series *v, const char **which)
{
	for (size_t i = 0; i < ep->nlabels; i++) {
		const char *x = series_label(v, ep->labels[i]);

		if (x && *x) {
			*which = ep->labels[i];
			return x;
		}
	}
	return NULL;
}

/* Reads the name (and namespace) from label value x with the end's patterns; false when none matches. */
static bool read_name(const struct ep_spec *ep, const char *x, struct mx_endpoint *e)
{
	if (!ep->nre) {
		snprintf(e->name, sizeof(e->name), "%s", x);
		return true;
	}
	for (size_t i = 0; i < ep->nre; i++) {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(ep->re[i], NULL);
		PCRE2_SIZE n = sizeof(e->name), m = sizeof(e->ns);
		int rc;

		if (!md)
			return false;
		rc = pcre2_match(ep->re[i], (PCRE2_SPTR)x, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
		if (rc > 0 && pcre2_substring_copy_byname(md, (PCRE2_SPTR)"name", (PCRE2_UCHAR *)e->name, &n) == 0 &&
		    e->name[0]) {
			if (pcre2_substring_copy_byname(md, (PCRE2_SPTR)"namespace", (PCRE2_UCHAR *)e->ns, &m) < 0)
				e->ns[0] = '\0';
			pcre2_match_data_free(md);
			return true;
		}
		pcre2_match_data_free(md);
	}
	return false;
}

/*
 * Names one end of a series. A value the profile lists as outside the mesh,
 * or no label where the profile says so, is MX_OUTSIDE; a value no pattern
 * reads is END_UNRECOGNISED (its label in *label, value in *value): never a
 * workload by accident.
 */
static enum end_state series_end(const struct ep_spec *ep, const struct series *v,
				 const struct mx_endpoint *scrape_of, struct mx_endpoint *e,
				 const char **label, const char **value)
{
	const char *x = end_value(ep, v, label);
	const char *ns = ep->ns_label ? series_label(v, ep->ns_label) : NULL;
	const char *pod = !x && ep->pod_label ? series_label(v, ep->pod_label) : NULL;

	memset(e, 0, sizeof(*e));
	if (ep->any) {
		strcpy(e->name, "*");
		return END_NAMED;
	}
	if (!x && pod && *pod) {
		mx_workload_of_pod(pod, e->name, sizeof(e->name));
	} else if (!x) {
		if (ep->fallback_scrape && scrape_of) {
			*e = *scrape_of;
			return END_NAMED;
		}
		if (!ep->absent_outside)
			return END_UNNAMED;
		strcpy(e->name, MX_OUTSIDE);
		return END_OUTSIDE;
	} else if (in_list(ep->outside, ep->noutside, x)) {
		strcpy(e->name, MX_OUTSIDE);
		return END_OUTSIDE;
	} else if (!read_name(ep, x, e)) {
		*value = x;
		return END_UNRECOGNISED;
	}
	if (ns && *ns)
		snprintf(e->ns, sizeof(e->ns), "%s", ns);
	if (ep->kind == EP_NAMESPACE) {
		if (!e->ns[0])
			snprintf(e->ns, sizeof(e->ns), "%.63s", e->name);
		strcpy(e->name, "*");
	}
	return END_NAMED;
}

static void note_unrecognised(struct mx_reported *r, const char *label, const char *value)
{
	r->unrec_series++;
	for (size_t i = 0; i < r->nunrec; i++)
		if (!strcmp(r->unrec[i].label, label) && !strcmp(r->unrec[i].value, value)) {
			r->unrec[i].nseries++;
			return;
		}
	if (r->nunrec == MX_UNREC_MAX)
		return;
	snprintf(r->unrec[r->nunrec].label, sizeof(r->unrec[0].label), "%s", label);
	snprintf(r->unrec[r->nunrec].value, sizeof(r->unrec[0].value), "%s", value);
	r->unrec[r->nunrec++].nseries = 1;
}

/*
 * Names both ends of a series. Returns 0, or 1 when the series names no
 * edge (unnamed or unrecognised: counted in r when r is given).
 */
static int series_edge(const struct ep_spec *src, const struct ep_spec *dst, const struct series *v,
		       const struct mx_endpoint *scrape_of, struct mx_endpoint *a, struct mx_endpoint *b,
		       struct mx_reported *r)
{
	const char *label = "", *value = "";
	enum end_state sa = series_end(src, v, scrape_of, a, &label, &value), sb;

	if (sa == END_NAMED || sa == END_OUTSIDE)
		sb = series_end(dst, v, scrape_of, b, &label, &value);
	else
		sb = END_NAMED;
	if (sa == END_UNRECOGNISED || sb == END_UNRECOGNISED) {
		if (r)
			note_unrecognised(r, label, value);
		return 1;
	}
	if (sa == END_UNNAMED || sb == END_UNNAMED) {
		if (r)
			r->unnamed++;
		return 1;
	}
	/* A short service name resolves in the caller's namespace, as it does for the observed Host. */
	if (dst->kind == EP_SERVICE && !b->ns[0] && a->ns[0] && sb == END_NAMED && sa == END_NAMED &&
	    mx_ep_gives_namespace(dst))
		snprintf(b->ns, sizeof(b->ns), "%s", a->ns);
	return 0;
}

/* Counter delta of `s` since `before` (NULL: no earlier scrape, or a series born since). */
static double delta(const struct prom_sample *s, const struct prom_scrape *before, bool restarted,
		    bool *reset)
{
	const struct prom_sample *b = before ? prom_find_series(before, s) : NULL;

	if (!b)
		return s->value;
	if (restarted || s->value < b->value) {
		*reset = true;
		return s->value;
	}
	return s->value - b->value;
}

enum outcome { OUT_OK, OUT_FAIL, OUT_OTHER, OUT_NONE };

/* The outcome a series counts, from the first of the result labels it has (OUT_NONE: none). */
static enum outcome series_outcome(const struct profile *p, const struct series *v)
{
	const char *x = NULL;
	bool counted;
	int st;

	for (size_t i = 0; i < p->result.nlabels && !x; i++)
		x = series_label(v, p->result.labels[i]);
	if (!x)
		return OUT_NONE;
	if (!p->result.status)
		return in_list(p->result.success, p->result.nsuccess, x) ? OUT_OK
		     : in_list(p->result.failure, p->result.nfailure, x) ? OUT_FAIL : OUT_OTHER;
	if (outcome_parse_status(x, &st))
		return OUT_OTHER;
	if (outcome_is_failure(&p->outcome, st, &counted))
		return OUT_FAIL;
	return counted ? OUT_OK : OUT_OTHER;
}

/* The first of the profile's request metrics the exposition has (after relabelling), or NULL. */
static const char *pick_metric(const struct profile *p, const struct prom_scrape *sc)
{
	struct series v;

	for (size_t m = 0; m < p->nreq_metrics; m++)
		for (size_t i = 0; i < sc->nsamples; i++) {
			series_view(p, &sc->samples[i], &v);
			if (!strcmp(v.name, p->req_metrics[m]))
				return p->req_metrics[m];
		}
	return NULL;
}

/* Whether request series v is one the profile reads (after the metric is picked). */
static bool wanted_request(const struct profile *p, const char *metric, const struct series *v)
{
	return !strcmp(v->name, metric) && matches(&p->req_match, v);
}

/*
 * A series that vanished took its counts with it: in a restart. Without
 * one, a mesh that drops a series drops counts, and is not excused. Marks
 * the edges of metric's series in before but not in after as reset when r
 * saw a restart. Returns 0 or -ENOMEM.
 */
static int restarted_vanished(const struct profile *p, const char *metric, const struct prom_scrape *before,
			      const struct prom_scrape *after, const struct mx_endpoint *scrape_of,
			      struct mx_reported *r)
{
	struct mx_endpoint a, b;
	struct series v;

	for (size_t i = 0; before && r->restarted && i < before->nsamples; i++) {
		struct mx_rep_edge *e;

		series_view(p, &before->samples[i], &v);
		if (!wanted_request(p, metric, &v) || skipped(p, &v) || prom_find_series(after, v.s) ||
		    series_edge(&p->src, &p->dst, &v, scrape_of, &a, &b, NULL))
			continue;
		if (!(e = edge_for(r, &a, &b)))
			return -ENOMEM;
		e->reset = e->reset_ok = e->reset_fail = true;
	}
	return 0;
}

/*
 * Reads the profile's request counter from after, less before, into r's
 * edges by outcome (r->requests says whether there was one to read).
 * Returns 0 or -ENOMEM.
 */
static int read_requests(const struct profile *p, const struct prom_scrape *before,
			 const struct prom_scrape *after, const struct mx_endpoint *scrape_of,
			 struct mx_reported *r)
{
	const char *metric = pick_metric(p, after);
	struct mx_endpoint a, b;
	struct series v;
	bool reset;

	r->requests = MX_ABSENT;
	if (!metric)
		return 0;
	snprintf(r->req_metric, sizeof(r->req_metric), "%s", metric);
	r->requests = MX_UNMATCHED;
	for (size_t i = 0; i < after->nsamples; i++) {
		struct mx_rep_edge *e;
		double d;

		series_view(p, &after->samples[i], &v);
		if (!wanted_request(p, metric, &v))
			continue;
		if (skipped(p, &v)) {
			r->skipped++;
			continue;
		}
		r->requests = MX_PRESENT;
		if (series_edge(&p->src, &p->dst, &v, scrape_of, &a, &b, r))
			continue;
		if (!(e = edge_for(r, &a, &b)))
			return -ENOMEM;
		reset = false;
		d = delta(v.s, before, r->restarted, &reset);
		e->nseries++;
		e->reset |= reset;
		if (isnan(d)) {
			e->nan = true;
			continue;
		}
		switch (series_outcome(p, &v)) {
		case OUT_OK: e->ok += d; e->reset_ok |= reset; break;
		case OUT_FAIL: e->fail += d; e->reset_fail |= reset; break;
		case OUT_NONE: r->no_result++; e->other += d; break;
		default: e->other += d; break;
		}
	}
	return restarted_vanished(p, metric, before, after, scrape_of, r);
}

static int add_bucket(struct mx_rep_edge *e, double le, double count)
{
	size_t i;
	void *p;

	for (i = 0; i < e->nbuckets && e->buckets[i].le < le; i++)
		;
	if (i < e->nbuckets && e->buckets[i].le == le) {
		e->buckets[i].count += count;
		e->buckets[i].nseries++;
		return 0;
	}
	p = realloc(e->buckets, (e->nbuckets + 1) * sizeof(*e->buckets));
	if (!p)
		return -ENOMEM;
	e->buckets = p;
	memmove(&e->buckets[i + 1], &e->buckets[i], (e->nbuckets - i) * sizeof(*e->buckets));
	e->buckets[i] = (struct mx_bucket){ .le = le, .count = count, .nseries = 1 };
	e->nbuckets++;
	return 0;
}

static bool name_is(const char *name, const char *base, const char *suffix)
{
	size_t n = strlen(base);

	return !strncmp(name, base, n) && !strcmp(name + n, suffix);
}

/* Adds one latency sample (bucket, quantile, count or gauge) to its edge. */
static int add_latency(const struct profile *p, const struct series *v,
		       const struct prom_scrape *before, struct mx_reported *r, struct mx_rep_edge *e)
{
	const struct prom_sample *s = v->s;
	const char *name = v->name;
	const struct lat_spec *lat = &p->lat;
	const char *x_text;
	double d, x;

	if (lat->type == LAT_HISTOGRAM && name_is(name, lat->metric, "_bucket")) {
		x_text = series_label(v, "le");
		if (!x_text || prom_parse_float(x_text, strlen(x_text), &x))
			return 0;	/* the parser already rejects these */
		d = delta(s, before, r->restarted, &e->lat_reset);
		if (isinf(x))
			e->lat_series++;
		return add_bucket(e, x, d);
	}
	if ((lat->type == LAT_HISTOGRAM || lat->type == LAT_SUMMARY) && name_is(name, lat->metric, "_count")) {
		if (lat->type == LAT_SUMMARY)
			e->lat_count += delta(s, before, r->restarted, &e->lat_reset);
		return 0;
	}
	if (lat->type == LAT_SUMMARY && !strcmp(name, lat->metric)) {
		x_text = series_label(v, "quantile");
		if (!x_text || prom_parse_float(x_text, strlen(x_text), &x))
			return 0;
		for (int i = 0; i < e->nsq; i++)
			if (e->sq[i] == x) {
				snprintf(e->lat_problem, sizeof(e->lat_problem),
					 "several summaries on this edge: their quantiles cannot be combined");
				return 0;
			}
		if (e->nsq < MX_SUMMARY_MAX) {
			e->sq[e->nsq] = x;
			e->sv[e->nsq++] = s->value;
		}
		e->lat_series = 1;
		return 0;
	}
	if (lat->type == LAT_MAX && !strcmp(name, lat->metric)) {
		const struct prom_sample *b = before ? prom_find_series(before, s) : NULL;

		e->lat_series++;
		if (isnan(e->max_after) || s->value > e->max_after)
			e->max_after = s->value;
		if (b && !r->restarted && (isnan(e->max_before) || b->value > e->max_before))
			e->max_before = b->value;
	}
	return 0;
}

/* Bucket sets must agree across series and stay cumulative, or no quantile can be read. */
static void check_buckets(struct mx_rep_edge *e)
{
	if (!e->nbuckets || e->lat_problem[0])
		return;
	if (!isinf(e->buckets[e->nbuckets - 1].le)) {
		snprintf(e->lat_problem, sizeof(e->lat_problem), "histogram has no le=\"+Inf\" bucket");
		return;
	}
	for (size_t i = 0; i < e->nbuckets; i++) {
		if (e->buckets[i].nseries != e->buckets[e->nbuckets - 1].nseries) {
			snprintf(e->lat_problem, sizeof(e->lat_problem),
				 "series of this edge have different bucket bounds (le=%g)", e->buckets[i].le);
			return;
		}
		if (i && e->buckets[i].count < e->buckets[i - 1].count) {
			snprintf(e->lat_problem, sizeof(e->lat_problem),
				 "bucket counts are not cumulative: le=%g has %g, le=%g has %g",
				 e->buckets[i - 1].le, e->buckets[i - 1].count, e->buckets[i].le,
				 e->buckets[i].count);
			return;
		}
	}
	e->lat_count = e->buckets[e->nbuckets - 1].count;
}

/* Whether v is a sample of the latency family (histogram or summary parts, or the gauge). */
static bool latency_sample(const struct lat_spec *lat, const char *name)
{
	if (lat->type == LAT_HISTOGRAM)
		return name_is(name, lat->metric, "_bucket") || name_is(name, lat->metric, "_count") ||
		       name_is(name, lat->metric, "_sum");
	if (lat->type == LAT_SUMMARY)
		return !strcmp(name, lat->metric) || name_is(name, lat->metric, "_count") ||
		       name_is(name, lat->metric, "_sum");
	return !strcmp(name, lat->metric);
}

static int read_latency(const struct profile *p, const struct prom_scrape *before,
			const struct prom_scrape *after, const struct mx_endpoint *scrape_of,
			struct mx_reported *r)
{
	const struct lat_spec *lat = &p->lat;
	struct mx_endpoint a, b;
	struct series v;
	int rc;

	r->latency = MX_ABSENT;
	if (lat->type == LAT_NONE)
		return 0;
	for (size_t i = 0; i < after->nsamples; i++) {
		struct mx_rep_edge *e;

		series_view(p, &after->samples[i], &v);
		if (!latency_sample(lat, v.name))
			continue;
		if (r->latency == MX_ABSENT)
			r->latency = MX_UNMATCHED;
		if (!matches(&lat->match, &v) || skipped(p, &v))
			continue;
		r->latency = MX_PRESENT;
		if (series_edge(&lat->src, &lat->dst, &v, scrape_of, &a, &b, NULL))
			continue;
		if (!(e = edge_for(r, &a, &b)))
			return -ENOMEM;
		if ((rc = add_latency(p, &v, before, r, e)))
			return rc;
	}
	for (size_t i = 0; i < r->n; i++)
		check_buckets(&r->edges[i]);
	return 0;
}

/*
 * A restart moves the start time forward, to a moment between the scrapes
 * (the first scrape would otherwise have shown it already); the slack
 * covers start times written in whole seconds.
 */
static enum mx_restart judge_restart(double x, double y, const struct mx_scrape_times *t)
{
	if (isnan(x) || isnan(y) || x == y)
		return MX_RESTART_NONE;
	if (t && t->refuse)
		return MX_RESTART_IMPOSSIBLE;
	if (!t || !t->known)
		return MX_RESTART_UNPLACED;
	if (y > x && y >= t->before_s - MX_START_SLACK_S && y <= t->after_s + MX_START_SLACK_S)
		return MX_RESTART_SEEN;
	return MX_RESTART_IMPOSSIBLE;
}

int mx_report_from_prom(const struct profile *p, const struct prom_scrape *before,
			const struct prom_scrape *after, const struct mx_endpoint *scrape_of,
			const struct mx_scrape_times *times, struct mx_reported **out, char *err, size_t errlen)
{
	struct mx_reported *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	r->have_before = before != NULL;
	r->start_before = r->start_after = NAN;
	if (before && p->restart_metric) {
		r->start_before = prom_first_value(before, p->restart_metric);
		r->start_after = prom_first_value(after, p->restart_metric);
		r->restart = judge_restart(r->start_before, r->start_after, times);
		r->restarted = r->restart == MX_RESTART_SEEN;
	}
	rc = read_requests(p, before, after, scrape_of, r);
	if (!rc)
		rc = read_latency(p, before, after, scrape_of, r);
	if (rc) {
		snprintf(err, errlen, "out of memory reading '%s'", after->source);
		mx_reported_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
