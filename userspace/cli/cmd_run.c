/* cmd_run.c - `smi-witness run`: option parsing, then the suites against the lab (run/suites.h). */
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/operands.h"
#include "run/suites.h"
#include "run/target.h"
#include "util/file.h"
#include "util/log.h"
#include "verify/engine.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct run_opts {
	const char *mesh, *out, *lab, *topology;
	int api[SMI_GROUP_COUNT];
	bool have_api, keep_lab;
	char *operands[RUN_MAX_SCENARIOS];
	size_t n_operands;
	char *files[RUN_MAX_SCENARIOS];	/* the scenario files, suites expanded */
	size_t n_files;
};

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
		if (o->n_operands >= RUN_MAX_SCENARIOS - 1) {
			error("at most %d suites in one run", RUN_MAX_SCENARIOS);
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

static int run(int argc, char **argv)
{
	struct run_opts o = { .mesh = "reference", .out = "out" };
	struct sigaction sa = { .sa_handler = on_signal };
	struct target *t = NULL;
	char topo[PATH_MAX];
	int r;

	o.n_operands = 0;
	r = parse(argc, argv, &o);
	if (r != CLI_CONTINUE)
		return r;
	if ((r = run_expand_suites(o.operands, o.n_operands, o.files, &o.n_files)))
		goto out;
	if (!o.topology)
		o.topology = default_topology(topo, sizeof(topo));
	t = target_lab_new(o.lab, o.topology, o.mesh);
	if (!t) {
		r = EXIT_FAILED;
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pr_info("run: %zu scenario(s) against mesh '%s'%s%s, results in %s/%s/", o.n_files, o.mesh,
		o.topology ? ", lab topology " : "", o.topology ? o.topology : "", o.out, o.mesh);
	r = run_suites(&(struct run_config){ .target = t, .mesh = o.mesh, .api = o.have_api ? o.api : NULL,
		.out = o.out, .keep = o.keep_lab, .stop = &stop_signal }, o.files, o.n_files);
out:
	if (t)
		t->ops->free(t);
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
