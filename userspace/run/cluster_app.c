/*
 * cluster_app.c - the sample app on a cluster: read from its kustomization,
 * leftovers of earlier runs removed, applied and waited for (ready pods,
 * the mesh's sidecar in each), and the agents that watch it found and
 * checked; the run's inventory is theirs, narrowed to the sample app.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/fetch.h"
#include "k8s/apply.h"
#include "k8s/informer.h"
#include "k8s/kustomize.h"
#include "k8s/nodewatch.h"
#include "run/cluster_int.h"
#include "util/clock.h"
#include "util/exitcode.h"
#include "util/file.h"
#include "util/log.h"

#define READY_TIMEOUT_NS (300ULL * 1000000000ULL)	/* image pulls and sidecar injection take a while */
#define GONE_TIMEOUT_NS (180ULL * 1000000000ULL)	/* pods being deleted: their grace period and more */
#define AGENT_SEES_TIMEOUT_NS (60ULL * 1000000000ULL)	/* an agent's watch learns of a new pod */
#define POLL_NS 500000000ULL

static const char *sget(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	return json_string_value(b ? json_object_get(v, b) : v);
}

static const char *kind_of(json_t *o)
{
	return sget(o, "kind", NULL) ?: "";
}

static const char *name_of(json_t *o)
{
	return sget(o, "metadata", "name") ?: "";
}

/* --- the sample app's manifests ---------------------------------------------------- */

static void label_ours(json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata"), *labels = json_object_get(md, "labels");

	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(md, "labels", labels);
	}
	json_object_set_new(labels, CLUSTER_LABEL_KEY, json_string(CLUSTER_LABEL_VALUE));
}

/* The mesh's annotations on the sample app's Namespace object. */
static void read_annotations(struct target_cluster *tc, json_t *ns_obj)
{
	json_t *ann = json_object_get(json_object_get(ns_obj, "metadata"), "annotations");

	snprintf(tc->sidecar, sizeof(tc->sidecar), "%s", json_string_value(json_object_get(ann, ANN_SIDECAR)) ?: "");
	snprintf(tc->mesh_pod, sizeof(tc->mesh_pod), "%s", json_string_value(json_object_get(ann, ANN_MESH_POD)) ?: "");
	snprintf(tc->metrics, sizeof(tc->metrics), "%s", json_string_value(json_object_get(ann, ANN_METRICS)) ?: "");
}

/* --sample-app, else the shipped deploy/sample-app/<mesh> (in the source tree, or installed). */
static int default_dir(struct target_cluster *tc)
{
	char rel[PATH_MAX];

	if (tc->o.sample_app)
		return path_fmt(tc->sample_dir, sizeof(tc->sample_dir), "%s", tc->o.sample_app);
	if (path_fmt(rel, sizeof(rel), "deploy/sample-app/%s", tc->o.mesh))
		return -1;
	return file_data_path(rel, tc->sample_dir, sizeof(tc->sample_dir));
}

int cluster_app_load(struct target_cluster *tc)
{
	json_t *o, *ns_obj = NULL;
	char err[1024], path[64];
	const char *ns = tc->o.ns;
	size_t i;

	if (default_dir(tc) || access(tc->sample_dir, R_OK))
		return error("no sample app for mesh '%s': '%s' cannot be read (deploy/sample-app/ has one per mesh; "
			     "--sample-app DIR names another)", tc->o.mesh, tc->sample_dir), EXIT_USAGE;
	tc->app = kustomize_build(tc->sample_dir, ns, err, sizeof(err));
	if (!tc->app)
		return error("cannot read the sample app: %s", err), EXIT_USAGE;
	json_array_foreach(tc->app, i, o) {
		if (!strcmp(kind_of(o), "Namespace"))
			ns_obj = o;
		else if (!ns)
			ns = sget(o, "metadata", "namespace");
		if (k8s_path_of(o, path, sizeof(path)) == -ENOENT)
			return error("cannot apply the sample app in '%s': %s '%s' is a kind smi-witness does not apply",
				     tc->sample_dir, kind_of(o), name_of(o)), EXIT_USAGE;
		label_ours(o);
	}
	if (ns_obj)
		ns = name_of(ns_obj);
	if (!ns || !*ns)
		return error("the sample app in '%s' names no namespace: give --namespace NS", tc->sample_dir), EXIT_USAGE;
	snprintf(tc->ns, sizeof(tc->ns), "%s", ns);
	if (ns_obj)
		read_annotations(tc, ns_obj);
	return 0;
}

bool cluster_app_has(struct target_cluster *tc, const char *kind, const char *ns, const char *name)
{
	json_t *o;
	size_t i;

	json_array_foreach(tc->app, i, o)
		if (!strcmp(kind_of(o), kind) && !strcmp(name_of(o), name) &&
		    !strcmp(sget(o, "metadata", "namespace") ?: tc->ns, ns))
			return true;
	return false;
}

/* "app-a, app-b, ...": the sample app's objects of one kind, for a message. */
static void names_of(struct target_cluster *tc, const char *kind, char *buf, size_t len)
{
	size_t used = 0, i;
	json_t *o;

	*buf = '\0';
	json_array_foreach(tc->app, i, o)
		if (!strcmp(kind_of(o), kind) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name_of(o));
	if (!used)
		snprintf(buf, len, "none");
}

/* Prints why the entry's `field` names a `kind` ns/name the sample app lacks. Returns EXIT_USAGE. */
static int not_in_app(struct target_cluster *tc, const struct scenario *sc, const struct sc_traffic *tr, size_t i,
		      size_t j, const char *field, const char *kind, const char *ns, const char *name)
{
	char names[512];

	names_of(tc, kind, names, sizeof(names));
	error("'%s': line %u: steps[%zu].traffic[%zu].%s: %s '%s/%s' is not in the sample app '%s' (%ss: %s)", sc->path,
	      tr->line, i, j, field, kind, ns, name, tc->sample_dir, kind, names);
	return EXIT_USAGE;
}

int cluster_app_check(struct target_cluster *tc, const struct scenario *sc)
{
	for (size_t i = 0; i < sc->n_steps; i++)
		for (size_t j = 0; j < sc->steps[i].n_traffic; j++) {
			const struct sc_traffic *tr = &sc->steps[i].traffic[j];

			if (tr->via == SC_VIA_DIRECT) {
				error("'%s': line %u: steps[%zu].traffic[%zu].via: 'direct' needs a process of "
				      "smi-witness in pod %s/%s: on a cluster the sample app sends every request "
				      "(via: call)", sc->path, tr->line, i, j, tr->from_ns, tr->from);
				return EXIT_USAGE;
			}
			if (!cluster_app_has(tc, "Pod", tr->from_ns, tr->from))
				return not_in_app(tc, sc, tr, i, j, "from", "Pod", tr->from_ns, tr->from);
			if (!cluster_app_has(tc, "Service", tr->to_ns, tr->to))
				return not_in_app(tc, sc, tr, i, j, "to", "Service", tr->to_ns, tr->to);
			for (size_t k = 0; k < tr->expect.n_shares; k++)
				if (!cluster_app_has(tc, "Service", tr->to_ns, tr->expect.shares[k].service))
					return not_in_app(tc, sc, tr, i, j, "expect.split", "Service", tr->to_ns,
							  tr->expect.shares[k].service);
		}
	return 0;
}

/* --- objects of ours ----------------------------------------------------------------- */

/* The objects of ours of one kind in the namespace (a new array), or NULL after cluster_fail(). */
static json_t *list_ours(struct target_cluster *tc, struct k8s_client *c, const char *api_version,
			 const char *kind, int *r)
{
	char path[512], what[160], *full;
	json_t *doc = NULL, *items;

	if ((*r = k8s_object_path(api_version, kind, tc->ns, NULL, path, sizeof(path))))
		return NULL;
	if (asprintf(&full, "%s?labelSelector=%s%%3D%s", path, "app.kubernetes.io%2Fmanaged-by",
		     CLUSTER_LABEL_VALUE) < 0) {
		*r = -ENOMEM;
		return NULL;
	}
	snprintf(what, sizeof(what), "list %s objects of smi-witness in namespace %s", kind, tc->ns);
	*r = k8s_get_json(c, what, full, &doc);
	free(full);
	if (*r == -ENOENT) {	/* the namespace or the kind is not there: nothing of ours either */
		*r = 0;
		return json_array();
	}
	if (*r) {
		*r = cluster_fail(tc, c, *r);
		return NULL;
	}
	items = json_incref(json_object_get(doc, "items"));
	json_decref(doc);
	return items ? items : json_array();
}

static int delete_kind(struct target_cluster *tc, struct k8s_client *c, const char *api_version, const char *kind)
{
	json_t *items, *o;
	size_t i;
	int r;

	items = list_ours(tc, c, api_version, kind, &r);
	if (!items)
		return r;
	json_array_foreach(items, i, o) {
		char path[512], what[300];

		if (k8s_object_path(api_version, kind, tc->ns, name_of(o), path, sizeof(path)))
			continue;
		snprintf(what, sizeof(what), "delete %s %s/%s", kind, tc->ns, name_of(o));
		if ((r = k8s_delete(c, what, path))) {
			json_decref(items);
			return cluster_fail(tc, c, r);
		}
		clog_line(tc, "deleted %s %s/%s", kind, tc->ns, name_of(o));
		tc->n_deleted++;
	}
	json_decref(items);
	return 0;
}

/* Waits until no pod of ours is left (they keep their names while they terminate). */
static int pods_gone(struct target_cluster *tc, struct k8s_client *c)
{
	uint64_t deadline = mono_ns() + GONE_TIMEOUT_NS;

	for (;;) {
		int r;
		json_t *items = list_ours(tc, c, "v1", "Pod", &r);
		size_t n = items ? json_array_size(items) : 0;

		json_decref(items);
		if (!items)
			return r;
		if (!n)
			return 0;
		if (mono_ns() >= deadline)
			return error("%zu pod(s) of smi-witness in namespace %s are still terminating after %llu s",
				     n, tc->ns, GONE_TIMEOUT_NS / 1000000000ULL);
		if (c->stop ? !cluster_wait(tc, POLL_NS) : (sleep_ns(POLL_NS), false))
			return -1;
	}
}

int cluster_delete_ours(struct target_cluster *tc, struct k8s_client *c, bool all, bool wait)
{
	static const char *const app_kinds[][2] = {
		{ "v1", "Pod" }, { "apps/v1", "Deployment" }, { "v1", "Service" }, { "v1", "ServiceAccount" },
		{ "v1", "ConfigMap" },
	};
	json_t *k;
	size_t i;
	int r;

	json_array_foreach(tc->policy_kinds, i, k) {
		char api[128];

		snprintf(api, sizeof(api), "%s/%s", sget(k, "group", NULL), sget(k, "version", NULL));
		if ((r = delete_kind(tc, c, api, sget(k, "kind", NULL))))
			return r;
	}
	if (!all)
		return 0;
	for (i = 0; i < sizeof(app_kinds) / sizeof(app_kinds[0]); i++)
		if ((r = delete_kind(tc, c, app_kinds[i][0], app_kinds[i][1])))
			return r;
	return wait ? pods_gone(tc, c) : 0;
}

/* --- bringing it up ------------------------------------------------------------------ */

static bool is_ours(json_t *obj)
{
	return !strcmp(json_string_value(json_object_get(json_object_get(json_object_get(obj, "metadata"), "labels"),
							 CLUSTER_LABEL_KEY)) ?: "", CLUSTER_LABEL_VALUE);
}

/*
 * The namespace: made (and so ours) when it is not there; a namespace of
 * ours is applied again; another one is used as it is, never changed. One
 * being deleted (a run's teardown a moment ago) is waited for first.
 */
static int namespace_up(struct target_cluster *tc)
{
	uint64_t deadline = mono_ns() + GONE_TIMEOUT_NS;
	char path[256], what[160];
	json_t *cur = NULL, *o;
	size_t i;
	int r;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s", tc->ns);
	snprintf(what, sizeof(what), "read namespace %s", tc->ns);
	while (!(r = k8s_get_json(&tc->api, what, path, &cur)) &&
	       json_object_get(json_object_get(cur, "metadata"), "deletionTimestamp")) {
		json_decref(cur);
		cur = NULL;
		if (mono_ns() >= deadline)
			return error("namespace %s is still being deleted after %llu s: wait, or give another --namespace",
				     tc->ns, GONE_TIMEOUT_NS / 1000000000ULL);
		if (!cluster_wait(tc, POLL_NS))
			return -1;
	}
	if (r && r != -ENOENT)
		return cluster_fail(tc, &tc->api, r);
	tc->ns_ours = !cur || is_ours(cur);
	json_decref(cur);
	if (!tc->ns_ours) {
		clog_line(tc, "namespace %s exists and is not ours: used as it is", tc->ns);
		return 0;
	}
	json_array_foreach(tc->app, i, o) {
		if (strcmp(kind_of(o), "Namespace"))
			continue;
		if ((r = k8s_apply(&tc->api, o, CLUSTER_FIELD_MANAGER, NULL)))
			return cluster_fail(tc, &tc->api, r);
		clog_line(tc, "applied Namespace %s", tc->ns);
	}
	return 0;
}

/* Applies the objects of the sample app that are not pods, then the pods (they need the rest). */
static int apply_app(struct target_cluster *tc)
{
	json_t *o;
	size_t i;
	int r;

	for (int pods = 0; pods < 2; pods++)
		json_array_foreach(tc->app, i, o) {
			char name[300];

			if (!strcmp(kind_of(o), "Namespace") || pods != !strcmp(kind_of(o), "Pod"))
				continue;
			if ((r = k8s_apply(&tc->api, o, CLUSTER_FIELD_MANAGER, NULL)))
				return cluster_fail(tc, &tc->api, r);
			k8s_object_name(o, name, sizeof(name));
			clog_line(tc, "applied %s", name);
		}
	return 0;
}

static bool has_container(json_t *pod, const char *name)
{
	json_t *spec = json_object_get(pod, "spec"), *c;
	const char *lists[] = { "containers", "initContainers" };	/* native sidecars are init containers */
	size_t i;

	for (int l = 0; l < 2; l++)
		json_array_foreach(json_object_get(spec, lists[l]), i, c)
			if (!strcmp(sget(c, "name", NULL) ?: "", name))
				return true;
	return false;
}

static bool pod_ready(json_t *pod)
{
	json_t *cond;
	size_t i;

	if (strcmp(sget(pod, "status", "phase") ?: "", "Running"))
		return false;
	json_array_foreach(json_object_get(json_object_get(pod, "status"), "conditions"), i, cond)
		if (!strcmp(sget(cond, "type", NULL) ?: "", "Ready"))
			return !strcmp(sget(cond, "status", NULL) ?: "", "True");
	return false;
}

/* Why a pod is not ready, as its status tells: a waiting container's reason, else its phase. */
static void not_ready_reason(json_t *pod, char *buf, size_t len)
{
	json_t *cs;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(pod, "status"), "containerStatuses"), i, cs) {
		json_t *w = json_object_get(json_object_get(cs, "state"), "waiting");

		if (w) {
			snprintf(buf, len, "container %s: %s%s%s", sget(cs, "name", NULL) ?: "?",
				 sget(w, "reason", NULL) ?: "waiting", sget(w, "message", NULL) ? ": " : "",
				 sget(w, "message", NULL) ?: "");
			return;
		}
	}
	snprintf(buf, len, "phase %s", sget(pod, "status", "phase") ?: "unknown");
}

/* Whether pod (NULL: absent) is not ready. */
static bool unready(const struct target_cluster *tc, json_t *pod)
{
	(void)tc;
	return !pod || !pod_ready(pod);
}

/* Whether pod (NULL: absent) is not ready or runs without the mesh's sidecar. */
static bool not_running(const struct target_cluster *tc, json_t *pod)
{
	return unready(tc, pod) || (*tc->sidecar && !has_container(pod, tc->sidecar));
}

/*
 * The first pod of the sample app that `bad` finds in pods (keyed
 * "ns/name"): its key into key, its object (NULL: absent) into *pod.
 * Returns false when there is none.
 */
static bool first_bad_pod(const struct target_cluster *tc, json_t *pods,
			  bool (*bad)(const struct target_cluster *, json_t *), char *key, size_t len,
			  json_t **pod)
{
	json_t *o;
	size_t i;

	json_array_foreach(tc->app, i, o) {
		if (strcmp(kind_of(o), "Pod"))
			continue;
		snprintf(key, len, "%s/%s", tc->ns, name_of(o));
		*pod = json_object_get(pods, key);
		if (bad(tc, *pod))
			return true;
	}
	return false;
}

/* Every pod of the sample app in `cache`, ready; else the first one that is not, in `first`. */
static bool every_pod_ready(struct target_cluster *tc, json_t *cache, char *first, size_t len)
{
	char key[200], why[400];
	json_t *pod;

	*first = '\0';
	if (!first_bad_pod(tc, cache, unready, key, sizeof(key), &pod))
		return true;
	if (!pod) {
		snprintf(first, len, "pod %s: not created yet", key);
	} else {
		not_ready_reason(pod, why, sizeof(why));
		snprintf(first, len, "pod %.200s: %.380s", key, why);
	}
	return false;
}

struct readiness {
	struct target_cluster *tc;
	struct k8s_informer *inf;
	bool missing_sidecar;	/* a pod runs without it: no wait helps */
	char pod[160];
	char first[600];	/* the first pod not ready yet, and why */
};

/* The informer's callback (the cache already changed): 1 once every pod is ready, or one lacks its sidecar. */
static int check_pods(void *arg, enum k8s_event_type type, json_t *obj)
{
	struct readiness *rd = arg;
	struct target_cluster *tc = rd->tc;

	if (type != K8S_DELETED && *tc->sidecar && !strcmp(sget(obj, "status", "phase") ?: "", "Running") &&
	    !has_container(obj, tc->sidecar)) {
		rd->missing_sidecar = true;
		snprintf(rd->pod, sizeof(rd->pod), "%s", name_of(obj));
		return 1;
	}
	return every_pod_ready(tc, rd->inf->cache, rd->first, sizeof(rd->first));
}

/*
 * Waits for the pods with a list and then watches, so a pod that becomes
 * ready is seen at once. A pod running without the mesh's sidecar ends the
 * wait: its injection is decided when it is created.
 */
static int wait_ready(struct target_cluster *tc)
{
	uint64_t deadline = mono_ns() + READY_TIMEOUT_NS;
	struct k8s_informer inf;
	struct readiness rd = { .tc = tc, .inf = &inf };
	char path[256];
	int r;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods", tc->ns);
	k8s_informer_init(&inf, &tc->api, path, "pods");
	inf.label_selector = CLUSTER_LABEL_KEY "=" CLUSTER_LABEL_VALUE;
	inf.on_change = check_pods;
	inf.arg = &rd;
	r = k8s_informer_list(&inf);
	while (r == 0 && !every_pod_ready(tc, inf.cache, rd.first, sizeof(rd.first))) {
		uint64_t now = mono_ns();

		if (now >= deadline)
			break;
		inf.watch_timeout_s = (long)((deadline - now) / 1000000000ULL) + 1;
		r = k8s_informer_watch(&inf);
		if (r == -ESTALE)
			r = k8s_informer_list(&inf);
		else if (r == -ECONNRESET || r == -ETIMEDOUT)
			r = cluster_wait(tc, POLL_NS) ? 0 : -EINTR;
	}
	k8s_informer_free(&inf);
	if (rd.missing_sidecar) {
		error("pod %s/%s runs without the mesh's sidecar '%s': enable injection for namespace %s "
		      "(deploy/sample-app/%s/namespace.yaml says how) and run again",
		      tc->ns, rd.pod, tc->sidecar, tc->ns, tc->o.mesh);
		return -1;
	}
	if (r < 0)
		return cluster_fail(tc, &tc->api, r);
	if (r == 0 && *rd.first)
		return error("%s after %llu s: the sample app is not ready (is its image in the cluster, e.g. "
			     "`kind load docker-image smi-witness:dev`?)", rd.first, READY_TIMEOUT_NS / 1000000000ULL);
	return 0;
}

int cluster_app_up(struct target_cluster *tc)
{
	int r;

	if (!tc->cleaned) {
		unsigned before = tc->n_deleted;

		/* A run that was killed left its objects: start from nothing of ours. */
		if ((r = cluster_delete_ours(tc, &tc->api, true, true)))
			return r;
		if (tc->n_deleted > before)
			pr_info("cluster: removed %u object(s) an earlier run left in namespace %s",
				tc->n_deleted - before, tc->ns);
		tc->cleaned = true;
	}
	if ((r = namespace_up(tc)) || (r = apply_app(tc)))
		return r;
	return wait_ready(tc);
}

/* --- the agents and the inventory ---------------------------------------------------- */

/* The pods of ours in the namespace, and the mesh pod, as the API server has them ("ns/name" -> Pod). */
static json_t *read_pods(struct target_cluster *tc, int *r)
{
	json_t *items = list_ours(tc, &tc->api, "v1", "Pod", r), *out, *o;
	size_t i;

	if (!items)
		return NULL;
	out = json_object();
	json_array_foreach(items, i, o) {
		char key[200];

		snprintf(key, sizeof(key), "%s/%s", tc->ns, name_of(o));
		json_object_set(out, key, o);
	}
	json_decref(items);
	if (*tc->mesh_pod) {
		char path[300], what[200], ns[64] = "", *slash = strchr(tc->mesh_pod, '/');
		json_t *pod = NULL;

		snprintf(ns, sizeof(ns), "%.*s", slash ? (int)(slash - tc->mesh_pod) : 0, tc->mesh_pod);
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s", ns, slash ? slash + 1 : tc->mesh_pod);
		snprintf(what, sizeof(what), "read the mesh's pod %s", tc->mesh_pod);
		*r = k8s_get_json(&tc->api, what, path, &pod);
		if (*r) {
			json_decref(out);
			*r = cluster_fail(tc, &tc->api, *r);
			return NULL;
		}
		json_object_set_new(out, tc->mesh_pod, pod);
	}
	return out;
}

/* Whether inventory `inv` has an entry for pod `key` ("ns/name"). */
static bool inventory_has(json_t *inv, const char *key)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(inv, "pods"), i, p) {
		char k[200];

		snprintf(k, sizeof(k), "%s/%s", sget(p, "namespace", NULL) ?: "", sget(p, "name", NULL) ?: "");
		if (!strcmp(k, key))
			return true;
	}
	return false;
}

/* The agent running on `node`, or -1. */
static int agent_on(const struct target_cluster *tc, const char *node)
{
	for (unsigned i = 0; i < tc->n_agents; i++)
		if (!strcmp(tc->agents[i].node, node))
			return (int)i;
	return -1;
}

static int find_agents(struct target_cluster *tc)
{
	const char *ns = tc->o.agent_ns ? tc->o.agent_ns : "smi-witness";
	int n;

	free(tc->agents);
	tc->agents = NULL;
	tc->n_agents = 0;
	n = fetch_discover(&tc->cfg, ns, false, &tc->agents);
	if (n < 0)
		return -1;
	if (!n)
		return error("no smi-witness agent runs in namespace %s: install it (kubectl apply -k deploy/, "
			     "docs/kubernetes.md) or give --agent-namespace", ns);
	tc->n_agents = (unsigned)n;
	return 0;
}

/*
 * Every sample pod needs an agent on its node that lists it: one that does
 * not yet may still be learning of the pod from its watch, so that is
 * waited for; a node with no agent at all is not.
 */
static int agents_see(struct target_cluster *tc, json_t *pods, json_t **invs)
{
	uint64_t deadline = mono_ns() + AGENT_SEES_TIMEOUT_NS;
	const char *key;
	json_t *pod;

	json_object_foreach(pods, key, pod) {
		const char *node = sget(pod, "spec", "nodeName") ?: "";
		int a = agent_on(tc, node);

		if (!strcmp(key, tc->mesh_pod))
			continue;	/* the mesh's own pod: only the sample app must be watched */
		if (a < 0) {
			char on[512] = "";

			for (unsigned i = 0; i < tc->n_agents; i++)
				snprintf(on + strlen(on), sizeof(on) - strlen(on), "%s%s", i ? ", " : "", tc->agents[i].node);
			return error("pod %s runs on node %s, where no smi-witness agent runs (agents run on %s): let the "
				     "agent DaemonSet schedule there (its nodeSelector and tolerations)", key,
				     *node ? node : "(none)", on);
		}
		while (!inventory_has(json_array_get(*invs, (size_t)a), key)) {
			int r;

			if (mono_ns() >= deadline)
				return error("the agent on node %s does not see pod %s after %llu s: its containers' "
					     "cgroups were not found (the agent's /metrics counts "
					     "smiw_kube_unresolved_containers; check its --cgroup-root)", node, key,
					     AGENT_SEES_TIMEOUT_NS / 1000000000ULL);
			if (!cluster_wait(tc, POLL_NS))
				return -1;
			json_decref(*invs);
			*invs = NULL;
			if ((r = fetch_inventories(tc->agents, tc->n_agents, &tc->cfg, tc->token, invs)))
				return -1;
		}
	}
	return 0;
}

/* "http://IP:PORT/PATH" for an ANN_METRICS value "[ns/]pod:port/path", from the pod's address. */
static void metrics_url(struct target_cluster *tc, json_t *pods, char *buf, size_t len)
{
	char ref[200], rest[200] = "", key[300];
	const char *colon = strchr(tc->metrics, ':'), *ip;

	*buf = '\0';
	if (!colon)
		return;
	snprintf(ref, sizeof(ref), "%.*s", (int)(colon - tc->metrics), tc->metrics);
	snprintf(rest, sizeof(rest), "%s", colon + 1);
	snprintf(key, sizeof(key), "%s%s%s", strchr(ref, '/') ? "" : tc->ns, strchr(ref, '/') ? "" : "/", ref);
	ip = sget(json_object_get(pods, key), "status", "podIP");
	if (ip)
		snprintf(buf, len, "http://%s:%s", ip, rest);
}

/* The agents' inventories as one, narrowed to the sample app's namespace and the mesh pod. */
static json_t *narrowed(struct target_cluster *tc, json_t *invs, json_t *pods)
{
	json_t *merged = json_pack("{s:i, s:s, s:s, s:[], s:[]}", "version", 1, "node", "cluster", "source",
				   "kubernetes", "pods", "services"), *inv, *keep_pods, *keep_svcs, *e;
	char url[400];
	size_t i;

	json_array_foreach(invs, i, inv)
		if (json_is_object(inv))
			fetch_inventory_add(merged, inv);
	keep_pods = json_array();
	json_array_foreach(json_object_get(merged, "pods"), i, e) {
		char key[200];

		snprintf(key, sizeof(key), "%s/%s", sget(e, "namespace", NULL) ?: "", sget(e, "name", NULL) ?: "");
		if (!strcmp(sget(e, "namespace", NULL) ?: "", tc->ns) || !strcmp(key, tc->mesh_pod))
			json_array_append(keep_pods, e);
	}
	keep_svcs = json_array();
	json_array_foreach(json_object_get(merged, "services"), i, e)
		if (!strcmp(sget(e, "namespace", NULL) ?: "", tc->ns))
			json_array_append(keep_svcs, e);
	json_object_set_new(merged, "pods", keep_pods);
	json_object_set_new(merged, "services", keep_svcs);
	metrics_url(tc, pods, url, sizeof(url));
	json_object_set_new(merged, "mesh", json_pack("{s:s, s:s, s:s}", "name", tc->o.mesh, "pod", tc->mesh_pod,
						      "metrics_url", url));
	return merged;
}

int cluster_inventory(struct target_cluster *tc, const char *path)
{
	json_t *pods, *invs = NULL, *doc, *p;
	const char *key;
	int r;

	if ((r = find_agents(tc)))
		return r;
	if (!(pods = read_pods(tc, &r)))
		return r;
	json_decref(tc->pod_ips);
	tc->pod_ips = json_object();
	json_object_foreach(pods, key, p)
		if (sget(p, "status", "podIP"))
			json_object_set_new(tc->pod_ips, sget(p, "status", "podIP"), json_string(key));
	if (fetch_inventories(tc->agents, tc->n_agents, &tc->cfg, tc->token, &invs)) {
		json_decref(pods);
		return error("no smi-witness agent could be read (is --token-file the agents' token?)");
	}
	r = agents_see(tc, pods, &invs);
	if (!r) {
		doc = narrowed(tc, invs, pods);
		if ((r = k8s_write_json_atomic(path, doc)))
			r = error_errno(r, "cannot write '%s'", path);
		json_decref(doc);
	}
	json_decref(invs);
	json_decref(pods);
	return r;
}

int cluster_app_running(struct target_cluster *tc, char *why, size_t len)
{
	char key[200];
	json_t *pods, *pod;
	int r, running = 1;

	if (!(pods = read_pods(tc, &r)))
		return -1;
	if (first_bad_pod(tc, pods, not_running, key, sizeof(key), &pod)) {
		snprintf(why, len, "pod %s is %s", key, !pod ? "gone" : !pod_ready(pod) ? "not ready" :
			 "without the mesh's sidecar");
		running = 0;
	} else if (*tc->mesh_pod && !pod_ready(json_object_get(pods, tc->mesh_pod))) {
		snprintf(why, len, "the mesh's pod %s is not ready", tc->mesh_pod);
		running = 0;
	}
	json_decref(pods);
	return running;
}
