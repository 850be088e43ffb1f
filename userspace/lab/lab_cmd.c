/* lab_cmd.c - `smi-witness lab`: option parsing, dispatch, and the lab context. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lab/cmd.h"
#include "lab/lab_policy.h"
#include "smi/smi.h"
#include "util/log.h"

extern const struct command cmd_lab;

struct subcommand {
	const char *name;
	const char *allowed;	/* short letters of the lab options it takes */
	bool stop_at_operand;	/* exec: everything after POD belongs to the command */
	bool operands;	/* takes operands at all */
	int (*run)(const struct lab_opts *o, int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "up", "LStma", false, false, lab_cmd_up },
	{ "down", "LSt", false, false, lab_cmd_down },
	{ "status", "LS", false, false, lab_cmd_status },
	{ "exec", "LS", true, true, lab_cmd_exec },
	{ "apply", "LSmac", false, true, lab_cmd_apply },
	{ "metrics-filter", "mlu", false, false, lab_cmd_metrics_filter },
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
static int parse(int argc, char **argv, bool posix, const char *allowed, struct lab_opts *o)
{
	const char *shortopts = posix ? "+vjhL:S:t:m:a:cl:u:" : "vjhL:S:t:m:a:cl:u:";
	int opt, r;

	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (allowed && strchr("LStmaclu", opt) && !strchr(allowed, opt)) {
			error("option --%s does not apply to 'lab %s'", option_name(opt), argv[0]);
			return EXIT_USAGE;
		}
		switch (opt) {
		case 'L': o->name = optarg; break;
		case 'S': o->state_dir = optarg; break;
		case 't': o->topology = optarg; break;
		case 'm': o->mesh = optarg; break;
		case 'a': o->access = optarg; break;
		case 'c': o->clear = true; break;
		case 'l': o->listen = optarg; break;
		case 'u': o->upstream = optarg; break;
		default:
			if ((r = cli_common_opt(opt, &cmd_lab)) != CLI_CONTINUE)
				return r;
		}
	}
	return CLI_CONTINUE;
}

static int run(int argc, char **argv)
{
	struct lab_opts o = { 0 };
	const struct subcommand *sub = NULL;
	int r;

	r = parse(argc, argv, true, NULL, &o);
	if (r != CLI_CONTINUE)
		return r;
	if (optind >= argc) {
		error("lab needs a subcommand: up, down, status, exec or apply");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[optind], subcommands[i].name))
			sub = &subcommands[i];
	if (!sub) {
		error("unknown lab subcommand '%s' (expected up, down, status, exec or apply)", argv[optind]);
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

int lab_opts_mesh(const struct lab_opts *o, struct lab_state *st)
{
	if (o->mesh && mesh_variant_parse(o->mesh, &st->variant)) {
		error("unknown mesh variant '%s' (expected reference, faulty-weights, fail-open, ignore-path, "
		      "ignore-method, ignore-headers, inflate-metrics or drop-failures-metrics)", o->mesh);
		return EXIT_USAGE;
	}
	if (o->access && strcmp(o->access, "on") && strcmp(o->access, "off")) {
		error("--access-control takes 'on' or 'off', not '%s'", o->access);
		return EXIT_USAGE;
	}
	if (o->access)
		st->access_control = !strcmp(o->access, "on");
	return 0;
}

int lab_ctx_open(struct lab_ctx *ctx, const struct lab_opts *o, bool need_up)
{
	char path[PATH_MAX];
	int r;

	memset(ctx, 0, sizeof(*ctx));
	ctx->lab.lock_fd = -1;
	if (lab_init(&ctx->lab, o->name, o->state_dir))
		return EXIT_USAGE;
	if (lab_lock(&ctx->lab))
		return EXIT_FAILED;
	r = lab_state_read(&ctx->lab, &ctx->st);
	if (r < 0)
		return EXIT_FAILED;
	ctx->up = r == 1;
	if (!ctx->up) {
		if (!need_up)
			return 0;
		error("lab '%s' is not up (run 'smi-witness lab up%s%s')", ctx->lab.name,
		      o->name ? " --lab " : "", o->name ? o->name : "");
		return EXIT_FAILED;
	}
	lab_state_file(&ctx->lab, LAB_TOPOLOGY_COPY, path, sizeof(path));
	ctx->topo = topology_load(path);
	return ctx->topo ? 0 : EXIT_FAILED;
}

void lab_ctx_close(struct lab_ctx *ctx)
{
	free(ctx->topo);
	ctx->topo = NULL;
	lab_unlock(&ctx->lab);
}

int lab_ctx_policy(const struct lab_ctx *ctx, struct mesh_policy *p)
{
	char copies[LAB_MAX_POLICY_FILES][PATH_MAX];
	const char *paths[LAB_MAX_POLICY_FILES];
	struct smi_set *set;
	int r;

	if (lab_policy_base(ctx->topo, ctx->st.access_control, p))
		return error("out of memory");
	if (!ctx->st.n_applied)
		return 0;
	for (int i = 0; i < ctx->st.n_applied; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s/%02d.yaml", LAB_POLICY_DIR, i);
		lab_state_file(&ctx->lab, name, copies[i], PATH_MAX);
		paths[i] = copies[i];
	}
	set = smi_load_files(paths, (size_t)ctx->st.n_applied, NULL);
	r = set ? lab_policy_add_smi(p, ctx->topo, set) : -1;
	smi_set_free(set);
	if (r)
		mesh_policy_free(p);
	return r;
}

const struct command cmd_lab = {
	.name = "lab",
	.summary = "the single-node lab: pods as network namespaces and cgroups, HAProxy as the mesh",
	.usage =
		"smi-witness lab up [--topology FILE] [--mesh VARIANT] [--access-control on|off]\n"
		"       smi-witness lab down [--topology FILE]\n"
		"       smi-witness lab status [-j]\n"
		"       smi-witness lab exec POD [--] COMMAND [ARG...]\n"
		"       smi-witness lab apply [--mesh VARIANT] [--access-control on|off] [--clear | FILE...]\n"
		"       (each also takes --lab NAME and --state-dir DIR)",
	.options =
		"  -L, --lab NAME             which lab (default $SMIW_LAB or 'smiw'); names every netns\n"
		"                             '<NAME>-<pod>' and cgroup 'smi-witness/<NAME>/...'\n"
		"  -S, --state-dir DIR        state, inventory, logs (default /run/smi-witness/lab for\n"
		"                             the default lab, /run/smi-witness/lab-NAME otherwise)\n"
		"  -t, --topology FILE        topology YAML (default $SMIW_TOPOLOGY or\n"
		"                             sample-app/topology/default.yaml next to the build)\n"
		"  -m, --mesh VARIANT         reference, faulty-weights, fail-open, ignore-path,\n"
		"                             ignore-method, ignore-headers, inflate-metrics,\n"
		"                             drop-failures-metrics (default reference)\n"
		"  -a, --access-control on|off  on: everything no TrafficTarget allows is denied\n"
		"                             (HTTP 403, TCP reset); off (default): all is forwarded\n"
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
		"          it for HAProxy and reloads it without dropping connections.\n",
	.examples =
		"  smi-witness lab up\n"
		"  smi-witness lab exec app-a -- curl -s app-svc:9091/echo\n"
		"  smi-witness lab apply specs/split/75-25.yaml\n"
		"  smi-witness lab apply --access-control on --mesh fail-open access.yaml routes.yaml\n"
		"  smi-witness lab status -j | jq '.pods[] | {name, ip, pid}'\n"
		"  smi-witness lab --lab t1 up --topology my.yaml && smi-witness lab --lab t1 down\n"
		"  smi-witness lab down\n",
	.run = run,
};
