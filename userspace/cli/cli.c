/* cli.c - see cli.h */
#include <string.h>

#include "cli/cli.h"
#include "util/log.h"
#include "util/parse.h"
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

int cli_opt_u64(const char *name, const char *arg, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (!parse_u64(arg, lo, hi, out))
		return CLI_CONTINUE;
	error("--%s: '%s' is not an integer in [%llu, %llu]", name, arg, (unsigned long long)lo,
	      (unsigned long long)hi);
	return EXIT_USAGE;
}

int cli_opt_double(const char *name, const char *arg, double lo, double hi, double *out)
{
	if (!parse_double(arg, lo, hi, out))
		return CLI_CONTINUE;
	error("--%s: '%s' is not a number in [%g, %g]", name, arg, lo, hi);
	return EXIT_USAGE;
}

int cli_opt_duration(const char *name, const char *arg, uint64_t max_ns, bool nonzero,
		     uint64_t *out)
{
	const uint64_t s = 1000000000ull;
	char max[32];

	if (!parse_duration_ns(arg, max_ns, out) && (*out || !nonzero))
		return CLI_CONTINUE;
	/* The bound in the unit a person would write it in. */
	if (max_ns % (3600 * s) == 0)
		snprintf(max, sizeof(max), "%lluh", (unsigned long long)(max_ns / (3600 * s)));
	else if (max_ns % (60 * s) == 0)
		snprintf(max, sizeof(max), "%llum", (unsigned long long)(max_ns / (60 * s)));
	else
		snprintf(max, sizeof(max), "%llums", (unsigned long long)(max_ns / 1000000));
	error("--%s: '%s' is not a duration %sup to %s (e.g. 250ms, 10s, 2m)", name, arg,
	      nonzero ? "above 0 and " : "", max);
	return EXIT_USAGE;
}

bool cli_store_opt(int opt, const struct cli_store *t, size_t n, void *opts)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].opt != opt)
			continue;
		char *field = (char *)opts + t[i].off;
		if (t[i].kind == CLI_STORE_STR)
			memcpy(field, &optarg, sizeof(optarg));
		else
			*(bool *)field = t[i].kind == CLI_STORE_TRUE;
		return true;
	}
	return false;
}
