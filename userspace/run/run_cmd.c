/* run_cmd.c - `smi-witness run`: conformance suites against a mesh in the lab, end to end. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/operands.h"
#include "lab/lab.h"
#include "report/matrix.h"
#include "report/outdir.h"
#include "report/writers.h"
#include "run/runner.h"
#include "run/traffic.h"
#include "util/file.h"
#include "util/log.h"
#include "verify/engine.h"

#define MAX_SCENARIOS 256

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct run_opts {
	const char *mesh, *out, *lab, *topology;
	int api[SMI_GROUP_COUNT];
	bool have_api, keep_lab;
	char *operands[MAX_SCENARIOS];
	size_t n_operands;
	char *files[MAX_SCENARIOS];	/* the scenario files, suites expanded */
	size_t n_files;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A suite is a scenario file, or a directory whose *.yaml files are scenarios. */
static int expand(struct run_opts *o)
{
	for (size_t i = 0; i < o->n_operands; i++) {
		struct stat st;
		char pat[PATH_MAX];
		glob_t g;

		if (stat(o->operands[i], &st)) {
			error_errno(errno, "cannot read suite '%s'", o->operands[i]);
			return EXIT_USAGE;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (o->n_files == MAX_SCENARIOS)
				goto too_many;
			o->files[o->n_files++] = strdup(o->operands[i]);
			continue;
		}
		if (path_fmt(pat, sizeof(pat), "%s/*.yaml", o->operands[i]) || glob(pat, 0, NULL, &g) ||
		    !g.gl_pathc) {
			error("suite directory '%s' holds no *.yaml scenario", o->operands[i]);
			return EXIT_USAGE;
		}
		qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), by_name);
		for (size_t k = 0; k < g.gl_pathc; k++) {
			if (o->n_files == MAX_SCENARIOS) {
				globfree(&g);
				goto too_many;
			}
			o->files[o->n_files++] = strdup(g.gl_pathv[k]);
		}
		globfree(&g);
	}
	for (size_t i = 0; i < o->n_files; i++)
		if (!o->files[i])
			return EXIT_FAILED;
	return 0;
too_many:
	error("at most %d scenarios in one run", MAX_SCENARIOS);
	return EXIT_USAGE;
}

static int parse(int argc, char **argv, struct run_opts *o)
{
	extern const struct command cmd_run;
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "mesh", required_argument, NULL, 'm' },
		{ "api", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'O' },
		{ "lab", required_argument, NULL, 'L' },
		{ "topology", required_argument, NULL, 't' },
		{ "keep-lab", no_argument, NULL, 'k' },
		{ 0 }
	};
	int opt, r;

	while ((opt = cli_next_opt(argc, argv, CLI_COMMON_SHORTOPTS "m:a:O:L:t:k", longopts, o->operands,
				   &o->n_operands)) != -1) {
		switch (opt) {
		case 'm':
			o->mesh = optarg;
			break;
		case 'a':
			if (verify_parse_api(optarg, o->api))
				return EXIT_USAGE;
			o->have_api = true;
			break;
		case 'O':
			o->out = optarg;
			break;
		case 'L':
			o->lab = optarg;
			break;
		case 't':
			o->topology = optarg;
			break;
		case 'k':
			o->keep_lab = true;
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_run)) != CLI_CONTINUE)
				return r;
		}
		if (o->n_operands >= MAX_SCENARIOS - 1) {
			error("at most %d suites in one run", MAX_SCENARIOS);
			return EXIT_USAGE;
		}
	}
	if (!o->n_operands) {
		error("run needs at least one suite (a scenario file or a directory of them)");
		return EXIT_USAGE;
	}
	if (!*o->mesh || strchr(o->mesh, '/')) {
		error("--mesh: '%s' is not a mesh variant name", o->mesh);
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

/* The suites' lab topology next to the binary (../specs/lab/topology.yaml), if there is one. */
static const char *default_topology(char *buf, size_t len)
{
	char exe[PATH_MAX];

	if (file_exe_dir(exe, sizeof(exe)) || path_fmt(buf, len, "%s/../specs/lab/topology.yaml", exe))
		return NULL;
	return access(buf, R_OK) ? NULL : buf;
}

struct down_args {
	const struct lab_opts *lab;
};

static int lab_down_call(void *arg)
{
	return lab_cmd_down(((struct down_args *)arg)->lab, 0, NULL);
}

/* Every report.json under OUT/<mesh>/ so far, as one matrix. */
static void write_matrix(const char *out)
{
	struct report *reps;
	struct matrix m;
	char pat[PATH_MAX];
	size_t n = 0;
	glob_t g;

	if (path_fmt(pat, sizeof(pat), "%s/*/report.json", out) || glob(pat, 0, NULL, &g))
		return;
	reps = calloc(g.gl_pathc, sizeof(*reps));
	for (size_t i = 0; reps && i < g.gl_pathc; i++)
		if (!report_load(&reps[n], g.gl_pathv[i]))
			n++;
	if (reps && !matrix_build(&m, reps, n)) {
		if (!matrix_write_dir(&m, out))
			pr_info("compatibility matrix: %s/matrix.html (and matrix.md) over %zu mesh result(s)", out, n);
		matrix_free(&m);
	}
	for (size_t i = 0; i < n; i++)
		report_free(&reps[i]);
	free(reps);
	globfree(&g);
}

static int run_all(struct run_opts *o, struct report *all)
{
	struct runner rn = {
		.lab = { .name = o->lab, .topology = o->topology, .mesh = o->mesh },
		.mesh = o->mesh, .api = o->have_api ? o->api : NULL, .all = all, .stop = &stop_signal,
	};
	int r = 0;

	if (path_fmt(rn.out, sizeof(rn.out), "%s/%s", o->out, o->mesh) || mkdir_p(rn.out)) {
		error("cannot create the output directory '%s/%s'", o->out, o->mesh);
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < o->n_files && !r && !stop_signal; i++)
		r = runner_scenario(&rn, o->files[i]);
	if (stop_signal)
		pr_warn("interrupted: the scenarios not run have no verdicts");
	if (!o->keep_lab) {
		char log[PATH_MAX];

		if (path_fmt(log, sizeof(log), "%s/lab.log", rn.out) ||
		    with_output_to(log, lab_down_call, &(struct down_args){ &rn.lab }))
			pr_warn("lab down failed: see '%s'", log);
	}
	if (!r && report_write_dir(all, rn.out))
		r = EXIT_FAILED;
	return r;
}

static int run(int argc, char **argv)
{
	struct run_opts o = { .mesh = "reference", .out = "out" };
	struct sigaction sa = { .sa_handler = on_signal };
	char topo[PATH_MAX];
	struct report all;
	int r;

	o.n_operands = 0;
	r = parse(argc, argv, &o);
	if (r != CLI_CONTINUE)
		return r;
	if ((r = expand(&o)))
		goto out;
	if (!o.topology)
		o.topology = default_topology(topo, sizeof(topo));
	if (report_init(&all, o.mesh)) {
		r = EXIT_FAILED;
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pr_info("run: %zu scenario(s) against mesh '%s'%s%s, results in %s/%s/", o.n_files, o.mesh,
		o.topology ? ", lab topology " : "", o.topology ? o.topology : "", o.out, o.mesh);
	r = run_all(&o, &all);
	if (!r) {
		if (log_json)
			report_write_json(stdout, &all);
		else
			report_write_table(stdout, &all, isatty(STDOUT_FILENO));
		fflush(stdout);
		write_matrix(o.out);
		pr_info("reports: %s/%s/report.json, junit.xml, meshery.json, charts/", o.out, o.mesh);
		r = report_exit_code(&all);
	}
	report_free(&all);
out:
	for (size_t i = 0; i < o.n_files; i++)
		free(o.files[i]);
	return r;
}

const struct command cmd_run = {
	.name = "run",
	.summary = "run conformance suites against a mesh in the lab: apply, drive, observe, verify, report",
	.usage = "smi-witness run SUITE... [--mesh VARIANT] [--api GROUP=VERSION,...] [--out DIR]",
	.options =
		"  -m, --mesh VARIANT   the lab mesh: reference (default), faulty-weights, fail-open,\n"
		"                       ignore-path, ignore-method, ignore-headers, ... (docs/lab.md)\n"
		"  -a, --api LIST       render the SMI objects in these API versions, as the mesh serves them\n"
		"                       (e.g. split=v1alpha2,access=v1alpha2,specs=v1alpha3)\n"
		"  -O, --out DIR        results under DIR/VARIANT/ (default out), matrix in DIR/\n"
		"  -L, --lab NAME       the lab to use (default $SMIW_LAB or smiw)\n"
		"  -t, --topology FILE  lab topology (default specs/lab/topology.yaml next to the binary)\n"
		"  -k, --keep-lab       leave the lab up afterwards\n"
		"A SUITE is a scenario file or a directory of them (docs/scenarios.md).\n",
	.examples =
		"  smi-witness run specs/                                  # every suite, reference mesh\n"
		"  smi-witness run specs/traffic-split.yaml --mesh faulty-weights\n"
		"  smi-witness run specs/ --api split=v1alpha2,access=v1alpha2,specs=v1alpha3\n"
		"  out/reference/traffic-split/replay.sh                   # the same verdicts, offline\n"
		"\n"
		"Exit status: 0 every assertion PASS, 1 a FAIL (or the lab failed), 3 INCONCLUSIVE, 2 invalid input.\n",
	.run = run,
};
