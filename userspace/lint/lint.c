/* lint.c - `smi-witness lint`: load SMI manifests, show them normalised, list every problem. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cli/cli.h"
#include "smi/smi.h"
#include "util/log.h"

extern const struct command cmd_lint;

struct lint_opts {
	struct smi_load_opts load;
	int to[SMI_GROUP_COUNT];
	bool render;
};

static void print_problems_text(const struct smi_set *set)
{
	for (size_t i = 0; i < set->diags.n; i++) {
		const struct smi_diag *d = &set->diags.v[i];

		fprintf(stderr, "%s:", d->file);
		if (d->line)
			fprintf(stderr, "%d:", d->line);
		if (d->line && d->column)
			fprintf(stderr, "%d:", d->column);
		fprintf(stderr, " %s: ", d->severity == SMI_ERROR ? "error" : "warning");
		if (*d->path)
			fprintf(stderr, "%s: ", d->path);
		fprintf(stderr, "%s\n", d->message);
	}
}

static void print_table(const struct smi_set *set)
{
	int wk = 4, wn = 9, wname = 4, wapi = 3;
	char api[64], summary[2048];

	for (size_t i = 0; i < set->n_objects; i++) {
		const struct smi_meta *m = set->objects[i];
		int l;

		if ((l = (int)strlen(smi_kind_name(m->kind))) > wk)
			wk = l;
		if ((l = (int)strlen(m->namespace ? m->namespace : "-")) > wn)
			wn = l;
		if ((l = (int)strlen(m->name ? m->name : "-")) > wname)
			wname = l;
		snprintf(api, sizeof(api), "%s/%s", smi_group_name(smi_kind_group(m->kind)), smi_version_name(m->version));
		if ((l = (int)strlen(api)) > wapi)
			wapi = l;
	}
	printf("%-*s  %-*s  %-*s  %-*s  %s\n", wk, "KIND", wn, "NAMESPACE", wname, "NAME", wapi, "API", "SUMMARY");
	for (size_t i = 0; i < set->n_objects; i++) {
		const struct smi_meta *m = set->objects[i];

		snprintf(api, sizeof(api), "%s/%s", smi_group_name(smi_kind_group(m->kind)), smi_version_name(m->version));
		printf("%-*s  %-*s  %-*s  %-*s  %s\n", wk, smi_kind_name(m->kind), wn,
		       m->namespace ? m->namespace : "-", wname, m->name ? m->name : "-", wapi, api,
		       smi_object_summary(m, summary, sizeof(summary)));
	}
}

static void print_json(const struct smi_set *set)
{
	json_t *objects = smi_set_json(set, true), *problems = json_array(), *doc;

	for (size_t i = 0; i < set->diags.n; i++) {
		const struct smi_diag *d = &set->diags.v[i];

		json_array_append_new(problems, json_pack("{s:s, s:s, s:i, s:i, s:s, s:s}",
			"severity", d->severity == SMI_ERROR ? "error" : "warning", "file", d->file,
			"line", d->line, "column", d->column, "path", d->path, "message", d->message));
	}
	doc = json_pack("{s:b, s:I, s:I, s:I, s:o, s:o}", "ok", set->diags.n_errors == 0,
			"errors", (json_int_t)set->diags.n_errors, "warnings", (json_int_t)set->diags.n_warnings,
			"skipped", (json_int_t)set->n_skipped, "objects", objects, "problems", problems);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(doc);
}

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
		print_json(set);
	} else {
		print_problems_text(set);
		if (o.render && !set->diags.n_errors) {
			if (smi_render_set(set, o.to, stdout, err, sizeof(err))) {
				/* The versions asked for cannot express the input: a usage problem. */
				error("cannot write: %s", err);
				r = EXIT_USAGE;
			}
		} else if (!o.render) {
			print_table(set);
		}
		fprintf(stderr, "%zu object%s, %zu error%s, %zu warning%s, %zu other document%s skipped\n",
			set->n_objects, set->n_objects == 1 ? "" : "s",
			set->diags.n_errors, set->diags.n_errors == 1 ? "" : "s",
			set->diags.n_warnings, set->diags.n_warnings == 1 ? "" : "s",
			set->n_skipped, set->n_skipped == 1 ? "" : "s");
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
