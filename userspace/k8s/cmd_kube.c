/* cmd_kube.c - `smi-witness kube`: what the API server says, as smi-witness uses it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "k8s/client.h"
#include "k8s/config.h"
#include "k8s/informer.h"
#include "k8s/inventory.h"
#include "k8s/smi.h"
#include "smi/smi.h"
#include "util/kernfs.h"
#include "util/log.h"

struct kube_opts {
	const char *kubeconfig, *context, *node, *cgroup_root, *output;
};

static int write_doc(json_t *doc, const char *output)
{
	FILE *f = output ? fopen(output, "we") : stdout;

	if (!f)
		return error_errno(errno, "cannot write '%s'", output);
	json_dumpf(doc, f, JSON_INDENT(2));
	fputc('\n', f);
	if (f != stdout && fclose(f))
		return error_errno(errno, "cannot write '%s'", output);
	return 0;
}

/* One list of `path` (all pages) into a cache; the error is printed. */
static json_t *list_all(struct k8s_client *c, const char *path, const char *what, const char *fsel)
{
	struct k8s_informer inf;
	json_t *cache;

	k8s_informer_init(&inf, c, path, what);
	inf.field_selector = fsel;
	if (k8s_informer_list(&inf)) {
		error("%s", c->err);
		k8s_informer_free(&inf);
		return NULL;
	}
	cache = json_incref(inf.cache);
	k8s_informer_free(&inf);
	return cache;
}

static int cmd_inventory(struct k8s_client *c, const struct kube_opts *o)
{
	char fsel[300], mnt[256] = "";
	json_t *pods, *svcs, *cg = NULL, *inv;
	unsigned unresolved = 0;
	int r;

	if (!o->node)
		return error("kube inventory needs --node NAME (or $NODE_NAME)"), EXIT_USAGE;
	snprintf(fsel, sizeof(fsel), "spec.nodeName=%s", o->node);
	pods = list_all(c, "/api/v1/pods", "pods", fsel);
	svcs = pods ? list_all(c, "/api/v1/services", "services", NULL) : NULL;
	if (!svcs) {
		json_decref(pods);
		return EXIT_FAILED;
	}
	if (o->cgroup_root)
		snprintf(mnt, sizeof(mnt), "%s", o->cgroup_root);
	else if (cgroup2_mount_point(mnt, sizeof(mnt)))
		pr_warn("no cgroup v2 mount: containers cannot be attributed");
	if (*mnt && (r = k8s_cgroup_index(mnt, &cg)))
		pr_warn("cannot walk cgroups under '%s': %s", mnt, strerror(-r));
	if (!cg)
		cg = json_object();
	inv = k8s_inventory_build(o->node, pods, svcs, cg, &unresolved);
	if (unresolved)
		pr_warn("%u running container(s) on node '%s' have no cgroup here (is this that node?)",
			unresolved, o->node);
	r = write_doc(inv, o->output) ? EXIT_FAILED : EXIT_OK;
	json_decref(inv);
	json_decref(cg);
	json_decref(pods);
	json_decref(svcs);
	return r;
}

/* Loads the cluster's SMI objects with the SMI model and prints what it finds wrong. */
static int check_with_model(json_t *list)
{
	char *text = json_dumps(list, JSON_COMPACT), line[1024];
	struct smi_set *set = smi_set_new(NULL);
	int r = 0;

	if (!text || !set) {
		free(text);
		smi_set_free(set);
		return -ENOMEM;
	}
	smi_set_load_buffer(set, "cluster", text, strlen(text));
	smi_set_finish(set);
	for (size_t i = 0; i < set->diags.n; i++) {
		smi_diag_format(&set->diags.v[i], line, sizeof(line));
		if (set->diags.v[i].severity == SMI_ERROR)
			error("%s", line);
		else
			pr_warn("%s", line);
	}
	pr_info("%zu SMI object(s) valid, %zu error(s)", set->n_objects, set->diags.n_errors);
	if (set->diags.n_errors)
		r = -EINVAL;
	smi_set_free(set);
	free(text);
	return r;
}

static int cmd_smi(struct k8s_client *c, const struct kube_opts *o)
{
	json_t *kinds = NULL, *objs = NULL, *list, *obj;
	size_t i;
	int r;

	r = k8s_smi_discover(c, &kinds);
	if (!r)
		r = k8s_smi_list(c, kinds, &objs);
	if (r) {
		error("%s", c->err);
		json_decref(kinds);
		return EXIT_FAILED;
	}
	if (!json_array_size(kinds))
		pr_warn("the API server serves no SMI group (no SMI CRDs installed)");
	json_array_foreach(kinds, i, obj) {
		char *served = json_dumps(json_object_get(obj, "served_versions"), JSON_COMPACT);

		pr_info("%s %s/%s (served: %s)", json_string_value(json_object_get(obj, "kind")),
			json_string_value(json_object_get(obj, "group")),
			json_string_value(json_object_get(obj, "version")), served ? served : "?");
		free(served);
	}
	json_array_foreach(objs, i, obj) {
		const char *applied = k8s_applied_version(obj);
		const char *served = json_string_value(json_object_get(obj, "apiVersion"));
		char key[300];

		k8s_object_key(obj, key, sizeof(key));
		if (applied && served && strcmp(applied, served))
			pr_warn("%s %s was written as %s and is served as %s",
				json_string_value(json_object_get(obj, "kind")), key, applied, served);
	}
	list = json_pack("{s:s, s:s, s:O}", "apiVersion", "v1", "kind", "List", "items", objs);
	r = check_with_model(list) ? EXIT_FAILED : EXIT_OK;
	if (write_doc(list, o->output))
		r = EXIT_FAILED;
	json_decref(list);
	json_decref(objs);
	json_decref(kinds);
	return r;
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
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "N:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'K': o.kubeconfig = optarg; break;
		case 'X': o.context = optarg; break;
		case 'N': o.node = optarg; break;
		case 'c': o.cgroup_root = optarg; break;
		case 'o': o.output = optarg; break;
		default:
			if ((r = cli_common_opt(opt, &cmd_kube)) != CLI_CONTINUE)
				return r;
		}
	}
	if (!what || optind != argc)
		return error("kube needs one action first: inventory or smi"), EXIT_USAGE;
	if (strcmp(what, "inventory") && strcmp(what, "smi"))
		return error("kube: unknown action '%s' (inventory, smi)", what), EXIT_USAGE;
	if (k8s_config_auto(&cfg, o.kubeconfig, o.context, err, sizeof(err)))
		return error("%s", err), EXIT_FAILED;
	if (k8s_client_init(&c, &cfg)) {
		k8s_config_free(&cfg);
		return EXIT_FAILED;
	}
	r = !strcmp(what, "inventory") ? cmd_inventory(&c, &o) : cmd_smi(&c, &o);
	k8s_client_free(&c);
	k8s_config_free(&cfg);
	return r;
}

const struct command cmd_kube = {
	.name = "kube",
	.summary = "read pods, services and SMI objects from the Kubernetes API server",
	.usage = "smi-witness kube inventory --node NAME [-o FILE]\n"
		 "       smi-witness kube smi [-o FILE]",
	.options =
		"  inventory                 this node's pods joined with its cgroups, as an\n"
		"                            inventory (docs/inventory.md)\n"
		"  smi                       every SMI object the cluster serves, as one JSON List\n"
		"                            (checked with the SMI model; loadable by lint/verify)\n"
		"  -N, --node NAME           node whose pods to read (default $NODE_NAME)\n"
		"      --cgroup-root DIR     cgroup v2 mount to find containers in\n"
		"      --kubeconfig FILE     (default $KUBECONFIG, ~/.kube/config, in-cluster)\n"
		"      --context NAME        kubeconfig context (default current-context)\n"
		"  -o, --output FILE         write here instead of stdout\n",
	.examples =
		"  smi-witness kube smi -o cluster-smi.json && smi-witness lint cluster-smi.json\n"
		"  NODE_NAME=kind-worker smi-witness kube inventory --kubeconfig ~/.kube/config\n",
	.run = run,
};
