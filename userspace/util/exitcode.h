/* exitcode.h - the process exit codes every command returns (documented in `smi-witness help`). */
#ifndef SMIW_UTIL_EXITCODE_H
#define SMIW_UTIL_EXITCODE_H

/* Process exit codes of every command. */
enum {
	EXIT_OK = 0,	/* success / PASS */
	EXIT_FAILED = 1,	/* the check ran and something failed (FAIL, missing feature) */
	EXIT_USAGE = 2,	/* bad command line or invalid input */
	EXIT_INCONCLUSIVE = 3,	/* a verdict could not be reached on the data */
};

#endif
