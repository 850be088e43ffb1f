/*
 * matrix.h - the compatibility matrix: meshes (rows) against SMI spec and
 * version (columns), each cell the capability shown by the assertions of
 * every result file given for that mesh. The reference mesh comes first,
 * the others by name; what did not pass comes before what did.
 */
#ifndef SMIW_REPORT_MATRIX_H
#define SMIW_REPORT_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report/capability.h"
#include "verdict/report.h"

/* The mesh the matrix lists first: the lab's mesh that implements SMI as written. */
#define MATRIX_REFERENCE_MESH "reference"

struct matrix_cell {
	size_t total, pass, fail, inconclusive;
};

struct matrix {
	const struct report *reports;	/* borrowed */
	size_t n_reports;
	const char **meshes;		/* the reference first, then by name */
	const char **mesh_versions;	/* per mesh: the first its reports give, "" when none does */
	const char **data_planes;	/* likewise */
	size_t n_meshes;
	struct { const char *smispec, *specversion; } *cols;	/* sorted by spec, then version */
	size_t n_cols;
	struct matrix_cell *cells;	/* n_meshes x n_cols */
};

/* Builds the matrix over reports[0..n-1] (which must outlive it). Returns 0 or -ENOMEM. */
int matrix_build(struct matrix *m, const struct report *reports, size_t n);

/* Capability of a cell (NONE also for an untested cell: check total). */
enum capability_level matrix_level(const struct matrix_cell *c);

/* The cell of mesh i and column c (borrowed). */
const struct matrix_cell *matrix_cell_at(const struct matrix *m, size_t mesh, size_t col);

/* The index of a mesh name in m->meshes, or m->n_meshes when absent. */
size_t matrix_mesh_index(const struct matrix *m, const char *mesh);

/* The index of a spec and version in m->cols, or m->n_cols when absent. */
size_t matrix_col_index(const struct matrix *m, const char *smispec, const char *specversion);

/* Writes "9 FAIL, 1 INCONCLUSIVE, 2/12 PASS": what did not pass first, zero counts left out. */
void matrix_cell_counts(FILE *f, const struct matrix_cell *c);

/* Writes "2026-01-05 09:30 UTC" for "2026-01-05T09:30:00.000Z"; any other text as it is. */
void matrix_write_date(FILE *f, const char *iso);

/*
 * The dates the results were observed ("2026-01-05 09:30 UTC", or "FIRST to
 * LAST") and the programs that judged them ("smi-witness 0.1.0"), as one
 * string the caller frees and escapes for its format; NULL if out of memory.
 */
char *matrix_provenance(const struct matrix *m);

/* The matrix and the assertions that did not pass, as Markdown. */
void matrix_write_markdown(FILE *f, const struct matrix *m);

/*
 * One self-contained HTML page (inline CSS and SVG charts, no external
 * assets; well-formed XML, so XML tools can check it): the matrix, each
 * cell a link to its assertions with their evidence.
 */
void matrix_write_html(FILE *f, const struct matrix *m);

/* Writes the matrix to file `path`: the HTML page when html, else Markdown. Returns 0 or -EIO after printing why. */
int matrix_write_file(const char *path, const struct matrix *m, bool html);

/* Writes DIR/matrix.md and DIR/matrix.html, creating DIR. Returns 0 or -EIO after printing why. */
int matrix_write_dir(const struct matrix *m, const char *dir);

/* Frees the matrix (not the reports it was built from). */
void matrix_free(struct matrix *m);

#endif
