/*
 * check_metrics.c - a step's metrics assertion: the mesh's numbers from the
 * two recorded scrapes against the exchanges observed between them, by the
 * rules of docs/metrics.md (the same library call as `metrics check`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/check.h"
#include "metrics/observed.h"
#include "verify/checks.h"
#include "verify/requests.h"
#include "verify/scrapes.h"

static json_t *scrape_json(const struct check_ctx *c, const struct step_scrape *s)
{
	char when[40];

	if (*s->error)
		return json_pack("{s:s}", "error", s->error);
	evidence_time(c->obs, s->mono_ns, when, sizeof(when));
	return json_pack("{s:s, s:s, s:I}", "file", s->file, "time", when, "mono_ns", (json_int_t)s->mono_ns);
}

static json_t *expectation(const struct sc_metrics *m)
{
	json_t *edges = json_array();

	for (size_t i = 0; i < m->n_edges; i++)
		json_array_append_new(edges, json_string(m->edges[i]));
	return json_pack("{s:s, s:s, s:s, s:o}", "from", "observations", "profile", m->profile, "scrape",
			 m->scrape, "edges", edges);
}

/*
 * Two numbers per exchange naming the entry and the request the verifier
 * tied it to (by its id or by following it; MX_ANY_REQUEST when followed
 * to the entry only), (0, 0) for none: the metrics pairing then finds a
 * request's client side even where the mesh changed its id. Malloc'ed;
 * NULL without an index or memory.
 */
static uint64_t *requests_of(const struct vindex *ix)
{
	uint64_t *v;

	if (!ix || !ix->attr || !(v = calloc(ix->obs->n_ex ? 2 * ix->obs->n_ex : 1, sizeof(*v))))
		return NULL;
	for (size_t i = 0; i < ix->obs->n_ex; i++)
		if (ix->attr[i].how == VL_ID || ix->attr[i].how == VL_CHAIN) {
			v[2 * i] = ix->attr[i].key;
			v[2 * i + 1] = ix->attr[i].round << 32 | ix->attr[i].seq;
		} else if (ix->attr[i].how == VL_ENTRY) {
			v[2 * i] = ix->attr[i].key;
			v[2 * i + 1] = MX_ANY_REQUEST;
		}
	return v;
}

void check_metrics(const struct check_ctx *c, const struct vindex *ix, const struct sc_step *st, const char *dir,
		   struct eval *out)
{
	uint64_t *request_of;
	int failed;
	const struct sc_metrics *m = &st->metrics;
	struct metrics_result *res = NULL;
	struct step_scrapes ss;
	char err[512], summary[sizeof(out->reason)];
	const struct step_scrape *bad;

	out->evidence = json_pack("{s:o}", "expectation", expectation(m));
	if (!dir) {
		eval_set(out, VERDICT_INCONCLUSIVE, false,
			 "no recorded scrapes of the mesh's metrics to judge (give --metrics DIR)");
		return;
	}
	if (scrapes_read(dir, st->index, &ss, err, sizeof(err))) {
		eval_set(out, VERDICT_INCONCLUSIVE, false, "the mesh's metrics were not recorded for this step: %s", err);
		return;
	}
	json_object_set_new(out->evidence, "scrapes", json_pack("{s:s, s:s, s:o, s:o}", "url", ss.url, "pod", ss.pod,
		"before", scrape_json(c, &ss.before), "after", scrape_json(c, &ss.after)));
	bad = *ss.before.error ? &ss.before : *ss.after.error ? &ss.after : NULL;
	if (bad) {
		eval_set(out, VERDICT_INCONCLUSIVE, false, "the mesh's metrics could not be scraped %s the traffic: %s",
			 bad == &ss.before ? "before" : "after", bad->error);
		return;
	}
	request_of = requests_of(ix);
	failed = metrics_check(&(struct metrics_check_req){
		.obs = c->obs, .profile = m->profile, .before = ss.before.file, .after = ss.after.file,
		.edges = m->edges, .nedges = m->n_edges, .inventory = c->inv ? c->inv->path : NULL,
		.window = { .set = true, .start_ns = ss.before.mono_ns, .end_ns = ss.after.mono_ns },
		.request_of = request_of,
	}, &res, err, sizeof(err));
	free(request_of);
	if (failed) {
		eval_set(out, VERDICT_INCONCLUSIVE, false, "the mesh's metrics cannot be compared: %s",
			 *err ? err : "invalid input");
		return;
	}
	metrics_result_summary(res, summary, sizeof(summary));
	json_object_set_new(out->evidence, "metrics", metrics_result_json(res));
	/*
	 * The check already weighs lost data (a count the mesh reports below
	 * what surely happened stays a FAIL), so its FAIL stands as one shown
	 * by the exchanges themselves.
	 */
	eval_set(out, res->verdict, res->verdict == VERDICT_FAIL, "%s", summary);
	metrics_result_free(res);
}
