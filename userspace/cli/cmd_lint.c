/* cmd_lint.c - `smi-witness lint`: load SMI manifests, show them normalised, list every problem. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "lint/lint.h"
#include "smi/smi.h"
#include "util/log.h"

extern const struct command cmd_lint;

struct lint_opts {
	struct smi_load_opts load;
	int to[SMI_GROUP_COUNT];
	bool render;
};

static int parse_opts(int argc, char **argv, struct lint_opts *o)
{
	static const struct option longopts[] = {
		{ "assume-api", required_argument, NULL, 'a' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "to", required_argument, NULL, 't' },
		CLI_COMMON_LONGOPTS,
		{ 0 },
	};
	char err[256];
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "a:n:t:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
		case 't':
			if (smi_parse_api_versions(optarg, opt == 'a' ? o->load.default_version : o->to,
						   err, sizeof(err))) {
				error("invalid --%s '%s': %s", opt == 'a' ? "assume-api" : "to", optarg, err);
				return EXIT_USAGE;
			}
			o->render |= opt == 't';
			break;
		case 'n':
			o->load.default_namespace = optarg;
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_lint)) != CLI_CONTINUE)
				return r;
		}
	}
	if (optind >= argc) {
		error("lint needs at least one FILE");
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

static int run(int argc, char **argv)
{
	struct lint_opts o = { 0 };
	struct smi_set *set;
	char err[512];
	int r;

	r = parse_opts(argc, argv, &o);
	if (r != CLI_CONTINUE)
		return r;
	set = smi_set_new(&o.load);
	if (!set)
		return error_errno(-ENOMEM, "cannot lint"), EXIT_FAILED;
	for (int i = optind; i < argc; i++)
		smi_set_load_file(set, argv[i]);
	smi_set_finish(set);
	r = set->diags.n_errors ? EXIT_USAGE : EXIT_OK;
	if (log_json) {
		lint_print_json(set, stdout);
	} else {
		lint_print_problems(set, stderr);
		if (o.render && !set->diags.n_errors) {
			if (smi_render_set(set, o.to, stdout, err, sizeof(err))) {
				/* The versions asked for cannot express the input: a usage problem. */
				error("cannot write: %s", err);
				r = EXIT_USAGE;
			}
		} else if (!o.render) {
			lint_print_table(set, stdout);
		}
		lint_print_summary(set, stderr);
	}
	smi_set_free(set);
	return r;
}

const struct command cmd_lint = {
	.name = "lint",
	.summary = "check SMI manifests of any API version and show them normalised",
	.usage = "smi-witness lint [-j] [--assume-api LIST] [-n NAMESPACE] [--to LIST] FILE...",
	.options =
		"  -a, --assume-api LIST  versions for documents without apiVersion,\n"
		"                         e.g. split=v1alpha3,access=v1alpha2,specs=v1alpha3\n"
		"  -n, --namespace NS     namespace of objects that name none (default: default)\n"
		"  -t, --to LIST          print the objects as YAML in these versions instead of\n"
		"                         the table (other groups keep their version)\n",
	.examples =
		"  smi-witness lint specs/split.yaml                # table; problems on stderr\n"
		"  smi-witness lint -j a.yaml b.json | jq '.problems[]'\n"
		"  kubectl get trafficsplits -A -o json | smi-witness lint -\n"
		"  smi-witness lint --to split=v1alpha2,access=v1alpha2,specs=v1alpha3 suite.yaml\n"
		"\n"
		"Exit status: 0 valid (warnings allowed), 2 invalid input (every problem is listed).\n",
	.run = run,
};
