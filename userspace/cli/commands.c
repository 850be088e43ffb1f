/* commands.c - the subcommand table, in the order `smi-witness help` lists it. */
#include <stddef.h>

#include "cli/cli.h"

extern const struct command cmd_doctor;
extern const struct command cmd_lint;
extern const struct command cmd_agent;
extern const struct command cmd_fetch;
extern const struct command cmd_kube;

const struct command *const commands[] = {
	&cmd_doctor,
	&cmd_lint,
	&cmd_agent,
	&cmd_fetch,
	&cmd_kube,
	NULL
};
