/* matrix.c - see matrix.h (the HTML page is matrix_html.c) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/matrix.h"
#include "report/outdir.h"
#include "report/writers.h"
#include "util/log.h"

/* The reference mesh first: every other row reads as a difference from it. */
static int mesh_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	bool rx = !strcmp(x, MATRIX_REFERENCE_MESH), ry = !strcmp(y, MATRIX_REFERENCE_MESH);

	return rx != ry ? (rx ? -1 : 1) : strcmp(x, y);
}

static int col_cmp(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	int r = strcmp(x[0], y[0]);

	return r ? r : strcmp(x[1], y[1]);
}

size_t matrix_mesh_index(const struct matrix *m, const char *mesh)
{
	for (size_t i = 0; i < m->n_meshes; i++)
		if (!strcmp(m->meshes[i], mesh))
			return i;
	return m->n_meshes;
}

size_t matrix_col_index(const struct matrix *m, const char *spec, const char *ver)
{
	for (size_t i = 0; i < m->n_cols; i++)
		if (!strcmp(m->cols[i].smispec, spec) && !strcmp(m->cols[i].specversion, ver))
			return i;
	return m->n_cols;
}

const struct matrix_cell *matrix_cell_at(const struct matrix *m, size_t mesh, size_t col)
{
	return &m->cells[mesh * m->n_cols + col];
}

/* Each mesh's version and data plane: the first of its reports that names them decides. */
static void mesh_versions(struct matrix *m)
{
	for (size_t i = 0; i < m->n_meshes; i++) {
		m->mesh_versions[i] = m->data_planes[i] = "";
		for (size_t r = 0; r < m->n_reports; r++) {
			const struct report *rep = &m->reports[r];

			if (strcmp(rep->mesh, m->meshes[i]))
				continue;
			if (!*m->mesh_versions[i])
				m->mesh_versions[i] = rep->mesh_version;
			if (!*m->data_planes[i])
				m->data_planes[i] = rep->data_plane;
		}
	}
}

static void count(struct matrix *m)
{
	for (size_t i = 0; i < m->n_reports; i++)
		for (size_t k = 0; k < m->reports[i].n; k++) {
			const struct assertion *a = &m->reports[i].a[k];
			struct matrix_cell *c = &m->cells[matrix_mesh_index(m, m->reports[i].mesh) * m->n_cols +
							 matrix_col_index(m, a->smispec, a->specversion)];

			c->total++;
			c->pass += a->verdict == VERDICT_PASS;
			c->fail += a->verdict == VERDICT_FAIL;
			c->inconclusive += a->verdict == VERDICT_INCONCLUSIVE;
		}
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
	m->mesh_versions = calloc(n + 1, sizeof(*m->mesh_versions));
	m->data_planes = calloc(n + 1, sizeof(*m->data_planes));
	m->cols = calloc(max_cols + 1, sizeof(*m->cols));
	if (!m->meshes || !m->mesh_versions || !m->data_planes || !m->cols)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (matrix_mesh_index(m, reports[i].mesh) == m->n_meshes)
			m->meshes[m->n_meshes++] = reports[i].mesh;
		for (size_t k = 0; k < reports[i].n; k++) {
			const struct assertion *a = &reports[i].a[k];

			if (matrix_col_index(m, a->smispec, a->specversion) == m->n_cols) {
				m->cols[m->n_cols].smispec = a->smispec;
				m->cols[m->n_cols++].specversion = a->specversion;
			}
		}
	}
	qsort(m->meshes, m->n_meshes, sizeof(*m->meshes), mesh_cmp);
	qsort(m->cols, m->n_cols, sizeof(*m->cols), col_cmp);
	mesh_versions(m);
	m->cells = calloc(m->n_meshes * m->n_cols + 1, sizeof(*m->cells));
	if (!m->cells)
		goto nomem;
	count(m);
	return 0;
nomem:
	matrix_free(m);
	return -ENOMEM;
}

enum capability_level matrix_level(const struct matrix_cell *c)
{
	return capability_of(c->pass, c->total);
}

void matrix_cell_counts(FILE *f, const struct matrix_cell *c)
{
	if (c->fail)
		fprintf(f, "%zu FAIL, ", c->fail);
	if (c->inconclusive)
		fprintf(f, "%zu INCONCLUSIVE, ", c->inconclusive);
	fprintf(f, "%zu/%zu PASS", c->pass, c->total);
}

void matrix_write_date(FILE *f, const char *iso)
{
	if (strlen(iso) >= 17 && iso[10] == 'T' && iso[strlen(iso) - 1] == 'Z')
		fprintf(f, "%.10s %.5s UTC", iso, iso + 11);
	else
		fputs(*iso ? iso : "an unknown date", f);
}

/* Writes the provenance text that matrix_provenance() returns. */
static void write_provenance(FILE *f, const struct matrix *m)
{
	const char *first = NULL, *last = NULL;

	for (size_t i = 0; i < m->n_reports; i++) {
		const char *g = m->reports[i].generated;

		if (!*g)
			continue;
		if (!first || strcmp(g, first) < 0)
			first = g;
		if (!last || strcmp(g, last) > 0)
			last = g;
	}
	fputs("observed ", f);
	matrix_write_date(f, first ? first : "");
	if (first && strcmp(first, last)) {
		fputs(" to ", f);
		matrix_write_date(f, last);
	}
	fputs(", judged by ", f);
	for (size_t i = 0; i < m->n_reports; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(m->reports[j].tool, m->reports[i].tool);
		if (!seen)
			fprintf(f, "%s%s", i ? ", " : "", m->reports[i].tool);
	}
}

char *matrix_provenance(const struct matrix *m)
{
	char *prov = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&prov, &len);

	if (!mem)
		return NULL;
	write_provenance(mem, m);
	if (fclose(mem)) {
		free(prov);
		return NULL;
	}
	return prov;
}

/* --- Markdown -------------------------------------------------------------- */

/* Text as a Markdown reader shows it: reasons, ids and mesh names are data, so
 * every character GitHub's Markdown reads as inline syntax (emphasis, code,
 * links, raw HTML, entities, strike-through) is escaped with a backslash, '|'
 * too, which would end the table cell; a line break would end the row. */
static void md_puts(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n') {
			fputc(' ', f);
			continue;
		}
		if (strchr("\\`*_[]<|~&", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void md_table(FILE *f, const struct matrix *m)
{
	fputs("| mesh | mesh version | data plane |", f);
	for (size_t c = 0; c < m->n_cols; c++)
		fprintf(f, " %s %s |", m->cols[c].smispec, m->cols[c].specversion);
	fputs("\n|---|---|---|", f);
	for (size_t c = 0; c < m->n_cols; c++)
		fputs("---|", f);
	fputc('\n', f);
	for (size_t i = 0; i < m->n_meshes; i++) {
		fputs("| ", f);
		md_puts(f, m->meshes[i]);
		fputs(" | ", f);
		md_puts(f, *m->mesh_versions[i] ? m->mesh_versions[i] : "—");
		fputs(" | ", f);
		md_puts(f, *m->data_planes[i] ? m->data_planes[i] : "—");
		fputs(" |", f);
		for (size_t c = 0; c < m->n_cols; c++) {
			const struct matrix_cell *x = matrix_cell_at(m, i, c);

			if (!x->total) {
				fputs(" — |", f);
				continue;
			}
			fprintf(f, " %s (", capability_name(matrix_level(x)));
			matrix_cell_counts(f, x);
			fputs(") |", f);
		}
		fputc('\n', f);
	}
}

static void md_not_passed_row(FILE *f, const char *mesh, const struct assertion *a, size_t *shown)
{
	if (!(*shown)++)
		fputs("\n## Assertions that did not pass\n\n"
		      "| mesh | assertion | verdict | reason |\n|---|---|---|---|\n", f);
	fputs("| ", f);
	md_puts(f, mesh);
	fputs(" | ", f);
	md_puts(f, a->id);
	fprintf(f, " | %s | ", verdict_name(a->verdict));
	md_puts(f, a->reason);
	fputs(" |\n", f);
}

/* Every assertion that did not pass: mesh by mesh in the matrix's order, FAIL before INCONCLUSIVE. */
static void md_not_passed(FILE *f, const struct matrix *m)
{
	static const enum verdict order[] = { VERDICT_FAIL, VERDICT_INCONCLUSIVE };
	size_t shown = 0;

	for (size_t i = 0; i < m->n_meshes; i++)
		for (size_t v = 0; v < 2; v++)
			for (size_t r = 0; r < m->n_reports; r++) {
				const struct report *rep = &m->reports[r];

				for (size_t k = 0; k < rep->n && !strcmp(rep->mesh, m->meshes[i]); k++)
					if (rep->a[k].verdict == order[v])
						md_not_passed_row(f, m->meshes[i], &rep->a[k], &shown);
			}
}

void matrix_write_markdown(FILE *f, const struct matrix *m)
{
	char *prov = matrix_provenance(m);

	fputs("# SMI compatibility matrix\n\nResults ", f);
	md_puts(f, prov ? prov : "");
	free(prov);
	fputs(".\n\n", f);
	md_table(f, m);
	fputs("\nFULL: every assertion of that spec version passed; HALF: some did; NONE: none did "
	      "(INCONCLUSIVE counts as not passed). Cells count assertions: what did not pass, then PASS/total.\n", f);
	md_not_passed(f, m);
}

void matrix_free(struct matrix *m)
{
	free(m->meshes);
	free(m->mesh_versions);
	free(m->data_planes);
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
