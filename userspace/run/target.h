/*
 * target.h - where a run happens. The runner takes a scenario through
 * these operations only: it decides what to apply, what traffic to send
 * and when to scrape, and judges the records; a target knows how pods, the
 * mesh, the traffic driver and the capture are reached.
 *
 * Every operation prints why it failed; the target's own chatter (status
 * tables, reload notes) goes to the log the scenario gives it, not to the
 * run's output.
 *
 * The lab on this machine is one target (target_lab.c); a Kubernetes
 * cluster is the other (target_cluster.c, run/cluster.h): it fills the
 * same table with the API server's help:
 *
 *   (creation)     discovery of the SMI versions served (Gateway API's
 *                  reported); the versions to render in chosen from them.
 *   check          the pods and services each scenario names are in the
 *                  sample app, and its policy's SMI groups are served.
 *   prepare        leftovers of a killed run deleted (first time); the
 *                  sample app fitted to the mesh applied (or found there)
 *                  and waited for; SMI objects of ours deleted; the
 *                  access-control mode checked; the agents found and the
 *                  inventory written from theirs.
 *   apply          server-side apply of the objects under our field
 *                  manager, each labelled ours; ours no longer in force
 *                  deleted.
 *   drive          one numbered batch POSTed to the source pod's /call
 *                  through the API server's pod proxy.
 *   observe_*      the agents' records through the pod proxy, merged on
 *                  one timeline.
 *   scrape         the mesh's metrics through the pod or service proxy.
 *   mesh_running   the sample pods (and the mesh's) still ready, with sidecars.
 *   teardown       every object carrying our label deleted, with the
 *                  namespace when a run made it; also on SIGINT and SIGTERM.
 */
#ifndef SMIW_RUN_TARGET_H
#define SMIW_RUN_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inventory;
struct obs_set;
struct policy;
struct scenario;
struct traffic_job;

/* What a scenario asks of the target before its first step. */
struct target_scenario {
	bool access_control;	/* deny what no TrafficTarget allows */
	const char *log;	/* the target's own output is appended here */
	const char *inventory;	/* where to write the inventory of the pods */
};

/* The capture of one scenario. */
struct target_observe {
	const struct inventory *inv;	/* the pods watched; outlives the capture */
	const char *inventory_path;	/* named in the meta record */
	const char *out_path;	/* the observation file (".gz": compressed) */
	const char *run;	/* run id whose convergence probes are kept in memory */
	/* Response header names to keep at client exchanges (the scenario's routes name them); may be none. */
	const char *const *response_headers;
	unsigned n_response_headers;
};

/* drive(): nothing was sent, and the target printed why (it has no driver whose log to point at). */
#define TARGET_NOT_SENT (-1000)

struct target;

struct target_ops {
	/*
	 * Whether the target can run scenario sc, whose policy in force at
	 * each step is pol, decided before anything is made (NULL: no check):
	 * the pods and services it names exist, every policy can be applied.
	 * Returns 0, EXIT_USAGE after printing the first problem with file,
	 * line and field, or EXIT_ERROR after printing what the target lacks
	 * to run it (a cluster that serves no API of the policy's group).
	 */
	int (*check)(struct target *t, const struct scenario *sc, const struct policy *pol);

	/*
	 * Brings the target up in the scenario's access-control mode with no
	 * SMI object in force, writes the inventory to ts->inventory and loads
	 * it into *inv (caller frees). Returns 0 or -1 after printing.
	 */
	int (*prepare)(struct target *t, const struct target_scenario *ts, struct inventory **inv);

	/*
	 * Makes the SMI objects in the file `policy` (NULL: none) the whole
	 * policy in force and returns when the mesh applies it to new
	 * connections. Returns 0 or -1 after printing.
	 */
	int (*apply)(struct target *t, const char *policy);

	/*
	 * Sends the job's traffic from its source pod and waits for it.
	 * Returns the traffic driver's exit status (0, or 1 when some requests
	 * got no response), TARGET_NOT_SENT when it could not send and said
	 * why, or another value when the driver could not run.
	 */
	int (*drive)(struct target *t, const struct traffic_job *j);

	/*
	 * Sends the traffic of jobs[0..n) all at once, each from its source
	 * pod, and waits for every one: status[i] is what drive() would have
	 * returned for jobs[i]. Optional (NULL: the runner sends one after the
	 * other, as the cluster target has it: one API round trip per job).
	 */
	void (*drive_all)(struct target *t, const struct traffic_job *jobs, size_t n, int *status);

	/* Starts capturing. Returns 0 or -errno after printing. */
	int (*observe_start)(struct target *t, const struct target_observe *o);

	/* The probes and refused connects observed so far; unlock after reading. */
	const struct obs_set *(*observed_lock)(struct target *t);
	void (*observed_unlock)(struct target *t);

	/*
	 * Ends the capture and completes the observation file; nothing when no
	 * capture runs. Returns 0 or the first write error.
	 */
	int (*observe_stop)(struct target *t);

	/*
	 * Fetches the mesh's metrics document at `url` from where the mesh
	 * serves it, without a workload making the request: *text (caller
	 * frees) of *len bytes, complete at *mono_ns. Returns 0, or a negative
	 * errno with the reason in err.
	 */
	int (*scrape)(struct target *t, const char *url, char **text, size_t *len, uint64_t *mono_ns,
		      char *err, size_t errlen);

	/*
	 * Whether the mesh still runs. Returns 1, or 0 with `why` saying what
	 * is gone, or -1 after printing why it cannot be told.
	 */
	int (*mesh_running)(struct target *t, char *why, size_t len);

	/*
	 * Removes what the target made and puts back what it changed of what
	 * was there before (a lab the user had up stays up), its output
	 * appended to `log`. Says what it did. Returns 0 or -1 after a warning.
	 */
	int (*teardown)(struct target *t, const char *log);

	/* Frees t (teardown is separate: a kept target stays up). */
	void (*free)(struct target *t);
};

struct target {
	const struct target_ops *ops;
	const char *log_name;	/* the file name of its log in a scenario's directory */
};

/* What a run asks of the lab. */
struct target_lab_opts {
	const char *lab;	/* NULL: $SMIW_LAB or "smiw" */
	const char *topology;	/* NULL: the lab's (when up) or the default one */
	const char *mesh;	/* the variant */
	int capture_backend;	/* enum capture_backend (0: auto) */
	bool h2;	/* the mesh's HTTP hops to pods speak HTTP/2 */
};

/*
 * The lab as a target. Checks the options without touching the lab: the
 * name, the variant, and that a lab already up has the topology asked for
 * (a run uses a lab that is up, and leaves it up); the capture backend
 * is used when the run observes. Returns 0 with *out set, EXIT_USAGE after
 * printing which option is wrong, or EXIT_ERROR.
 */
int target_lab_new(const struct target_lab_opts *o, struct target **out);

#endif
