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

static int run(int argc, char **argv)
{
	extern const struct command cmd_matrix;
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "html", required_argument, NULL, 'H' },
		{ "markdown", required_argument, NULL, 'M' },
		{ "out", required_argument, NULL, 'O' },
		{ 0 }
	};
	const char *html = NULL, *md = NULL, *out = NULL;
	char **files = calloc((size_t)argc + 1, sizeof(*files));
	size_t n_files = 0;
	struct report *reports;
	struct matrix m = { 0 };
	size_t n = 0;
	int opt, r = 0;

	if (!files)
		return EXIT_FAILED;
	while ((opt = cli_next_opt(argc, argv, CLI_COMMON_SHORTOPTS "H:M:O:", longopts, files, &n_files)) != -1) {
		switch (opt) {
		case 'H':
			html = optarg;
			break;
		case 'M':
			md = optarg;
			break;
		case 'O':
			out = optarg;
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_matrix)) != CLI_CONTINUE) {
				free(files);
				return r;
			}
			r = 0;
		}
	}
	if (!n_files) {
		error("matrix needs at least one result file (report.json from verify or run)");
		free(files);
		return EXIT_USAGE;
	}
	reports = calloc(n_files, sizeof(*reports));
	if (!reports) {
		free(files);
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < n_files && !r; i++, n++)
		if (report_load(&reports[n], files[i]))
			r = EXIT_USAGE;
	if (!r && matrix_build(&m, reports, n))
		r = EXIT_FAILED;
	if (!r && out && matrix_write_dir(&m, out))
		r = EXIT_FAILED;
	if (!r && html && matrix_write_file(html, &m, true))
		r = EXIT_FAILED;
	if (!r && md && matrix_write_file(md, &m, false))
		r = EXIT_FAILED;
	if (!r && log_json)
		print_json(&m);
	else if (!r && !out && !html && !md)
		matrix_write_markdown(stdout, &m);
	matrix_free(&m);
	for (size_t i = 0; i < n; i++)
		report_free(&reports[i]);
	free(reports);
	free(files);
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
