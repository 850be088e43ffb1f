/*
 * cluster_int.h - the cluster target's state, shared by its files:
 * target_cluster.c (the operations), cluster_app.c (the sample app and the
 * agents), cluster_drive.c (traffic through /call), cluster_obs.c (the
 * agents' observations and the mesh's metrics).
 */
#ifndef SMIW_RUN_CLUSTER_INT_H
#define SMIW_RUN_CLUSTER_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "agent/fetch.h"
#include "gateway/gateway.h"
#include "k8s/client.h"
#include "k8s/config.h"
#include "records/inventory.h"
#include "records/obs.h"
#include "run/cluster.h"
#include "run/target.h"
#include "scenario/reqid.h"
#include "scenario/scenario.h"

/* Annotations of the sample app's Namespace (deploy/sample-app/<mesh>/namespace.yaml) that say what the mesh is like. */
#define ANN_SIDECAR "smi-witness/sidecar"	/* container name every sample pod must have */
#define ANN_MESH_POD "smi-witness/mesh-pod"	/* "ns/name" of a standalone proxy pod */
#define ANN_METRICS "smi-witness/metrics"	/* "[ns/]pod:port/path": where the mesh's metrics are read */

#define CLUSTER_APP_PORT 9091	/* the sample app's port: /call is there */

struct target_cluster {
	struct target base;	/* first: a struct target * is a struct target_cluster * */
	struct cluster_opts o;
	struct k8s_config cfg;
	struct k8s_client api;	/* every call of a run; gives up when a signal stops the run */
	struct k8s_client calm;	/* the teardown's: not stopped by signals, so it finishes */
	char ns[64];
	bool ns_ours;		/* the namespace carries our label (a run of ours made it) */
	bool cleaned;		/* what earlier runs left is gone (done at the first prepare) */
	unsigned n_deleted;	/* objects of ours deleted so far */
	char sample_dir[PATH_MAX];
	json_t *app;		/* the sample app's objects, labelled ours */
	char sidecar[64], mesh_pod[160], metrics[300];
	json_t *smi_kinds;	/* k8s_smi_discover(): the SMI kinds served, at their preferred version */
	json_t *route_kinds;	/* k8s_routes_discover(): the route kinds served, at the version applied in */
	json_t *policy_kinds;	/* both: every kind of a step's policy, listed and deleted as ours */
	int gw_api[GW_KIND_COUNT];	/* the version each route kind is rendered in; 0: not served */
	bool smi_metrics_api;	/* metrics.smi-spec.io is served */
	char *token;		/* the agents' */
	struct fetch_target *agents;
	unsigned n_agents;
	json_t *pod_ips;	/* pod IP -> "ns/name" of the sample and mesh pods, from the API server */
	char log[PATH_MAX];	/* the scenario's cluster.log */
	bool access_control;	/* the scenario's mode */
	/* The capture of one scenario: every time on one timeline (fetch_query.ref_*). */
	bool observing;
	uint64_t t0_real_ns;	/* the scenario's start, wall clock */
	uint64_t ref_mono_ns, ref_real_ns;
	uint64_t step_real_ns;	/* when the current step's first probe was sent */
	char step_prefix[64];	/* "RUN.STEP.": the request ids of the current step */
	char out_path[PATH_MAX], inv_path[PATH_MAX], run[REQID_RUN_MAX + 1];
	const struct inventory *inv;
	struct obs_set probes;
};

static inline struct target_cluster *cluster_of(struct target *t)
{
	return (struct target_cluster *)t;
}

/* Appends a line to the scenario's cluster.log (nothing before the first scenario). */
void clog_line(struct target_cluster *tc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Says why client call `r` failed (c->err) and, for what the cluster must
 * change (permissions, the API server unreachable), what to do; nothing
 * when a signal stopped it. Returns -1.
 */
int cluster_fail(struct target_cluster *tc, struct k8s_client *c, int r);

/* Sleeps `ns` unless the run is stopped; returns false when it is. */
bool cluster_wait(struct target_cluster *tc, uint64_t ns);

/* --- cluster_app.c ---------------------------------------------------------------- */

/* Reads the sample app (kustomize) and the mesh's annotations. Returns 0 or EXIT_USAGE after printing. */
int cluster_app_load(struct target_cluster *tc);

/* Whether the sample app holds a `kind` (Pod, Service, ...) named ns/name. */
bool cluster_app_has(struct target_cluster *tc, const char *kind, const char *ns, const char *name);

/*
 * Whether the sample app can carry scenario sc's traffic: each entry's
 * source pod, target service and split backends are in it, and no entry
 * needs a process of ours in a pod (via: direct). Returns 0, or EXIT_USAGE
 * after printing the first problem with file, line and field.
 */
int cluster_app_check(struct target_cluster *tc, const struct scenario *sc);

/*
 * Deletes the objects of ours in the namespace: the SMI objects and the
 * Gateway API routes, and with
 * `all` the sample app too (with `wait`, until its pods are gone). The
 * namespace itself stays. Returns 0 or -1 after printing.
 */
int cluster_delete_ours(struct target_cluster *tc, struct k8s_client *c, bool all, bool wait);

/*
 * Applies the sample app (the namespace first, when it is ours to make)
 * and waits until every pod runs, is ready and has the mesh's sidecar.
 * Returns 0 or -1 after printing.
 */
int cluster_app_up(struct target_cluster *tc);

/*
 * Finds the agents, checks one runs on the node of every sample pod and
 * sees it, and writes the inventory of the sample pods, their services and
 * the mesh to `path`. Returns 0 or -1 after printing.
 */
int cluster_inventory(struct target_cluster *tc, const char *path);

/* Whether every sample pod (and the mesh pod) still runs ready, with its sidecar. 1, 0 with why, or -1. */
int cluster_app_running(struct target_cluster *tc, char *why, size_t len);

/* --- cluster_drive.c -------------------------------------------------------------- */

/*
 * Checks the mesh enforces access control as the scenario wants (with no
 * policy in force, app-a may or may not reach app-b). With `forgetting`
 * (policy was just deleted) it probes until the mesh shows the mode, for a
 * bounded time; else the first answer decides. Returns 0 or -1 after printing.
 */
int cluster_check_mode(struct target_cluster *tc, bool forgetting);

/* The target's drive operation (target.h). */
int cluster_drive(struct target *t, const struct traffic_job *j);

/* --- cluster_obs.c ---------------------------------------------------------------- */

int cluster_observe_start(struct target *t, const struct target_observe *o);
const struct obs_set *cluster_observed_lock(struct target *t);
void cluster_observed_unlock(struct target *t);
int cluster_observe_stop(struct target *t);
int cluster_scrape(struct target *t, const char *url, char **text, size_t *len, uint64_t *mono_ns, char *err,
		   size_t errlen);

/* A wall-clock time (ns) of this machine or a node on the capture's timeline. */
uint64_t cluster_timeline(const struct target_cluster *tc, uint64_t real_ns);

/* Notes that traffic of request-id prefix `run_id` is about to be sent (probes of a new step, ...). */
void cluster_note_traffic(struct target_cluster *tc, const char *run_id);

#endif
