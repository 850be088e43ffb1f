/* cmd_run.c - `smi-witness run`: option parsing, then the suites against the lab (run/suites.h). */
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "cli/cli.h"
#include "cli/operands.h"
#include "lab/api.h"
#include "run/list.h"
#include "run/suites.h"
#include "run/target.h"
#include "util/file.h"
#include "util/log.h"
#include "verify/engine.h"

#define OPT_LIST 0x1c1
#define OPT_LIST_MESHES 0x1c2

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct run_opts {
	const char *mesh, *out, *lab, *topology;
	int api[SMI_GROUP_COUNT];
	bool have_api, keep_lab, list, list_meshes;
	int capture;			/* enum capture_backend */
	enum traffic_proto protocol;	/* --protocol */
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
		{ "out", required_argument, NULL, 'o' },
		{ "lab", required_argument, NULL, 'L' },
		{ "topology", required_argument, NULL, 't' },
		{ "keep-lab", no_argument, NULL, 'k' },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "list-meshes", no_argument, NULL, OPT_LIST_MESHES },
		{ "capture", required_argument, NULL, 'C' },
		{ "protocol", required_argument, NULL, 'P' },
		{ 0 }
	};
	int opt, r;

	/* -O is the old spelling of -o (--out), kept working. */
	while ((opt = cli_next_opt(argc, argv, CLI_COMMON_SHORTOPTS "m:a:o:O:L:t:kP:", longopts, o->operands,
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
		case 'o':
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
		case OPT_LIST:
			o->list = true;
			break;
		case OPT_LIST_MESHES:
			o->list_meshes = true;
			break;
		case 'C':
			if (capture_backend_parse(optarg, &o->capture)) {
				error("--capture '%s': not auto, cgroup or syscalls", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'P':
			if (!strcmp(optarg, "h1"))
				o->protocol = TRAFFIC_H1;
			else if (!strcmp(optarg, "h2"))
				o->protocol = TRAFFIC_H2;
			else if (!strcmp(optarg, "grpc"))
				o->protocol = TRAFFIC_GRPC;
			else
				return error("--protocol takes h1, h2 or grpc, not '%s'", optarg), EXIT_USAGE;
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
	if (!o->n_operands && !o->list && !o->list_meshes) {
		error("run needs at least one suite (a scenario file or a directory of them; 'run --list' shows "
		      "the shipped ones)");
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

/*
 * Everything the run is given, checked before anything is created or torn
 * down: the target's options, every scenario with its manifests and
 * policy against the target, the output directory. Returns an exit code.
 */
static int prepare(struct run_opts *o, struct target **t, struct run_scenario **sc)
{
	int r = run_expand_suites(o->operands, o->n_operands, o->files, &o->n_files);

	if (!r)
		r = target_lab_new(&(struct target_lab_opts){ .lab = o->lab, .topology = o->topology,
							     .mesh = o->mesh, .capture_backend = o->capture,
							     .h2 = o->protocol != TRAFFIC_H1 }, t);
	if (!r)
		r = run_load_scenarios(o->files, o->n_files, *t, sc);
	if (!r)
		r = run_check_out(o->out, o->mesh);
	return r;
}

static int run(int argc, char **argv)
{
	struct run_opts o = { .mesh = "reference", .out = "out" };
	struct sigaction sa = { .sa_handler = on_signal };
	struct run_scenario *sc = NULL;
	struct target *t = NULL;
	int r;

	o.n_operands = 0;
	r = parse(argc, argv, &o);
	if (r != CLI_CONTINUE)
		return r;
	if (o.list_meshes)
		return lab_meshes();
	if (o.list)
		return run_list_suites(o.operands, o.n_operands);
	r = prepare(&o, &t, &sc);
	if (!r) {
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		pr_info("run: %zu scenario(s) against mesh '%s', results in %s/%s/", o.n_files, o.mesh, o.out, o.mesh);
		r = run_suites(&(struct run_config){ .target = t, .mesh = o.mesh, .api = o.have_api ? o.api : NULL,
			.out = o.out, .keep = o.keep_lab, .stop = &stop_signal, .protocol = o.protocol }, sc, o.n_files);
	}
	run_scenarios_free(sc, o.n_files);
	if (t)
		t->ops->free(t);
	for (size_t i = 0; i < o.n_files; i++)
		free(o.files[i]);
	return r;
}

/* The lists --help shows in full: the shipped suites and the lab's meshes, as found now. */
static void more_help(FILE *f)
{
	run_help_suites(f);
	fputs("\nMeshes (--mesh; each faulty variant breaks exactly one behaviour):\n", f);
	lab_meshes_table(f, 2);
}

const struct command cmd_run = {
	.name = "run",
	.summary = "run conformance suites against a mesh in the lab: apply, drive, observe, verify, report",
	.usage = "smi-witness run SUITE... [--mesh VARIANT] [--api GROUP=VERSION,...] [--out DIR]\n"
		 "                           [--protocol h1|h2|grpc]\n"
		 "       smi-witness run --list [SUITE...]\n"
		 "       smi-witness run --list-meshes",
	.options =
		"  -m, --mesh VARIANT   the lab's mesh: reference (default) or a faulty variant (below)\n"
		"  -a, --api LIST       render the SMI objects in these API versions, as the mesh serves them\n"
		"                       (e.g. split=v1alpha2,access=v1alpha2,specs=v1alpha3)\n"
		"  -o, --out DIR        results under DIR/VARIANT/ (default out), matrix in DIR/\n"
		"  -L, --lab NAME       the lab to use (default $SMIW_LAB or smiw)\n"
		"  -t, --topology FILE  lab topology (default: the lab's, when it is up, else the\n"
		"                       shipped sample-app/topology/default.yaml, as 'lab up' uses)\n"
		"  -k, --keep-lab       leave the lab as the last scenario left it\n"
		"      --capture B      capture backend: auto (default: cgroup where its programs attach,\n"
		"                       else syscalls), cgroup or syscalls (docs/capture.md)\n"
		"  -P, --protocol P     what the traffic speaks: h1 (HTTP/1.1, default, through /call\n"
		"                       where a scenario says so), h2 (HTTP/2 over cleartext) or grpc\n"
		"                       (unary gRPC calls to the scenario's path); h2 and grpc go\n"
		"                       straight from the source pod, the mesh speaking HTTP/2 to pods\n"
		"      --list           list the shipped suites (or those named) and their scenarios\n"
		"      --list-meshes    list the lab's mesh variants\n"
		"A SUITE is a scenario file or a directory of them (docs/scenarios.md). A lab that\n"
		"is up is used and left up, its mesh settings as they were; a lab the run brings up\n"
		"is taken down after it. Everything given is checked before the lab is touched.\n",
	.examples =
		"  smi-witness run --list\n"
		"  smi-witness run specs/                                  # every suite, reference mesh\n"
		"  smi-witness run specs/traffic-split.yaml --mesh faulty-weights\n"
		"  smi-witness run specs/traffic-access.yaml --api split=v1alpha2,access=v1alpha2,specs=v1alpha3\n"
		"  out/reference/traffic-split/replay.sh                   # the same verdicts, offline\n",
	.more_help = more_help,
	.run = run,
};
