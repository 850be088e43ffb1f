/* check_split.c - weighted split verdicts (see checks.h, docs/verdicts.md) */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats/stats.h"
#include "verify/checks.h"

#define MAX_REQUIRED_N 10000000ULL

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
	uint64_t count[SC_MAX_SHARES];
	size_t delivered, failed;
	json_t *outcomes, *elsewhere, *undelivered, *unobserved, *zero_hits;
	char first_elsewhere[160];
};

static void tally(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		  const struct vreq *r, size_t n, struct tally *y)
{
	char label[48];

	for (size_t i = 0; i < n; i++) {
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
		b = backend_of(c, t, x, r[i].served);
		if (b < 0) {
			if (!*y->first_elsewhere)
				snprintf(y->first_elsewhere, sizeof(y->first_elsewhere), "%s/%s",
					 r[i].served->ns, r[i].served->pod);
			evidence_list_add(y->elsewhere, evidence_request(c, &r[i], "served-outside-split"));
			continue;
		}
		y->count[b]++;
		if (x->shares[b].weight == 0)
			evidence_list_add(y->zero_hits, evidence_request(c, &r[i], "served-by-zero-weight"));
	}
}

/* The goodness-of-fit test over the backends with weight > 0. */
struct fit {
	int k;			/* backends with weight > 0 */
	int idx[SC_MAX_SHARES];	/* their share indexes */
	double p0[SC_MAX_SHARES];
	uint64_t obs[SC_MAX_SHARES], n;
	const char *test;
	double p_value, statistic, power;
	uint64_t required;
};

static void fit(const struct check_ctx *c, const struct sc_expect *x, const struct tally *y, struct fit *f)
{
	const struct scenario *sc = c->sc;
	double wsum = 0;

	f->k = 0;
	f->n = 0;
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
	f->p_value = NAN;
	f->statistic = NAN;
	if (f->k == 1) {
		f->test = "all-to-one";
	} else if (f->k == 2) {
		f->test = "exact-binomial";
		f->p_value = stats_binom_test(f->obs[0], f->n, f->p0[0]);
	} else {
		struct stats_gof g;

		f->test = "chi-square";
		if (!stats_chi2_gof(f->obs, f->p0, f->k, &g)) {
			f->p_value = g.p_value;
			f->statistic = g.statistic;
		}
	}
	f->power = stats_split_power(f->p0, f->k, f->n, sc->alpha, sc->effect);
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

/* Names of the weight-0 backends ("app-c, app-d") and how many requests they served. */
static uint64_t zero_weight(const struct sc_expect *x, const struct tally *y, char *names, size_t len)
{
	uint64_t hits = 0;

	names[0] = '\0';
	for (size_t i = 0; i < x->n_shares; i++)
		if (x->shares[i].weight == 0) {
			size_t l = strlen(names);

			snprintf(names + l, len - l, "%s%s", l ? ", " : "", x->shares[i].service);
			hits += y->count[i];
		}
	return hits;
}

/* The id of the first request a weight-0 backend served. */
static const char *first_zero_hit(const struct tally *y)
{
	const char *id = json_string_value(json_object_get(json_array_get(
		json_object_get(y->zero_hits, "items"), 0), "request_id"));

	return id ? id : "?";
}

static void split_verdict(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
			  size_t n, const struct tally *y, const struct fit *f, struct eval *e)
{
	const struct scenario *sc = c->sc;
	size_t elsewhere = evidence_list_total(y->elsewhere), undelivered = evidence_list_total(y->undelivered);
	size_t unobserved = evidence_list_total(y->unobserved);
	char sh[400], counts[200], zero[200];
	uint64_t zero_hits = zero_weight(x, y, zero, sizeof(zero));

	shares_text(x, f, sh, sizeof(sh));
	evidence_counts_text(y->outcomes, counts, sizeof(counts));
	if (elsewhere) {
		eval_set(e, VERDICT_FAIL, true, "%zu of %zu requests were served outside the split's backends (first at %s)",
			 elsewhere, n, y->first_elsewhere);
		e->misdelivered = true;
	}
	else if (undelivered)
		eval_set(e, VERDICT_FAIL, true, "%zu of %zu requests never reached a backend; client saw %s",
			 undelivered, n, counts);
	else if (f->k == 1 && zero_hits) {
		/* One backend takes everything: a request anywhere else breaks that one fact. */
		eval_set(e, VERDICT_FAIL, true, "%s (weight 0) served %llu of %zu delivered requests (first: %s); the split sends everything to %s",
			 zero, (unsigned long long)zero_hits, y->delivered, first_zero_hit(y),
			 x->shares[f->idx[0]].service);
		e->misdelivered = true;
	}
	else if (f->k >= 2 && f->p_value < sc->alpha)
		eval_set(e, VERDICT_FAIL, false, "%s: p = %.2g < alpha = %g over %llu requests", sh, f->p_value,
			 sc->alpha, (unsigned long long)f->n);
	else if (!n)
		eval_set(e, VERDICT_INCONCLUSIVE, false, "no requests of this entry were observed");
	else if (unobserved)
		eval_set(e, VERDICT_INCONCLUSIVE, false, "%zu of %zu requests were not observed at the client or a backend",
			 unobserved, n);
	else if (t->count && n < t->count)
		eval_set(e, VERDICT_INCONCLUSIVE, false, "only %zu of %llu requests were found in the records",
			 n, (unsigned long long)t->count);
	else if (f->power < sc->power)
		eval_set(e, VERDICT_INCONCLUSIVE, false,
			 "%llu requests give power %.3f (< %g) to detect a %.0f-point deviation; %llu requests needed",
			 (unsigned long long)f->n, f->power, sc->power, 100 * sc->effect,
			 (unsigned long long)f->required);
	else if (f->k == 1)
		eval_set(e, VERDICT_PASS, false, "all %llu delivered requests went to %s (power %.4f)",
			 (unsigned long long)f->n, x->shares[f->idx[0]].service, f->power);
	else
		eval_set(e, VERDICT_PASS, false, "%s: p = %.2g, power %.4f over %llu requests", sh, f->p_value,
			 f->power, (unsigned long long)f->n);
}

static void zero_verdict(const struct check_ctx *c, const struct sc_expect *x, size_t n,
			 const struct tally *y, struct eval *e)
{
	const struct scenario *sc = c->sc;
	char names[200];
	uint64_t hits = zero_weight(x, y, names, sizeof(names));
	double power = -expm1((double)y->delivered * log1p(-sc->effect));
	const double one = 1;
	uint64_t required = stats_split_required_n(&one, 1, sc->alpha, sc->effect, sc->power, MAX_REQUIRED_N);
	e->evidence = json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:I, s:O, s:O}", "backends", names,
		"requests", (json_int_t)n, "delivered", (json_int_t)y->delivered,
		"served_by_zero_weight", (json_int_t)hits, "power", power, "power_target", sc->power,
		"required_n", (json_int_t)required, "violations", y->zero_hits, "unobserved", y->unobserved);
	if (hits) {
		eval_set(e, VERDICT_FAIL, true, "%s (weight 0) served %llu of %zu delivered requests (first: %s)",
			 names, (unsigned long long)hits, y->delivered, first_zero_hit(y));
		e->misdelivered = true;
	} else if (!n) {
		eval_set(e, VERDICT_INCONCLUSIVE, false, "no requests of this entry were observed");
	} else if (evidence_list_total(y->unobserved)) {
		eval_set(e, VERDICT_INCONCLUSIVE, false, "%zu of %zu requests were not observed",
			 evidence_list_total(y->unobserved), n);
	} else if (power < sc->power) {
		eval_set(e, VERDICT_INCONCLUSIVE, false,
			 "%zu delivered requests give power %.3f (< %g) to see a %.0f-point leak; %llu requests needed",
			 y->delivered, power, sc->power, 100 * sc->effect, (unsigned long long)required);
	} else {
		eval_set(e, VERDICT_PASS, false, "%s (weight 0) served 0 of %zu delivered requests", names,
			 y->delivered);
	}
}

void check_split(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		 const struct vreq *r, size_t n, struct eval *split, struct eval *zero, bool *has_zero)
{
	struct tally y = {
		.outcomes = json_object(), .elsewhere = evidence_list(), .undelivered = evidence_list(),
		.unobserved = evidence_list(), .zero_hits = evidence_list(),
	};
	struct fit f;

	tally(c, t, x, r, n, &y);
	fit(c, x, &y, &f);
	/*
	 * Weight-0 backends get an assertion of their own beside a test of the
	 * other shares; with a single backend of weight > 0 there is one fact
	 * only (everything goes there), judged by the split assertion.
	 */
	*has_zero = false;
	for (size_t i = 0; i < x->n_shares; i++)
		*has_zero |= x->shares[i].weight == 0 && f.k >= 2;
	if (*has_zero)
		zero_verdict(c, x, n, &y, zero);
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
	if (f.k == 1)
		json_object_set(split->evidence, "zero_weight_violations", y.zero_hits);
	json_decref(y.zero_hits);
}
