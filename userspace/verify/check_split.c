/* check_split.c - weighted split verdicts (see checks.h, docs/verdicts.md) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/dependence.h"
#include "stats/stats.h"
#include "verify/checks.h"

#define MAX_REQUIRED_N 10000000ULL
/* A connection's row of the homogeneity table needs this many expected requests per backend. */
#define MIN_EXPECTED 5.0

/* The share index whose service has the serving pod among its endpoints, or -1. */
static int backend_of(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		      const struct obs_exchange *served)
{
	for (size_t i = 0; i < x->n_shares; i++) {
		const struct inv_service *svc = inventory_service(c->inv, t->to_ns, x->shares[i].service);

		if (svc && inv_service_has_pod(svc, served->ns, served->pod))
			return (int)i;
	}
	return -1;
}

/* What the requests showed, per backend and per kind of miss. */
struct tally {
	uint64_t count[SC_MAX_SHARES];	/* requests whose answer came from each backend */
	size_t delivered, failed;
	size_t zero_requests, zero_extra;	/* requests with a copy at a weight-0 backend; of them, not the answer */
	json_t *outcomes, *elsewhere, *undelivered, *unobserved, *zero_hits, *copies;
	char first_elsewhere[160], first_zero[200];
};

/* Where the copies of r went: outside every backend, to a weight-0 one (and whether that copy answered). */
static void copy_places(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
			const struct vreq *r, const struct obs_exchange **outside, const struct obs_exchange **zero,
			bool *zero_answered)
{
	*outside = *zero = NULL;
	*zero_answered = false;
	for (size_t i = 0; i < r->n_copies; i++) {
		int b = backend_of(c, t, x, r->copies[i].e);

		if (b < 0 && !*outside)
			*outside = r->copies[i].e;
		if (b >= 0 && x->shares[b].weight == 0) {
			if (!*zero)
				*zero = r->copies[i].e;
			*zero_answered |= r->copies[i].answered;
		}
	}
}

static void tally(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		  const struct vreq *r, size_t n, struct tally *y)
{
	char label[48];

	for (size_t i = 0; i < n; i++) {
		const struct obs_exchange *outside, *zero;
		bool zero_answered;
		int b;

		evidence_count(y->outcomes, vreq_outcome_label(&r[i], label, sizeof(label)));
		if (!r[i].served) {
			evidence_list_add(r[i].outcome == CO_UNOBSERVED ? y->unobserved : y->undelivered,
					  evidence_request(c, &r[i], r[i].outcome == CO_UNOBSERVED ?
							   "unobserved" : "not-delivered"));
			continue;
		}
		y->delivered++;
		if (!vreq_succeeded(&r[i]))
			y->failed++;
		if (r[i].n_copies > 1)
			evidence_list_add(y->copies, evidence_request(c, &r[i], "copies"));
		copy_places(c, t, x, &r[i], &outside, &zero, &zero_answered);
		if (zero) {
			char when[40];

			if (!y->zero_requests++) {
				evidence_time(c->obs, zero->start_ns, when, sizeof(when));
				snprintf(y->first_zero, sizeof(y->first_zero), "%s at %s/%s %s", r[i].request_id ?
					 r[i].request_id : "?", zero->ns, zero->pod, when);
			}
			y->zero_extra += !zero_answered;
			evidence_list_add(y->zero_hits, evidence_request(c, &r[i], "served-by-zero-weight"));
		}
		if (outside) {
			if (!*y->first_elsewhere)
				snprintf(y->first_elsewhere, sizeof(y->first_elsewhere), "%s/%s", outside->ns, outside->pod);
			evidence_list_add(y->elsewhere, evidence_request(c, &r[i], "served-outside-split"));
		}
		b = backend_of(c, t, x, r[i].served);
		if (b >= 0 && !outside)
			y->count[b]++;
	}
}

/* The goodness-of-fit test over the backends with weight > 0, on the effective sample. */
struct fit {
	int k;			/* backends with weight > 0 */
	int idx[SC_MAX_SHARES];	/* their share indexes */
	double p0[SC_MAX_SHARES];
	uint64_t obs[SC_MAX_SHARES], n;
	const char *test;
	double p_value, statistic, power;
	uint64_t required;
	/* How many independent choices the n requests are (dependence.h). */
	double n_eff, deff;
	size_t groups;		/* client connections (a request seen at no client is a group of its own) */
	size_t by_entry;	/* counted requests on a shared connection whose backend was followed to the entry only */
	struct stats_icc icc;
	struct stats_homogeneity hom;
	struct stats_runs runs;
};

/* A counted request: its client connection, the backend that answered (index among f's), when it was sent. */
struct pick {
	const char *conn;
	int b;
	uint64_t at, seq;
	bool by_entry;		/* its answered copy was followed to the entry only: which request it was is a guess */
};

/* Whether the copy the client got was tied to this request only as one of its entry's. */
static bool answered_by_entry(const struct vreq *r)
{
	for (size_t i = 0; i < r->n_copies; i++)
		if (r->copies[i].answered)
			return r->copies[i].how == VL_ENTRY;
	return false;
}

static int pick_conn_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;
	int d = strcmp(x->conn, y->conn);

	if (d)
		return d;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int pick_time_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Fills p with the n requests served by one of f's backends, in no order. Returns how many. */
static size_t collect_picks(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
			    const struct vreq *r, size_t n, const struct fit *f, struct pick *p)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		int b = r[i].served ? backend_of(c, t, x, r[i].served) : -1, j;

		for (j = 0; b >= 0 && j < f->k && f->idx[j] != b; j++)
			;
		if (b < 0 || j == f->k)
			continue;
		/* In the order the requests entered the mesh: when it chose (a backend's own start can lag). */
		p[m++] = (struct pick){ r[i].client ? r[i].client->conn : "", j,
					r[i].client ? r[i].client->start_ns : r[i].t0, r[i].id.seq, answered_by_entry(&r[i]) };
	}
	return m;
}

/*
 * Counts the m picks (sorted by connection) into table, a row of f->k per
 * client connection; sets f->groups and f->by_entry.
 */
static void count_by_conn(const struct pick *p, size_t m, uint64_t *table, struct fit *f)
{
	size_t g = 0;

	for (size_t i = 0; i < m; i++) {
		bool shared = *p[i].conn && ((i && !strcmp(p[i].conn, p[i - 1].conn)) ||
					     (i + 1 < m && !strcmp(p[i].conn, p[i + 1].conn)));

		/* A request seen at no client is a group of its own: nothing ties it to another. */
		if (i && (!*p[i].conn || strcmp(p[i].conn, p[i - 1].conn)))
			g++;
		table[g * (size_t)f->k + (size_t)p[i].b]++;
		f->by_entry += shared && p[i].by_entry;
	}
	f->groups = m ? g + 1 : 0;
}

/*
 * Groups the counted requests by client connection and tests the two ways
 * the backend may depend on more than chance: on the connection (a table of
 * connections by backend) and on the choice before (runs in the order the
 * requests left their client for the mesh, which chose then; the order in
 * which backends began serving them can lag behind that). The design effect
 * of the connections gives the effective n; with one backend of weight > 0
 * there is nothing to estimate it from, the backend being trivially the same on every connection, so the
 * connections themselves are the independent choices.
 */
static void dependence(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		       const struct vreq *r, size_t n, struct fit *f)
{
	struct pick *p = calloc(n + 1, sizeof(*p));
	uint64_t *table = NULL;
	int *seq = NULL;
	size_t m;

	f->n_eff = (double)f->n;
	f->deff = 1;
	f->icc.icc = NAN;
	f->hom.p_value = NAN;
	f->runs.p_value = NAN;
	if (!p)
		return;
	m = collect_picks(c, t, x, r, n, f, p);
	qsort(p, m, sizeof(*p), pick_conn_cmp);
	table = calloc((m + 1) * (size_t)f->k, sizeof(*table));
	seq = calloc(m + 1, sizeof(*seq));
	if (!table || !seq)
		goto out;
	count_by_conn(p, m, table, f);
	if (f->k == 1) {
		f->n_eff = (double)f->groups;
	} else {
		stats_icc_categorical(table, f->groups, (size_t)f->k, &f->icc);
		stats_chi2_homogeneity(table, f->groups, (size_t)f->k, MIN_EXPECTED, &f->hom);
		f->deff = f->icc.deff;
		f->n_eff = f->icc.n_eff;
		qsort(p, m, sizeof(*p), pick_time_cmp);
		for (size_t i = 0; i < m; i++)
			seq[i] = p[i].b;
		stats_runs_test(seq, m, f->k, &f->runs);
	}
	if (f->n_eff < (double)f->n && f->n_eff > 0)
		f->deff = (double)f->n / f->n_eff;
out:
	free(p);
	free(table);
	free(seq);
}

static void fit(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		const struct tally *y, const struct vreq *r, size_t n, struct fit *f)
{
	const struct scenario *sc = c->sc;
	uint64_t scaled[SC_MAX_SHARES], sn = 0, n_eff;
	double wsum = 0;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < x->n_shares; i++)
		if (x->shares[i].weight > 0) {
			f->idx[f->k] = (int)i;
			f->obs[f->k] = y->count[i];
			f->n += y->count[i];
			wsum += x->shares[i].weight;
			f->k++;
		}
	for (int j = 0; j < f->k; j++)
		f->p0[j] = x->shares[f->idx[j]].weight / wsum;
	dependence(c, t, x, r, n, f);
	/* The test and its power count independent choices: counts shrink by the design effect. */
	for (int j = 0; j < f->k; j++) {
		scaled[j] = f->deff > 1 ? (uint64_t)llround((double)f->obs[j] / f->deff) : f->obs[j];
		sn += scaled[j];
	}
	n_eff = (uint64_t)floor(f->n_eff + 1e-9);
	f->p_value = NAN;
	f->statistic = NAN;
	if (f->k == 1) {
		f->test = "all-to-one";
	} else if (f->k == 2) {
		f->test = "exact-binomial";
		f->p_value = stats_binom_test(scaled[0], sn, f->p0[0]);
	} else {
		struct stats_gof g;

		f->test = "chi-square";
		if (!stats_chi2_gof(scaled, f->p0, f->k, &g)) {
			f->p_value = g.p_value;
			f->statistic = g.statistic;
		}
	}
	f->power = stats_split_power(f->p0, f->k, n_eff, sc->alpha, sc->effect);
	f->required = stats_split_required_n(f->p0, f->k, sc->alpha, sc->effect, sc->power, MAX_REQUIRED_N);
}

static json_t *num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *backends_json(const struct check_ctx *c, const struct sc_expect *x, const struct tally *y,
			     const struct fit *f)
{
	json_t *list = json_array();

	for (size_t i = 0; i < x->n_shares; i++) {
		double w = x->shares[i].weight, expected = 0, lo = 0, hi = 1;
		uint64_t denom = w > 0 ? f->n : y->delivered;

		for (int j = 0; j < f->k; j++)
			if (f->idx[j] == (int)i)
				expected = f->p0[j];
		if (denom)
			stats_clopper_pearson(y->count[i], denom, c->ci_level, &lo, &hi);
		json_array_append_new(list, json_pack("{s:s, s:f, s:f, s:I, s:o, s:[f, f]}",
			"service", x->shares[i].service, "weight", w, "expected", expected,
			"observed", (json_int_t)y->count[i],
			"share", denom ? json_real((double)y->count[i] / (double)denom) : json_null(),
			"ci", lo, hi));
	}
	return list;
}

static json_t *dependence_json(const struct fit *f)
{
	return json_pack("{s:I, s:I, s:o, s:{s:o, s:o, s:o, s:I, s:I}, s:{s:f, s:o, s:o, s:o, s:b}}",
		"connections", (json_int_t)f->groups, "followed_to_entry", (json_int_t)f->by_entry,
		"icc", num_or_null(f->icc.icc),
		"by_connection", "statistic", num_or_null(f->hom.statistic),
		"df", f->hom.rows ? json_real(f->hom.df) : json_null(), "p_value", num_or_null(f->hom.p_value),
		"rows", (json_int_t)f->hom.rows, "pooled", (json_int_t)f->hom.pooled,
		"serial", "runs", f->runs.runs, "expected", f->runs.sd > 0 ? json_real(f->runs.expected) : json_null(),
		"sd", f->runs.sd > 0 ? json_real(f->runs.sd) : json_null(), "p_value", num_or_null(f->runs.p_value),
		"exact", f->runs.exact != 0);
}

/* "64.0% / 36.0% vs expected 70.0% / 30.0% (app-b / app-c)" */
static void shares_text(const struct sc_expect *x, const struct fit *f, char *buf, size_t len)
{
	char obs[160] = "", exp[160] = "", names[200] = "";

	for (int j = 0; j < f->k; j++) {
		size_t o = strlen(obs), e = strlen(exp), nm = strlen(names);

		snprintf(obs + o, sizeof(obs) - o, "%s%.1f%%", j ? " / " : "",
			 f->n ? 100.0 * (double)f->obs[j] / (double)f->n : 0.0);
		snprintf(exp + e, sizeof(exp) - e, "%s%.1f%%", j ? " / " : "", 100 * f->p0[j]);
		snprintf(names + nm, sizeof(names) - nm, "%s%s", j ? " / " : "", x->shares[f->idx[j]].service);
	}
	snprintf(buf, len, "%s vs expected %s (%s)", obs, exp, names);
}

/* Names of the weight-0 backends ("app-c, app-d"). */
static void zero_names(const struct sc_expect *x, char *names, size_t len)
{
	names[0] = '\0';
	for (size_t i = 0; i < x->n_shares; i++)
		if (x->shares[i].weight == 0) {
			size_t l = strlen(names);

			snprintf(names + l, len - l, "%s%s", l ? ", " : "", x->shares[i].service);
		}
}

/* The id of the first request a weight-0 backend served. */
static const char *first_zero_hit(const struct tally *y)
{
	const char *id = json_string_value(json_object_get(json_array_get(
		json_object_get(y->zero_hits, "items"), 0), "request_id"));

	return id ? id : "?";
}

/* " (12 of them copies beside the backend that answered)", or "". */
static void extra_text(const struct tally *y, char *buf, size_t len)
{
	buf[0] = '\0';
	if (y->zero_extra)
		snprintf(buf, len, " (%zu of them as copies beside the backend that answered; first copy: %s)",
			 y->zero_extra, y->first_zero);
}

/* A statistical FAIL of dependence, or false. */
static bool dependence_fail(const struct check_ctx *c, const struct fit *f, struct eval *e)
{
	double alpha = c->sc->alpha;

	if (f->hom.p_value < alpha) {
		eval_set(e, VERDICT_FAIL, false, "the backend depends on the client's connection: chi-square %.4g "
			 "on %.0f df over %zu connections, p = %.2g < alpha = %g (%llu requests are worth %.0f "
			 "independent choices)", f->hom.statistic, f->hom.df, f->hom.rows, f->hom.p_value, alpha,
			 (unsigned long long)f->n, floor(f->n_eff + 1e-9));
		return true;
	}
	if (f->runs.p_value < alpha) {
		eval_set(e, VERDICT_FAIL, false, "the backend depends on the request before: %.0f runs of the same "
			 "backend where %.1f were expected, p = %.2g < alpha = %g over %llu requests", f->runs.runs,
			 f->runs.expected, f->runs.p_value, alpha, (unsigned long long)f->n);
		return true;
	}
	return false;
}

/* The power INCONCLUSIVE, saying what the requests were worth when that is less than their number. */
static void power_short(const struct check_ctx *c, const struct fit *f, struct eval *e)
{
	const struct scenario *sc = c->sc;
	double ne = floor(f->n_eff + 1e-9);

	if (f->k == 1 && ne < (double)f->n)
		eval_set(e, VERDICT_INCONCLUSIVE, false, "all %llu delivered requests went to one backend, but over %.0f "
			 "client connections: %.0f independent choices give power %.3f (< %g) to see a %.0f-point stray; "
			 "%llu needed", (unsigned long long)f->n, ne, ne, f->power, sc->power, 100 * sc->effect,
			 (unsigned long long)f->required);
	else if (ne < (double)f->n)
		eval_set(e, VERDICT_INCONCLUSIVE, false, "%llu requests over %zu client connections are worth %.0f "
			 "independent choices (design effect %.2f): power %.3f (< %g) to detect a %.0f-point deviation; "
			 "%llu independent choices needed", (unsigned long long)f->n, f->groups, ne, f->deff, f->power,
			 sc->power, 100 * sc->effect, (unsigned long long)f->required);
	else
		eval_set(e, VERDICT_INCONCLUSIVE, false,
			 "%llu requests give power %.3f (< %g) to detect a %.0f-point deviation; %llu requests needed",
			 (unsigned long long)f->n, f->power, sc->power, 100 * sc->effect,
			 (unsigned long long)f->required);
}

static void split_verdict(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
			  size_t n, const struct tally *y, const struct fit *f, struct eval *e)
{
	const struct scenario *sc = c->sc;
	size_t elsewhere = evidence_list_total(y->elsewhere), undelivered = evidence_list_total(y->undelivered);
	size_t unobserved = evidence_list_total(y->unobserved);
	char sh[400], counts[200], zero[200], extra[300];

	shares_text(x, f, sh, sizeof(sh));
	evidence_counts_text(y->outcomes, counts, sizeof(counts));
	zero_names(x, zero, sizeof(zero));
	extra_text(y, extra, sizeof(extra));
	if (elsewhere) {
		eval_set(e, VERDICT_FAIL, true, "%zu of %zu requests were served outside the split's backends (first at %s)",
			 elsewhere, n, y->first_elsewhere);
		e->misdelivered = true;
	}
	else if (undelivered)
		eval_set(e, VERDICT_FAIL, true, "%zu of %zu requests never reached a backend; client saw %s",
			 undelivered, n, counts);
	else if (f->k == 1 && y->zero_requests) {
		/* One backend takes everything: a request anywhere else breaks that one fact. */
		eval_set(e, VERDICT_FAIL, true, "%s (weight 0) served %zu of %zu delivered requests (first: %s)%s; the split sends everything to %s",
			 zero, y->zero_requests, y->delivered, first_zero_hit(y), extra, x->shares[f->idx[0]].service);
		e->misdelivered = true;
	}
	else if (f->k >= 2 && f->by_entry)
		/*
		 * Requests the proxy held at once were told apart only by the time
		 * order: the totals per backend are exact, but not which connection
		 * each backend served, so neither the dependence on the connection
		 * nor the number of independent choices can be known.
		 */
		eval_set(e, VERDICT_INCONCLUSIVE, false, "%zu of %llu requests on shared client connections were "
			 "followed to their entry only (the mesh changed their ids while it held several at once): "
			 "which connection each backend served is not known, nor how many independent choices "
			 "they are", f->by_entry, (unsigned long long)f->n);
	else if (f->k >= 2 && dependence_fail(c, f, e))
		;
	else if (f->k >= 2 && f->p_value < sc->alpha)
		eval_set(e, VERDICT_FAIL, false, "%s: p = %.2g < alpha = %g over %llu requests%s", sh, f->p_value,
			 sc->alpha, (unsigned long long)f->n, f->deff > 1 ? " (tested as the independent choices they are worth)" : "");
	else if (!n)
		eval_set(e, VERDICT_INCONCLUSIVE, false, "no requests of this entry were observed");
	else if (unobserved)
		eval_set(e, VERDICT_INCONCLUSIVE, false, "%zu of %zu requests were not observed at the client or a backend",
			 unobserved, n);
	else if (t->count && n < t->count)
		eval_set(e, VERDICT_INCONCLUSIVE, false, "only %zu of %llu requests were found in the records",
			 n, (unsigned long long)t->count);
	else if (f->power < sc->power)
		power_short(c, f, e);
	else if (f->k == 1)
		eval_set(e, VERDICT_PASS, false, "all %llu delivered requests went to %s (power %.4f over %.0f "
			 "independent client connections)", (unsigned long long)f->n, x->shares[f->idx[0]].service,
			 f->power, floor(f->n_eff + 1e-9));
	else
		eval_set(e, VERDICT_PASS, false, "%s: p = %.2g, power %.4f over %llu requests (effective n %.0f)", sh,
			 f->p_value, f->power, (unsigned long long)f->n, floor(f->n_eff + 1e-9));
}

static void zero_verdict(const struct check_ctx *c, const struct sc_expect *x, size_t n,
			 const struct tally *y, const struct fit *f, struct eval *e)
{
	const struct scenario *sc = c->sc;
	char names[200], extra[300];
	/* The delivered requests are worth as many independent choices as the split's design effect allows. */
	double ne = floor((double)y->delivered / (f->deff > 1 ? f->deff : 1) + 1e-9);
	double power = -expm1(ne * log1p(-sc->effect));
	const double one = 1;
	uint64_t required = stats_split_required_n(&one, 1, sc->alpha, sc->effect, sc->power, MAX_REQUIRED_N);

	zero_names(x, names, sizeof(names));
	extra_text(y, extra, sizeof(extra));
	e->evidence = json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:I, s:O, s:O}", "backends", names,
		"requests", (json_int_t)n, "delivered", (json_int_t)y->delivered,
		"served_by_zero_weight", (json_int_t)y->zero_requests, "n_effective", ne, "power", power,
		"power_target", sc->power, "required_n", (json_int_t)required, "violations", y->zero_hits,
		"unobserved", y->unobserved);
	if (y->zero_requests) {
		eval_set(e, VERDICT_FAIL, true, "%s (weight 0) served %zu of %zu delivered requests (first: %s)%s",
			 names, y->zero_requests, y->delivered, first_zero_hit(y), extra);
		e->misdelivered = true;
	} else if (!n) {
		eval_set(e, VERDICT_INCONCLUSIVE, false, "no requests of this entry were observed");
	} else if (evidence_list_total(y->unobserved)) {
		eval_set(e, VERDICT_INCONCLUSIVE, false, "%zu of %zu requests were not observed",
			 evidence_list_total(y->unobserved), n);
	} else if (power < sc->power && ne < (double)y->delivered) {
		eval_set(e, VERDICT_INCONCLUSIVE, false,
			 "%zu delivered requests are worth %.0f independent choices (design effect %.2f): power %.3f "
			 "(< %g) to see a %.0f-point leak; %llu needed", y->delivered, ne, f->deff, power, sc->power,
			 100 * sc->effect, (unsigned long long)required);
	} else if (power < sc->power) {
		eval_set(e, VERDICT_INCONCLUSIVE, false,
			 "%zu delivered requests give power %.3f (< %g) to see a %.0f-point leak; %llu requests needed",
			 y->delivered, power, sc->power, 100 * sc->effect, (unsigned long long)required);
	} else {
		eval_set(e, VERDICT_PASS, false, "%s (weight 0) served 0 of %zu delivered requests (effective n %.0f)",
			 names, y->delivered, ne);
	}
}

void check_split(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		 const struct vreq *r, size_t n, struct eval *split, struct eval *zero, bool *has_zero)
{
	struct tally y = {
		.outcomes = json_object(), .elsewhere = evidence_list(), .undelivered = evidence_list(),
		.unobserved = evidence_list(), .zero_hits = evidence_list(), .copies = evidence_list(),
	};
	struct fit f;

	tally(c, t, x, r, n, &y);
	fit(c, t, x, &y, r, n, &f);
	/*
	 * Weight-0 backends get an assertion of their own beside a test of the
	 * other shares; with a single backend of weight > 0 there is one fact
	 * only (everything goes there), judged by the split assertion.
	 */
	*has_zero = false;
	for (size_t i = 0; i < x->n_shares; i++)
		*has_zero |= x->shares[i].weight == 0 && f.k >= 2;
	if (*has_zero)
		zero_verdict(c, x, n, &y, &f, zero);
	split_verdict(c, t, x, n, &y, &f, split);
	split->evidence = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:f, s:o, s:o, s:f, s:f, s:f, s:f, s:I, s:o, s:o, s:o, s:o}",
		"service", t->to, "test", f.test, "requests", (json_int_t)n,
		"delivered", (json_int_t)y.delivered, "counted", (json_int_t)f.n,
		"client_failures", (json_int_t)y.failed, "backends", backends_json(c, x, &y, &f),
		"ci_level", c->ci_level,
		"p_value", num_or_null(f.p_value), "statistic", num_or_null(f.statistic),
		"alpha", c->sc->alpha, "power", f.power, "power_target", c->sc->power,
		"effect", c->sc->effect, "required_n", (json_int_t)f.required,
		"client_outcomes", y.outcomes, "elsewhere", y.elsewhere, "undelivered", y.undelivered,
		"unobserved", y.unobserved);
	json_object_set_new(split->evidence, "n", json_integer((json_int_t)f.n));
	json_object_set_new(split->evidence, "n_effective", json_real(floor(f.n_eff + 1e-9)));
	json_object_set_new(split->evidence, "design_effect", json_real(f.deff));
	json_object_set_new(split->evidence, "dependence", dependence_json(&f));
	json_object_set_new(split->evidence, "copies", y.copies);
	if (f.k == 1)
		json_object_set(split->evidence, "zero_weight_violations", y.zero_hits);
	json_decref(y.zero_hits);
}
