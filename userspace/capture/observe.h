/* observe.h - a capture of watched pods written as observation records, until a duration or a signal. */
#ifndef SMIW_CAPTURE_OBSERVE_H
#define SMIW_CAPTURE_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

struct observe_opts {
	const char *inventory;		/* watch its pods and name them in records; may be NULL */
	const char *out;		/* records file ("-" or NULL: standard output; ".gz": gzip) */
	const char *const *cgroups;	/* cgroup v2 directories watched with those below them */
	int ncgroups;
	uint64_t duration_ns;		/* 0: until SIGINT or SIGTERM */
	uint64_t stats_ns;		/* a stats record this often; 0: only the end record */
	uint64_t snaplen, ring_bytes;	/* 0: capture's defaults */
	bool unredacted;		/* keep credential header values */
	int backend;			/* enum capture_backend (0: auto) */
	const char *const *response_headers;	/* response header names kept at client exchanges */
	unsigned n_response_headers;
};

/*
 * Loads the inventory, attaches the capture to every pod of it and every
 * cgroup given, and writes records to o->out until the duration passes or
 * SIGINT/SIGTERM arrives (handlers installed here); a live line on a
 * terminal's stderr, a summary at the end (JSON on stdout with -j when
 * records go to a file). Errors are reported as they happen. Returns the
 * exit code (util/exitcode.h): EXIT_OK after the duration or a signal,
 * EXIT_USAGE when there is nothing to watch (a bad inventory, a missing
 * cgroup), EXIT_ERROR when capture or writing failed.
 */
int observe_run(const struct observe_opts *o);

#endif
