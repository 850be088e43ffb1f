/*
 * matrix.h - the compatibility matrix: meshes (rows) against SMI spec and
 * version (columns), each cell the capability shown by the assertions of
 * every result file given for that mesh.
 */
#ifndef SMIW_REPORT_MATRIX_H
#define SMIW_REPORT_MATRIX_H

#include <stddef.h>
#include <stdio.h>

#include "report/capability.h"
#include "verdict/report.h"

struct matrix_cell {
	size_t total, pass, fail, inconclusive;
};

struct matrix {
	const struct report *reports;	/* borrowed */
	size_t n_reports;
	const char **meshes;		/* sorted */
	size_t n_meshes;
	struct { const char *smispec, *specversion; } *cols;	/* sorted by spec, then version */
	size_t n_cols;
	struct matrix_cell *cells;	/* n_meshes x n_cols */
};

/* Builds the matrix over reports[0..n-1] (which must outlive it). Returns 0 or -ENOMEM. */
int matrix_build(struct matrix *m, const struct report *reports, size_t n);

/* Capability of a cell (NONE also for an untested cell: check total). */
enum capability_level matrix_level(const struct matrix_cell *c);

/* The matrix and the assertions that did not pass, as Markdown. */
void matrix_write_markdown(FILE *f, const struct matrix *m);

/*
 * One self-contained HTML page (inline CSS and SVG charts, no external
 * assets; well-formed XML, so XML tools can check it).
 */
void matrix_write_html(FILE *f, const struct matrix *m);

/* Writes the matrix to file `path`: the HTML page when html, else Markdown. Returns 0 or -EIO after printing why. */
int matrix_write_file(const char *path, const struct matrix *m, bool html);

/* Writes DIR/matrix.md and DIR/matrix.html, creating DIR. Returns 0 or -EIO after printing why. */
int matrix_write_dir(const struct matrix *m, const char *dir);

/* Frees the matrix (not the reports it was built from). */
void matrix_free(struct matrix *m);

#endif
