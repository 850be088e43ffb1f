/* lint.c - see lint.h */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "lint/lint.h"

void lint_print_problems(const struct smi_set *set, FILE *f)
{
	for (size_t i = 0; i < set->diags.n; i++) {
		const struct smi_diag *d = &set->diags.v[i];

		fprintf(f, "%s:", d->file);
		if (d->line)
			fprintf(f, "%d:", d->line);
		if (d->line && d->column)
			fprintf(f, "%d:", d->column);
		fprintf(f, " %s: ", d->severity == SMI_ERROR ? "error" : "warning");
		if (*d->path)
			fprintf(f, "%s: ", d->path);
		fprintf(f, "%s\n", d->message);
	}
}

/* One table row: the columns of an SMI object and of a route alike. */
struct row {
	const char *kind, *ns, *name;
	char api[80];
	char summary[2048];
};

static void smi_row(const struct smi_meta *m, struct row *r)
{
	r->kind = smi_kind_name(m->kind);
	r->ns = m->namespace ? m->namespace : "-";
	r->name = m->name ? m->name : "-";
	snprintf(r->api, sizeof(r->api), "%s/%s", smi_group_name(smi_kind_group(m->kind)),
		 smi_version_name(m->version));
	smi_object_summary(m, r->summary, sizeof(r->summary));
}

static void gw_row(const struct gw_route *g, struct row *r)
{
	r->kind = gw_kind_name(g->kind);
	r->ns = g->namespace;
	r->name = g->name;
	snprintf(r->api, sizeof(r->api), "%s/%s", GW_GROUP, gw_version_name(g->version));
	gw_route_summary(g, r->summary, sizeof(r->summary));
}

/* Fills row i of the SMI objects followed by the routes. */
static void get_row(const struct smi_set *set, const struct gw_set *gw, size_t i, struct row *r)
{
	if (i < set->n_objects)
		smi_row(set->objects[i], r);
	else
		gw_row(gw->routes[i - set->n_objects], r);
}

static int widen(int w, const char *s)
{
	int l = (int)strlen(s);

	return l > w ? l : w;
}

void lint_print_table(const struct smi_set *set, const struct gw_set *gw, FILE *f)
{
	size_t n = set->n_objects + (gw ? gw->n_routes : 0);
	int wk = 4, wn = 9, wname = 4, wapi = 3;
	struct row r;

	for (size_t i = 0; i < n; i++) {
		get_row(set, gw, i, &r);
		wk = widen(wk, r.kind);
		wn = widen(wn, r.ns);
		wname = widen(wname, r.name);
		wapi = widen(wapi, r.api);
	}
	fprintf(f, "%-*s  %-*s  %-*s  %-*s  %s\n", wk, "KIND", wn, "NAMESPACE", wname, "NAME", wapi, "API",
		"SUMMARY");
	for (size_t i = 0; i < n; i++) {
		get_row(set, gw, i, &r);
		fprintf(f, "%-*s  %-*s  %-*s  %-*s  %s\n", wk, r.kind, wn, r.ns, wname, r.name, wapi, r.api,
			r.summary);
	}
}

void lint_print_json(const struct smi_set *set, const struct gw_set *gw, FILE *f)
{
	json_t *objects = smi_set_json(set, true), *problems = json_array(), *doc;

	for (size_t i = 0; gw && i < gw->n_routes; i++)
		json_array_append_new(objects, gw_route_json(gw->routes[i]));
	for (size_t i = 0; i < set->diags.n; i++) {
		const struct smi_diag *d = &set->diags.v[i];

		json_array_append_new(problems, json_pack("{s:s, s:s, s:i, s:i, s:s, s:s}",
			"severity", d->severity == SMI_ERROR ? "error" : "warning", "file", d->file,
			"line", d->line, "column", d->column, "path", d->path, "message", d->message));
	}
	doc = json_pack("{s:b, s:I, s:I, s:I, s:o, s:o}", "ok", set->diags.n_errors == 0,
			"errors", (json_int_t)set->diags.n_errors, "warnings", (json_int_t)set->diags.n_warnings,
			"skipped", (json_int_t)set->n_skipped, "objects", objects, "problems", problems);
	json_dumpf(doc, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(doc);
}

void lint_print_summary(const struct smi_set *set, const struct gw_set *gw, FILE *f)
{
	size_t n = set->n_objects + (gw ? gw->n_routes : 0);

	fprintf(f, "%zu object%s, %zu error%s, %zu warning%s, %zu other document%s skipped\n",
		n, n == 1 ? "" : "s",
		set->diags.n_errors, set->diags.n_errors == 1 ? "" : "s",
		set->diags.n_warnings, set->diags.n_warnings == 1 ? "" : "s",
		set->n_skipped, set->n_skipped == 1 ? "" : "s");
}
