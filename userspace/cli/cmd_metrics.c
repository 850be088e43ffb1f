/* cmd_metrics.c - `smi-witness metrics check|export|scrape`: mesh-reported metrics against observed traffic. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "cli/cli.h"
#include "metrics/check.h"
#include "metrics/export.h"
#include "metrics/fetch.h"
#include "metrics/observed.h"
#include "util/log.h"
#include "util/parse.h"

extern const struct command cmd_metrics;

#define MAX_LIST 64

struct list {
	const char *v[MAX_LIST];
	size_t n;
};

static int list_add(struct list *l, const char *what, const char *v)
{
	if (l->n == MAX_LIST) {
		error("too many %s options (at most %d)", what, MAX_LIST);
		return -1;
	}
	l->v[l->n++] = v;
	return 0;
}

/* Exit code for a library error: bad input is a usage problem, the rest a failure. */
static int fail_exit(int r, const char *err)
{
	if (*err)	/* empty: already printed by the observation reader */
		error("%s", err);
	return r == -EINVAL || r == -ENOENT ? EXIT_USAGE : EXIT_ERROR;
}

static int parse_window(const char *s, struct mx_window *w)
{
	char a[32];
	const char *dots = strstr(s, "..");

	if (!dots || (size_t)(dots - s) >= sizeof(a))
		return -EINVAL;
	snprintf(a, sizeof(a), "%.*s", (int)(dots - s), s);
	if (parse_u64(a, 0, UINT64_MAX, &w->start_ns) || parse_u64(dots + 2, 0, UINT64_MAX, &w->end_ns) ||
	    w->end_ns < w->start_ns)
		return -EINVAL;
	w->set = true;
	return 0;
}

/* Options check, export and scrape share; `which` says which are valid. */
enum { OPT_OBS = 1, OPT_BEFORE, OPT_AFTER, OPT_PROFILE, OPT_EDGE, OPT_WINDOW, OPT_MESH_POD,
       OPT_INVENTORY, OPT_SCRAPE_OF, OPT_FORMAT, OPT_OUTPUT };

struct opts {
	struct metrics_check_req req;
	struct list edges, mesh_pods;
	const char *format, *output;
};

/* The options that only store (cli_store_opt()). */
static const struct cli_store stores[] = {
	CLI_STR(OPT_OBS, struct opts, req.observations), CLI_STR(OPT_BEFORE, struct opts, req.before),
	CLI_STR(OPT_AFTER, struct opts, req.after), CLI_STR(OPT_PROFILE, struct opts, req.profile),
	CLI_STR(OPT_INVENTORY, struct opts, req.inventory), CLI_STR(OPT_SCRAPE_OF, struct opts, req.scrape_of),
	CLI_STR(OPT_FORMAT, struct opts, format), CLI_STR('o', struct opts, output),
};

/* Parses check's, export's and scrape's options into o. Returns CLI_CONTINUE, or an exit code after printing. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "observations", required_argument, NULL, OPT_OBS },
		{ "before", required_argument, NULL, OPT_BEFORE },
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "reported", required_argument, NULL, OPT_AFTER },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "edge", required_argument, NULL, OPT_EDGE },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "mesh-pod", required_argument, NULL, OPT_MESH_POD },
		{ "inventory", required_argument, NULL, OPT_INVENTORY },
		{ "scrape-of", required_argument, NULL, OPT_SCRAPE_OF },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ 0 }
	};
	/* Without the leading '+': options may follow the operand of `scrape`. */
	static const char shortopts[] = CLI_COMMON_SHORTOPTS "o:";
	int opt, r;

	while ((opt = getopt_long(argc, argv, shortopts + (shortopts[0] == '+'), longopts, NULL)) != -1) {
		if (cli_store_opt(opt, stores, sizeof(stores) / sizeof(stores[0]), o))
			continue;
		switch (opt) {
		case OPT_EDGE:
			if (list_add(&o->edges, "--edge", optarg))
				return EXIT_USAGE;
			break;
		case OPT_MESH_POD:
			if (list_add(&o->mesh_pods, "--mesh-pod", optarg))
				return EXIT_USAGE;
			break;
		case OPT_WINDOW:
			if (parse_window(optarg, &o->req.window)) {
				error("--window '%s': expected START_NS..END_NS (CLOCK_MONOTONIC, start <= end)", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_metrics)) != CLI_CONTINUE)
				return r;
		}
	}
	o->req.edges = o->edges.v;
	o->req.nedges = o->edges.n;
	o->req.mesh_pods = o->mesh_pods.v;
	o->req.nmesh_pods = o->mesh_pods.n;
	return CLI_CONTINUE;
}

static int run_check(struct opts *o)
{
	struct metrics_result *res;
	char err[1024];
	int r;

	if (!o->req.observations || !o->req.after) {
		error("metrics check needs --observations and --after (see 'smi-witness metrics --help')");
		return EXIT_USAGE;
	}
	r = metrics_check(&o->req, &res, err, sizeof(err));
	if (r)
		return fail_exit(r, err);
	if (log_json) {
		json_t *j = metrics_result_json(res);

		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		metrics_result_print(res, stdout);
	}
	r = verdict_exit_code(res->verdict);
	metrics_result_free(res);
	return r;
}

static int write_out(const char *path, const char *text)
{
	FILE *f = path && strcmp(path, "-") ? fopen(path, "w") : stdout;

	if (!f)
		return error_errno(errno, "cannot write '%s'", path);
	fputs(text, f);
	if (f != stdout ? fclose(f) : fflush(f))
		return error_errno(errno, "cannot write '%s'", path ? path : "stdout");
	return 0;
}

static int load_mesh(const struct opts *o, const struct obs_set *obs, struct mx_meshinfo *mesh)
{
	const char *inv = o->req.inventory ? o->req.inventory
			: obs->meta.inventory && *obs->meta.inventory ? obs->meta.inventory : NULL;
	char err[1024];

	for (size_t i = 0; i < o->mesh_pods.n; i++)
		if (mx_meshinfo_add_pod(mesh, o->mesh_pods.v[i]))
			return error("out of memory");
	if (inv && (o->req.inventory || !access(inv, R_OK)) &&
	    mx_meshinfo_from_inventory(mesh, inv, err, sizeof(err)))
		return error("%s", err);
	return 0;
}

static int run_export(struct opts *o)
{
	struct mx_meshinfo mesh = { 0 };
	struct obs_set *obs = NULL;
	char *text = NULL;
	bool tm;
	int r;

	if (!o->req.observations) {
		error("metrics export needs --observations");
		return EXIT_USAGE;
	}
	if (o->format && strcmp(o->format, "prometheus") && strcmp(o->format, "trafficmetrics")) {
		error("--format '%s': expected prometheus or trafficmetrics", o->format);
		return EXIT_USAGE;
	}
	tm = o->format && !strcmp(o->format, "trafficmetrics");
	r = mx_obs_open(o->req.observations, &obs);	/* prints what is wrong */
	if (r)
		return r == -EINVAL ? EXIT_USAGE : EXIT_ERROR;
	r = load_mesh(o, obs, &mesh) ? EXIT_USAGE : EXIT_OK;
	if (!r) {
		if (tm) {
			json_t *doc = mx_export_trafficmetrics(obs, &mesh);

			char *j = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;

			if (j && asprintf(&text, "%s\n", j) < 0)
				text = NULL;
			free(j);
			json_decref(doc);
		} else {
			text = mx_export_prometheus(obs, &mesh, MX_EXPORT_CAPTURE_COUNTERS);
		}
		if (!text)
			r = (error("out of memory"), EXIT_ERROR);
		else if (write_out(o->output, text))
			r = EXIT_ERROR;
	}
	free(text);
	mx_obs_close(obs);
	mx_meshinfo_release(&mesh);
	return r;
}

/* Fetches and validates an exposition; saves it with -o (the runner's before/after scrapes). */
static int run_scrape(struct opts *o, int argc, char **argv)
{
	struct prom_scrape *sc;
	size_t counts[PROM_GAUGEHISTOGRAM + 1] = { 0 };
	char err[1024], *text;
	uint64_t mono;
	size_t len;
	int r;

	if (optind != argc - 1) {
		error("metrics scrape takes one file or URL");
		return EXIT_USAGE;
	}
	r = fetch_document(argv[optind], &text, &len, &mono, err, sizeof(err));
	if (r)
		return fail_exit(r, err);
	r = prom_parse(text, len, argv[optind], &sc, err, sizeof(err));
	if (r) {
		free(text);
		return fail_exit(r, err);
	}
	if (o->output && write_out(o->output, text)) {
		free(text);
		prom_scrape_free(sc);
		return EXIT_ERROR;
	}
	free(text);
	for (size_t i = 0; i < sc->nsamples; i++)
		counts[prom_sample_type(sc, &sc->samples[i])]++;
	if (log_json) {
		json_t *types = json_object(), *j;

		for (int t = 0; t <= PROM_GAUGEHISTOGRAM; t++)
			if (counts[t])
				json_object_set_new(types, prom_type_name(t), json_integer((json_int_t)counts[t]));
		j = json_pack("{s:s, s:I, s:I, s:I, s:b, s:o}", "source", sc->source,
			      "families", (json_int_t)sc->nfamilies, "samples", (json_int_t)sc->nsamples,
			      "mono_ns", (json_int_t)(fetch_is_url(argv[optind]) ? mono : 0),
			      "eof_marker", sc->eof_marker, "samples_by_type", types);
		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("%s: %zu families, %zu samples", sc->source, sc->nfamilies, sc->nsamples);
		for (int t = 0; t <= PROM_GAUGEHISTOGRAM; t++)
			if (counts[t])
				printf(", %zu %s", counts[t], prom_type_name(t));
		if (fetch_is_url(argv[optind]))
			printf(" (CLOCK_MONOTONIC %llu ns)", (unsigned long long)mono);
		putchar('\n');
	}
	prom_scrape_free(sc);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct opts o = { 0 };
	const char *sub;
	int r;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cli_usage(&cmd_metrics, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "check") && strcmp(sub, "export") && strcmp(sub, "scrape")) {
		error("unknown metrics subcommand '%s' (check, export, scrape)", sub);
		return EXIT_USAGE;
	}
	optind = 0;
	r = parse_opts(argc - 1, argv + 1, &o);
	if (r != CLI_CONTINUE)
		return r;
	if (!strcmp(sub, "scrape"))
		return run_scrape(&o, argc - 1, argv + 1);
	if (optind != argc - 1) {
		error("unexpected argument '%s'", argv[optind + 1]);
		return EXIT_USAGE;
	}
	return !strcmp(sub, "check") ? run_check(&o) : run_export(&o);
}

const struct command cmd_metrics = {
	.name = "metrics",
	.summary = "cross-check mesh-reported metrics against observed traffic; export observed metrics",
	.usage =
		"smi-witness metrics check --observations FILE --after SCRAPE [--before SCRAPE]\n"
		"                          [--profile NAME|FILE] [--edge SRC=DST]... [options]\n"
		"       smi-witness metrics export --observations FILE [--format prometheus|trafficmetrics] [-o FILE]\n"
		"       smi-witness metrics scrape FILE|URL [-o FILE]",
	.options =
		"  check: compare the mesh's numbers per edge (source -> destination) with the exchanges\n"
		"  observed in the window: success and failure counts, p50/p90/p99 latency.\n"
		"      --observations FILE  exchange records (JSON lines, .gz too)\n"
		"      --before SCRAPE      exposition scraped before the step (file, - or http(s) URL)\n"
		"      --after SCRAPE       exposition scraped after the step, or an SMI TrafficMetrics /\n"
		"                           TrafficMetricsList JSON document (then no --before)\n"
		"      --profile NAME|FILE  mapping profile: haproxy, linkerd, linkerd-inbound, istio, osm,\n"
		"                           envoy, consul, smi-witness, or a .yaml file (specs/metrics-profiles/)\n"
		"      --edge SRC=DST       check only this edge; ends are NAME, NS/NAME or * (repeatable)\n"
		"      --window A..B        the step's window, CLOCK_MONOTONIC ns (default: the fetch times\n"
		"                           of two URL scrapes, else every exchange in the file)\n"
		"      --mesh-pod NS/NAME   a pod that is the mesh (repeatable; also read from the inventory)\n"
		"      --inventory FILE     inventory naming the mesh (default: the one the observations name)\n"
		"      --scrape-of NS/NAME  workload whose proxy was scraped (for per-proxy scrapes)\n"
		"  export: the observed per-edge metrics, as a mesh would report them.\n"
		"      --format F           prometheus (default) or trafficmetrics\n"
		"  -o, --output FILE        write there instead of stdout (scrape: save the exposition)\n",
	.examples =
		"  smi-witness lab exec app-a -- smi-witness metrics scrape http://198.18.1.250:8405/metrics -o before.prom\n"
		"  smi-witness metrics check --observations tests/fixtures/metrics/obs-lab.jsonl \\\n"
		"      --before tests/fixtures/metrics/haproxy-before.prom --after tests/fixtures/metrics/haproxy-after.prom \\\n"
		"      --profile haproxy --mesh-pod default/mesh --edge '*=default/app-b'\n"
		"  smi-witness -j metrics check --observations tests/fixtures/metrics/obs-lab.jsonl \\\n"
		"      --after tests/fixtures/metrics/tm-linkerd.json --profile linkerd\n"
		"  smi-witness metrics export --observations tests/fixtures/metrics/obs-lab.jsonl --format trafficmetrics\n"
		"(The lab's mesh answers on lab addresses, reached from inside a pod only. The files named\n"
		"are in the source tree; a run records its own under OUT/MESH/SCENARIO/metrics/.)\n",
	.run = run,
};
