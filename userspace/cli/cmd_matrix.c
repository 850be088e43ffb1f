/* cmd_matrix.c - `smi-witness matrix`: result files -> compatibility matrix (Markdown, HTML). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/operands.h"
#include "report/matrix.h"
#include "report/outdir.h"
#include "util/log.h"

static void print_json(const struct matrix *m)
{
	json_t *rows = json_array(), *doc;

	for (size_t i = 0; i < m->n_meshes; i++) {
		json_t *cells = json_array();

		for (size_t c = 0; c < m->n_cols; c++) {
			const struct matrix_cell *x = &m->cells[i * m->n_cols + c];

			if (!x->total)
				continue;
			json_array_append_new(cells, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
				"smispec", m->cols[c].smispec, "specversion", m->cols[c].specversion,
				"capability", capability_name(matrix_level(x)), "assertions", (json_int_t)x->total,
				"pass", (json_int_t)x->pass, "fail", (json_int_t)x->fail,
				"inconclusive", (json_int_t)x->inconclusive));
		}
		json_array_append_new(rows, json_pack("{s:s, s:o}", "mesh", m->meshes[i], "cells", cells));
	}
	doc = json_pack("{s:o}", "meshes", rows);
	report_dump(stdout, doc);
}

struct matrix_opts {
	const char *html, *md, *out;
	char **files;		/* the operands (room for argc) */
	size_t n_files;
};

static int parse_opts(int argc, char **argv, struct matrix_opts *o)
{
	extern const struct command cmd_matrix;
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "html", required_argument, NULL, 'H' },
		{ "markdown", required_argument, NULL, 'M' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 }
	};
	int opt, r;

	while ((opt = cli_next_opt(argc, argv, CLI_COMMON_SHORTOPTS "H:M:o:O:", longopts, o->files, &o->n_files)) != -1) {
		switch (opt) {
		case 'H':
			o->html = optarg;
			break;
		case 'M':
			o->md = optarg;
			break;
		case 'o':
		case 'O':	/* the old spelling of -o */
			o->out = optarg;
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_matrix)) != CLI_CONTINUE)
				return r;
		}
	}
	if (!o->n_files) {
		error("matrix needs at least one result file (report.json from verify or run)");
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

/* Builds the matrix of the n reports and writes what the options ask for. Returns an exit code. */
static int write_matrix(const struct matrix_opts *o, const struct report *reports, size_t n)
{
	struct matrix m = { 0 };
	int r = 0;

	if (matrix_build(&m, reports, n))
		r = EXIT_ERROR;
	if (!r && o->out && matrix_write_dir(&m, o->out))
		r = EXIT_ERROR;
	if (!r && o->html && matrix_write_file(o->html, &m, true))
		r = EXIT_ERROR;
	if (!r && o->md && matrix_write_file(o->md, &m, false))
		r = EXIT_ERROR;
	if (!r && log_json)
		print_json(&m);
	else if (!r && !o->out && !o->html && !o->md)
		matrix_write_markdown(stdout, &m);
	matrix_free(&m);
	return r;
}

/* --- the same results twice ----------------------------------------------- */

/* Whether a report before `upto` in `order` (the same mesh) already has assertion `id`. */
static const char *counted_in(const struct report *reps, char **files, const size_t *order, size_t upto,
			      const struct report *r, const char *id)
{
	for (size_t k = 0; k < upto; k++) {
		const struct report *o = &reps[order[k]];

		if (!o->tool || strcmp(o->mesh, r->mesh))
			continue;
		for (size_t j = 0; j < o->n; j++)
			if (!strcmp(o->a[j].id, id))
				return files[order[k]];
	}
	return NULL;
}

/*
 * Keeps only the assertions of r marked in keep[]: a new report with r's
 * header takes r's place. Returns 0 or -ENOMEM (r unchanged).
 */
static int keep_only(struct report *r, const bool *keep)
{
	struct report nr;

	if (report_init(&nr, r->mesh))
		return -ENOMEM;
	for (size_t j = 0; j < r->n; j++)
		if (keep[j] && !report_add(&nr, &r->a[j], json_incref(r->a[j].evidence))) {
			report_free(&nr);
			return -ENOMEM;
		}
	free(nr.tool);
	free(nr.generated);
	json_decref(nr.statistics);
	json_decref(nr.captures);
	json_decref(nr.scenarios);
	nr.tool = r->tool;
	nr.generated = r->generated;
	nr.statistics = r->statistics;
	nr.captures = r->captures;
	nr.scenarios = r->scenarios;
	r->tool = r->generated = NULL;
	r->statistics = r->captures = r->scenarios = NULL;
	report_free(r);
	*r = nr;
	return 0;
}

static int by_size(const void *a, const void *b, void *arg)
{
	const struct report *reps = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (reps[x].n != reps[y].n)
		return reps[x].n > reps[y].n ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * A mesh's assertion counts once, however many files carry it: the same
 * report given twice, a copy, or a scenario's report beside the mesh's
 * report of the same run (OUT/MESH/SCENARIO/report.json inside
 * OUT/MESH/report.json). Larger reports are taken first; what a later one
 * repeats is left out, and said. Reports left empty are freed (tool NULL).
 * Returns 0 or -ENOMEM.
 */
static int dedup(struct report *reps, char **files, size_t n)
{
	size_t *order = calloc(n + 1, sizeof(*order));
	int r = 0;

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), by_size, reps);
	for (size_t i = 0; i < n && !r; i++) {
		struct report *rep = &reps[order[i]];
		bool *keep = calloc(rep->n + 1, sizeof(*keep));
		const char *first = NULL, *from;
		size_t dropped = 0;

		if (!keep) {
			r = -ENOMEM;
			break;
		}
		for (size_t j = 0; j < rep->n; j++) {
			from = counted_in(reps, files, order, i, rep, rep->a[j].id);
			keep[j] = !from;
			dropped += !keep[j];
			first = first ? first : from;
		}
		if (dropped == rep->n && rep->n && !strcmp(first, files[order[i]])) {
			pr_warn("matrix: '%s' is given twice: counted once", first);
			report_free(rep);
		} else if (dropped == rep->n && rep->n) {
			pr_warn("matrix: ignored '%s': its %zu assertion%s of mesh %s are counted from '%s' already",
				files[order[i]], rep->n, rep->n == 1 ? "" : "s", rep->mesh, first);
			report_free(rep);
		} else if (dropped) {
			pr_warn("matrix: ignored %zu of the %zu assertions of '%s': counted from '%s' already", dropped,
				rep->n, files[order[i]], first);
			r = keep_only(rep, keep);
		}
		free(keep);
	}
	free(order);
	return r;
}

/* Moves the reports still holding something to the front. Returns how many there are. */
static size_t compact(struct report *reps, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (reps[i].tool)
			reps[k++] = reps[i];
	return k;
}

static int run(int argc, char **argv)
{
	struct matrix_opts o = { .files = calloc((size_t)argc + 1, sizeof(*o.files)) };
	struct report *reports;
	size_t n = 0;
	int r;

	if (!o.files)
		return EXIT_ERROR;
	if ((r = parse_opts(argc, argv, &o)) != CLI_CONTINUE) {
		free(o.files);
		return r;
	}
	reports = calloc(o.n_files, sizeof(*reports));
	if (!reports) {
		free(o.files);
		return EXIT_ERROR;
	}
	r = 0;
	for (size_t i = 0; i < o.n_files && !r; i++, n++)
		if (report_load(&reports[n], o.files[i]))
			r = EXIT_USAGE;
	if (!r && dedup(reports, o.files, n))
		r = EXIT_ERROR;
	if (!r) {
		n = compact(reports, n);
		r = write_matrix(&o, reports, n);
	}
	for (size_t i = 0; i < n; i++)
		report_free(&reports[i]);
	free(reports);
	free(o.files);
	return r;
}

const struct command cmd_matrix = {
	.name = "matrix",
	.summary = "compatibility matrix (mesh x SMI spec x version) from result files",
	.usage = "smi-witness matrix RESULT.json... [--out DIR] [--html FILE] [--markdown FILE]",
	.options =
		"  -o, --out DIR        write DIR/matrix.md and DIR/matrix.html\n"
		"  -H, --html FILE      write the self-contained HTML page (matrix, verdicts, split charts)\n"
		"  -M, --markdown FILE  write the Markdown matrix\n"
		"With no output option the Markdown goes to stdout; with -j a JSON summary does.\n"
		"A mesh's assertion counts once however many files carry it (a file given twice,\n"
		"a scenario's report.json beside its mesh's): what is left out is said on stderr.\n",
	.examples =
		"  smi-witness matrix out/reference/report.json out/faulty-weights/report.json\n"
		"  smi-witness matrix out/*/report.json --out out/\n"
		"  smi-witness -j matrix out/*/report.json | jq '.meshes[].cells[] | select(.capability != \"FULL\")'\n",
	.run = run,
};
