/*
 * reqid.h - the request-id scheme that ties every observed exchange to the
 * scenario step and traffic entry that sent it.
 *
 *   RUN.STEP.TRAFFIC.SEQ      a measured request   (e.g. r7f3a9c2.3.1.17)
 *   RUN.STEP.TRAFFIC.cSEQ     a convergence probe  (e.g. r7f3a9c2.3.1.c4)
 *
 * RUN is 1-64 characters of [A-Za-z0-9_-]; STEP and TRAFFIC are the 1-based
 * positions in the scenario file; SEQ counts from 0 within the entry.
 */
#ifndef SMIW_VERIFY_REQID_H
#define SMIW_VERIFY_REQID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REQID_RUN_MAX 64

struct reqid {
	char run[REQID_RUN_MAX + 1];
	unsigned step, traffic;
	bool probe;
	uint64_t seq;
};

/* Parses a request id. Returns 0, or -EINVAL when it does not follow the scheme. */
int reqid_parse(const char *s, struct reqid *out);

/* Writes the id into buf. Returns 0, or -EINVAL (bad run) / -ENOSPC. */
int reqid_format(char *buf, size_t len, const char *run, unsigned step, unsigned traffic,
		 bool probe, uint64_t seq);

/* 1 when `run` is a valid run id. */
int reqid_valid_run(const char *run);

#endif
