/* operands.c - see operands.h */
#include "cli/operands.h"

int cli_next_opt(int argc, char **argv, const char *shortopts, const struct option *longopts,
		 char **ops, size_t *n_ops)
{
	for (;;) {
		int opt = getopt_long(argc, argv, shortopts, longopts, NULL);

		if (opt != -1 || optind >= argc)
			return opt;
		/* "--" ends the options: everything after it is an operand. */
		if (optind > 0 && argv[optind - 1][0] == '-' && argv[optind - 1][1] == '-' &&
		    argv[optind - 1][2] == '\0') {
			while (optind < argc)
				ops[(*n_ops)++] = argv[optind++];
			return -1;
		}
		ops[(*n_ops)++] = argv[optind++];
	}
}
