/* matrix.c - see matrix.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/matrix.h"
#include "report/outdir.h"
#include "report/writers.h"
#include "util/log.h"

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int col_cmp(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	int r = strcmp(x[0], y[0]);

	return r ? r : strcmp(x[1], y[1]);
}

static size_t mesh_index(const struct matrix *m, const char *mesh)
{
	for (size_t i = 0; i < m->n_meshes; i++)
		if (!strcmp(m->meshes[i], mesh))
			return i;
	return m->n_meshes;
}

static size_t col_index(const struct matrix *m, const char *spec, const char *ver)
{
	for (size_t i = 0; i < m->n_cols; i++)
		if (!strcmp(m->cols[i].smispec, spec) && !strcmp(m->cols[i].specversion, ver))
			return i;
	return m->n_cols;
}

int matrix_build(struct matrix *m, const struct report *reports, size_t n)
{
	size_t max_cols = 0;

	memset(m, 0, sizeof(*m));
	m->reports = reports;
	m->n_reports = n;
	for (size_t i = 0; i < n; i++)
		max_cols += reports[i].n;
	m->meshes = calloc(n + 1, sizeof(*m->meshes));
	m->cols = calloc(max_cols + 1, sizeof(*m->cols));
	if (!m->meshes || !m->cols)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (mesh_index(m, reports[i].mesh) == m->n_meshes)
			m->meshes[m->n_meshes++] = reports[i].mesh;
		for (size_t k = 0; k < reports[i].n; k++) {
			const struct assertion *a = &reports[i].a[k];

			if (col_index(m, a->smispec, a->specversion) == m->n_cols) {
				m->cols[m->n_cols].smispec = a->smispec;
				m->cols[m->n_cols++].specversion = a->specversion;
			}
		}
	}
	qsort(m->meshes, m->n_meshes, sizeof(*m->meshes), str_cmp);
	qsort(m->cols, m->n_cols, sizeof(*m->cols), col_cmp);
	m->cells = calloc(m->n_meshes * m->n_cols + 1, sizeof(*m->cells));
	if (!m->cells)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < reports[i].n; k++) {
			const struct assertion *a = &reports[i].a[k];
			struct matrix_cell *c = &m->cells[mesh_index(m, reports[i].mesh) * m->n_cols +
							 col_index(m, a->smispec, a->specversion)];

			c->total++;
			c->pass += a->verdict == VERDICT_PASS;
			c->fail += a->verdict == VERDICT_FAIL;
			c->inconclusive += a->verdict == VERDICT_INCONCLUSIVE;
		}
	return 0;
nomem:
	matrix_free(m);
	return -ENOMEM;
}

enum capability_level matrix_level(const struct matrix_cell *c)
{
	if (!c->total || !c->pass)
		return CAP_NONE;
	return c->pass == c->total ? CAP_FULL : CAP_HALF;
}

static const struct matrix_cell *cell(const struct matrix *m, size_t mesh, size_t col)
{
	return &m->cells[mesh * m->n_cols + col];
}

/* --- Markdown -------------------------------------------------------------- */

/* Table cells cannot hold '|' or line breaks. */
static void md_puts(FILE *f, const char *s)
{
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : *s == '\n' ? " " : (char[]){ *s, 0 }, f);
}

void matrix_write_markdown(FILE *f, const struct matrix *m)
{
	size_t shown = 0;

	fputs("# SMI compatibility matrix\n\n| mesh |", f);
	for (size_t c = 0; c < m->n_cols; c++)
		fprintf(f, " %s %s |", m->cols[c].smispec, m->cols[c].specversion);
	fputs("\n|---|", f);
	for (size_t c = 0; c < m->n_cols; c++)
		fputs("---|", f);
	fputc('\n', f);
	for (size_t i = 0; i < m->n_meshes; i++) {
		fputs("| ", f);
		md_puts(f, m->meshes[i]);
		fputs(" |", f);
		for (size_t c = 0; c < m->n_cols; c++) {
			const struct matrix_cell *x = cell(m, i, c);

			if (!x->total)
				fputs(" — |", f);
			else
				fprintf(f, " %s (%zu/%zu PASS%s) |", capability_name(matrix_level(x)), x->pass,
					x->total, x->fail ? ", FAIL" : x->inconclusive ? ", INCONCLUSIVE" : "");
		}
		fputc('\n', f);
	}
	fputs("\nFULL: every assertion of that spec version passed; HALF: some did; NONE: none did "
	      "(INCONCLUSIVE counts as not passed). Cells count assertions: PASS/total.\n", f);
	for (size_t r = 0; r < m->n_reports; r++)
		for (size_t k = 0; k < m->reports[r].n; k++) {
			const struct assertion *a = &m->reports[r].a[k];

			if (a->verdict == VERDICT_PASS)
				continue;
			if (!shown++)
				fputs("\n## Assertions that did not pass\n\n| mesh | assertion | verdict | reason |\n"
				      "|---|---|---|---|\n", f);
			fputs("| ", f);
			md_puts(f, m->reports[r].mesh);
			fputs(" | ", f);
			md_puts(f, a->id);
			fprintf(f, " | %s | ", verdict_name(a->verdict));
			md_puts(f, a->reason);
			fputs(" |\n", f);
		}
}

/* --- HTML ------------------------------------------------------------------ */

static const char style[] =
	"body{font-family:sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;margin:1em 0}"
	"th,td{border:1px solid #ccc;padding:.35em .6em;text-align:left;vertical-align:top}"
	"th{background:#f3f3f3}"
	".FULL,.PASS{background:#e3f4e4}.HALF,.INCONCLUSIVE{background:#fff4d6}"
	".NONE,.FAIL{background:#fbe3e3}.untested{color:#999}"
	"td.reason{font-size:90%}figure{margin:1em 0}";

static void html_cell(FILE *f, const struct matrix_cell *x)
{
	if (!x->total) {
		fputs("<td class=\"untested\">not tested</td>", f);
		return;
	}
	fprintf(f, "<td class=\"%s\"><b>%s</b><br/>%zu/%zu PASS", capability_name(matrix_level(x)),
		capability_name(matrix_level(x)), x->pass, x->total);
	if (x->fail)
		fprintf(f, ", %zu FAIL", x->fail);
	if (x->inconclusive)
		fprintf(f, ", %zu INCONCLUSIVE", x->inconclusive);
	fputs("</td>", f);
}

static void html_assertions(FILE *f, const struct report *r)
{
	fputs("<h2>", f);
	xml_puts(f, r->mesh);
	fputs("</h2>\n<p>", f);
	xml_puts(f, r->tool);
	fputs(", observations of ", f);
	xml_puts(f, r->generated);
	fputs("</p>\n<table>\n<tr><th>verdict</th><th>assertion</th><th>SMI spec</th><th>reason</th></tr>\n", f);
	for (size_t k = 0; k < r->n; k++) {
		const struct assertion *a = &r->a[k];

		fprintf(f, "<tr><td class=\"%s\">%s</td><td>", verdict_name(a->verdict), verdict_name(a->verdict));
		xml_puts(f, a->id);
		fputs("</td><td>", f);
		xml_puts(f, a->smispec);
		fputc(' ', f);
		xml_puts(f, a->specversion);
		fputs("</td><td class=\"reason\">", f);
		xml_puts(f, a->reason);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	for (size_t k = 0; k < r->n; k++)
		if (report_has_chart(&r->a[k])) {
			fputs("<figure>\n", f);
			report_write_split_svg(f, &r->a[k]);
			fputs("</figure>\n", f);
		}
}

void matrix_write_html(FILE *f, const struct matrix *m)
{
	fprintf(f, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\"/>\n<title>SMI compatibility matrix</title>\n<style>%s</style>\n"
		"</head>\n<body>\n<h1>SMI compatibility matrix</h1>\n<table>\n<tr><th>mesh</th>", style);
	for (size_t c = 0; c < m->n_cols; c++) {
		fputs("<th>", f);
		xml_puts(f, m->cols[c].smispec);
		fputs("<br/>", f);
		xml_puts(f, m->cols[c].specversion);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t i = 0; i < m->n_meshes; i++) {
		fputs("<tr><th>", f);
		xml_puts(f, m->meshes[i]);
		fputs("</th>", f);
		for (size_t c = 0; c < m->n_cols; c++)
			html_cell(f, cell(m, i, c));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<p>FULL: every assertion of that spec version passed; HALF: some did; NONE: none did "
	      "(INCONCLUSIVE counts as not passed). Verdicts rest on what the kernel observed of the "
	      "workload's connections and HTTP exchanges.</p>\n", f);
	for (size_t r = 0; r < m->n_reports; r++)
		html_assertions(f, &m->reports[r]);
	fputs("</body>\n</html>\n", f);
}

void matrix_free(struct matrix *m)
{
	free(m->meshes);
	free(m->cols);
	free(m->cells);
	memset(m, 0, sizeof(*m));
}

int matrix_write_file(const char *path, const struct matrix *m, bool html)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		error_errno(errno, "cannot write '%s'", path);
		return -EIO;
	}
	if (html)
		matrix_write_html(f, m);
	else
		matrix_write_markdown(f, m);
	if (fclose(f)) {
		error_errno(errno, "cannot write '%s'", path);
		return -EIO;
	}
	return 0;
}

int matrix_write_dir(const struct matrix *m, const char *dir)
{
	char path[4096];

	if (mkdir_p(dir)) {
		error_errno(errno, "cannot create '%s'", dir);
		return -EIO;
	}
	snprintf(path, sizeof(path), "%s/matrix.md", dir);
	if (matrix_write_file(path, m, false))
		return -EIO;
	snprintf(path, sizeof(path), "%s/matrix.html", dir);
	return matrix_write_file(path, m, true);
}
