/* commands.c - the subcommand table, in the order `smi-witness help` lists it. */
#include <stddef.h>

#include "cli/cli.h"

extern const struct command cmd_doctor;
extern const struct command cmd_drive;
extern const struct command cmd_lab;
extern const struct command cmd_lint;

const struct command *const commands[] = {
	&cmd_lab,
	&cmd_lint,
	&cmd_drive,
	&cmd_doctor,
	NULL
};
