/* cmd_kube.c - `smi-witness kube`: what the API server says, as smi-witness uses it. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "k8s/client.h"
#include "k8s/config.h"
#include "k8s/snapshot.h"
#include "util/log.h"

struct kube_opts {
	const char *kubeconfig, *context, *node, *cgroup_root, *output;
};

/* Every option of kube only stores its argument (cli_store_opt()). */
static const struct cli_store stores[] = {
	CLI_STR('K', struct kube_opts, kubeconfig), CLI_STR('X', struct kube_opts, context),
	CLI_STR('N', struct kube_opts, node), CLI_STR('c', struct kube_opts, cgroup_root),
	CLI_STR('o', struct kube_opts, output),
};

/* Writes what (inventory, smi or routes) from the API server c as o asks. Returns the exit code. */
static int kube_action(struct k8s_client *c, const char *what, const struct kube_opts *o)
{
	if (!strcmp(what, "smi"))
		return k8s_snapshot_smi(c, o->output) ? EXIT_ERROR : EXIT_OK;
	if (!strcmp(what, "routes"))
		return k8s_snapshot_routes(c, o->output) ? EXIT_ERROR : EXIT_OK;
	if (!o->node) {
		error("kube inventory needs --node NAME (or $NODE_NAME)");
		return EXIT_USAGE;
	}
	return k8s_snapshot_inventory(c, o->node, o->cgroup_root, o->output) ? EXIT_ERROR : EXIT_OK;
}

static int run(int argc, char **argv)
{
	extern const struct command cmd_kube;
	static const struct option longopts[] = {
		{ "kubeconfig", required_argument, NULL, 'K' },
		{ "context", required_argument, NULL, 'X' },
		{ "node", required_argument, NULL, 'N' },
		{ "cgroup-root", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		CLI_COMMON_LONGOPTS,
		{ 0 }
	};
	struct kube_opts o = { .node = getenv("NODE_NAME") };
	struct k8s_config cfg;
	struct k8s_client c;
	char err[512];
	const char *what = NULL;
	int opt, r;

	/* The action comes first ("kube smi -o x"); options stop at it otherwise. */
	if (argc >= 2 && argv[1][0] != '-') {
		what = argv[1];
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "N:o:", longopts, NULL)) != -1)
		if (!cli_store_opt(opt, stores, sizeof(stores) / sizeof(stores[0]), &o) &&
		    (r = cli_common_opt(opt, &cmd_kube)) != CLI_CONTINUE)
			return r;
	if (!what || optind != argc)
		return error("kube needs one action first: inventory, smi or routes"), EXIT_USAGE;
	if (strcmp(what, "inventory") && strcmp(what, "smi") && strcmp(what, "routes"))
		return error("kube: unknown action '%s' (inventory, smi, routes)", what), EXIT_USAGE;
	if (k8s_config_auto(&cfg, o.kubeconfig, o.context, err, sizeof(err)))
		return error("%s", err), EXIT_ERROR;
	if (k8s_client_init(&c, &cfg)) {
		k8s_config_free(&cfg);
		return EXIT_ERROR;
	}
	r = kube_action(&c, what, &o);
	k8s_client_free(&c);
	k8s_config_free(&cfg);
	return r;
}

const struct command cmd_kube = {
	.name = "kube",
	.summary = "read pods, services, SMI objects and Gateway API routes from the Kubernetes API server",
	.usage = "smi-witness kube inventory --node NAME [-o FILE]\n"
		 "       smi-witness kube smi [-o FILE]\n"
		 "       smi-witness kube routes [-o FILE]",
	.options =
		"  inventory                 this node's pods joined with its cgroups, as an\n"
		"                            inventory (docs/inventory.md)\n"
		"  smi                       every SMI object the cluster serves, as one JSON List\n"
		"                            (checked with the SMI model; loadable by lint/verify)\n"
		"  routes                    every HTTPRoute and GRPCRoute the cluster serves\n"
		"                            (gateway.networking.k8s.io), as one JSON List\n"
		"                            (checked with the route model; loadable by lint)\n"
		"  -N, --node NAME           node whose pods to read (default $NODE_NAME)\n"
		"      --cgroup-root DIR     cgroup v2 mount to find containers in\n"
		"      --kubeconfig FILE     (default $KUBECONFIG, ~/.kube/config, in-cluster)\n"
		"      --context NAME        kubeconfig context (default current-context)\n"
		"  -o, --output FILE         write here instead of stdout\n",
	.examples =
		"  smi-witness kube smi -o cluster-smi.json && smi-witness lint cluster-smi.json\n"
		"  smi-witness kube routes -o cluster-routes.json && smi-witness lint cluster-routes.json\n"
		"  NODE_NAME=kind-worker smi-witness kube inventory --kubeconfig ~/.kube/config\n",
	.run = run,
};
