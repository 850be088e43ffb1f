/* cmd_lab.c - `smi-witness lab`: option parsing and dispatch to the lab's operations (lab/api.h). */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "cli/cli.h"
#include "lab/api.h"
#include "util/log.h"

extern const struct command cmd_lab;

/* Every option of every subcommand (each one accepts the ones it documents). */
struct lab_cli {
	struct lab_opts lab;	/* --lab, --state-dir, --topology */
	const char *mesh;	/* --mesh VARIANT */
	const char *access;	/* --access-control on|off */
	const char *protocol;	/* --protocol h1|h2 */
	bool clear;	/* apply --clear */
	const char *listen, *upstream;	/* metrics-filter */
};

static int sub_up(const struct lab_cli *o, int argc, char **argv)
{
	struct lab_mesh_set m;
	int r;

	(void)argc;	/* the dispatcher refused operands */
	(void)argv;
	r = lab_mesh_set_parse(&m, o->mesh, o->access);
	if (!r)
		r = lab_mesh_set_protocol(&m, o->protocol);
	return r ? r : lab_up(&o->lab, &m);
}

static int sub_down(const struct lab_cli *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return lab_down(&o->lab);
}

static int sub_status(const struct lab_cli *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return lab_status(&o->lab);
}

/* POD [--] COMMAND [ARG...]: argv is NULL-terminated after the command's arguments. */
static int sub_exec(const struct lab_cli *o, int argc, char **argv)
{
	const char *pod = argv[0];

	if (argc >= 2 && !strcmp(argv[1], "--")) {
		argv++;
		argc--;
	}
	if (argc < 2) {
		error("lab exec needs a pod and a command: lab exec POD -- COMMAND [ARG...]");
		return EXIT_USAGE;
	}
	return lab_exec(&o->lab, pod, argv + 1);
}

static int sub_apply(const struct lab_cli *o, int argc, char **argv)
{
	struct lab_mesh_set m;
	int r;

	if ((o->clear && argc) || (!o->clear && !argc && !o->mesh && !o->access && !o->protocol)) {
		error("lab apply needs FILE... or --clear (or only --mesh / --access-control / --protocol)");
		return EXIT_USAGE;
	}
	r = lab_mesh_set_parse(&m, o->mesh, o->access);
	if (!r)
		r = lab_mesh_set_protocol(&m, o->protocol);
	return r ? r : lab_apply(&o->lab, &m, argc || o->clear, argv, argc);
}

static int sub_meshes(const struct lab_cli *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	return lab_meshes();
}

/* Internal: the lab starts it in the mesh pod for the metrics variants. */
static int sub_metrics_filter(const struct lab_cli *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!o->mesh || !o->listen || !o->upstream) {
		error("lab metrics-filter needs --mesh VARIANT --listen IP:PORT --upstream IP:PORT");
		return EXIT_USAGE;
	}
	return lab_metrics_filter(&(struct lab_filter_opts){ o->mesh, o->listen, o->upstream });
}

struct subcommand {
	const char *name;
	const char *allowed;	/* short letters of the lab options it takes */
	bool stop_at_operand;	/* exec: everything after POD belongs to the command */
	bool operands;	/* takes operands at all */
	int (*run)(const struct lab_cli *o, int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "up", "LStmaP", false, false, sub_up },
	{ "down", "LSt", false, false, sub_down },
	{ "status", "LS", false, false, sub_status },
	{ "exec", "LS", true, true, sub_exec },
	{ "apply", "LSmacP", false, true, sub_apply },
	{ "meshes", "", false, false, sub_meshes },
	{ "metrics-filter", "mlu", false, false, sub_metrics_filter },
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{ "lab", required_argument, NULL, 'L' },
	{ "state-dir", required_argument, NULL, 'S' },
	{ "topology", required_argument, NULL, 't' },
	{ "mesh", required_argument, NULL, 'm' },
	{ "access-control", required_argument, NULL, 'a' },
	{ "clear", no_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "upstream", required_argument, NULL, 'u' },
	{ "protocol", required_argument, NULL, 'P' },
	{ 0 }
};

static const char *option_name(int opt)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

/* Parses options until the first operand (stage 1) or all of them (stage 2). */
static int parse(int argc, char **argv, bool posix, const char *allowed, struct lab_cli *o)
{
	const char *shortopts = posix ? "+vjhqL:S:t:m:a:cl:u:P:" : "vjhqL:S:t:m:a:cl:u:P:";
	int opt, r;

	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (allowed && strchr("LStmacluP", opt) && !strchr(allowed, opt)) {
			error("option --%s does not apply to 'lab %s'", option_name(opt), argv[0]);
			return EXIT_USAGE;
		}
		switch (opt) {
		case 'L': o->lab.name = optarg; break;
		case 'S': o->lab.state_dir = optarg; break;
		case 't': o->lab.topology = optarg; break;
		case 'm': o->mesh = optarg; break;
		case 'a': o->access = optarg; break;
		case 'c': o->clear = true; break;
		case 'l': o->listen = optarg; break;
		case 'u': o->upstream = optarg; break;
		case 'P': o->protocol = optarg; break;
		default:
			if ((r = cli_common_opt(opt, &cmd_lab)) != CLI_CONTINUE)
				return r;
		}
	}
	return CLI_CONTINUE;
}

static int run(int argc, char **argv)
{
	struct lab_cli o = { 0 };
	const struct subcommand *sub = NULL;
	int r;

	r = parse(argc, argv, true, NULL, &o);
	if (r != CLI_CONTINUE)
		return r;
	if (optind >= argc) {
		error("lab needs a subcommand: up, down, status, exec, apply or meshes");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[optind], subcommands[i].name))
			sub = &subcommands[i];
	if (!sub) {
		error("unknown lab subcommand '%s' (expected up, down, status, exec, apply or meshes)", argv[optind]);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* glibc: start over on the subcommand's arguments */
	r = parse(argc, argv, sub->stop_at_operand, sub->allowed, &o);
	if (r != CLI_CONTINUE)
		return r;
	if (!sub->operands && optind < argc) {
		error("lab %s takes no operands (got '%s')", sub->name, argv[optind]);
		return EXIT_USAGE;
	}
	return sub->run(&o, argc - optind, argv + optind);
}

const struct command cmd_lab = {
	.name = "lab",
	.summary = "the single-node lab: pods as network namespaces and cgroups, HAProxy as the mesh",
	.usage =
		"smi-witness lab up [--topology FILE] [--mesh VARIANT] [--access-control on|off] [--protocol h1|h2]\n"
		"       smi-witness lab down [--topology FILE]\n"
		"       smi-witness lab status [-j]\n"
		"       smi-witness lab exec POD [--] COMMAND [ARG...]\n"
		"       smi-witness lab apply [--mesh VARIANT] [--access-control on|off] [--protocol h1|h2]\n"
		"                             [--clear | FILE...]\n"
		"       smi-witness lab meshes\n"
		"       (each but meshes also takes --lab NAME and --state-dir DIR)",
	.options =
		"  -L, --lab NAME             which lab (default $SMIW_LAB or 'smiw'); names every netns\n"
		"                             '<NAME>-<pod>' and cgroup 'smi-witness/<NAME>/...'\n"
		"  -S, --state-dir DIR        state, inventory, logs (default /run/smi-witness/lab for\n"
		"                             the default lab, /run/smi-witness/lab-NAME otherwise)\n"
		"  -t, --topology FILE        topology YAML (default $SMIW_TOPOLOGY, else the shipped\n"
		"                             sample-app/topology/default.yaml, which `run` uses too)\n"
		"  -m, --mesh VARIANT         reference (default), faulty-weights, fail-open,\n"
		"                             ignore-path, ignore-method, ignore-headers,\n"
		"                             inflate-metrics, drop-failures-metrics,\n"
		"                             route-list-order, route-loose-prefix, route-add-as-set,\n"
		"                             route-redirect-host, route-no-rewrite, strip-id,\n"
		"                             regenerate-id, mirror-to-zero-weight,\n"
		"                             per-connection-split, retry-with-flaky-backend,\n"
		"                             bogus-restart, allow-other-methods, loose-match,\n"
		"                             route-consumer-everywhere, route-no-mirror,\n"
		"                             route-any-port, route-no-response-headers,\n"
		"                             route-by-host\n"
		"                             ('lab meshes'; docs/lab.md says what each breaks)\n"
		"  -a, --access-control on|off  on: everything no TrafficTarget allows is denied\n"
		"                             (HTTP 403, TCP reset); off (default): all is forwarded\n"
		"  -P, --protocol h1|h2       what the mesh speaks to the pods on HTTP hops: HTTP/1.1 (h1,\n"
		"                             default) or HTTP/2 over cleartext (h2, gRPC passes); clients\n"
		"                             may speak either to it in both\n"
		"  -c, --clear                apply: remove every applied SMI object\n"
		"\n"
		"  up      creates what is missing and starts what is not running; idempotent.\n"
		"          Writes <state-dir>/inventory.json for 'observe --inventory'.\n"
		"  down    removes every namespace, cgroup, process and file of the lab, also\n"
		"          after a crash (found by cgroup, recorded pids and lab names).\n"
		"  status  pods, addresses, processes and mesh state; exit 1 when the lab is\n"
		"          down or a process is not running.\n"
		"  exec    runs COMMAND inside POD (its cgroup, network namespace and /etc/hosts)\n"
		"          and exits with its status.\n"
		"  apply   makes the SMI objects in FILE... the whole applied policy, renders\n"
		"          it for HAProxy and reloads it without dropping connections.\n"
		"  meshes  lists the mesh variants, each breaking exactly one behaviour.\n"
		"\n"
		"'lab status' exits 1 when the lab is down or a process is not running; 'lab exec'\n"
		"exits with the command's status.\n",
	.examples =
		"  smi-witness lab up\n"
		"  smi-witness lab exec app-a -- curl -s app-svc:9091/echo\n"
		"  smi-witness lab apply specs/manifests/split/b75-c25.yaml\n"
		"  smi-witness lab apply --access-control on --mesh fail-open specs/manifests/access/tcp-a-to-b.yaml\n"
		"  smi-witness lab status -j | jq '.pods[] | {name, ip, pid: .process.pid}'\n"
		"  smi-witness lab meshes\n"
		"  smi-witness lab down\n"
		"  smi-witness lab --lab t1 up --topology sample-app/topology/default.yaml && smi-witness lab --lab t1 down\n",
	.run = run,
};
