/* commands.c - the subcommand table, in the order `smi-witness help` lists it. */
#include <stddef.h>

#include "cli/cli.h"

extern const struct command cmd_doctor;
extern const struct command cmd_verify;
extern const struct command cmd_matrix;
extern const struct command cmd_power;
extern const struct command cmd_metrics;

const struct command *const commands[] = {
	&cmd_doctor,
	&cmd_verify,
	&cmd_matrix,
	&cmd_power,
	&cmd_metrics,
	NULL
};
