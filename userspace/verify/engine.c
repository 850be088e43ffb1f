/* engine.c - see engine.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/policy.h"
#include "util/log.h"
#include "verify/account.h"
#include "verify/check_route.h"
#include "verify/checks.h"
#include "verify/converge.h"
#include "verify/engine.h"
#include "verify/expect.h"
#include "verify/health.h"
#include "verify/requests.h"

/* What one traffic entry of a step brings to its evaluation. */
struct entry {
	struct vreq *reqs, *probes;
	size_t n, n_probes;
	struct sc_expect x;
	struct convergence cv;	/* of this entry's probes */
	json_t *how;		/* where the expectation came from */
	int x_err;
	char why[200];
	uint64_t t0, t1;
	struct acct_entry acct;	/* the step's unexplained exchanges, as they bear on this entry */
};

static int pick_run(const struct verify_input *in, char *run, size_t len)
{
	char **runs = NULL;
	int n;

	if (in->run) {
		if (!reqid_valid_run(in->run)) {
			error("run id '%s' is not valid (1-%d of A-Z a-z 0-9 _ -)", in->run, REQID_RUN_MAX);
			return -EINVAL;
		}
		snprintf(run, len, "%s", in->run);
		return 0;
	}
	n = vindex_runs(in->obs, &runs);
	if (n < 0)
		return n;
	if (n == 1)
		snprintf(run, len, "%s", runs[0]);
	else if (n == 0)
		error("no request ids of the scenario runner's scheme (RUN.STEP.TRAFFIC-SEQ) in '%s'",
		      in->obs->path);
	else
		error("'%s' holds %d runs (%s, %s%s): choose one with --run", in->obs->path, n, runs[0],
		      runs[1], n > 2 ? ", ..." : "");
	vindex_runs_free(runs, (size_t)(n > 0 ? n : 0));
	return n == 1 ? 0 : -EINVAL;
}

/* Every pod and service the scenario names must be in the inventory. */
static int check_inventory(const struct verify_input *in)
{
	const struct scenario *sc = in->sc;

	if (!in->inv) {
		error("no inventory: the verifier needs it to know which pods are behind which service (--inventory)");
		return -EINVAL;
	}
	for (size_t i = 0; i < sc->n_steps; i++)
		for (size_t j = 0; j < sc->steps[i].n_traffic; j++) {
			const struct sc_traffic *t = &sc->steps[i].traffic[j];

			if (!inventory_pod(in->inv, t->from_ns, t->from)) {
				error("%s: steps[%zu].traffic[%zu].from: pod '%s/%s' is not in the inventory '%s'",
				      sc->path, i, j, t->from_ns, t->from, in->inv->path);
				return -EINVAL;
			}
			if (!inventory_service(in->inv, t->to_ns, t->to)) {
				error("%s: steps[%zu].traffic[%zu].to: service '%s/%s' is not in the inventory '%s'",
				      sc->path, i, j, t->to_ns, t->to, in->inv->path);
				return -EINVAL;
			}
			for (size_t k = 0; k < t->expect.n_shares; k++)
				if (!inventory_service(in->inv, t->to_ns, t->expect.shares[k].service)) {
					error("%s: steps[%zu].traffic[%zu].expect.split: service '%s/%s' is not in the inventory '%s'",
					      sc->path, i, j, t->to_ns, t->expect.shares[k].service, in->inv->path);
					return -EINVAL;
				}
		}
	return 0;
}

static json_t *capture_json(const struct verify_input *in, size_t strays)
{
	const struct obs_set *o = in->obs;
	const struct obs_counters *last = o->n_stats ? &o->stats[o->n_stats - 1] : NULL;

	return json_pack("{s:s, s:s, s:s, s:I, s:b, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"file", in->capture_name ? in->capture_name : o->path, "tool", o->meta.tool,
		"node", o->meta.node, "records", (json_int_t)o->records, "end", o->have_end,
		"torn_last_line", o->torn, "stream_cut", o->stream_cut, "exchanges", (json_int_t)o->n_ex,
		"intents", (json_int_t)o->n_intents,
		"kernel_drops", (json_int_t)(last ? last->kernel_drops : 0),
		"user_drops", (json_int_t)(last ? last->user_drops : 0),
		"gaps", (json_int_t)(last ? last->gaps : 0),
		"stray_requests", (json_int_t)strays, "snaplen", (json_int_t)o->meta.snaplen);
}

static void append(struct eval *e, const char *fmt, const char *arg)
{
	size_t used = strlen(e->reason);

	snprintf(e->reason + used, sizeof(e->reason) - used, fmt, arg);
}

/*
 * Step-level conditions on top of an assertion's own outcome: a mesh that
 * went away, or lost data, turn anything but a FAIL shown by individual
 * exchanges into INCONCLUSIVE; a policy that never converged leaves a FAIL standing (it
 * was not in effect within the bound) and turns anything else INCONCLUSIVE.
 */
static void finalize(struct eval *e, const struct step_health *h, const struct convergence *cv)
{
	enum verdict before = e->verdict;
	char reason[sizeof(e->reason)], bound[32];

	memcpy(reason, e->reason, sizeof(reason));
	snprintf(bound, sizeof(bound), "%gs", (double)cv->timeout_ns / 1e9);
	if (*h->mesh_gone) {
		/* Failures are explained once the mesh is gone; a request served where it must not be is not. */
		if (e->verdict == VERDICT_FAIL && e->misdelivered)
			append(e, "; the mesh also went away during the step: %s", h->mesh_gone);
		else
			eval_set(e, VERDICT_INCONCLUSIVE, false, "the mesh went away %s%s%s",
				 h->mesh_gone, *h->causes ? "; capture incomplete too: " : "", h->causes);
	} else if (*h->causes) {
		if (e->verdict == VERDICT_FAIL && e->positive)
			append(e, "; the capture also lost data: %s", h->causes);
		else
			eval_set(e, VERDICT_INCONCLUSIVE, false, "capture incomplete during the step: %s", h->causes);
	} else if (cv->checked && !cv->converged) {
		if (e->verdict == VERDICT_FAIL)
			append(e, " (the policy was not in effect within %s of being applied)", bound);
		else if (e->verdict == VERDICT_PASS)
			eval_set(e, VERDICT_INCONCLUSIVE, false, "the mesh did not converge within %s of the policy being applied",
				 bound);
	}
	if (e->verdict != before || strcmp(reason, e->reason))
		json_object_set_new(e->evidence, "unadjusted", json_pack("{s:s, s:s}",
			"verdict", verdict_name(before), "reason", reason));
}

/* The spec version the reports name: the rendered one when the run asked for one. */
static const char *spec_version(const struct scenario *sc, unsigned step, const int *api)
{
	const char *group = scenario_spec_group(sc->smispec);

	for (int g = 0; api && group && g < SMI_GROUP_COUNT; g++)
		if (api[g] && !strcmp(smi_group_name((enum smi_group)g), group))
			return smi_version_name(api[g]);
	return scenario_spec_version(sc, step);
}

/* Adds the assertion SCENARIO/STEP/NAME/KIND; NAME is a traffic entry's or the metrics assertion's. */
static int add(struct report *rep, const struct scenario *sc, const struct sc_step *st,
	       const char *name, const char *kind, struct eval *e, double duration,
	       const int *api)
{
	char id[256];
	struct assertion a = {
		.id = id, .scenario = (char *)sc->name, .step = (char *)st->name,
		.traffic = (char *)name, .kind = (char *)kind, .smispec = (char *)sc->smispec,
		.specversion = (char *)spec_version(sc, st->index, api), .step_index = st->index,
		.verdict = e->verdict, .reason = e->reason, .duration_s = duration,
	};

	snprintf(id, sizeof(id), "%s/%s/%s/%s", sc->name, st->name, name, kind);
	if (!e->evidence)
		e->evidence = json_object();
	if (!report_add(rep, &a, e->evidence))
		return -ENOMEM;
	e->evidence = NULL;
	return 0;
}

/* Widens [*t0, *t1] (*t0 == 0: empty) to take in [a, b]; a == 0 is nothing seen. */
static void widen_span(uint64_t a, uint64_t b, uint64_t *t0, uint64_t *t1)
{
	if (!a)
		return;
	if (!*t0 || a < *t0)
		*t0 = a;
	if (b > *t1)
		*t1 = b;
}

/* Widens [*t0, *t1] to the times requests r[0..n-1] were in flight. */
static void widen(const struct vreq *r, size_t n, uint64_t *t0, uint64_t *t1)
{
	for (size_t i = 0; i < n; i++)
		widen_span(r[i].t0, r[i].t1, t0, t1);
}

static void entry_window(struct entry *en)
{
	widen(en->reqs, en->n, &en->t0, &en->t1);
}

/*
 * {"start", "end", "duration_s"} of [t0, t1] on the capture's clock; the
 * times "" when nothing was seen.
 */
static json_t *span_json(const struct obs_set *obs, uint64_t t0, uint64_t t1)
{
	char start[40] = "", end[40] = "";

	if (t0) {
		evidence_time(obs, t0, start, sizeof(start));
		evidence_time(obs, t1, end, sizeof(end));
	}
	return json_pack("{s:s, s:s, s:f}", "start", start, "end", end, "duration_s",
			 t1 > t0 ? (double)(t1 - t0) / 1e9 : 0.0);
}

static int evaluate_entry(const struct check_ctx *c, const struct sc_step *st, const struct sc_traffic *t,
			  struct entry *en, const struct step_health *h, const struct convergence *cv,
			  struct report *rep, const char *prefix, const int *api)
{
	double duration = en->t1 > en->t0 ? (double)(en->t1 - en->t0) / 1e9 : 0;
	struct eval e[4] = { 0 };
	const char *kinds[4] = { NULL };
	bool has_zero = false, single = false;
	struct acct_ids idc;
	char ids[200];
	int r = 0, k = 0;

	if (en->x_err) {
		if (t->expect.access != SC_ACCESS_NONE)
			kinds[k++] = "access";
		if (t->expect.route)
			kinds[k++] = "route";
		if (t->expect.split != SC_SPLIT_NONE)
			kinds[k++] = "split";
		for (int i = 0; i < k; i++) {
			e[i].evidence = json_object();
			eval_set(&e[i], VERDICT_INCONCLUSIVE, false, "%s", en->why);
		}
	} else {
		if (en->x.access != SC_ACCESS_NONE) {
			check_access(c, t, &en->x, en->reqs, en->n, &e[k]);
			kinds[k++] = "access";
		}
		if (en->x.route) {
			check_route(c, t, &en->x, en->reqs, en->n, &e[k]);
			kinds[k++] = "route";
		}
		if (en->x.split != SC_SPLIT_NONE) {
			check_split(c, t, &en->x, en->reqs, en->n, &e[k], &e[k + 1], &has_zero);
			kinds[k++] = "split";
			single = !has_zero;
			if (has_zero)
				kinds[k++] = "zero-weight";
		}
	}
	account_ids(&en->acct, en->reqs, en->n, &idc);
	account_ids_text(&idc, ids, sizeof(ids));
	for (int i = 0; i < k; i++) {
		if (!en->x_err)
			account_apply(&en->acct, kinds[i], single, &e[i]);
		if (*ids)
			append(&e[i], "%s", ids);
		if (idc.removed || idc.rewritten)
			json_object_set_new(e[i].evidence, "request_ids", account_ids_json(&idc));
		if (!r) {
			finalize(&e[i], h, cv);
			json_object_set_new(e[i].evidence, "request_id_prefix", json_sprintf("%s.%u.%u-", prefix,
				st->index, t->index));
			json_object_set(e[i].evidence, "expectation", en->how);
			r = add(rep, c->sc, st, t->name, kinds[i], &e[i], duration, api);
		}
		json_decref(e[i].evidence);
	}
	return r;
}

/*
 * Whether the policy in force can be written in the API versions the mesh
 * serves: when it cannot, the step was not run (the runner makes the same
 * check) and its assertions are INCONCLUSIVE with the reason.
 */
static void expressible(const struct smi_set *set, const int *api, char *why, size_t len)
{
	char err[200] = "";
	FILE *null = fopen("/dev/null", "w");

	if (!null)
		return;
	if (smi_render_set(set, api, null, err, sizeof(err)))
		snprintf(why, len, "not expressible in the mesh's API versions: %s", err);
	fclose(null);
}

/*
 * The step's metrics assertion. Convergence does not bear on it (the mesh
 * reports what it did, converged or not); lost data during the step does.
 */
/*
 * Requests of the step served more than once (retries, mirrors): the mesh
 * counts each attempt, so they belong beside its numbers. Adds them to e's
 * evidence and reason.
 */
static void metrics_copies(const struct check_ctx *c, const struct sc_step *st, const struct entry *en,
			   struct eval *e)
{
	json_t *list = evidence_list();
	char first[300] = "";
	size_t n = 0;

	for (size_t i = 0; i < st->n_traffic; i++)
		for (size_t j = 0; j < en[i].n; j++) {
			const struct vreq *r = &en[i].reqs[j];
			size_t used;

			if (r->n_copies < 2)
				continue;
			if (!n++) {
				used = (size_t)snprintf(first, sizeof(first), "%s served %zu times, at",
							r->request_id ? r->request_id : "?", r->n_copies);
				for (size_t k = 0; k < r->n_copies && used < sizeof(first); k++)
					used += (size_t)snprintf(first + used, sizeof(first) - used, "%s %s/%s",
								 k ? "," : "", r->copies[k].e->ns, r->copies[k].e->pod);
			}
			evidence_list_add(list, evidence_request(c, r, "copies"));
		}
	if (n) {
		size_t used = strlen(e->reason);

		snprintf(e->reason + used, sizeof(e->reason) - used, "; %zu request%s served more than once "
			 "(retries or copies; first: %s)", n, n == 1 ? " was" : "s were", first);
	}
	json_object_set_new(e->evidence, "copies", list);
}

static int evaluate_metrics(const struct check_ctx *c, const struct vindex *ix, const struct sc_step *st,
			    const char *dir,
			    const char *unexpressed, const struct step_health *h, double duration,
			    struct report *rep, const char *prefix, const int *api, const struct entry *en)
{
	struct convergence none = { 0 };
	struct eval e = { 0 };
	int r;

	if (*unexpressed) {
		e.evidence = json_object();
		eval_set(&e, VERDICT_INCONCLUSIVE, false, "%s", unexpressed);
	} else {
		check_metrics(c, ix, st, dir, &e);
		metrics_copies(c, st, en, &e);
	}
	finalize(&e, h, &none);
	json_object_set_new(e.evidence, "request_id_prefix", json_sprintf("%s.%u.", prefix, st->index));
	r = add(rep, c->sc, st, st->metrics.name, "metrics", &e, duration, api);
	json_decref(e.evidence);
	return r;
}

/*
 * The runner's own check: it found the mesh gone before a step (and so did
 * not run it or any later one). That outranks what the records show.
 */
static void runner_mesh_note(const struct obs_set *obs, const char *run, unsigned step, struct step_health *h)
{
	const struct obs_mesh_event *first = NULL;

	for (size_t i = 0; i < obs->n_mesh_events; i++) {
		const struct obs_mesh_event *m = &obs->mesh_events[i];

		if (!strcmp(m->run, run) && !strcmp(m->state, "gone") && m->step && m->step <= step &&
		    (!first || m->step < first->step))
			first = m;
	}
	if (!first)
		return;
	if (first->step == step)
		snprintf(h->mesh_gone, sizeof(h->mesh_gone), "before the step (%s): it was not run", first->detail);
	else
		snprintf(h->mesh_gone, sizeof(h->mesh_gone), "before step %u (%s): this step was not run",
			 first->step, first->detail);
}

/*
 * The step's summary in the report: its traffic window, its elapsed span
 * from the first probe or request to the last response (what the step took
 * as run, convergence included; the apply before the first probe leaves no
 * record), and the accounting of its exchanges. Takes conv, capture and
 * accounting over.
 */
static json_t *step_json(const struct check_ctx *c, const struct sc_step *st, uint64_t t0, uint64_t t1,
			 const uint64_t span[2], json_t *conv, json_t *capture, json_t *accounting)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "index", (json_int_t)st->index, "name",
		st->name, "description", st->description, "window", span_json(c->obs, t0, t1),
		"elapsed", span_json(c->obs, span[0], span[1]), "convergence", conv, "capture", capture,
		"accounting", accounting);
}

/* What the unexplained exchanges of the step mean for each of its entries. */
static int account_entries(const struct check_ctx *c, const struct accounting *acc, const struct sc_step *st,
			   struct entry *en)
{
	const struct sc_expect **xs = calloc(st->n_traffic + 1, sizeof(*xs));
	uint64_t *t0s = calloc(st->n_traffic + 1, sizeof(*t0s)), *t1s = calloc(st->n_traffic + 1, sizeof(*t1s));

	if (!xs || !t0s || !t1s) {
		free(xs);
		free(t0s);
		free(t1s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < st->n_traffic; i++) {
		xs[i] = en[i].x_err ? NULL : &en[i].x;
		t0s[i] = en[i].t0;
		t1s[i] = en[i].t1;
	}
	for (size_t i = 0; i < st->n_traffic; i++)
		account_entry(acc, c, st, i, xs, t0s, t1s, &en[i].acct);
	free(xs);
	free(t0s);
	free(t1s);
	return 0;
}

/*
 * Judges one step into rep and appends its summary to steps; widens
 * span[0..1] (the scenario's elapsed time) by the step's. Over 60 lines: the
 * entries are gathered, the step's health judged and its exchanges
 * accounted for, and the entries evaluated in that order, each needing what
 * the one before found.
 */
static int verify_step(const struct check_ctx *c, const struct vindex *ix, const struct accounting *acc,
		       const struct sc_step *st, const struct smi_set *set, struct report *rep, json_t *steps,
		       const char *run, const int *api, const char *metrics_dir, uint64_t span[2])
{
	struct expect_ctx xc = { .sc = c->sc, .inv = c->inv, .set = set,
				 .routes = c->routes ? c->routes[st->index - 1] : NULL };
	struct entry *en = calloc(st->n_traffic, sizeof(*en));
	struct step_health h;
	struct convergence cv;	/* the step's: every entry's */
	json_t *entries = json_object();
	uint64_t t0 = 0, t1 = 0, step_span[2] = { 0, 0 };
	size_t problems = 0;
	char unexpressed[200] = "";
	int r = 0;

	if (!en)
		return -ENOMEM;
	if (api && set)
		expressible(set, api, unexpressed, sizeof(unexpressed));
	converge_init(st, &cv);
	for (size_t i = 0; i < st->n_traffic && !r; i++) {
		const struct sc_traffic *t = &st->traffic[i];
		int n = vindex_requests(ix, st->index, t, false, &en[i].reqs);
		int np = n < 0 ? n : vindex_requests(ix, st->index, t, true, &en[i].probes);

		en[i].n = n > 0 ? (size_t)n : 0;
		en[i].n_probes = np > 0 ? (size_t)np : 0;
		if (n < 0 || np < 0) {
			r = -ENOMEM;
			break;
		}
		en[i].x_err = expect_resolve(&xc, t, &en[i].x, &en[i].how, en[i].why, sizeof(en[i].why));
		if (*unexpressed) {
			en[i].x_err = -ENOTSUP;
			snprintf(en[i].why, sizeof(en[i].why), "%s", unexpressed);
		}
		entry_window(&en[i]);
		widen(en[i].reqs, en[i].n, &step_span[0], &step_span[1]);
		widen(en[i].probes, en[i].n_probes, &step_span[0], &step_span[1]);
		widen_span(en[i].t0, en[i].t1, &t0, &t1);
		for (size_t j = 0; j < en[i].n; j++)
			problems += en[i].reqs[j].problem != NULL;
		converge_init(st, &en[i].cv);
		if (!en[i].x_err)
			converge_add(c, st, t, &en[i].x, en[i].probes, en[i].n_probes, &en[i].cv);
		converge_merge(&cv, &en[i].cv);
		if (en[i].cv.checked)
			json_object_set_new(entries, t->name, converge_json(&en[i].cv));
	}
	if (!r) {
		json_t *conv = converge_json(&cv);

		health_check(c->obs, c->inv, t0, t1, problems, &h);
		runner_mesh_note(c->obs, run, st->index, &h);
		if (cv.checked)
			json_object_set(conv, "entries", entries);
		json_array_append_new(steps, step_json(c, st, t0, t1, step_span, conv, health_json(&h),
						       account_step_json(acc, c, st)));
		widen_span(step_span[0], step_span[1], &span[0], &span[1]);
		r = account_entries(c, acc, st, en);
	}
	for (size_t i = 0; i < st->n_traffic && !r; i++)
		r = evaluate_entry(c, st, &st->traffic[i], &en[i], &h, &en[i].cv, rep, run, api);
	if (!r && st->metrics.enabled)
		r = evaluate_metrics(c, ix, st, metrics_dir, unexpressed, &h, t1 > t0 ? (double)(t1 - t0) / 1e9 : 0,
				     rep, run, api, en);
	for (size_t i = 0; i < st->n_traffic; i++) {
		vreqs_free(en[i].reqs, en[i].n);
		vreqs_free(en[i].probes, en[i].n_probes);
		acct_entry_free(&en[i].acct);
		json_decref(en[i].how);
	}
	json_decref(entries);
	free(en);
	return r;
}

int verify_parse_api(const char *arg, int api[SMI_GROUP_COUNT])
{
	char err[200];

	if (smi_parse_api_versions(arg, api, err, sizeof(err))) {
		error("--api '%s': %s", arg, err);
		return -EINVAL;
	}
	return 0;
}

void verify_api_text(const int *api, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int g = 0; api && g < SMI_GROUP_COUNT && used < len; g++)
		if (api[g])
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", used ? "," : "",
						 smi_group_short((enum smi_group)g), smi_version_name(api[g]));
}

/*
 * Adds to rep what the whole run found once its steps are judged: scen
 * (taken, with its elapsed time from span), the capture and how far requests
 * were followed, the statistics used, the mesh and the report's time.
 * Returns 0 or -ENOMEM.
 */
static int report_run(const struct verify_input *in, const struct vindex *ix, const struct accounting *acc,
		      size_t strays, const uint64_t span[2], double ci_level, json_t *scen, struct report *rep)
{
	const struct scenario *sc = in->sc;
	char generated[40];
	json_t *cap;
	int r = 0;

	json_object_set_new(scen, "elapsed", span_json(in->obs, span[0], span[1]));
	json_array_append_new(rep->scenarios, scen);
	cap = capture_json(in, strays);
	/* How far the kernel's records let requests be followed (docs/verdicts.md). */
	json_object_set_new(cap, "following", json_pack("{s:I, s:I, s:I, s:I, s:I}",
		"connection_links", (json_int_t)ix->hops, "proxy_links_unique", (json_int_t)ix->inside_unique,
		"proxy_links_by_id", (json_int_t)ix->inside_by_id, "proxy_links_several",
		(json_int_t)ix->inside_several, "outside_steps", (json_int_t)acc->outside));
	json_array_append_new(rep->captures, cap);
	json_object_set_new(rep->statistics, "alpha", json_real(sc->alpha));
	json_object_set_new(rep->statistics, "power", json_real(sc->power));
	json_object_set_new(rep->statistics, "effect", json_real(sc->effect));
	json_object_set_new(rep->statistics, "ci_level", json_real(ci_level));
	if (report_set_str(&rep->mesh_version, in->inv->mesh_version) ||
	    report_set_str(&rep->data_plane, in->inv->mesh_data_plane))
		r = -ENOMEM;
	if (!*rep->generated && in->obs->have_meta) {
		evidence_time(in->obs, in->obs->meta.mono_ns, generated, sizeof(generated));
		free(rep->generated);
		rep->generated = strdup(generated);
	}
	return r;
}

int verify_scenario(const struct verify_input *in, struct report *rep)
{
	const struct scenario *sc = in->sc;
	struct check_ctx c = { .sc = sc, .obs = in->obs, .inv = in->inv, .ci_level = 1 - sc->alpha };
	struct vindex ix;
	struct accounting acc = { 0 };
	struct policy pol = { 0 };
	char run[REQID_RUN_MAX + 1], api[120];
	json_t *steps, *scen;
	uint64_t span[2] = { 0, 0 };
	size_t strays;
	int r;

	if ((r = check_inventory(in)) || (r = pick_run(in, run, sizeof(run))))
		return r;
	if ((r = policy_build(&pol, sc))) {
		policy_free(&pol);
		return r;
	}
	c.routes = pol.routes;
	if (vindex_build(&ix, in->obs, in->inv, run, in->proxy_comms) || account_build(&acc, &ix, sc, in->inv)) {
		account_free(&acc);
		vindex_free(&ix);
		policy_free(&pol);
		return -ENOMEM;
	}
	strays = vindex_strays(&ix, sc);
	if (strays)
		pr_warn("%zu records of run '%s' name steps or traffic entries '%s' does not have",
			strays, run, sc->path);
	steps = json_array();
	verify_api_text(in->api_versions, api, sizeof(api));
	scen = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o}", "name", sc->name, "file", sc->path,
			 "smispec", sc->smispec, "description", sc->description, "run", run, "api", api,
			 "access_control", sc->access_control, "steps", steps);
	for (size_t i = 0; i < sc->n_steps && !r; i++)
		r = verify_step(&c, &ix, &acc, &sc->steps[i], pol.sets[i], rep, steps, run, in->api_versions,
				in->metrics_dir, span);
	if (!r)
		r = report_run(in, &ix, &acc, strays, span, c.ci_level, scen, rep);
	else
		json_decref(scen);
	account_free(&acc);
	vindex_free(&ix);
	policy_free(&pol);
	return r;
}
