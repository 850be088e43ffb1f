/*
 * traffic.h - sending a scenario's traffic: the traffic driver runs inside
 * the source pod (its network namespace and cgroup, through the lab), so
 * the mesh sees the pod's own address and the kernel attributes the
 * requests to the pod. Requests go through the pod's learn-layer5 /call
 * (via: call) or straight from the pod (via: direct).
 */
#ifndef SMIW_RUN_TRAFFIC_H
#define SMIW_RUN_TRAFFIC_H

#include <stdint.h>

#include "lab/cmd.h"
#include "scenario/scenario.h"

/* The port the sample app listens on inside every pod (its /call endpoint). */
#define TRAFFIC_CALL_PORT 9091

struct traffic_job {
	const struct sc_traffic *t;
	const char *run_id;		/* the driver's run id: RUN.STEP.TRAFFIC[.cROUND] */
	uint64_t count, duration_ns;	/* one of them */
	unsigned concurrency;
	const char *intent_path;	/* the driver's intent records */
	const char *log_path;		/* the driver's output is appended here */
};

/*
 * Runs the driver for one job in the source pod and waits for it. Returns
 * 0 when the driver ran (whatever the requests' outcomes: judging them is
 * the verifier's job), or -1 after printing why it could not run.
 */
int traffic_send(const struct lab_opts *lab, const struct traffic_job *j);

/*
 * Calls fn(arg) with stdout and stderr appended to log_path (the lab's
 * tables and the driver's summary belong in logs, not in the run's output).
 * Returns fn's result, or -1 when the log cannot be opened.
 */
int with_output_to(const char *log_path, int (*fn)(void *arg), void *arg);

#endif
