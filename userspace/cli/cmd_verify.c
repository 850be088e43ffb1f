/* cmd_verify.c - `smi-witness verify`: verdicts from recorded observations, offline. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/fetch.h"
#include "cli/cli.h"
#include "cli/fetch_opts.h"
#include "cli/operands.h"
#include "scenario/policy.h"
#include "scenario/reqid.h"
#include "report/outdir.h"
#include "report/writers.h"
#include "smi/smi.h"
#include "util/file.h"
#include "util/log.h"
#include "util/term.h"
#include "verify/engine.h"
#include "verify/match.h"

#define MAX_INTENTS 16

enum out_format { OUT_TABLE, OUT_JSON, OUT_JUNIT, OUT_MESHERY };

struct opts {
	const char *observations, *scenario, *inventory, *run, *mesh, *out, *metrics;
	const char *ns;		/* --namespace: where the scenario ran (run --cluster --namespace) */
	int api[SMI_GROUP_COUNT];
	bool have_api;
	const char *intents[MAX_INTENTS];
	size_t n_intents;
	enum out_format format;
	struct fetch_spec agents;	/* --agent/--cluster: observations read from node agents */
};

static int parse_format(const char *s, enum out_format *f)
{
	static const char *const names[] = { "table", "json", "junit", "meshery" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*f = (enum out_format)i;
			return 0;
		}
	return error("--format: '%s' is not one of table, json, junit, meshery", s);
}

/*
 * -o was the short form of --observations; it is now --out, as for every
 * other command. An -o naming a file that exists is the old spelling (an
 * output directory cannot be a file): it still means the observations.
 */
static void take_o(struct opts *o, const char *arg)
{
	struct stat st;

	if (!stat(arg, &st) && !S_ISDIR(st.st_mode) && !o->observations) {
		pr_warn("-o '%s': -o now means --out (a directory); taking the file as --observations, as before",
			arg);
		o->observations = arg;
		return;
	}
	o->out = arg;
}

/* The long name of an option code, for messages. */
static const char *opt_name(const struct option *longopts, int opt)
{
	for (const struct option *l = longopts; l->name; l++)
		if (l->val == opt)
			return l->name;
	return "?";
}

/* What the options say together; each conflict is named. Returns CLI_CONTINUE or EXIT_USAGE. */
static int check_opts(struct opts *o, char **operands, size_t n_operands, const char *agents_only)
{
	struct stat st;

	if (n_operands > 1 || (n_operands == 1 && o->observations)) {
		error("verify takes one observation file (got '%s' too)", operands[n_operands - 1]);
		return EXIT_USAGE;
	}
	if (n_operands)
		o->observations = operands[0];
	if (!!o->observations == fetch_spec_active(&o->agents) || !o->scenario) {
		error("verify needs --scenario FILE and the observations: FILE (or --observations FILE), "
		      "--agent URL or --cluster");
		return EXIT_USAGE;
	}
	if (o->observations && agents_only) {
		error("--%s applies to observations read from agents (--agent, --cluster), not to '%s'", agents_only,
		      o->observations);
		return EXIT_USAGE;
	}
	if (!stat(o->scenario, &st) && S_ISDIR(st.st_mode)) {
		error("--scenario: '%s' is a directory: give the one scenario file that was run", o->scenario);
		return EXIT_USAGE;
	}
	if (o->observations && !stat(o->observations, &st) && S_ISDIR(st.st_mode)) {
		error("--observations: '%s' is a directory: give the observation file (e.g. "
		      "'%s/observations.jsonl.gz')", o->observations, o->observations);
		return EXIT_USAGE;
	}
	if (log_json && o->format != OUT_JSON && o->format != OUT_TABLE) {
		error("-j prints JSON and --format asks for another format on the same stdout: choose one");
		return EXIT_USAGE;
	}
	if (log_json)
		o->format = OUT_JSON;
	return CLI_CONTINUE;
}

/* The options that only store (cli_store_opt()); -O is the old spelling of --out, kept working. */
static const struct cli_store stores[] = {
	CLI_STR('b', struct opts, observations), CLI_STR('s', struct opts, scenario),
	CLI_STR('I', struct opts, inventory), CLI_STR('r', struct opts, run), CLI_STR('m', struct opts, mesh),
	CLI_STR('N', struct opts, ns), CLI_STR('O', struct opts, out), CLI_STR('M', struct opts, metrics),
};

/*
 * The options that check their argument, and the agents' (fetch_spec_opt());
 * *agents_only becomes the name of the first agent-only option given.
 * Returns CLI_CONTINUE, or an exit code after printing.
 */
static int take_opt(int opt, struct opts *o, const struct option *longopts, const char **agents_only)
{
	extern const struct command cmd_verify;
	int r;

	switch (opt) {
	case 'a':
		o->have_api = true;
		return verify_parse_api(optarg, o->api) ? EXIT_USAGE : CLI_CONTINUE;
	case 'o':
		take_o(o, optarg);
		return CLI_CONTINUE;
	case 'i':
		if (o->n_intents == MAX_INTENTS)
			return error("--intent: at most %d files", MAX_INTENTS), EXIT_USAGE;
		o->intents[o->n_intents++] = optarg;
		return CLI_CONTINUE;
	case 'f':
		return parse_format(optarg, &o->format) ? EXIT_USAGE : CLI_CONTINUE;
	default:
		if ((r = fetch_spec_opt(&o->agents, opt, optarg)) < 0)
			return EXIT_USAGE;
		if (r && opt != FETCH_OPT_AGENT && opt != FETCH_OPT_CLUSTER && !*agents_only)
			*agents_only = opt_name(longopts, opt);
		return r ? CLI_CONTINUE : cli_common_opt(opt, &cmd_verify);
	}
}

/* Parses argv into o and the operands. Returns CLI_CONTINUE, or an exit code after printing. */
static int parse_opts(int argc, char **argv, struct opts *o, char **operands, size_t *n_operands)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "observations", required_argument, NULL, 'b' },
		{ "scenario", required_argument, NULL, 's' },
		{ "intent", required_argument, NULL, 'i' },
		{ "inventory", required_argument, NULL, 'I' },
		{ "run", required_argument, NULL, 'r' },
		{ "mesh", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'O' },
		{ "format", required_argument, NULL, 'f' },
		{ "api", required_argument, NULL, 'a' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "namespace", required_argument, NULL, 'N' },
		FETCH_LONGOPTS,
		{ 0 }
	};
	const char *agents_only = NULL;
	int opt, r;

	while ((opt = cli_next_opt(argc, argv, CLI_COMMON_SHORTOPTS "o:s:i:I:r:m:O:f:a:M:N:", longopts, operands,
				   n_operands)) != -1)
		if (!cli_store_opt(opt, stores, sizeof(stores) / sizeof(stores[0]), o) &&
		    (r = take_opt(opt, o, longopts, &agents_only)) != CLI_CONTINUE)
			return r;
	return check_opts(o, operands, *n_operands, agents_only);
}

static int print(const struct report *rep, enum out_format f)
{
	switch (f) {
	case OUT_JSON:
		return report_write_json(stdout, rep);
	case OUT_JUNIT:
		report_write_junit(stdout, rep);
		return 0;
	case OUT_MESHERY:
		return report_write_meshery(stdout, rep);
	default:
		report_write_table(stdout, rep, &(struct table_opts){ .color = term_use_color(stdout),
			.failures_only = log_quiet, .width = term_columns(stdout) });
		return 0;
	}
}

/* Loads everything the verifier needs. Returns 0 or an exit code. */
static int load_inputs(const struct opts *o, struct scenario *sc, struct obs_set *obs,
		       struct inventory **inventory)
{
	const char *inv = o->inventory;

	if (scenario_load_in(sc, o->scenario, o->ns))
		return EXIT_USAGE;
	obs->keep_headers = policy_judges_headers(sc);
	if (obs_read(obs, o->observations))
		return EXIT_USAGE;
	for (size_t i = 0; i < o->n_intents; i++)
		if (obs_read_intents(obs, o->intents[i]))
			return EXIT_USAGE;
	if (!inv && *obs->meta.inventory) {
		inv = obs->meta.inventory;
		if (access(inv, R_OK)) {
			error("the capture names inventory '%s', which cannot be read here: pass --inventory FILE",
			      inv);
			return EXIT_USAGE;
		}
	}
	if (inv) {
		if (inventory_load(inv, inventory))
			return EXIT_USAGE;
	}
	return 0;
}

/*
 * --agent/--cluster: the node agents' observations and inventories, merged
 * into files of a private directory, become --observations and (unless one
 * was given) --inventory. Returns an exit code.
 */
static int fetch_agents(struct opts *o, char *dir, size_t len)
{
	static char obs_path[96], inv_path[96];
	int r;

	snprintf(dir, len, "/tmp/smiw-verify-XXXXXX");
	if (!mkdtemp(dir)) {
		error_errno(errno, "cannot create a directory for the agents' observations");
		dir[0] = '\0';
		return EXIT_ERROR;
	}
	snprintf(obs_path, sizeof(obs_path), "%s/observations.jsonl", dir);
	snprintf(inv_path, sizeof(inv_path), "%s/inventory.json", dir);
	r = fetch_to_files(&o->agents, obs_path, inv_path);
	if (r == EXIT_OK) {
		o->observations = obs_path;
		if (!o->inventory)
			o->inventory = inv_path;
	}
	return r;
}

static void remove_fetched(const char *dir)
{
	char path[128];

	if (!*dir)
		return;
	snprintf(path, sizeof(path), "%s/observations.jsonl", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/inventory.json", dir);
	unlink(path);
	rmdir(dir);
}

static bool has_metrics(const struct scenario *sc)
{
	for (size_t i = 0; i < sc->n_steps; i++)
		if (sc->steps[i].metrics.enabled)
			return true;
	return false;
}

/* Without --metrics: the metrics/ directory beside the observations, where `run` records the scrapes. */
static const char *default_metrics_dir(const struct opts *o, const struct scenario *sc, char *buf, size_t len)
{
	const char *slash = strrchr(o->observations, '/');
	struct stat st;
	int n;

	if (!has_metrics(sc))
		return NULL;
	n = slash ? snprintf(buf, len, "%.*s/metrics", (int)(slash - o->observations), o->observations) :
		    snprintf(buf, len, "metrics");
	if (n < 0 || (size_t)n >= len || stat(buf, &st) || !S_ISDIR(st.st_mode))
		return NULL;
	return buf;
}

/* --out DIR must be writable (or creatable) before anything is judged. Returns 0 or EXIT_USAGE. */
static int check_out(const char *out)
{
	char where[PATH_MAX];
	int r;

	if (!out)
		return 0;
	r = file_dir_writable(out, where, sizeof(where));
	if (r == -ENOTDIR)
		error("--out: '%s' is not a directory (the reports go to '%s/')", where, out);
	else if (r)
		error("--out: cannot write in '%s': %s", where, strerror(-r));
	return r ? EXIT_USAGE : 0;
}

/* Judges the loaded inputs into rep (initialised here). Returns 0 or an exit code. */
static int judge(const struct opts *o, const struct scenario *sc, const struct obs_set *obs,
		 const struct inventory *inv, struct report *rep)
{
	char mdir[PATH_MAX], run[REQID_RUN_MAX + 1];
	struct verify_input in = {
		.sc = sc, .obs = obs, .inv = inv, .run = o->run,
		.capture_name = o->observations, .api_versions = o->have_api ? o->api : NULL,
		.metrics_dir = o->metrics ? o->metrics : default_metrics_dir(o, sc, mdir, sizeof(mdir)),
	};

	if (report_init(rep, o->mesh ? o->mesh : inv && *inv->mesh_name ? inv->mesh_name : "unknown"))
		return EXIT_ERROR;
	if (verify_check_match(&in, run, sizeof(run)))
		return EXIT_USAGE;
	/* The run the check found: the records are not searched for it twice (a pass over every exchange). */
	if (!in.run && *run)
		in.run = run;
	if (verify_scenario(&in, rep))
		return EXIT_USAGE;
	return 0;
}

static int run(int argc, char **argv)
{
	struct opts o = { 0 };
	struct scenario sc;
	struct obs_set obs = { 0 };
	struct inventory *inv = NULL;
	struct report rep = { 0 };
	char tmpdir[64] = "", **operands = calloc((size_t)argc + 1, sizeof(char *));
	size_t n_operands = 0;
	int r;

	memset(&sc, 0, sizeof(sc));
	if (!operands)
		return EXIT_ERROR;
	r = parse_opts(argc, argv, &o, operands, &n_operands);
	if (r == CLI_CONTINUE)
		r = check_out(o.out);
	else if (r == EXIT_OK)
		r = -1;	/* --help was printed: nothing else to do */
	if (!r && fetch_spec_active(&o.agents))
		r = fetch_agents(&o, tmpdir, sizeof(tmpdir));
	if (!r)
		r = load_inputs(&o, &sc, &obs, &inv);
	if (!r)
		r = judge(&o, &sc, &obs, inv, &rep);
	if (!r && o.out && report_write_dir(&rep, o.out))
		r = EXIT_ERROR;
	if (!r && print(&rep, o.format))
		r = EXIT_ERROR;
	if (!r)
		r = report_exit_code(&rep);
	report_free(&rep);
	inventory_free(inv);
	obs_free(&obs);
	scenario_free(&sc);
	remove_fetched(tmpdir);
	free(operands);
	return r < 0 ? EXIT_OK : r;
}

const struct command cmd_verify = {
	.name = "verify",
	.summary = "judge recorded observations against a scenario (offline, deterministic)",
	.usage = "smi-witness verify OBSERVATIONS --scenario FILE [--intent FILE]... [OPTIONS]\n"
		 "       smi-witness verify (--agent URL... | --cluster) --scenario FILE [OPTIONS]",
	.options =
		"  OBSERVATIONS             observation records (JSON lines, .gz allowed), or\n"
		"      --observations FILE  (-o FILE naming an existing file still works, as before)\n"
		"  -s, --scenario FILE      the scenario that was run (docs/scenarios.md)\n"
		"  -i, --intent FILE        the driver's intent records (repeatable)\n"
		"  -I, --inventory FILE     pods and services (default: the one the capture names)\n"
		"  -r, --run ID             which run to judge when the records hold several\n"
		"  -m, --mesh NAME          mesh name for the reports (default: from the inventory)\n"
		"  -o, --out DIR            also write report.json, junit.xml, meshery.json, charts/*.svg\n"
		"  -f, --format FMT         stdout format: table (default), json, junit, meshery\n"
		"  -a, --api GROUP=VERSION,...  the API versions the run rendered the manifests in\n"
		"                           (e.g. split=v1alpha2,access=v1alpha2,specs=v1alpha3)\n"
		"  -M, --metrics DIR        the mesh's metrics scrapes `run` recorded for metrics steps\n"
		"                           (default: metrics/ beside the observations)\n"
		"  -N, --namespace NS       the namespace the scenario ran in (`run --cluster`): names\n"
		"                           without a namespace, in the scenario and its manifests, are in NS\n"
		"Records of another scenario than --scenario, or a --run the records do not hold,\n"
		"are refused (exit 2) rather than judged.\n"
		"\nObservations from node agents instead of a file (smi-witness agent):\n"
		FETCH_OPTIONS_HELP,
	.examples =
		"  smi-witness verify out/reference/traffic-split/observations.jsonl.gz \\\n"
		"      -s specs/traffic-split.yaml -i out/reference/traffic-split/intent.jsonl\n"
		"  smi-witness verify out/reference/traffic-access/observations.jsonl.gz \\\n"
		"      -s specs/traffic-access.yaml -i out/reference/traffic-access/intent.jsonl \\\n"
		"      -I out/reference/traffic-access/inventory.json --out report/\n"
		"  smi-witness -j verify out/reference/traffic-split/observations.jsonl.gz \\\n"
		"      -s specs/traffic-split.yaml -i out/reference/traffic-split/intent.jsonl \\\n"
		"      | jq '.assertions[] | select(.verdict != \"PASS\")'\n"
		"  out/reference/traffic-split/replay.sh -f junit          # the command a run recorded\n",
	.run = run,
};
