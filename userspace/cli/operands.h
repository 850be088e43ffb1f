/* operands.h - option parsing for commands whose operands may come before, between or after options. */
#ifndef SMIW_CLI_OPERANDS_H
#define SMIW_CLI_OPERANDS_H

#include <getopt.h>
#include <stddef.h>

/*
 * getopt_long() that steps over operands, appending them to ops (room for
 * argc entries): `matrix a.json b.json --out dir` works although the option
 * strings start with '+'. Returns the next option, or -1 when argv is done.
 */
int cli_next_opt(int argc, char **argv, const char *shortopts, const struct option *longopts,
		 char **ops, size_t *n_ops);

#endif
