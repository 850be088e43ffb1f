/* cli.c - see cli.h */
#include <string.h>

#include "cli/cli.h"
#include "util/log.h"
#include "util/term.h"

const struct command *cli_find(const char *name)
{
	for (const struct command *const *c = commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

void cli_usage(const struct command *cmd, FILE *f)
{
	fprintf(f, "Usage: %s\n\n%s\n", cmd->usage, cmd->summary);
	if (cmd->options && *cmd->options)
		fprintf(f, "\nOptions:\n%s", cmd->options);
	if (cmd->more_help)
		cmd->more_help(f);
	fputs("\nCommon options:\n" CLI_COMMON_HELP, f);
	if (cmd->examples && *cmd->examples)
		fprintf(f, "\nEXAMPLES\n%s", cmd->examples);
	fputs("\n" CLI_EXIT_HELP, f);
}

int cli_common_opt(int opt, const struct command *cmd)
{
	switch (opt) {
	case 'v':
		log_verbose++;
		return CLI_CONTINUE;
	case 'j':
		log_json = true;
		return CLI_CONTINUE;
	case 'q':
		log_quiet = true;
		return CLI_CONTINUE;
	case CLI_OPT_COLOR:
		if (term_color_parse(optarg)) {
			error("--color: '%s' is not one of auto, always, never", optarg);
			return EXIT_USAGE;
		}
		return CLI_CONTINUE;
	case 'h':
		cli_usage(cmd, stdout);
		return EXIT_OK;
	default:
		/* getopt already printed what was wrong. */
		fprintf(stderr, "Try 'smi-witness %s --help'.\n", cmd->name);
		return EXIT_USAGE;
	}
}

int cli_parse_common(int argc, char **argv, const struct command *cmd)
{
	static const struct option longopts[] = { CLI_COMMON_LONGOPTS, { 0 } };
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1)
		if ((r = cli_common_opt(opt, cmd)) != CLI_CONTINUE)
			return r;
	return CLI_CONTINUE;
}
