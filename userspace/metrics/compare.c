/* compare.c - see compare.h */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metrics/compare.h"
#include "stats/quantile.h"

void mx_format_ns(double ns, char *buf, size_t len)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (isinf(ns))
		snprintf(buf, len, "+Inf");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.4gus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.4gms", ns / 1e6);
	else
		snprintf(buf, len, "%.4gs", ns / 1e9);
}

static struct mx_check *new_check(struct mx_edge_result *er, const char *name)
{
	struct mx_check *c;

	if (er->nchecks == MX_MAX_CHECKS)
		return NULL;
	c = &er->checks[er->nchecks++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->detail = json_object();
	return c;
}

__attribute__((format(printf, 3, 4)))
static void verdict(struct mx_check *c, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	c->verdict = v;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(c->note, sizeof(c->note), fmt, ap);
		va_end(ap);
	}
}

/* A check of a metric the mesh does not report: NONE, with what was observed beside it. */
static void not_reported(struct mx_check *c, const char *why)
{
	snprintf(c->reported, sizeof(c->reported), "not reported");
	snprintf(c->resolution, sizeof(c->resolution), "-");
	c->not_reported = true;
	c->verdict = VERDICT_PASS;	/* ignored: mx_edge_finish skips checks the mesh does not report */
	json_object_set_new(c->detail, "reported", json_null());
	json_object_set_new(c->detail, "not_reported", json_true());
	snprintf(c->note, sizeof(c->note), "%s", why);
}

static bool whole(double x)
{
	return isfinite(x) && x >= 0 && x == floor(x);
}

/*
 * The mesh counts an exchange when it sees it end (or begin); an exchange
 * that straddles a window edge may fall on either side of a scrape. So the
 * reported count must be within [inside, inside + straddling]; nothing else
 * is tolerated.
 */
/* Reported more than the window can hold: FAIL unless what was not observed could explain it. */
static void count_above(struct mx_check *c, double rep, uint64_t hi, const struct mx_obs_view *ov,
			bool lower_bound_only)
{
	if (rep <= (double)(hi + ov->unattributed))
		verdict(c, VERDICT_INCONCLUSIVE, "%llu more than observed; %llu exchange(s) with an "
			"unknown other end could account for them", (unsigned long long)(rep - (double)hi),
			(unsigned long long)ov->unattributed);
	else if (lower_bound_only)
		verdict(c, VERDICT_INCONCLUSIVE, "%.15g more than observed, but observation lost data", rep - (double)hi);
	else if (!ov->watched)
		verdict(c, VERDICT_INCONCLUSIVE, "%.15g reported, but the measured end was not under capture", rep);
	else
		verdict(c, VERDICT_FAIL, "the mesh reports %.15g more than happened", rep - (double)hi);
}

/*
 * Reported fewer than surely happened: FAIL unless the counter restarted,
 * bypassing traffic could not be told apart, or the mesh counted enough at
 * this end against an end outside itself (callers it could not name).
 */
static void count_below(struct mx_check *c, double rep, uint64_t in, double outside, const struct mx_rep_counts *rc,
			bool reset, const struct mx_quality *q)
{
	if (!rc->have && outside > 0 && outside >= (double)in)
		verdict(c, VERDICT_INCONCLUSIVE, "the mesh reports nothing for this edge, but counts %.15g at this end "
			"against an end it places outside itself: they may be these", outside);
	else if (!rc->have)
		verdict(c, VERDICT_FAIL, "the mesh reports nothing for this edge");
	else if (reset)
		verdict(c, VERDICT_INCONCLUSIVE, "%.15g fewer than observed, but the counter was reset in the "
			"window (counts before the reset are lost)", (double)in - rep);
	else if (q->bypass_unknown)
		verdict(c, VERDICT_INCONCLUSIVE, "%.15g fewer than observed, but traffic that bypassed the "
			"proxy could not be told apart (no mesh address known)", (double)in - rep);
	else if (outside > 0 && rep + outside >= (double)in)
		verdict(c, VERDICT_INCONCLUSIVE, "%.15g fewer than observed, but the mesh counts %.15g at this end "
			"against an end it places outside itself: they may be these", (double)in - rep, outside);
	else
		verdict(c, VERDICT_FAIL, "the mesh reports %.15g fewer than happened", (double)in - rep);
}

/*
 * The mesh counts an exchange when it sees it end (or begin); an exchange
 * that straddles a window edge may fall on either side of a scrape. So the
 * reported count must be within [inside, inside + straddling]; nothing else
 * is tolerated.
 */
static void count_check(struct mx_edge_result *er, const char *name, double rep, const struct mx_rep_counts *rc,
			bool reset, double outside, uint64_t in, uint64_t straddle, const struct mx_obs_view *ov,
			const struct mx_quality *q)
{
	struct mx_check *c = new_check(er, name);
	uint64_t hi = in + straddle;
	bool lower_bound_only = q->loss || (ov->edge && ov->edge->damaged);

	if (!c)
		return;
	if (straddle)
		snprintf(c->observed, sizeof(c->observed), "%llu..%llu", (unsigned long long)in,
			 (unsigned long long)hi);
	else
		snprintf(c->observed, sizeof(c->observed), "%llu", (unsigned long long)in);
	json_object_set_new(c->detail, "observed_inside", json_integer((json_int_t)in));
	json_object_set_new(c->detail, "observed_straddling", json_integer((json_int_t)straddle));
	json_object_set_new(c->detail, "unattributed", json_integer((json_int_t)ov->unattributed));
	if (!rc->reported) {
		not_reported(c, "the mesh does not report this metric");
		return;
	}
	rep = rc->have ? rep : 0;
	snprintf(c->reported, sizeof(c->reported), rc->have ? "%.15g" : "-", rep);
	json_object_set_new(c->detail, "reported", rc->have ? json_real(rep) : json_null());
	if (outside > 0)
		json_object_set_new(c->detail, "reported_outside", json_real(outside));
	if (rc->have && !whole(rep))
		verdict(c, VERDICT_INCONCLUSIVE, "reported count %g is not a whole number (extrapolated?): "
			"exact comparison impossible", rep);
	else if (rep >= (double)in && rep <= (double)hi && (rc->have || !hi)) {
		if (lower_bound_only && rc->have)
			verdict(c, VERDICT_INCONCLUSIVE, "equal, but observation lost data: the true count may be higher");
		else
			verdict(c, VERDICT_PASS, straddle ? "%llu exchange(s) straddle the window edges" : NULL,
				(unsigned long long)straddle);
	} else if (rep > (double)hi)
		count_above(c, rep, hi, ov, lower_bound_only);
	else
		count_below(c, rep, in, outside, rc, reset, q);
}

void mx_compare_counts(struct mx_edge_result *er, const struct mx_rep_counts *rc, const struct mx_obs_view *ov,
		       const struct mx_quality *q)
{
	const struct mx_obs_edge *e = ov->edge;

	count_check(er, "success_count", rc->ok, rc, rc->reset_ok, rc->outside_ok, e ? e->ok : 0, e ? e->ok_edge : 0,
		    ov, q);
	count_check(er, "failure_count", rc->fail, rc, rc->reset_fail, rc->outside_fail, e ? e->fail : 0,
		    e ? e->fail_edge : 0, ov, q);
}

/* Observed quantile at the measured side, and the bracket the mesh's own value must lie in. */
/*
 * Observed quantile at the measured side, and the range the mesh's own
 * quantile must lie in (from the server's and the client's views). A bound
 * is unknown (lo 0, hi +Inf) when some exchange lacks that view.
 */
struct obs_q {
	bool have;
	double side, lo, hi;	/* ns */
	bool lo_known, hi_known;
};

static struct obs_q observed_quantile(const struct mx_obs_edge *e, double q_side, double q_lo, double q_hi)
{
	struct obs_q o = { 0 };
	uint64_t hi;

	if (!e || (!e->side.n && !e->e_side.n))
		return o;
	o.have = true;
	o.side = e->side.n ? (double)q_nearest(e->side.v, e->side.n, q_side)
			   : (double)q_nearest(e->e_side.v, e->e_side.n, q_side);
	o.lo = (double)q_lowest(e->lo.v, e->lo.n, e->e_lo.v, e->e_lo.n, q_lo);
	hi = q_highest(e->hi.v, e->hi.n, e->e_hi.v, e->e_hi.n, q_hi);
	o.hi = hi == MX_UNKNOWN_HI ? INFINITY : (double)hi;
	o.lo_known = !e->no_server;
	o.hi_known = !e->no_client;
	return o;
}

/* Fills the observed column and detail of c; "-" when nothing was observed. */
static void describe_observed(struct mx_check *c, const struct obs_q *o)
{
	char a[32], b[32] = "?", d[32] = "?";

	if (!o->have) {
		snprintf(c->observed, sizeof(c->observed), "-");
		return;
	}
	mx_format_ns(o->side, a, sizeof(a));
	if (o->lo_known)
		mx_format_ns(o->lo, b, sizeof(b));
	if (o->hi_known)
		mx_format_ns(o->hi, d, sizeof(d));
	if (o->lo_known && o->hi_known && o->lo == o->hi && o->lo == o->side)
		snprintf(c->observed, sizeof(c->observed), "%s", a);
	else
		snprintf(c->observed, sizeof(c->observed), "%s [%s..%s]", a, b, d);
	json_object_set_new(c->detail, "observed_ns", json_real(o->side));
	json_object_set_new(c->detail, "observed_lowest_ns", o->lo_known ? json_real(o->lo) : json_null());
	json_object_set_new(c->detail, "observed_highest_ns", o->hi_known ? json_real(o->hi) : json_null());
}

/*
 * Whether a reported value range (lo, hi] fits the observations: PASS when
 * the measured side's quantile is in it, or when it meets the range between
 * the client's and the server's views of every exchange; FAIL when it lies
 * outside even the loosest bounds; INCONCLUSIVE when only an unobserved view
 * could make it fit.
 */
static enum verdict fit(const struct obs_q *o, double lo, double hi, bool lo_open, bool side_in,
			   const char **why)
{
	*why = NULL;
	if (side_in)
		return VERDICT_PASS;
	if (o->lo > hi || o->hi < lo || (lo_open && o->hi == lo && lo > 0)) {
		*why = "observed quantile lies outside the reported bucket";
		return VERDICT_FAIL;
	}
	if (o->lo_known && o->hi_known) {
		*why = "in it only between the client's and the server's view, where the mesh measures";
		return VERDICT_PASS;
	}
	*why = !o->hi_known ? "above what the server saw, and the client side of some exchanges was not observed "
			      "(time queued before the server read them is unknown)"
			    : "below what the client saw, and the server side of some exchanges was not observed";
	return VERDICT_INCONCLUSIVE;
}

static void quantile_name(char *buf, size_t len, double q)
{
	snprintf(buf, len, "p%g_latency", q * 100);
}

/*
 * The bucket (lo, hi] holding the value of rank r: the mesh's q-quantile is
 * in it whatever interpolation reads it, and nothing finer can be known.
 */
static void bucket_check(struct mx_check *c, double lo_ns, double hi_ns, const struct obs_q *o)
{
	char a[32], b[32];
	bool side_in = (o->side > lo_ns || (lo_ns == 0 && o->side == 0)) && o->side <= hi_ns;
	const char *why;
	enum verdict v;

	mx_format_ns(lo_ns, a, sizeof(a));
	mx_format_ns(hi_ns, b, sizeof(b));
	snprintf(c->resolution, sizeof(c->resolution), "bucket (%s, %s]", a, b);
	json_object_set_new(c->detail, "bucket_low_ns", json_real(lo_ns));
	json_object_set_new(c->detail, "bucket_high_ns", isinf(hi_ns) ? json_string("+Inf") : json_real(hi_ns));
	v = fit(o, lo_ns, hi_ns, true, side_in, &why);
	verdict(c, v, why ? "%s" : NULL, why);
}

static void histogram_check(struct mx_edge_result *er, const struct lat_spec *lat,
			    const struct mx_rep_edge *rep, const struct mx_obs_view *ov, double q)
{
	char name[24], a[32];
	struct obs_q o = observed_quantile(ov->edge, q, q, q);
	struct mx_check *c;
	size_t b, r;
	double n = rep->lat_count, est, lo, hi;

	if (n <= 0 && !o.have)
		return;
	quantile_name(name, sizeof(name), q);
	if (!(c = new_check(er, name)))
		return;
	describe_observed(c, &o);
	if (rep->lat_problem[0]) {
		snprintf(c->reported, sizeof(c->reported), "unusable");
		verdict(c, strstr(rep->lat_problem, "cumulative") ? VERDICT_FAIL : VERDICT_INCONCLUSIVE, "%s",
			rep->lat_problem);
		return;
	}
	if (n <= 0 || !o.have) {
		snprintf(c->reported, sizeof(c->reported), n > 0 ? "%.15g samples" : "no samples", n);
		if (!o.have)
			verdict(c, VERDICT_INCONCLUSIVE, "no observed exchange with a response to compare with");
		else
			verdict(c, rep->lat_reset ? VERDICT_INCONCLUSIVE : VERDICT_FAIL,
				"the mesh recorded no latency on this edge in the window");
		return;
	}
	r = q_rank((size_t)llround(n), q);
	for (b = 0; b + 1 < rep->nbuckets && rep->buckets[b].count < (double)r; b++)
		;
	lo = b ? rep->buckets[b - 1].le * lat->unit_ns : 0;
	hi = rep->buckets[b].le * lat->unit_ns;
	/* Prometheus' histogram_quantile: linear inside the bucket, the last finite bound past it. */
	if (isinf(hi))
		est = lo;
	else
		est = lo + (hi - lo) * (q * n - (b ? rep->buckets[b - 1].count : 0)) /
			   (rep->buckets[b].count - (b ? rep->buckets[b - 1].count : 0));
	mx_format_ns(est, a, sizeof(a));
	snprintf(c->reported, sizeof(c->reported), "~%s", a);
	json_object_set_new(c->detail, "reported_estimate_ns", json_real(est));
	json_object_set_new(c->detail, "reported_samples", json_real(n));
	bucket_check(c, lo, hi, &o);
}

/* Opens the check of quantile q reported as a value: both numbers, or NULL when neither exists. */
static struct mx_check *value_check(struct mx_edge_result *er, double q, double rep_ns, const struct obs_q *o)
{
	char name[24], a[32];
	struct mx_check *c;

	if (isnan(rep_ns) && !o->have)
		return NULL;
	quantile_name(name, sizeof(name), q);
	if (!(c = new_check(er, name)))
		return NULL;
	mx_format_ns(rep_ns, a, sizeof(a));
	snprintf(c->reported, sizeof(c->reported), "%s", a);
	json_object_set_new(c->detail, "reported_ns", json_real(rep_ns));
	describe_observed(c, o);
	return c;
}

static void summary_check(struct mx_edge_result *er, const struct lat_spec *lat,
			  const struct mx_rep_edge *rep, const struct mx_obs_view *ov, int i)
{
	double q = lat->quantiles[i], eps = lat->rank_error[i], x = NAN;
	struct obs_q o = observed_quantile(ov->edge, q, q - eps < 0 ? 0 : q - eps, q + eps > 1 ? 1 : q + eps);
	struct mx_check *c;

	for (int j = 0; j < rep->nsq; j++)
		if (rep->sq[j] == q)
			x = rep->sv[j] * lat->unit_ns;
	if (!(c = value_check(er, q, x, &o)))
		return;
	snprintf(c->resolution, sizeof(c->resolution), "rank error %g", eps);
	if (rep->lat_problem[0])
		verdict(c, VERDICT_INCONCLUSIVE, "%s", rep->lat_problem);
	else if (isnan(x) || !o.have)
		verdict(c, VERDICT_INCONCLUSIVE, isnan(x) ? "no reported value" : "nothing observed to compare with");
	else {
		struct obs_q at_lo = observed_quantile(ov->edge, q - eps < 0 ? 0 : q - eps, 0, 0);
		struct obs_q at_hi = observed_quantile(ov->edge, q + eps > 1 ? 1 : q + eps, 0, 0);
		const char *why;
		enum verdict v = fit(&o, x, x, false, x >= at_lo.side && x <= at_hi.side, &why);

		verdict(c, v, "%s", v == VERDICT_FAIL ? "outside the observed range for the quantiles within its rank error"
			: why ? why : "a summary covers its own time span, not only this window");
	}
}

/*
 * A maximum since the exporter started: when it rose during the window it is
 * the window's maximum (to its resolution); when it did not, the window's
 * maximum must not exceed it. The mesh's time for an exchange is at least
 * the server's view of it and at most the client's.
 */
static void max_check(struct mx_edge_result *er, const struct lat_spec *lat, const struct mx_rep_edge *rep,
		      const struct mx_obs_view *ov, bool have_before)
{
	const struct mx_obs_edge *e = ov->edge;
	double res = lat->resolution * lat->unit_ns, a = rep->max_after * lat->unit_ns;
	double b = rep->max_before * lat->unit_ns, lo = 0, hi = 0, seen = 0;
	bool have = e && (e->side.n || e->e_side.n), hi_known = e && !e->no_client;
	char x[32], y[32], z[32];
	struct mx_check *c;

	if (!have && isnan(a))
		return;
	if (!(c = new_check(er, "max_latency")))
		return;
	if (have) {
		lo = e->lo.n ? (double)e->lo.v[e->lo.n - 1] : 0;
		hi = fmax(e->hi.n ? (double)e->hi.v[e->hi.n - 1] : 0, e->e_hi.n ? (double)e->e_hi.v[e->e_hi.n - 1] : 0);
		seen = fmax(e->side.n ? (double)e->side.v[e->side.n - 1] : 0,
			    e->e_side.n ? (double)e->e_side.v[e->e_side.n - 1] : 0);
	}
	mx_format_ns(a, x, sizeof(x));
	mx_format_ns(b, y, sizeof(y));
	snprintf(c->reported, sizeof(c->reported), "%s (before %s)", x, y);
	mx_format_ns(lo, x, sizeof(x));
	if (hi_known)
		mx_format_ns(hi, y, sizeof(y));
	else
		snprintf(y, sizeof(y), "?");
	snprintf(c->observed, sizeof(c->observed), hi_known && lo == hi ? "%s" : "[%s..%s]", x, y);
	mx_format_ns(res, z, sizeof(z));
	snprintf(c->resolution, sizeof(c->resolution), "+-%s", z);
	json_object_set_new(c->detail, "reported_after_ns", json_real(a));
	json_object_set_new(c->detail, "reported_before_ns", isnan(b) ? json_null() : json_real(b));
	json_object_set_new(c->detail, "observed_lowest_ns", json_real(lo));
	json_object_set_new(c->detail, "observed_highest_ns", hi_known ? json_real(hi) : json_null());
	if (rep->lat_problem[0] || isnan(a))
		verdict(c, VERDICT_INCONCLUSIVE, "%s", rep->lat_problem[0] ? rep->lat_problem : "no reported maximum");
	else if (!have)
		verdict(c, VERDICT_INCONCLUSIVE, "no observed exchange with a response to compare with");
	else if (have_before && !isnan(b) && a < b)
		verdict(c, VERDICT_INCONCLUSIVE, "the maximum went down: counters were cleared");
	else if (lo > a + res)
		verdict(c, VERDICT_FAIL, "an exchange in the window took longer than the reported maximum");
	else if (!have_before || isnan(b) || a == b)
		verdict(c, VERDICT_PASS, "not exceeded in the window (a maximum since start only bounds it)");
	else if (hi_known && hi < a - res)
		verdict(c, VERDICT_FAIL, "the maximum rose in the window, but no exchange took that long");
	else if (!hi_known && fmax(seen, lo) < a - res)
		verdict(c, VERDICT_INCONCLUSIVE, "the maximum rose above every duration seen, and the client side of "
			"some exchanges was not observed (time queued before the server read them is unknown)");
	else
		verdict(c, VERDICT_PASS, "the maximum rose in the window: it is the window's");
}

/* The checks the profile's latency type makes, each NONE: the mesh does not report the family. */
static void latency_not_reported(struct mx_edge_result *er, const struct lat_spec *lat,
				 const struct mx_obs_view *ov)
{
	size_t n = lat->type == LAT_HISTOGRAM ? MX_TM_NQ : lat->type == LAT_SUMMARY ? lat->nobjectives : 1;

	for (size_t i = 0; i < n && lat->type != LAT_NONE; i++) {
		double q = lat->type == LAT_HISTOGRAM ? mx_tm_quantiles[i] : lat->type == LAT_SUMMARY ?
			   lat->quantiles[i] : 1;
		struct obs_q o = observed_quantile(ov->edge, q, q, q);
		char name[24];
		struct mx_check *c;

		if (lat->type == LAT_MAX)
			snprintf(name, sizeof(name), "max_latency");
		else
			quantile_name(name, sizeof(name), q);
		if (!(c = new_check(er, name)))
			return;
		describe_observed(c, &o);
		not_reported(c, "the mesh does not report this metric");
	}
}

void mx_compare_latency(struct mx_edge_result *er, const struct lat_spec *lat, const struct mx_rep_edge *rep,
			const struct mx_obs_view *ov, bool have_before, bool reported)
{
	static const struct mx_rep_edge none = { .max_before = NAN, .max_after = NAN };

	if (!reported) {
		latency_not_reported(er, lat, ov);
		return;
	}
	if (!rep)
		rep = &none;
	switch (lat->type) {
	case LAT_HISTOGRAM:
		for (int i = 0; i < MX_TM_NQ; i++)
			histogram_check(er, lat, rep, ov, mx_tm_quantiles[i]);
		break;
	case LAT_SUMMARY:
		for (size_t i = 0; i < lat->nobjectives; i++)
			summary_check(er, lat, rep, ov, (int)i);
		break;
	case LAT_MAX:
		max_check(er, lat, rep, ov, have_before);
		break;
	default:
		break;
	}
}

void mx_compare_quantile_value(struct mx_edge_result *er, double q, double rep_ns,
			       const struct lat_spec *buckets, const struct mx_obs_view *ov)
{
	struct obs_q o = observed_quantile(ov->edge, q, q, q);
	struct mx_check *c = value_check(er, q, rep_ns, &o);
	const char *why;

	if (!c)
		return;
	if (isnan(rep_ns)) {
		not_reported(c, "the item carries no such metric");
		return;
	}
	if (!o.have) {
		verdict(c, VERDICT_INCONCLUSIVE, "nothing observed to compare with");
		return;
	}
	if (buckets && buckets->nbuckets) {
		double lo = 0, hi = INFINITY;

		for (size_t i = 0; i < buckets->nbuckets; i++) {
			if (rep_ns <= buckets->buckets[i] * buckets->unit_ns) {
				hi = buckets->buckets[i] * buckets->unit_ns;
				break;
			}
			lo = buckets->buckets[i] * buckets->unit_ns;
		}
		bucket_check(c, lo, hi, &o);
		return;
	}
	snprintf(c->resolution, sizeof(c->resolution), "unknown");
	if (fit(&o, rep_ns, rep_ns, false, rep_ns == o.side, &why) == VERDICT_PASS)
		verdict(c, VERDICT_PASS, NULL);
	else
		verdict(c, VERDICT_INCONCLUSIVE, "differs from the observed value, and the resolution of the "
			"reported value is unknown (give a profile with latency.buckets)");
}

void mx_edge_finish(struct mx_edge_result *er, enum verdict fallback)
{
	bool any = false;

	er->verdict = VERDICT_PASS;
	for (int i = 0; i < er->nchecks; i++) {
		if (er->checks[i].not_reported)
			continue;
		any = true;
		er->verdict = verdict_worst(er->verdict, er->checks[i].verdict);
	}
	if (!any)
		er->verdict = fallback;
}
