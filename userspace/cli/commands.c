/* commands.c - the subcommand table, in the order `smi-witness help` lists it. */
#include <stddef.h>

#include "cli/cli.h"

extern const struct command cmd_doctor;
extern const struct command cmd_lint;
extern const struct command cmd_lab;
extern const struct command cmd_drive;

const struct command *const commands[] = {
	&cmd_doctor,
	&cmd_lint,
	&cmd_lab,
	&cmd_drive,
	NULL
};
