/* nodewatch.c - see nodewatch.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k8s/inventory.h"
#include "k8s/nodewatch.h"
#include "util/log.h"

int k8s_write_json_atomic(const char *path, json_t *doc)
{
	char tmp[1100];
	int r = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (json_dump_file(doc, tmp, JSON_INDENT(1)))
		r = -EIO;
	else if (rename(tmp, path))
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

static json_t *status_doc(struct nodewatch *w)
{
	return json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:b, s:b}",
			 "node", w->node, "containers", 0, "unresolved", (int)w->unresolved,
			 "relists_gone", (json_int_t)(w->pods.relists_gone + w->services.relists_gone),
			 "reconnects", (json_int_t)(w->pods.reconnects + w->services.reconnects),
			 "events", (json_int_t)(w->pods.events + w->services.events),
			 "cgroup_rescans", (json_int_t)w->rescans,
			 "pods", (json_int_t)json_object_size(w->pods.cache),
			 "pods_synced", w->pods.synced, "services_synced", w->services.synced);
}

/* Rebuilds and publishes the inventory; called with w->mu held. */
static void publish(struct nodewatch *w)
{
	json_t *inv, *status;
	unsigned unresolved = 0;

	inv = k8s_inventory_build(w->node, w->pods.cache, w->services.cache, w->cgroups, &unresolved);
	if (unresolved && w->cgroup_mount[0]) {
		/* A container newer than our last walk: walk again, once per change. */
		json_t *fresh;

		if (!k8s_cgroup_index(w->cgroup_mount, &fresh)) {
			json_decref(w->cgroups);
			w->cgroups = fresh;
			w->rescans++;
			json_decref(inv);
			inv = k8s_inventory_build(w->node, w->pods.cache, w->services.cache, w->cgroups,
						  &unresolved);
		}
	}
	w->unresolved = unresolved;
	status = status_doc(w);
	json_object_set_new(status, "containers", json_integer((json_int_t)json_array_size(json_object_get(inv, "pods"))));
	if (w->inventory_path[0] && k8s_write_json_atomic(w->inventory_path, inv))
		pr_warn("cannot write inventory '%s'", w->inventory_path);
	if (w->on_inventory)
		w->on_inventory(w->arg, json_incref(inv), status);
	json_decref(inv);
	json_decref(status);
}

/* Called by either informer with w->mu held (the informers' lock). */
static int on_change(void *arg, enum k8s_event_type type, json_t *obj)
{
	(void)type, (void)obj;
	publish(arg);
	return 0;
}

static void *run_informer(void *arg)
{
	struct k8s_informer *inf = arg;
	struct nodewatch *w = inf->arg;
	int r;

	r = k8s_informer_run(inf, 0);
	if (r && r != -EINTR)
		error("%s", inf->client->err);
	if (inf == &w->pods)
		w->pods_result = r;
	else
		w->svc_result = r;
	return NULL;
}

int nodewatch_start(struct nodewatch *w, struct k8s_config *cfg, const char *node,
		    const char *cgroup_mount, const char *inventory_path, nodewatch_fn fn, void *arg)
{
	int r;

	memset(w, 0, sizeof(*w));
	snprintf(w->node, sizeof(w->node), "%s", node);
	snprintf(w->cgroup_mount, sizeof(w->cgroup_mount), "%s", cgroup_mount ? cgroup_mount : "");
	snprintf(w->inventory_path, sizeof(w->inventory_path), "%s", inventory_path ? inventory_path : "");
	snprintf(w->pods_selector, sizeof(w->pods_selector), "spec.nodeName=%s", node);
	w->cfg = cfg;
	w->on_inventory = fn;
	w->arg = arg;
	pthread_mutex_init(&w->mu, NULL);
	if (w->cgroup_mount[0] && (r = k8s_cgroup_index(w->cgroup_mount, &w->cgroups)) < 0)
		pr_warn("cannot walk cgroups under '%s': %s", w->cgroup_mount, strerror(-r));
	if (!w->cgroups)
		w->cgroups = json_object();
	if (k8s_client_init(&w->pods_client, cfg) || k8s_client_init(&w->svc_client, cfg))
		return -ENOMEM;
	w->pods_client.stop = w->svc_client.stop = &w->stop;
	k8s_informer_init(&w->pods, &w->pods_client, "/api/v1/pods", "pods");
	w->pods.field_selector = w->pods_selector;
	k8s_informer_init(&w->services, &w->svc_client, "/api/v1/services", "services");
	w->pods.on_change = w->services.on_change = on_change;
	w->pods.arg = w->services.arg = w;
	/* One lock for both caches: a rebuild reads both while either thread may change its own. */
	w->pods.lock = w->services.lock = &w->mu;
	if (pthread_create(&w->pods_thread, NULL, run_informer, &w->pods))
		return -errno;
	if (pthread_create(&w->svc_thread, NULL, run_informer, &w->services)) {
		w->stop = 1;
		pthread_join(w->pods_thread, NULL);
		return -errno;
	}
	return 0;
}

void nodewatch_stop(struct nodewatch *w)
{
	w->stop = 1;
	pthread_join(w->pods_thread, NULL);
	pthread_join(w->svc_thread, NULL);
	k8s_informer_free(&w->pods);
	k8s_informer_free(&w->services);
	k8s_client_free(&w->pods_client);
	k8s_client_free(&w->svc_client);
	json_decref(w->cgroups);
}
