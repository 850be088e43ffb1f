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
		{ "out", required_argument, NULL, 'O' },
		{ 0 }
	};
	int opt, r;

	while ((opt = cli_next_opt(argc, argv, CLI_COMMON_SHORTOPTS "H:M:O:", longopts, o->files, &o->n_files)) != -1) {
		switch (opt) {
		case 'H':
			o->html = optarg;
			break;
		case 'M':
			o->md = optarg;
			break;
		case 'O':
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
	if (!r)
		r = write_matrix(&o, reports, n);
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
		"  -O, --out DIR        write DIR/matrix.md and DIR/matrix.html\n"
		"  -H, --html FILE      write the self-contained HTML page (matrix, verdicts, split charts)\n"
		"  -M, --markdown FILE  write the Markdown matrix\n"
		"With no output option the Markdown goes to stdout; with -j a JSON summary does.\n",
	.examples =
		"  smi-witness matrix out/reference/report.json out/faulty-weights/report.json\n"
		"  smi-witness matrix out/*/report.json --out out/\n"
		"  smi-witness -j matrix out/*/report.json | jq '.meshes[].cells[] | select(.capability != \"FULL\")'\n",
	.run = run,
};
