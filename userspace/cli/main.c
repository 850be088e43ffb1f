/* main.c - smi-witness entry point: global options, then the subcommand. */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cli/cli.h"
#include "util/log.h"

static void print_version(void)
{
	printf("smi-witness %s (%s), libbpf %d.%d\n", SMIW_VERSION, SMIW_GIT_REV,
	       libbpf_major_version(), libbpf_minor_version());
}

static void print_help(FILE *f)
{
	fputs("Usage: smi-witness [-v] [-j] COMMAND [ARGS...]\n\n"
	      "Verifies Service Mesh Interface (SMI) conformance from what the kernel\n"
	      "observed: real connections and HTTP exchanges, captured with eBPF.\n\n"
	      "Commands:\n", f);
	for (const struct command *const *c = commands; *c; c++)
		fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fputs("\nGlobal options (every command takes them too):\n" CLI_COMMON_HELP
	      "      --version   print the version (also: smi-witness version)\n\n"
	      "Run 'smi-witness help COMMAND' or 'smi-witness COMMAND --help' for details.\n"
	      CLI_EXIT_HELP, f);
}

/* libbpf talks only under -v; its warnings are otherwise noise for users. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!log_verbose || (level == LIBBPF_DEBUG && log_verbose < 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int run_help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		print_help(stdout);
		return EXIT_OK;
	}
	cmd = cli_find(argv[1]);
	if (!cmd) {
		error("unknown command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	cli_usage(cmd, stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const struct command *cmd;
	int opt;

	libbpf_set_print(libbpf_print);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			print_help(stdout);
			return EXIT_OK;
		case 'V':
			print_version();
			return EXIT_OK;
		default:
			if (opt != '?' && cli_common_opt(opt, NULL) == CLI_CONTINUE)
				break;
			fputs("Try 'smi-witness help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(argv[0], "help"))
		return run_help(argc, argv);
	if (!strcmp(argv[0], "version")) {
		print_version();
		return EXIT_OK;
	}
	cmd = cli_find(argv[0]);
	if (!cmd) {
		error("unknown command '%s' (see 'smi-witness help')", argv[0]);
		return EXIT_USAGE;
	}
	optind = 0;	/* commands parse their own options with getopt again */
	return cmd->run(argc, argv);
}
