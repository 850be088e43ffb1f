/* commands.c - the subcommand table, in the order `smi-witness help` lists it. */
#include <stddef.h>

#include "cli/cli.h"

extern const struct command cmd_doctor;
extern const struct command cmd_metrics;

const struct command *const commands[] = {
	&cmd_doctor,
	&cmd_metrics,
	NULL
};
