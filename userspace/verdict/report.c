/* report.c - see report.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/log.h"
#include "verdict/report.h"

int report_init(struct report *r, const char *mesh)
{
	memset(r, 0, sizeof(*r));
	r->tool = strdup("smi-witness " SMIW_VERSION);
	r->mesh = strdup(mesh ? mesh : "");
	r->generated = strdup("");
	r->mesh_version = strdup("");
	r->data_plane = strdup("");
	r->statistics = json_object();
	r->captures = json_array();
	r->scenarios = json_array();
	if (!r->tool || !r->mesh || !r->generated || !r->mesh_version || !r->data_plane || !r->statistics || !r->captures || !r->scenarios) {
		report_free(r);
		return -ENOMEM;
	}
	return 0;
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

static void assertion_free(struct assertion *a)
{
	free(a->id);
	free(a->scenario);
	free(a->step);
	free(a->traffic);
	free(a->kind);
	free(a->smispec);
	free(a->specversion);
	free(a->reason);
	json_decref(a->evidence);
}

struct assertion *report_add(struct report *r, const struct assertion *a, json_t *evidence)
{
	struct assertion *d;

	if (array_reserve(&r->a, &r->cap, r->n, sizeof(*r->a), 32)) {
		json_decref(evidence);
		return NULL;
	}
	d = &r->a[r->n];
	*d = (struct assertion){
		.id = dup0(a->id), .scenario = dup0(a->scenario), .step = dup0(a->step),
		.traffic = dup0(a->traffic), .kind = dup0(a->kind), .smispec = dup0(a->smispec),
		.specversion = dup0(a->specversion), .step_index = a->step_index,
		.verdict = a->verdict, .reason = dup0(a->reason), .duration_s = a->duration_s,
		.evidence = evidence ? evidence : json_object(),
	};
	if (!d->id || !d->scenario || !d->step || !d->traffic || !d->kind || !d->smispec ||
	    !d->specversion || !d->reason || !d->evidence) {
		assertion_free(d);
		return NULL;
	}
	r->n++;
	return d;
}

void report_count(const struct report *r, size_t *pass, size_t *fail, size_t *inconclusive)
{
	*pass = *fail = *inconclusive = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (r->a[i].verdict == VERDICT_PASS)
			(*pass)++;
		else if (r->a[i].verdict == VERDICT_FAIL)
			(*fail)++;
		else
			(*inconclusive)++;
	}
}

enum verdict report_verdict(const struct report *r)
{
	enum verdict v = VERDICT_PASS;

	if (!r->n)
		return VERDICT_INCONCLUSIVE;	/* nothing was shown */
	for (size_t i = 0; i < r->n; i++)
		v = verdict_worst(v, r->a[i].verdict);
	return v;
}

int report_exit_code(const struct report *r)
{
	return verdict_exit_code(report_verdict(r));
}

const char *report_category(const char *smispec)
{
	return smispec && !strncmp(smispec, "mesh-", 5) ? "GAMMA" : "SMI";
}

json_t *report_to_json(const struct report *r)
{
	json_t *list = json_array();
	size_t p, f, i;

	for (size_t k = 0; k < r->n; k++) {
		const struct assertion *a = &r->a[k];

		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:O}",
			"id", a->id, "scenario", a->scenario, "step", a->step,
			"step_index", (json_int_t)a->step_index, "traffic", a->traffic, "kind", a->kind,
			"category", report_category(a->smispec), "smispec", a->smispec, "specversion", a->specversion,
			"verdict", verdict_name(a->verdict), "reason", a->reason,
			"duration_s", a->duration_s, "evidence", a->evidence));
	}
	report_count(r, &p, &f, &i);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:{s:s, s:I, s:I, s:I, s:I}, s:O, s:O, s:o}",
		"schema", REPORT_SCHEMA, "tool", r->tool, "mesh", r->mesh, "mesh_version", r->mesh_version,
		"data_plane", r->data_plane, "generated", r->generated, "statistics", r->statistics,
		"summary", "verdict", verdict_name(report_verdict(r)), "assertions", (json_int_t)r->n,
		"pass", (json_int_t)p, "fail", (json_int_t)f, "inconclusive", (json_int_t)i,
		"captures", r->captures, "scenarios", r->scenarios, "assertions", list);
}

int report_dump(FILE *f, json_t *doc)
{
	int rc;

	if (!doc)
		return -ENOMEM;
	rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(doc);
	return rc ? -EIO : 0;
}

int report_write_json(FILE *f, const struct report *r)
{
	return report_dump(f, report_to_json(r));
}

static int load_assertion(struct report *r, json_t *o, const char *path, size_t idx)
{
	struct assertion a = { 0 };
	json_t *ev = NULL;
	json_int_t step_index = 0;
	const char *verdict = NULL;
	json_error_t jerr;

	if (json_unpack_ex(o, &jerr, 0, "{s:s, s:s, s:s, s?I, s:s, s:s, s:s, s:s, s:s, s:s, s?F, s?O}",
			   "id", &a.id, "scenario", &a.scenario, "step", &a.step,
			   "step_index", &step_index, "traffic", &a.traffic, "kind", &a.kind,
			   "smispec", &a.smispec, "specversion", &a.specversion, "verdict", &verdict,
			   "reason", &a.reason, "duration_s", &a.duration_s, "evidence", &ev)) {
		error("cannot load report '%s': assertions[%zu]: %s", path, idx, jerr.text);
		return -EINVAL;
	}
	if (verdict_parse(verdict, &a.verdict)) {
		error("cannot load report '%s': assertions[%zu].verdict: '%s' is not PASS, FAIL or INCONCLUSIVE",
		      path, idx, verdict);
		json_decref(ev);
		return -EINVAL;
	}
	a.step_index = (unsigned)step_index;
	return report_add(r, &a, ev) ? 0 : -ENOMEM;
}

int report_load(struct report *r, const char *path)
{
	const char *schema = NULL, *tool = NULL, *mesh = NULL, *generated = NULL, *mver = NULL, *dplane = NULL;
	json_t *doc, *stats = NULL, *captures = NULL, *scen = NULL, *list = NULL, *o;
	json_error_t jerr;
	size_t i;
	int rc = 0;

	doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		error("cannot load report '%s': line %d: %s", path, jerr.line, jerr.text);
		return -EINVAL;
	}
	if (json_unpack_ex(doc, &jerr, 0, "{s:s, s:s, s:s, s?s, s?s, s?s, s?o, s?o, s?o, s:o}", "schema", &schema,
			   "tool", &tool, "mesh", &mesh, "mesh_version", &mver, "data_plane", &dplane,
			   "generated", &generated, "statistics", &stats,
			   "captures", &captures, "scenarios", &scen, "assertions", &list) ||
	    strcmp(schema, REPORT_SCHEMA) || !json_is_array(list)) {
		error("cannot load report '%s': not a %s document%s%s", path, REPORT_SCHEMA,
		      jerr.text[0] ? ": " : "", jerr.text);
		json_decref(doc);
		return -EINVAL;
	}
	if (report_init(r, mesh)) {
		json_decref(doc);
		return -ENOMEM;
	}
	free(r->tool);
	free(r->generated);
	free(r->mesh_version);
	free(r->data_plane);
	r->tool = dup0(tool);
	r->generated = dup0(generated);
	r->mesh_version = dup0(mver);
	r->data_plane = dup0(dplane);
	if (json_is_object(stats))
		json_object_update(r->statistics, stats);
	if (json_is_array(captures))
		json_array_extend(r->captures, captures);
	if (json_is_array(scen))
		json_array_extend(r->scenarios, scen);
	json_array_foreach(list, i, o)
		if ((rc = load_assertion(r, o, path, i)))
			break;
	json_decref(doc);
	if (!rc && (!r->tool || !r->generated || !r->mesh_version || !r->data_plane))
		rc = -ENOMEM;
	if (rc)
		report_free(r);
	return rc;
}

int report_set_str(char **field, const char *value)
{
	char *s;

	if (**field || !value || !*value)
		return 0;
	if (!(s = strdup(value)))
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

int report_merge(struct report *dst, struct report *src)
{
	for (size_t i = 0; i < src->n; i++) {
		struct assertion *a = &src->a[i];

		if (!report_add(dst, a, json_incref(a->evidence)))
			return -ENOMEM;
	}
	json_array_extend(dst->captures, src->captures);
	json_array_extend(dst->scenarios, src->scenarios);
	if (!json_object_size(dst->statistics))
		json_object_update(dst->statistics, src->statistics);
	if (report_set_str(&dst->generated, src->generated) ||
	    report_set_str(&dst->mesh_version, src->mesh_version) ||
	    report_set_str(&dst->data_plane, src->data_plane)) {
		report_free(src);
		return -ENOMEM;
	}
	report_free(src);
	return 0;
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->n; i++)
		assertion_free(&r->a[i]);
	free(r->a);
	free(r->tool);
	free(r->mesh);
	free(r->generated);
	free(r->mesh_version);
	free(r->data_plane);
	json_decref(r->statistics);
	json_decref(r->captures);
	json_decref(r->scenarios);
	memset(r, 0, sizeof(*r));
}
