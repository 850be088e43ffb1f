/* exitcode.h - the process exit codes every command returns (documented in `smi-witness help`). */
#ifndef SMIW_UTIL_EXITCODE_H
#define SMIW_UTIL_EXITCODE_H

/*
 * Process exit codes of every command. A CI job tells a mesh that failed
 * (1) from input it got wrong (2) and from a machine that could not run
 * the check at all (4).
 */
enum {
	EXIT_OK = 0,	/* success / PASS */
	EXIT_FAILED = 1,	/* the check ran and said no: a FAIL, a missing kernel feature, a lab not healthy */
	EXIT_USAGE = 2,	/* bad command line or invalid input; nothing was created or torn down */
	EXIT_INCONCLUSIVE = 3,	/* a verdict could not be reached on the data */
	EXIT_ERROR = 4,	/* could not run: the lab, the capture, a cluster, an agent or a file failed */
};

#endif
