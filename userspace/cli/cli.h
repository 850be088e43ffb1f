/* cli.h - the subcommand table and option handling shared by every command. */
#ifndef SMIW_CLI_H
#define SMIW_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/exitcode.h"

/* One subcommand: help texts and its entry point (argv[0] is the command name). */
struct command {
	const char *name;
	const char *summary;	/* one line, for `smi-witness help` */
	const char *usage;	/* synopsis lines */
	const char *options;	/* option descriptions, one per line */
	const char *examples;	/* the EXAMPLES block */
	void (*more_help)(FILE *f);	/* lists found at help time (shipped suites), after the options; or NULL */
	int (*run)(int argc, char **argv);
};

/* NULL-terminated table of every subcommand, in help order. */
extern const struct command *const commands[];

/* Returns the command called `name`, or NULL. */
const struct command *cli_find(const char *name);

/* Prints the full help of `cmd` (usage, options, common options, examples). */
void cli_usage(const struct command *cmd, FILE *f);

/* Options every command accepts, to splice into its own getopt tables. */
#define CLI_COMMON_SHORTOPTS "+vjhq"
#define CLI_OPT_COLOR 0x1c0	/* --color has no short form */
#define CLI_COMMON_LONGOPTS \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "color", required_argument, NULL, CLI_OPT_COLOR }, \
	{ "help", no_argument, NULL, 'h' }

/* The common options' help lines (main.c and every command's --help). */
#define CLI_COMMON_HELP \
	"  -j, --json      machine-readable JSON output (errors as {\"error\": \"...\"})\n" \
	"  -q, --quiet     no progress; verdict tables show only what did not pass\n" \
	"      --color=WHEN  colour: auto (default: a terminal, unless NO_COLOR is set), always, never\n" \
	"  -v, --verbose   more detail (libbpf messages included)\n" \
	"  -h, --help      this help\n"

/* The exit codes, as every --help ends. */
#define CLI_EXIT_HELP \
	"Exit status: 0 PASS / done, 1 FAIL (the check said no), 2 invalid input (nothing was\n" \
	"created or torn down), 3 INCONCLUSIVE, 4 could not run (lab, capture, cluster, files).\n"

#define CLI_CONTINUE (-1)

/*
 * Handles a getopt result that the command itself did not: -v, -j, -q,
 * --color, -h and errors. Returns CLI_CONTINUE to keep parsing, or the
 * exit code to return.
 */
int cli_common_opt(int opt, const struct command *cmd);

/*
 * Parses only the common options (for commands with no options of their
 * own). Returns CLI_CONTINUE with optind set past them, or an exit code.
 */
int cli_parse_common(int argc, char **argv, const struct command *cmd);

/*
 * Typed option values, so that every command reads a number the same way and
 * says the same thing when it cannot: "--NAME: 'ARG' is not ... in [lo, hi]".
 * Each returns CLI_CONTINUE with *out set, or EXIT_USAGE after printing that.
 */
int cli_opt_u64(const char *name, const char *arg, uint64_t lo, uint64_t hi, uint64_t *out);
int cli_opt_double(const char *name, const char *arg, double lo, double hi, double *out);
/* As above for a duration ("250ms", "10s", "2m"): above 0 when nonzero is set. */
int cli_opt_duration(const char *name, const char *arg, uint64_t max_ns, bool nonzero,
		     uint64_t *out);

/*
 * Options that only store: a string option keeps optarg, a flag sets (or
 * clears) a bool. A command lists them in a table beside its getopt table, and
 * its switch keeps only the options that check or convert their argument.
 * The macros fail to compile when the field is not of the kind they store.
 */
enum cli_store_kind { CLI_STORE_STR, CLI_STORE_TRUE, CLI_STORE_FALSE };
struct cli_store {
	int opt;			/* the getopt result */
	enum cli_store_kind kind;
	size_t off;			/* offsetof the field in the command's options struct */
};
#define CLI_STR(o, type, field) \
	{ (o), CLI_STORE_STR, offsetof(type, field) + 0 * sizeof(&((type *)0)->field == (const char **)0) }
#define CLI_SET(o, type, field) \
	{ (o), CLI_STORE_TRUE, offsetof(type, field) + 0 * sizeof(&((type *)0)->field == (bool *)0) }
#define CLI_CLEAR(o, type, field) \
	{ (o), CLI_STORE_FALSE, offsetof(type, field) + 0 * sizeof(&((type *)0)->field == (bool *)0) }

/*
 * Stores optarg or the flag into opts for the entry of t (n entries) that
 * names opt. Returns false when none does (the caller goes on to its own
 * cases or to cli_common_opt()).
 */
bool cli_store_opt(int opt, const struct cli_store *t, size_t n, void *opts);

#endif
