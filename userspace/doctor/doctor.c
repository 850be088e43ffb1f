/* doctor.c - `smi-witness doctor`: which kernel features work on this node. */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "cli/cli.h"
#include "doctor/probes.h"
#include "util/log.h"

#define MAX_PROBES 32

static const char *status_word(const struct probe_result *r)
{
	return r->ok ? "ok" : r->required ? "MISSING" : "unavailable";
}

static void print_table(const struct probe_result *res, int n)
{
	printf("%-30s %-9s %-12s %-24s %s\n", "FEATURE", "REQUIRED", "STATUS", "VALUE", "DETAIL");
	for (int i = 0; i < n; i++)
		printf("%-30s %-9s %-12s %-24s %s\n", res[i].what, res[i].required ? "yes" : "no",
		       status_word(&res[i]), res[i].value[0] ? res[i].value : "-", res[i].detail);
}

static void print_json(const struct probe_result *res, int n, json_t *missing)
{
	json_t *features = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(features, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s}",
			"name", res[i].name, "what", res[i].what, "required", res[i].required,
			"status", res[i].ok ? "ok" : "unavailable", "value", res[i].value,
			"detail", res[i].detail));
	json_t *doc = json_pack("{s:o, s:b, s:O}", "features", features,
				"ok", json_array_size(missing) == 0, "missing", missing);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(doc);
}

static int run(int argc, char **argv)
{
	extern const struct command cmd_doctor;
	struct probe_result res[MAX_PROBES];
	json_t *missing;
	int r, n;

	r = cli_parse_common(argc, argv, &cmd_doctor);
	if (r != CLI_CONTINUE)
		return r;
	if (optind < argc) {
		error("doctor takes no arguments (got '%s')", argv[optind]);
		return EXIT_USAGE;
	}
	n = doctor_run_probes(res, MAX_PROBES);
	missing = json_array();
	for (int i = 0; i < n; i++)
		if (res[i].required && !res[i].ok)
			json_array_append_new(missing, json_string(res[i].name));
	if (log_json) {
		print_json(res, n, missing);
	} else {
		print_table(res, n);
		if (json_array_size(missing)) {
			fputs("\nerror: required kernel features missing:", stderr);
			for (size_t i = 0; i < json_array_size(missing); i++)
				fprintf(stderr, " %s", json_string_value(json_array_get(missing, i)));
			fputc('\n', stderr);
		} else {
			printf("\nall required features work on this node\n");
		}
	}
	r = json_array_size(missing) ? EXIT_FAILED : EXIT_OK;
	json_decref(missing);
	return r;
}

const struct command cmd_doctor = {
	.name = "doctor",
	.summary = "probe the kernel features capture needs, by really loading programs",
	.usage = "smi-witness doctor [-j] [-v]",
	.options = "",
	.examples =
		"  smi-witness doctor            # table of features and their status\n"
		"  smi-witness doctor -j | jq '.features[] | select(.status != \"ok\")'\n",
	.run = run,
};
