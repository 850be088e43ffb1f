/* nodewatch.h - keeps this node's inventory current from the API server. */
#ifndef SMIW_K8S_NODEWATCH_H
#define SMIW_K8S_NODEWATCH_H

#include <pthread.h>
#include <signal.h>
#include <jansson.h>

#include "k8s/client.h"
#include "k8s/informer.h"

/* Receives each new inventory (a new reference to take) and the watch counters (borrowed). */
typedef void (*nodewatch_fn)(void *arg, json_t *inventory, json_t *status);

/*
 * Two informers, each on its own thread and client: the pods of `node`
 * (fieldSelector=spec.nodeName) and every Service. After each change the
 * inventory is rebuilt; the cgroup tree is walked again when a running
 * container has no known cgroup yet (it appears after the pod does).
 */
struct nodewatch {
	char node[256];
	char cgroup_mount[256];
	char inventory_path[1024];	/* also written here atomically when set */
	struct k8s_config *cfg;		/* borrowed */
	nodewatch_fn on_inventory;
	void *arg;
	volatile sig_atomic_t stop;

	pthread_mutex_t mu;
	struct k8s_client pods_client, svc_client;
	struct k8s_informer pods, services;
	json_t *cgroups;		/* k8s_cgroup_index() result */
	pthread_t pods_thread, svc_thread;
	int pods_result, svc_result;
	unsigned unresolved, rescans;
	char pods_selector[300];
};

/* Starts both threads. Returns 0 or -errno. */
int nodewatch_start(struct nodewatch *w, struct k8s_config *cfg, const char *node,
		    const char *cgroup_mount, const char *inventory_path, nodewatch_fn fn, void *arg);

/* Raises the stop flag, joins both threads and frees everything. */
void nodewatch_stop(struct nodewatch *w);

/* Writes `doc` to `path` through a temporary file and rename(). Returns 0 or -errno. */
int k8s_write_json_atomic(const char *path, json_t *doc);

#endif
