/*
 * traffic.h - sending a scenario's traffic: the traffic driver runs inside
 * the source pod (in the lab: its network namespace and cgroup), so the
 * mesh sees the pod's own address and the kernel attributes the requests
 * to the pod. Requests go through the pod's learn-layer5 /call (via: call)
 * or straight from the pod (via: direct). The target runs the driver.
 */
#ifndef SMIW_RUN_TRAFFIC_H
#define SMIW_RUN_TRAFFIC_H

#include <stdint.h>

#include "run/target.h"
#include "scenario/scenario.h"

/* The port the sample app listens on inside every pod (its /call endpoint). */
#define TRAFFIC_CALL_PORT 9091

/*
 * What the driver speaks (its command line: nothing, --http2, --grpc). The
 * runner knows the driver only by that command line, so this is its own enum.
 */
enum traffic_proto {
	TRAFFIC_H1,	/* HTTP/1.1, through /call where the entry says so */
	TRAFFIC_H2,	/* HTTP/2 over cleartext, straight from the pod */
	TRAFFIC_GRPC,	/* unary gRPC calls, straight from the pod */
};

struct traffic_job {
	const struct sc_traffic *t;
	const char *run_id;		/* the driver's run id: RUN.STEP.TRAFFIC[.cROUND] */
	uint64_t count, duration_ns;	/* one of them */
	unsigned concurrency;
	const char *intent_path;	/* the driver's intent records */
	const char *log_path;		/* the driver's output is appended here */
	enum traffic_proto protocol;	/* HTTP/2 and gRPC go straight from the pod, never through /call */
	const char *pod_addr;		/* `address: pod`: the pod's own address, sent to instead of the Service */
};

/* HTTP/2 and gRPC: requests in flight per connection (the driver's --streams). */
#define TRAFFIC_H2_STREAMS 4

#define TRAFFIC_MAX_ARGS (32 + 2 * SC_MAX_HEADERS)

/* The driver's command line for one job, and the text it points into. */
struct traffic_argv {
	char *argv[TRAFFIC_MAX_ARGS];	/* "smi-witness", "-j", "drive", ..., NULL */
	char n[32], d[32], c[16], url[512], via[64], streams[16];
	char *hdr[SC_MAX_HEADERS];
	size_t nh;
};

/*
 * Fills a with `smi-witness -j drive ...` for job j (j must outlive a).
 * Free with traffic_argv_free().
 */
void traffic_driver_argv(struct traffic_argv *a, const struct traffic_job *j);

/* Frees what traffic_driver_argv() allocated. */
void traffic_argv_free(struct traffic_argv *a);

/*
 * Has the target run the driver for one job in the source pod and waits
 * for it. Returns 0 when the driver ran (whatever the requests' outcomes:
 * judging them is the verifier's job), or -1 after printing why it could
 * not run.
 */
int traffic_send(struct target *t, const struct traffic_job *j);

/*
 * As traffic_send() for jobs[0..n), sent at the same time when the target
 * can (target.h drive_all), else one after the other. Returns 0 when every
 * driver ran, or -1 after printing which could not.
 */
int traffic_send_all(struct target *t, const struct traffic_job *jobs, size_t n);

#endif
