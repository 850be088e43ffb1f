/*
 * reqid.h - the request-id scheme that ties every observed exchange to the
 * scenario step and traffic entry that sent it. The scenario runner gives
 * the traffic driver a run id of RUN.STEP.TRAFFIC (or RUN.STEP.TRAFFIC.cROUND
 * for a round of convergence probes) and the driver numbers its requests
 * RUNID-SEQ, SEQ counting from 1:
 *
 *   RUN.STEP.TRAFFIC-SEQ          a measured request    (e.g. r7f3a9c2.3.1-17)
 *   RUN.STEP.TRAFFIC.cROUND-SEQ   a convergence probe   (e.g. r7f3a9c2.3.1.c4-1)
 *
 * RUN is 1-40 characters of [A-Za-z0-9_-]; STEP and TRAFFIC are the 1-based
 * positions in the scenario file.
 */
#ifndef SMIW_SCENARIO_REQID_H
#define SMIW_SCENARIO_REQID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REQID_RUN_MAX 40

struct reqid {
	char run[REQID_RUN_MAX + 1];
	unsigned step, traffic;
	bool probe;
	uint64_t round;		/* probes only */
	uint64_t seq;
};

/* Parses a request id. Returns 0, or -EINVAL when it does not follow the scheme. */
int reqid_parse(const char *s, struct reqid *out);

/*
 * Writes the driver run id for a traffic entry ("RUN.STEP.TRAFFIC"), or for
 * probe round `round` when probe is true ("RUN.STEP.TRAFFIC.cROUND").
 * Returns 0, or -EINVAL (bad run) / -ENOSPC.
 */
int reqid_prefix(char *buf, size_t len, const char *run, unsigned step, unsigned traffic,
		 bool probe, uint64_t round);

/* 1 when `run` is a valid run id. */
int reqid_valid_run(const char *run);

#endif
