/* cmd_run.c - `smi-witness run`: option parsing, then the suites against the lab or a cluster (run/suites.h). */
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "cli/cli.h"
#include "cli/operands.h"
#include "gateway/gateway.h"
#include "lab/api.h"
#include "run/cluster.h"
#include "run/list.h"
#include "run/suites.h"
#include "run/target.h"
#include "util/file.h"
#include "util/log.h"
#include "verify/engine.h"

#define OPT_LIST 0x1c1
#define OPT_LIST_MESHES 0x1c2
/* The cluster target's options (docs/kubernetes.md). */
enum { OPT_CLUSTER = 0x1d0, OPT_KUBECONFIG, OPT_CONTEXT, OPT_NAMESPACE, OPT_TOKEN_FILE, OPT_AGENT_NS, OPT_SAMPLE_APP };

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct run_opts {
	const char *mesh, *out, *lab, *topology;
	int api[SMI_GROUP_COUNT];
	int gw_api[GW_KIND_COUNT];	/* --api httproute=, grpcroute=: the route kinds' versions (0: not given) */
	bool have_api, keep_lab, list, list_meshes;
	int capture;			/* enum capture_backend */
	bool capture_given;
	enum traffic_proto protocol;	/* --protocol */
	bool cluster, mesh_given;	/* --cluster: the target is a cluster, --mesh names its mesh */
	struct cluster_opts c;
	const char *ns;			/* the namespace a cluster run places the scenarios in */
	char *operands[RUN_MAX_SCENARIOS];
	size_t n_operands;
	char *files[RUN_MAX_SCENARIOS];	/* the scenario files, suites expanded */
	size_t n_files;
};

/*
 * --api: the route kinds' versions, and the SMI groups' (verify's list).
 * Returns 0, or -1 after printing why.
 */
static int parse_api(const char *arg, struct run_opts *o)
{
	char rest[256], err[200];

	if (gw_parse_api(arg, o->gw_api, rest, sizeof(rest), err, sizeof(err)))
		return error("--api '%s': %s", arg, err), -1;
	if (*rest && verify_parse_api(rest, o->api))
		return -1;
	o->have_api |= *rest != 0;
	return 0;
}

/* The options of one target go without those of the other. Returns CLI_CONTINUE or EXIT_USAGE after printing. */
static int check_target_opts(const struct run_opts *o)
{
	const struct cluster_opts *c = &o->c;

	if (!o->cluster) {
		if (c->kubeconfig || c->context || c->ns || c->token_file || c->agent_ns || c->sample_app)
			return error("--kubeconfig, --context, --namespace, --token-file, --agent-namespace and "
				     "--sample-app go with --cluster"), EXIT_USAGE;
		return CLI_CONTINUE;
	}
	if (!o->mesh_given)
		return error("run --cluster needs --mesh NAME: the mesh the cluster runs (its sample app is "
			     "deploy/sample-app/NAME)"), EXIT_USAGE;
	/* It names a directory of results and, without --sample-app, of the sample app. */
	if (!*o->mesh || strchr(o->mesh, '/') || *o->mesh == '.')
		return error("--mesh: '%s' is not a mesh name", o->mesh), EXIT_USAGE;
	if (o->lab || o->topology || o->capture_given)
		return error("--lab, --topology and --capture go with the lab: on a cluster the agents capture, with "
			     "the backend they were started with"), EXIT_USAGE;
	if (o->protocol != TRAFFIC_H1)
		return error("--protocol %s: on a cluster the sample app sends the traffic from its /call, over "
			     "HTTP/1.1 (h1)", o->protocol == TRAFFIC_GRPC ? "grpc" : "h2"), EXIT_USAGE;
	if (o->list_meshes)
		return error("--list-meshes lists the lab's meshes: on a cluster, --mesh names deploy/sample-app/NAME"),
		       EXIT_USAGE;
	return CLI_CONTINUE;
}

/* --protocol h1|h2|grpc. Returns CLI_CONTINUE or EXIT_USAGE after printing. */
static int take_protocol(const char *arg, enum traffic_proto *out)
{
	if (!strcmp(arg, "h1"))
		*out = TRAFFIC_H1;
	else if (!strcmp(arg, "h2"))
		*out = TRAFFIC_H2;
	else if (!strcmp(arg, "grpc"))
		*out = TRAFFIC_GRPC;
	else
		return error("--protocol takes h1, h2 or grpc, not '%s'", arg), EXIT_USAGE;
	return CLI_CONTINUE;
}

/* The options that only store (cli_store_opt()); -O is the old spelling of -o (--out), kept working. */
static const struct cli_store stores[] = {
	CLI_STR('m', struct run_opts, mesh), CLI_STR('o', struct run_opts, out), CLI_STR('O', struct run_opts, out),
	CLI_STR('L', struct run_opts, lab), CLI_STR('t', struct run_opts, topology),
	CLI_SET('k', struct run_opts, keep_lab), CLI_SET(OPT_LIST, struct run_opts, list),
	CLI_SET(OPT_LIST_MESHES, struct run_opts, list_meshes), CLI_SET(OPT_CLUSTER, struct run_opts, cluster),
	CLI_STR(OPT_KUBECONFIG, struct run_opts, c.kubeconfig), CLI_STR(OPT_CONTEXT, struct run_opts, c.context),
	CLI_STR(OPT_NAMESPACE, struct run_opts, c.ns), CLI_STR(OPT_TOKEN_FILE, struct run_opts, c.token_file),
	CLI_STR(OPT_AGENT_NS, struct run_opts, c.agent_ns), CLI_STR(OPT_SAMPLE_APP, struct run_opts, c.sample_app),
};

/* The options that check their argument. Returns CLI_CONTINUE, or an exit code after printing. */
static int take_opt(int opt, struct run_opts *o)
{
	extern const struct command cmd_run;

	switch (opt) {
	case 'a':
		return parse_api(optarg, o) ? EXIT_USAGE : CLI_CONTINUE;
	case 'C':
		o->capture_given = true;
		if (capture_backend_parse(optarg, &o->capture))
			return error("--capture '%s': not auto, cgroup or syscalls", optarg), EXIT_USAGE;
		return CLI_CONTINUE;
	case 'P':
		return take_protocol(optarg, &o->protocol);
	default:
		return cli_common_opt(opt, &cmd_run);
	}
}

/* Parses argv into o (whose fields hold the defaults). Returns CLI_CONTINUE, or an exit code after printing. */
static int parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "mesh", required_argument, NULL, 'm' },
		{ "api", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "lab", required_argument, NULL, 'L' },
		{ "topology", required_argument, NULL, 't' },
		{ "keep-lab", no_argument, NULL, 'k' },
		{ "keep", no_argument, NULL, 'k' },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "list-meshes", no_argument, NULL, OPT_LIST_MESHES },
		{ "capture", required_argument, NULL, 'C' },
		{ "protocol", required_argument, NULL, 'P' },
		{ "cluster", no_argument, NULL, OPT_CLUSTER },
		{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
		{ "context", required_argument, NULL, OPT_CONTEXT },
		{ "namespace", required_argument, NULL, OPT_NAMESPACE },
		{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
		{ "agent-namespace", required_argument, NULL, OPT_AGENT_NS },
		{ "sample-app", required_argument, NULL, OPT_SAMPLE_APP },
		{ 0 }
	};
	int opt, r;

	while ((opt = cli_next_opt(argc, argv, CLI_COMMON_SHORTOPTS "m:a:o:O:L:t:kP:", longopts, o->operands,
				   &o->n_operands)) != -1) {
		o->mesh_given |= opt == 'm';
		if (!cli_store_opt(opt, stores, sizeof(stores) / sizeof(stores[0]), o) &&
		    (r = take_opt(opt, o)) != CLI_CONTINUE)
			return r;
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
	return check_target_opts(o);
}

/*
 * The cluster as the target: what it serves is asked for here (nothing is
 * made), and the API versions to render in become what it serves unless
 * --api chose. Returns an exit code.
 */
static int cluster_target(struct run_opts *o, struct target **t)
{
	int r;

	o->c.mesh = o->mesh;
	o->c.stop = &stop_signal;
	r = target_cluster_new(&o->c, o->api, o->have_api, o->gw_api, t, &o->ns);
	if (!r)
		o->have_api = true;
	return r;
}

/*
 * Everything the run is given, checked before anything is created or torn
 * down: the target's options, every scenario with its manifests and
 * policy against the target, the output directory. Returns an exit code.
 */
static int prepare(struct run_opts *o, struct target **t, struct run_scenario **sc)
{
	int r = run_expand_suites(o->operands, o->n_operands, o->files, &o->n_files);

	if (!r && o->cluster)
		r = cluster_target(o, t);
	else if (!r)
		r = target_lab_new(&(struct target_lab_opts){ .lab = o->lab, .topology = o->topology,
							     .mesh = o->mesh, .capture_backend = o->capture,
							     .h2 = o->protocol != TRAFFIC_H1 }, t);
	if (!r)
		r = run_load_scenarios(o->files, o->n_files, o->ns, *t, sc);
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
			.gw_api = o.gw_api,
			.ns = o.ns, .out = o.out, .keep = o.keep_lab, .stop = &stop_signal, .protocol = o.protocol },
			sc, o.n_files);
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
	.summary = "run conformance suites in the lab or on a cluster: apply, drive, observe, verify, report",
	.usage = "smi-witness run SUITE... [--mesh VARIANT] [--api GROUP=VERSION,...] [--out DIR]\n"
		 "                           [--protocol h1|h2|grpc]\n"
		 "       smi-witness run SUITE... --cluster --mesh NAME [--kubeconfig F] [--context C]\n"
		 "                           [--namespace NS] [--token-file F] [--keep]\n"
		 "       smi-witness run --list [SUITE...]\n"
		 "       smi-witness run --list-meshes",
	.options =
		"  -m, --mesh VARIANT   the lab's mesh: reference (default) or a faulty variant (below);\n"
		"                       with --cluster the mesh the cluster runs\n"
		"  -a, --api LIST       render the SMI objects and routes in these API versions, as the mesh\n"
		"                       serves them (e.g. split=v1alpha2,access=v1alpha2,specs=v1alpha3,\n"
		"                       httproute=v1beta1,grpcroute=v1alpha2)\n"
		"  -o, --out DIR        results under DIR/VARIANT/ (default out), matrix in DIR/\n"
		"  -L, --lab NAME       the lab to use (default $SMIW_LAB or smiw)\n"
		"  -t, --topology FILE  lab topology (default: the lab's, when it is up, else the\n"
		"                       shipped sample-app/topology/default.yaml, as 'lab up' uses)\n"
		"  -k, --keep-lab       leave the lab as the last scenario left it (--keep: the same; on\n"
		"                       a cluster, the sample app and the last step's objects stay)\n"
		"      --capture B      capture backend: auto (default: cgroup where its programs attach,\n"
		"                       else syscalls), cgroup or syscalls (docs/capture.md)\n"
		"  -P, --protocol P     what the traffic speaks: h1 (HTTP/1.1, default, through /call\n"
		"                       where a scenario says so), h2 (HTTP/2 over cleartext) or grpc\n"
		"                       (unary gRPC calls to the scenario's path); h2 and grpc go\n"
		"                       straight from the source pod, the mesh speaking HTTP/2 to pods\n"
		"      --list           list the shipped suites (or those named) and their scenarios\n"
		"      --list-meshes    list the lab's mesh variants\n"
		"On a cluster (docs/kubernetes.md), instead of the lab options:\n"
		"      --cluster            run on the cluster of the kubeconfig; --mesh names the mesh it\n"
		"                           runs and so its sample app: deploy/sample-app/NAME (linkerd,\n"
		"                           osm, istio, consul)\n"
		"      --kubeconfig FILE    (default $KUBECONFIG, ~/.kube/config, in-cluster)\n"
		"      --context NAME       kubeconfig context (default current-context)\n"
		"      --namespace NS       where the sample app and the SMI objects go (default: the sample\n"
		"                           app's, smiw-NAME); nothing outside it is changed\n"
		"      --token-file FILE    the agents' bearer token (or $SMIW_AGENT_TOKEN)\n"
		"      --agent-namespace NS where the agents run (default smi-witness)\n"
		"      --sample-app DIR     the sample app's kustomization (default deploy/sample-app/NAME)\n"
		"A SUITE is a scenario file or a directory of them (docs/scenarios.md). A lab that\n"
		"is up is used and left up, its mesh settings as they were; a lab the run brings up\n"
		"is taken down after it. Everything given is checked before the lab is touched.\n"
		"A cluster run deletes every object it made (also when interrupted), and first what a\n"
		"killed run left; what the cluster lacks for the suites is exit status 4, never a FAIL.\n",
	.examples =
		"  smi-witness run --list\n"
		"  smi-witness run specs/                                  # every suite, reference mesh\n"
		"  smi-witness run specs/traffic-split.yaml --mesh faulty-weights\n"
		"  smi-witness run specs/traffic-access.yaml --api split=v1alpha2,access=v1alpha2,specs=v1alpha3\n"
		"  out/reference/traffic-split/replay.sh                   # the same verdicts, offline\n"
		"  smi-witness run specs/traffic-split.yaml --cluster --mesh linkerd --token-file agent-token\n",
	.more_help = more_help,
	.run = run,
};
