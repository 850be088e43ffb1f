/*
 * cluster.h - a Kubernetes cluster as a run's target (target.h): the
 * sample app fitted to the mesh applied into one namespace, the SMI
 * objects and Gateway API routes of each step applied there with
 * server-side apply, traffic sent
 * by the sample app in the source pod through the API server's pod proxy,
 * observations read from the smi-witness agents (docs/kubernetes.md).
 */
#ifndef SMIW_RUN_CLUSTER_H
#define SMIW_RUN_CLUSTER_H

#include <signal.h>
#include <stdbool.h>

#include "gateway/gateway.h"
#include "run/target.h"
#include "smi/smi.h"

/* The label every object a cluster run creates carries, and the field manager it applies with. */
#define CLUSTER_LABEL_KEY "app.kubernetes.io/managed-by"
#define CLUSTER_LABEL_VALUE "smi-witness"
#define CLUSTER_FIELD_MANAGER "smi-witness"

struct cluster_opts {
	const char *kubeconfig, *context;	/* NULL: $KUBECONFIG, ~/.kube/config, in-cluster */
	const char *mesh;		/* the mesh: names deploy/sample-app/<mesh> */
	const char *sample_app;		/* the sample app's kustomization directory; NULL: that one */
	const char *ns;			/* where everything goes; NULL: the kustomization's namespace */
	const char *agent_ns;		/* where the agents run; NULL: smi-witness */
	const char *token_file;		/* the agents' token; NULL: $SMIW_AGENT_TOKEN */
	volatile sig_atomic_t *stop;	/* raised by SIGINT / SIGTERM */
};

/*
 * Connects to the cluster, reads the sample app, asks the API server which
 * SMI versions and which versions of the Gateway API route kinds it serves
 * and checks `api`: when the run gives no --api (have_api false), api gets
 * the newest version served of each group; a version asked for that is not
 * served is an error. So for `gw_api` (by enum gw_kind, 0: not asked for):
 * it gets the version each route kind is rendered in, 0 for a kind not
 * served (a scenario applying one is refused by the target's check). On success *out is the target and *ns the namespace
 * the scenarios are placed in (owned by the target). Returns 0, or
 * EXIT_USAGE or EXIT_ERROR after printing why.
 */
int target_cluster_new(const struct cluster_opts *o, int api[SMI_GROUP_COUNT], bool have_api,
		       int gw_api[GW_KIND_COUNT], struct target **out, const char **ns);

#endif
