/* cmd_doctor.c - `smi-witness doctor`: which kernel features work on this node. */
#include <stdio.h>
#include <jansson.h>

#include "cli/cli.h"
#include "doctor/doctor.h"
#include "util/log.h"

#define MAX_PROBES 32

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
	missing = doctor_missing(res, n);
	if (log_json) {
		doctor_print_json(res, n, missing, stdout);
	} else {
		doctor_print_table(res, n, stdout);
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
