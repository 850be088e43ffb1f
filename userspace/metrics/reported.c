/* reported.c - per-edge deltas from two scrapes of a mesh's Prometheus exposition. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/array.h"
#include "metrics/reported.h"

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

static bool matches(const struct match_spec *m, const struct prom_sample *s)
{
	for (size_t i = 0; i < m->n; i++) {
		const char *v = prom_label(s, m->names[i]);

		if (!v || (m->res[i] ? !regex_matches(m->res[i], v) : strcmp(v, m->values[i]) != 0))
			return false;
	}
	return true;
}

static void copy_group(pcre2_code *re, pcre2_match_data *md, const char *group, char *buf, size_t len)
{
	PCRE2_SIZE n = len;

	if (pcre2_substring_copy_byname(md, (PCRE2_SPTR)group, (PCRE2_UCHAR *)buf, &n) < 0)
		buf[0] = '\0';
	(void)re;
}

/* Names one end of a series. Returns 0, or 1 when the series does not say (skip it). */
static int series_end(const struct ep_spec *ep, const struct prom_sample *s,
		      const struct mx_endpoint *scrape_of, struct mx_endpoint *e)
{
	const char *v = ep->label ? prom_label(s, ep->label) : NULL;
	const char *ns = ep->ns_label ? prom_label(s, ep->ns_label) : NULL;

	memset(e, 0, sizeof(*e));
	if (ep->any) {
		strcpy(e->name, "*");
		return 0;
	}
	if (!v || !*v) {
		if (!ep->fallback_scrape || !scrape_of)
			return 1;
		*e = *scrape_of;
		return 0;
	}
	if (ep->re) {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(ep->re, NULL);
		int rc;

		if (!md)
			return 1;
		rc = pcre2_match(ep->re, (PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
		if (rc > 0) {
			copy_group(ep->re, md, "name", e->name, sizeof(e->name));
			copy_group(ep->re, md, "namespace", e->ns, sizeof(e->ns));
		}
		pcre2_match_data_free(md);
		if (rc <= 0 || !e->name[0])
			return 1;
	} else {
		snprintf(e->name, sizeof(e->name), "%s", v);
	}
	if (ns)
		snprintf(e->ns, sizeof(e->ns), "%s", ns);
	if (ep->kind == EP_NAMESPACE) {
		if (!e->ns[0])
			snprintf(e->ns, sizeof(e->ns), "%.63s", e->name);
		strcpy(e->name, "*");
	}
	return 0;
}

static int series_edge(const struct ep_spec *src, const struct ep_spec *dst, const struct prom_sample *s,
		       const struct mx_endpoint *scrape_of, struct mx_endpoint *a, struct mx_endpoint *b)
{
	return series_end(src, s, scrape_of, a) || series_end(dst, s, scrape_of, b);
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

enum outcome { OUT_OK, OUT_FAIL, OUT_OTHER };

static bool in_list(char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], v))
			return true;
	return false;
}

static enum outcome series_outcome(const struct profile *p, const struct prom_sample *s)
{
	const char *v = prom_label(s, p->result.label);
	bool counted;
	int st;

	if (!v)
		return OUT_OTHER;
	if (!p->result.status)
		return in_list(p->result.success, p->result.nsuccess, v) ? OUT_OK
		     : in_list(p->result.failure, p->result.nfailure, v) ? OUT_FAIL : OUT_OTHER;
	if (outcome_parse_status(v, &st))
		return OUT_OTHER;
	if (outcome_is_failure(&p->outcome, st, &counted))
		return OUT_FAIL;
	return counted ? OUT_OK : OUT_OTHER;
}

static int read_requests(const struct profile *p, const struct prom_scrape *before,
			 const struct prom_scrape *after, const struct mx_endpoint *scrape_of,
			 struct mx_reported *r)
{
	struct mx_endpoint a, b;

	for (size_t i = 0; i < after->nsamples; i++) {
		const struct prom_sample *s = &after->samples[i];
		struct mx_rep_edge *e;
		double d;

		if (strcmp(s->name, p->req_metric) || !matches(&p->req_match, s))
			continue;
		if (series_edge(&p->src, &p->dst, s, scrape_of, &a, &b)) {
			r->unnamed++;
			continue;
		}
		if (!(e = edge_for(r, &a, &b)))
			return -ENOMEM;
		d = delta(s, before, r->restarted, &e->reset);
		e->nseries++;
		if (isnan(d)) {
			e->nan = true;
			continue;
		}
		switch (series_outcome(p, s)) {
		case OUT_OK: e->ok += d; break;
		case OUT_FAIL: e->fail += d; break;
		default: e->other += d; break;
		}
	}
	/* A series that vanished took its counts with it: the exporter restarted. */
	for (size_t i = 0; before && i < before->nsamples; i++) {
		const struct prom_sample *s = &before->samples[i];
		struct mx_rep_edge *e;

		if (strcmp(s->name, p->req_metric) || !matches(&p->req_match, s) ||
		    prom_find_series(after, s) || series_edge(&p->src, &p->dst, s, scrape_of, &a, &b))
			continue;
		if (!(e = edge_for(r, &a, &b)))
			return -ENOMEM;
		e->reset = true;
	}
	return 0;
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
static int add_latency(const struct profile *p, const struct prom_sample *s,
		       const struct prom_scrape *before, struct mx_reported *r, struct mx_rep_edge *e)
{
	const struct lat_spec *lat = &p->lat;
	const char *v;
	double d, x;

	if (lat->type == LAT_HISTOGRAM && name_is(s->name, lat->metric, "_bucket")) {
		v = prom_label(s, "le");
		if (!v || prom_parse_float(v, strlen(v), &x))
			return 0;	/* the parser already rejects these */
		d = delta(s, before, r->restarted, &e->lat_reset);
		if (isinf(x))
			e->lat_series++;
		return add_bucket(e, x, d);
	}
	if ((lat->type == LAT_HISTOGRAM || lat->type == LAT_SUMMARY) && name_is(s->name, lat->metric, "_count")) {
		if (lat->type == LAT_SUMMARY)
			e->lat_count += delta(s, before, r->restarted, &e->lat_reset);
		return 0;
	}
	if (lat->type == LAT_SUMMARY && !strcmp(s->name, lat->metric)) {
		v = prom_label(s, "quantile");
		if (!v || prom_parse_float(v, strlen(v), &x))
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
	if (lat->type == LAT_MAX && !strcmp(s->name, lat->metric)) {
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

static int read_latency(const struct profile *p, const struct prom_scrape *before,
			const struct prom_scrape *after, const struct mx_endpoint *scrape_of,
			struct mx_reported *r)
{
	const struct lat_spec *lat = &p->lat;
	struct mx_endpoint a, b;
	int rc;

	if (lat->type == LAT_NONE)
		return 0;
	for (size_t i = 0; i < after->nsamples; i++) {
		const struct prom_sample *s = &after->samples[i];
		struct mx_rep_edge *e;

		if (strncmp(s->name, lat->metric, strlen(lat->metric)) || !matches(&lat->match, s) ||
		    series_edge(&lat->src, &lat->dst, s, scrape_of, &a, &b))
			continue;
		if (!(e = edge_for(r, &a, &b)))
			return -ENOMEM;
		if ((rc = add_latency(p, s, before, r, e)))
			return rc;
	}
	for (size_t i = 0; i < r->n; i++)
		check_buckets(&r->edges[i]);
	return 0;
}

int mx_report_from_prom(const struct profile *p, const struct prom_scrape *before,
			const struct prom_scrape *after, const struct mx_endpoint *scrape_of,
			struct mx_reported **out, char *err, size_t errlen)
{
	struct mx_reported *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	r->have_before = before != NULL;
	if (before && p->restart_metric) {
		double x = prom_first_value(before, p->restart_metric);
		double y = prom_first_value(after, p->restart_metric);

		r->restarted = !isnan(x) && !isnan(y) && x != y;
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
