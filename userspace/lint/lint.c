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

void lint_print_table(const struct smi_set *set, FILE *f)
{
	int wk = 4, wn = 9, wname = 4, wapi = 3;
	char api[64], summary[2048];

	for (size_t i = 0; i < set->n_objects; i++) {
		const struct smi_meta *m = set->objects[i];
		int l;

		if ((l = (int)strlen(smi_kind_name(m->kind))) > wk)
			wk = l;
		if ((l = (int)strlen(m->namespace ? m->namespace : "-")) > wn)
			wn = l;
		if ((l = (int)strlen(m->name ? m->name : "-")) > wname)
			wname = l;
		snprintf(api, sizeof(api), "%s/%s", smi_group_name(smi_kind_group(m->kind)), smi_version_name(m->version));
		if ((l = (int)strlen(api)) > wapi)
			wapi = l;
	}
	fprintf(f, "%-*s  %-*s  %-*s  %-*s  %s\n", wk, "KIND", wn, "NAMESPACE", wname, "NAME", wapi, "API",
		"SUMMARY");
	for (size_t i = 0; i < set->n_objects; i++) {
		const struct smi_meta *m = set->objects[i];

		snprintf(api, sizeof(api), "%s/%s", smi_group_name(smi_kind_group(m->kind)), smi_version_name(m->version));
		fprintf(f, "%-*s  %-*s  %-*s  %-*s  %s\n", wk, smi_kind_name(m->kind), wn,
			m->namespace ? m->namespace : "-", wname, m->name ? m->name : "-", wapi, api,
			smi_object_summary(m, summary, sizeof(summary)));
	}
}

void lint_print_json(const struct smi_set *set, FILE *f)
{
	json_t *objects = smi_set_json(set, true), *problems = json_array(), *doc;

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

void lint_print_summary(const struct smi_set *set, FILE *f)
{
	fprintf(f, "%zu object%s, %zu error%s, %zu warning%s, %zu other document%s skipped\n",
		set->n_objects, set->n_objects == 1 ? "" : "s",
		set->diags.n_errors, set->diags.n_errors == 1 ? "" : "s",
		set->diags.n_warnings, set->diags.n_warnings == 1 ? "" : "s",
		set->n_skipped, set->n_skipped == 1 ? "" : "s");
}
