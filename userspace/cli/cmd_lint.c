/*
 * cmd_lint.c - `smi-witness lint`: load SMI manifests and Gateway API routes,
 * show them normalised, list every problem; a scenario file is checked as
 * `run` would check it.
 */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/operands.h"
#include "gateway/gateway.h"
#include "lab/api.h"
#include "lint/lint.h"
#include "run/check.h"
#include "scenario/policy.h"
#include "scenario/scenario.h"
#include "smi/smi.h"
#include "util/file.h"
#include "util/log.h"

extern const struct command cmd_lint;

#define OPT_TOPOLOGY 0x1c1

struct lint_opts {
	struct smi_load_opts load;
	int to[SMI_GROUP_COUNT];
	bool render, each;
	const char *topology;	/* checks against a lab topology; scenarios always are */
	char **files;	/* the operands (room for argc) */
	size_t n_files;
};

static int parse_opts(int argc, char **argv, struct lint_opts *o)
{
	static const struct option longopts[] = {
		{ "assume-api", required_argument, NULL, 'a' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "to", required_argument, NULL, 't' },
		{ "each", no_argument, NULL, 'e' },
		{ "topology", required_argument, NULL, OPT_TOPOLOGY },
		CLI_COMMON_LONGOPTS,
		{ 0 },
	};
	char err[256];
	int opt, r;

	while ((opt = cli_next_opt(argc, argv, CLI_COMMON_SHORTOPTS "a:n:t:e", longopts, o->files, &o->n_files)) !=
	       -1) {
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
		case 'e':
			o->each = true;
			break;
		case OPT_TOPOLOGY:
			o->topology = optarg;
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_lint)) != CLI_CONTINUE)
				return r;
		}
	}
	if (!o->n_files) {
		error("lint needs at least one FILE (SMI manifests, or a scenario)");
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

/*
 * A scenario (docs/scenarios.md) has top-level `steps:` and `smispec:`
 * keys, which no SMI manifest has: it is then checked as a scenario.
 */
static bool is_scenario(const char *path)
{
	char *text = NULL;
	size_t len;
	bool steps = false, spec = false;

	if (!strcmp(path, "-") || file_read_all(path, 1 << 22, &text, &len))
		return false;
	for (char *line = text; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		steps |= !strncmp(line, "steps:", 6);
		spec |= !strncmp(line, "smispec:", 8);
	}
	free(text);
	return steps && spec;
}

/*
 * The topology a scenario is checked against: --topology, else the default
 * one of `lab up` and `run` (not a running lab's: lint answers the same
 * whatever runs on the machine).
 */
static const char *topology_of(const struct lint_opts *o, char *buf, size_t len)
{
	if (o->topology)
		return o->topology;
	lab_default_topology(buf, len);
	return buf;
}

static void print_scenario_json(const struct scenario *sc, const char *path, const char *topology)
{
	json_t *doc = json_pack("{s:b, s:s, s:s, s:I, s:s}", "ok", true, "scenario", sc->name, "file", path,
				"steps", (json_int_t)sc->n_steps, "topology", topology);

	json_dumpf(doc, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(doc);
}

/*
 * A scenario: loaded as `run` loads it (every field, every manifest), the
 * policy in force at each step built, and all of it checked against the
 * lab topology. Prints the objects in force per step. Returns an exit code.
 */
static int lint_scenario(const struct lint_opts *o, const char *path)
{
	struct scenario sc;
	struct policy pol = { 0 };
	char topo_buf[4096];
	const char *topology = topology_of(o, topo_buf, sizeof(topo_buf));
	int r;

	memset(&sc, 0, sizeof(sc));
	if (scenario_load(&sc, path) || policy_build(&pol, &sc)) {
		r = EXIT_USAGE;
		goto out;
	}
	r = check_scenario_topology(&sc, &pol, topology);
	if (!r && log_json) {
		print_scenario_json(&sc, path, topology);
	} else if (!r) {
		for (size_t i = 0; i < sc.n_steps; i++) {
			size_t n = pol.sets[i]->n_objects + pol.routes[i]->n_routes;

			printf("%sstep %u %s: %zu object%s in force\n", i ? "\n" : "", sc.steps[i].index,
			       sc.steps[i].name, n, n == 1 ? "" : "s");
			if (n)
				lint_print_table(pol.sets[i], pol.routes[i], stdout);
		}
		fprintf(stderr, "scenario %s: %zu step%s, every policy valid in lab topology '%s'\n", sc.name,
			sc.n_steps, sc.n_steps == 1 ? "" : "s", topology);
	}
out:
	policy_free(&pol);
	scenario_free(&sc);
	return r;
}

/* --to converts SMI objects between versions; routes are refused rather than dropped. */
static int render(const struct smi_set *set, const struct gw_set *gw, const struct lint_opts *o)
{
	char err[512];

	if (gw->n_routes) {
		error("cannot write: --to converts SMI objects, and %s '%s/%s' is a Gateway API object",
		      gw_kind_name(gw->routes[0]->kind), gw->routes[0]->namespace, gw->routes[0]->name);
		return EXIT_USAGE;
	}
	if (smi_render_set(set, o->to, stdout, err, sizeof(err))) {
		/* The versions asked for cannot express the input: a usage problem. */
		error("cannot write: %s", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * SMI manifests and Gateway API routes as one set (references resolved
 * across files; the routes are read by the SMI loader through its foreign
 * hook, so one file may mix both). Returns an exit code.
 */
static int lint_set(const struct lint_opts *o, char *const *files, int n)
{
	struct smi_load_opts load = o->load;
	struct gw_set *gw = gw_set_new();
	struct smi_set *set = NULL;
	int r;

	if (gw) {
		gw_attach(gw, &load);
		set = smi_set_new(&load);
	}
	if (!set) {
		gw_set_free(gw);
		return error_errno(-ENOMEM, "cannot lint"), EXIT_ERROR;
	}
	for (int i = 0; i < n; i++)
		smi_set_load_file(set, files[i]);
	smi_set_finish(set);
	gw_set_finish(gw, set);
	r = set->diags.n_errors ? EXIT_USAGE : EXIT_OK;
	if (!r && !set->n_objects && !gw->n_routes) {
		/* Nothing to check is not a pass: a misspelt glob or an empty file must not look fine. */
		error("'%s'%s: no SMI object found, nor a Gateway API route (%zu other document%s skipped)", files[0],
		      n > 1 ? " and the rest" : "", set->n_skipped, set->n_skipped == 1 ? "" : "s");
		r = EXIT_USAGE;
	}
	if (!r && o->topology)
		r = lab_check_objects(o->topology, set, gw);
	if (log_json) {
		lint_print_json(set, gw, stdout);
	} else {
		lint_print_problems(set, stderr);
		if (o->render && !r)
			r = render(set, gw, o);
		else if (!o->render && !r)
			lint_print_table(set, gw, stdout);
		/* After a problem of its own the count would only repeat that the set is not valid. */
		if (o->each && (!r || set->diags.n_errors))
			fprintf(stderr, "%s: ", files[0]);
		if (!r || set->diags.n_errors)
			lint_print_summary(set, gw, stderr);
	}
	smi_set_free(set);
	gw_set_free(gw);
	return r;
}

/* Lints files[0..n): scenarios on their own, manifests as one set (or one per file with --each). */
static int lint_files(const struct lint_opts *o, char *const *files, int n)
{
	int r, worst = EXIT_OK;

	for (int i = 0; i < n; i++) {
		struct stat st;

		if (strcmp(files[i], "-") && !stat(files[i], &st) && S_ISDIR(st.st_mode)) {
			error("'%s' is a directory: give the files (e.g. '%s/*.yaml')", files[i], files[i]);
			return EXIT_USAGE;
		}
	}
	for (int i = 0; i < n; i++) {
		int k = 1;

		if (is_scenario(files[i])) {
			r = lint_scenario(o, files[i]);
		} else {
			while (!o->each && i + k < n && !is_scenario(files[i + k]))
				k++;
			r = lint_set(o, &files[i], k);
		}
		i += k - 1;
		if (r && (worst == EXIT_OK || r == EXIT_ERROR))
			worst = r;
	}
	return worst;
}

static int run(int argc, char **argv)
{
	struct lint_opts o = { .files = calloc((size_t)argc + 1, sizeof(char *)) };
	int r;

	if (!o.files)
		return EXIT_ERROR;
	r = parse_opts(argc, argv, &o);
	if (r == CLI_CONTINUE)
		r = lint_files(&o, o.files, (int)o.n_files);
	free(o.files);
	return r;
}

const struct command cmd_lint = {
	.name = "lint",
	.summary = "check SMI manifests and Gateway API routes, or a scenario; show them normalised",
	.usage = "smi-witness lint [-j] [--assume-api LIST] [-n NAMESPACE] [--to LIST] [--each]\n"
		 "                        [--topology FILE] FILE...",
	.options =
		"  -a, --assume-api LIST  versions for documents without apiVersion,\n"
		"                         e.g. split=v1alpha3,access=v1alpha2,specs=v1alpha3\n"
		"  -n, --namespace NS     namespace of objects that name none (default: default)\n"
		"  -t, --to LIST          print the objects as YAML in these versions instead of\n"
		"                         the table (other groups keep their version)\n"
		"  -e, --each             check every file on its own (files that are alternative\n"
		"                         versions of the same objects, as specs/manifests/split/)\n"
		"      --topology FILE    also check that every service the objects name is in this\n"
		"                         lab topology and the lab's mesh can render them\n"
		"Manifests given together are one set: references resolve across files, and the\n"
		"same object twice is an error. A scenario file (docs/scenarios.md) is checked as\n"
		"`run` checks it: every field and manifest, and the policy in force at each step\n"
		"against the lab topology (--topology, else the default one of `lab up` and `run`).\n"
		"HTTPRoutes and GRPCRoutes (gateway.networking.k8s.io) may be mixed with SMI\n"
		"objects in the same files (docs/gamma.md). No object at all is an error too.\n",
	.examples =
		"  smi-witness lint specs/traffic-split.yaml          # a scenario: its policy at every step\n"
		"  smi-witness lint specs/manifests/access/tcp-a-to-b.yaml   # table; problems on stderr\n"
		"  smi-witness lint --each specs/manifests/split/*.yaml\n"
		"  smi-witness lint -j specs/manifests/specs/combined.yaml | jq '.problems[]'\n"
		"  kubectl get trafficsplits -A -o json | smi-witness lint -\n"
		"  kubectl get httproutes,grpcroutes -A -o json | smi-witness lint -\n"
		"  smi-witness lint --to split=v1alpha2,access=v1alpha2,specs=v1alpha3 \\\n"
		"      specs/manifests/access/tcp-a-to-b.yaml\n",
	.run = run,
};
