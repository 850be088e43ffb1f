/*
 * matrix_html.c - the matrix as one self-contained page (see matrix.h): the
 * table first, every cell a link to a section that lists its assertions,
 * those that did not pass first, each with its reason and its evidence
 * (as text, and the split chart where there is one).
 */
#include <stdlib.h>
#include <string.h>

#include "report/evidence_text.h"
#include "report/matrix.h"
#include "report/smi_release.h"
#include "report/writers.h"

#define PAGE_ITEMS 5	/* requests listed per list in the evidence; report.json has up to 50 */

static const char style[] =
	"body{font-family:sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;margin:1em 0}"
	"th,td{border:1px solid #ccc;padding:.35em .6em;text-align:left;vertical-align:top}"
	"th{background:#f3f3f3}small{color:#555;font-weight:normal}"
	".FULL,.PASS{background:#e3f4e4}.HALF,.INCONCLUSIVE{background:#fff4d6}"
	".NONE,.FAIL{background:#fbe3e3}.untested{color:#999}"
	"td a{color:inherit;text-decoration:none;display:block}td a:hover{text-decoration:underline}"
	"td.reason{font-size:90%}pre{font-size:85%;white-space:pre-wrap;margin:.4em 0}"
	"summary{cursor:pointer;color:#555}figure{margin:.5em 0}";

static void html_header_row(FILE *f, const struct matrix *m)
{
	fputs("<tr><th>mesh</th>", f);
	for (size_t c = 0; c < m->n_cols; c++) {
		const char *rel = smi_release_of(m->cols[c].smispec, m->cols[c].specversion);

		fputs("<th>", f);
		xml_puts(f, m->cols[c].smispec);
		fputs("<br/>", f);
		xml_puts(f, m->cols[c].specversion);
		if (rel) {
			fputs("<br/><small>SMI ", f);
			xml_puts(f, rel);
			fputs("</small>", f);
		}
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
}

/* "version 0.1.0<br/>HAProxy 2.6.12": what the mesh's reports say of it. */
static void mesh_versions(FILE *f, const struct matrix *m, size_t i)
{
	fputs("<small>mesh version ", f);
	xml_puts(f, *m->mesh_versions[i] ? m->mesh_versions[i] : "not recorded");
	fputs("<br/>data plane ", f);
	xml_puts(f, *m->data_planes[i] ? m->data_planes[i] : "not recorded");
	fputs("</small>", f);
}

static void html_cell(FILE *f, const struct matrix_cell *x, size_t mesh, size_t col)
{
	const char *level = capability_name(matrix_level(x));

	if (!x->total) {
		fputs("<td class=\"untested\">not tested</td>", f);
		return;
	}
	fprintf(f, "<td class=\"%s\"><a href=\"#cell-%zu-%zu\"><b>%s</b><br/>", level, mesh, col, level);
	matrix_cell_counts(f, x);
	fputs("</a></td>", f);
}

static void html_matrix(FILE *f, const struct matrix *m)
{
	fputs("<table>\n", f);
	html_header_row(f, m);
	for (size_t i = 0; i < m->n_meshes; i++) {
		fprintf(f, "<tr><th><a href=\"#mesh-%zu\">", i);
		xml_puts(f, m->meshes[i]);
		fputs("</a><br/>", f);
		mesh_versions(f, m, i);
		fputs("</th>", f);
		for (size_t c = 0; c < m->n_cols; c++)
			html_cell(f, matrix_cell_at(m, i, c), i, c);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<p>FULL: every assertion of that spec version passed; HALF: some did; NONE: none did "
	      "(INCONCLUSIVE counts as not passed). Each cell counts what did not pass, then PASS/total, and "
	      "links to its assertions and their evidence. Verdicts rest on what the kernel observed of the "
	      "workload's connections and HTTP exchanges.</p>\n", f);
}

/* The assertion's evidence: text lines, then the chart of a split; open when it did not pass. */
static void evidence(FILE *f, const char *mesh, const struct assertion *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (mem) {
		evidence_write_text(mem, a, PAGE_ITEMS);
		fclose(mem);
	}
	if ((!text || !*text) && !report_has_chart(a)) {
		free(text);
		return;
	}
	fprintf(f, "<details%s><summary>evidence</summary><pre>", a->verdict == VERDICT_PASS ? "" : " open=\"open\"");
	xml_puts(f, text);
	fputs("</pre>", f);
	free(text);
	if (report_has_chart(a)) {
		fputs("<figure>\n", f);
		report_write_split_svg(f, mesh, a);
		fputs("</figure>", f);
	}
	fputs("</details>", f);
}

static void assertion_row(FILE *f, const char *mesh, const struct assertion *a)
{
	fprintf(f, "<tr><td class=\"%s\">%s</td><td>", verdict_name(a->verdict), verdict_name(a->verdict));
	xml_puts(f, a->id);
	fputs("</td><td class=\"reason\">", f);
	xml_puts(f, a->reason);
	evidence(f, mesh, a);
	fputs("</td></tr>\n", f);
}

/* One cell's section: its assertions from every report of the mesh, FAIL, then INCONCLUSIVE, then PASS. */
static void cell_section(FILE *f, const struct matrix *m, size_t i, size_t c)
{
	static const enum verdict order[] = { VERDICT_FAIL, VERDICT_INCONCLUSIVE, VERDICT_PASS };
	const struct matrix_cell *x = matrix_cell_at(m, i, c);

	fprintf(f, "<h3 id=\"cell-%zu-%zu\">", i, c);
	xml_puts(f, m->meshes[i]);
	fputs(": ", f);
	xml_puts(f, m->cols[c].smispec);
	fputc(' ', f);
	xml_puts(f, m->cols[c].specversion);
	fprintf(f, " <span class=\"%s\">%s</span> <small>", capability_name(matrix_level(x)),
		capability_name(matrix_level(x)));
	matrix_cell_counts(f, x);
	fputs("</small></h3>\n<table>\n<tr><th>verdict</th><th>assertion</th><th>reason and evidence</th></tr>\n", f);
	for (size_t v = 0; v < sizeof(order) / sizeof(order[0]); v++)
		for (size_t r = 0; r < m->n_reports; r++) {
			const struct report *rep = &m->reports[r];

			if (strcmp(rep->mesh, m->meshes[i]))
				continue;
			for (size_t k = 0; k < rep->n; k++)
				if (rep->a[k].verdict == order[v] && !strcmp(rep->a[k].smispec, m->cols[c].smispec) &&
				    !strcmp(rep->a[k].specversion, m->cols[c].specversion))
					assertion_row(f, m->meshes[i], &rep->a[k]);
		}
	fputs("</table>\n", f);
}

static void mesh_section(FILE *f, const struct matrix *m, size_t i)
{
	fprintf(f, "<h2 id=\"mesh-%zu\">", i);
	xml_puts(f, m->meshes[i]);
	fputs("</h2>\n<p>", f);
	mesh_versions(f, m, i);
	for (size_t r = 0; r < m->n_reports; r++)
		if (!strcmp(m->reports[r].mesh, m->meshes[i])) {
			fputs("<br/><small>observed ", f);
			matrix_write_date(f, m->reports[r].generated);
			fputs(", judged by ", f);
			xml_puts(f, m->reports[r].tool);
			fputs("</small>", f);
		}
	fputs("</p>\n", f);
	for (size_t c = 0; c < m->n_cols; c++)
		if (matrix_cell_at(m, i, c)->total)
			cell_section(f, m, i, c);
}

void matrix_write_html(FILE *f, const struct matrix *m)
{
	char *prov = matrix_provenance(m);

	fprintf(f, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\"/>\n<title>SMI compatibility matrix</title>\n<style>%s</style>\n"
		"</head>\n<body>\n<h1>SMI compatibility matrix</h1>\n<p>Results ", style);
	xml_puts(f, prov ? prov : "");
	free(prov);
	fputs(".</p>\n", f);
	html_matrix(f, m);
	for (size_t i = 0; i < m->n_meshes; i++)
		mesh_section(f, m, i);
	fputs("</body>\n</html>\n", f);
}
