/* verify_cmd.c - `smi-witness verify`: verdicts from recorded observations, offline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/outdir.h"
#include "report/writers.h"
#include "util/log.h"
#include "verify/engine.h"

#define MAX_INTENTS 16

enum out_format { OUT_TABLE, OUT_JSON, OUT_JUNIT, OUT_MESHERY };

struct opts {
	const char *observations, *scenario, *inventory, *run, *mesh, *out;
	const char *intents[MAX_INTENTS];
	size_t n_intents;
	enum out_format format;
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

static int parse_opts(int argc, char **argv, struct opts *o)
{
	extern const struct command cmd_verify;
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "observations", required_argument, NULL, 'o' },
		{ "scenario", required_argument, NULL, 's' },
		{ "intent", required_argument, NULL, 'i' },
		{ "inventory", required_argument, NULL, 'I' },
		{ "run", required_argument, NULL, 'r' },
		{ "mesh", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'O' },
		{ "format", required_argument, NULL, 'f' },
		{ 0 }
	};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "o:s:i:I:r:m:O:f:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			o->observations = optarg;
			break;
		case 's':
			o->scenario = optarg;
			break;
		case 'i':
			if (o->n_intents == MAX_INTENTS) {
				error("--intent: at most %d files", MAX_INTENTS);
				return EXIT_USAGE;
			}
			o->intents[o->n_intents++] = optarg;
			break;
		case 'I':
			o->inventory = optarg;
			break;
		case 'r':
			o->run = optarg;
			break;
		case 'm':
			o->mesh = optarg;
			break;
		case 'O':
			o->out = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &o->format))
				return EXIT_USAGE;
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_verify)) != CLI_CONTINUE)
				return r;
		}
	}
	if (optind < argc) {
		error("verify takes no arguments (got '%s')", argv[optind]);
		return EXIT_USAGE;
	}
	if (!o->observations || !o->scenario) {
		error("verify needs --observations FILE and --scenario FILE");
		return EXIT_USAGE;
	}
	if (log_json)
		o->format = OUT_JSON;
	return CLI_CONTINUE;
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
		report_write_table(stdout, rep, isatty(STDOUT_FILENO));
		return 0;
	}
}

/* Loads everything the verifier needs. Returns 0 or an exit code. */
static int load_inputs(const struct opts *o, struct scenario *sc, struct obs_set *obs, struct topology *topo,
		       bool *have_topo)
{
	const char *inv = o->inventory;

	if (scenario_load(sc, o->scenario) || obs_read(obs, o->observations))
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
		if (topo_load(topo, inv))
			return EXIT_USAGE;
		*have_topo = true;
	}
	return 0;
}

static int run(int argc, char **argv)
{
	struct opts o = { 0 };
	struct scenario sc;
	struct obs_set obs = { 0 };
	struct topology topo = { 0 };
	struct report rep = { 0 };
	bool have_topo = false;
	int r;

	memset(&sc, 0, sizeof(sc));
	r = parse_opts(argc, argv, &o);
	if (r != CLI_CONTINUE)
		return r;
	r = load_inputs(&o, &sc, &obs, &topo, &have_topo);
	if (!r && report_init(&rep, o.mesh ? o.mesh : have_topo && *topo.mesh_name ? topo.mesh_name : "unknown"))
		r = EXIT_FAILED;
	if (!r) {
		struct verify_input in = {
			.sc = &sc, .obs = &obs, .topo = have_topo ? &topo : NULL, .run = o.run,
			.capture_name = o.observations,
		};

		if (verify_scenario(&in, &rep))
			r = EXIT_USAGE;
	}
	if (!r && o.out && report_write_dir(&rep, o.out))
		r = EXIT_FAILED;
	if (!r && print(&rep, o.format))
		r = EXIT_FAILED;
	if (!r)
		r = report_exit_code(&rep);
	report_free(&rep);
	topo_free(&topo);
	obs_free(&obs);
	scenario_free(&sc);
	return r;
}

const struct command cmd_verify = {
	.name = "verify",
	.summary = "judge recorded observations against a scenario (offline, deterministic)",
	.usage = "smi-witness verify --observations FILE --scenario FILE [--intent FILE]... [OPTIONS]",
	.options =
		"  -o, --observations FILE  observation records (JSON lines, .gz allowed)\n"
		"  -s, --scenario FILE      the scenario that was run (docs/scenarios.md)\n"
		"  -i, --intent FILE        the driver's intent records (repeatable)\n"
		"  -I, --inventory FILE     pods and services (default: the one the capture names)\n"
		"  -r, --run ID             which run to judge when the records hold several\n"
		"  -m, --mesh NAME          mesh name for the reports (default: from the inventory)\n"
		"  -O, --out DIR            also write report.json, junit.xml, meshery.json, charts/*.svg\n"
		"  -f, --format FMT         stdout format: table (default), json, junit, meshery\n",
	.examples =
		"  smi-witness verify -o out/split/observations.jsonl.gz -s specs/traffic-split.yaml \\\n"
		"      -i out/split/intent.jsonl -I out/split/inventory.json\n"
		"  smi-witness verify -o obs.jsonl -s specs/traffic-access.yaml -I inv.json --out report/\n"
		"  smi-witness -j verify -o obs.jsonl -s s.yaml -I inv.json | jq '.assertions[] | select(.verdict != \"PASS\")'\n"
		"\n"
		"Exit status: 0 every assertion PASS, 1 a FAIL, 3 INCONCLUSIVE (no FAIL), 2 invalid input.\n",
	.run = run,
};
