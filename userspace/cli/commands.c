/* commands.c - the subcommand table, in the order `smi-witness help` lists it. */
#include <stddef.h>

#include "cli/cli.h"

extern const struct command cmd_agent;
extern const struct command cmd_doctor;
extern const struct command cmd_drive;
extern const struct command cmd_fetch;
extern const struct command cmd_kube;
extern const struct command cmd_lab;
extern const struct command cmd_lint;
extern const struct command cmd_matrix;
extern const struct command cmd_metrics;
extern const struct command cmd_observe;
extern const struct command cmd_power;
extern const struct command cmd_run;
extern const struct command cmd_verify;

const struct command *const commands[] = {
	&cmd_run,
	&cmd_verify,
	&cmd_lab,
	&cmd_observe,
	&cmd_drive,
	&cmd_lint,
	&cmd_metrics,
	&cmd_matrix,
	&cmd_power,
	&cmd_agent,
	&cmd_fetch,
	&cmd_kube,
	&cmd_doctor,
	NULL
};
