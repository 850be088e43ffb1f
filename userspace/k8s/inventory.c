/* inventory.c - see inventory.h */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "k8s/cgpath.h"
#include "k8s/inventory.h"

static int index_one(void *arg, const char *path, uint64_t id, const struct cg_ref *ref)
{
	json_t *idx = arg;

	json_object_set_new(idx, ref->container_id,
			    json_pack("{s:s, s:I, s:s, s:s}", "path", path, "cgroup_id", (json_int_t)id,
				      "runtime", ref->runtime, "pod_uid", ref->pod_uid));
	return 0;
}

int k8s_cgroup_index(const char *mount, json_t **out)
{
	json_t *idx = json_object();
	int r = cgpath_scan(mount, index_one, idx);

	if (r) {
		json_decref(idx);
		return r;
	}
	*out = idx;
	return 0;
}

static const char *sget(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	return json_string_value(b ? json_object_get(v, b) : v);
}

static json_t *pod_base(json_t *pod)
{
	json_t *md = json_object_get(pod, "metadata"), *spec = json_object_get(pod, "spec");
	json_t *labels = json_object_get(md, "labels");
	const char *sa = sget(spec, "serviceAccountName", NULL);
	const char *ip = sget(pod, "status", "podIP");

	/* A host-network pod shares the node's address: it must not name that address. */
	if (json_is_true(json_object_get(spec, "hostNetwork")))
		ip = "";
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s}",
			 "namespace", sget(md, "namespace", NULL) ? sget(md, "namespace", NULL) : "",
			 "name", sget(md, "name", NULL) ? sget(md, "name", NULL) : "",
			 "service_account", sa ? sa : "default",
			 "labels", json_is_object(labels) ? json_incref(labels) : json_object(),
			 "ip", ip ? ip : "", "uid", sget(md, "uid", NULL) ? sget(md, "uid", NULL) : "",
			 "node", sget(spec, "nodeName", NULL) ? sget(spec, "nodeName", NULL) : "");
}

json_t *k8s_pod_entries(json_t *pod, json_t *cgroups, unsigned *unresolved)
{
	const char *phase = sget(pod, "status", "phase");
	json_t *out = json_array(), *base, *cs, *st;
	size_t i;

	if (!phase || strcmp(phase, "Running"))
		return out;
	base = pod_base(pod);
	cs = json_object_get(json_object_get(pod, "status"), "containerStatuses");
	json_array_foreach(cs, i, st) {
		const char *cid = sget(st, "containerID", NULL), *name = sget(st, "name", NULL);
		char runtime[32], id[128];
		json_t *cg, *e;

		if (!json_object_get(json_object_get(st, "state"), "running"))
			continue;
		if (!cid || cg_split_container_id(cid, runtime, sizeof(runtime), id, sizeof(id))) {
			(*unresolved)++;
			continue;
		}
		cg = json_object_get(cgroups, id);
		if (!cg) {
			(*unresolved)++;
			continue;
		}
		e = json_deep_copy(base);
		json_object_set_new(e, "container", json_string(name ? name : ""));
		json_object_set_new(e, "container_id", json_string(id));
		json_object_set(e, "cgroup_path", json_object_get(cg, "path"));
		json_object_set(e, "cgroup_id", json_object_get(cg, "cgroup_id"));
		json_object_set_new(e, "netns", json_string(""));
		json_array_append_new(out, e);
	}
	json_decref(base);
	return out;
}

bool k8s_selector_matches(json_t *selector, json_t *labels)
{
	const char *k;
	json_t *v;

	if (!json_object_size(selector))
		return false;
	json_object_foreach(selector, k, v)
		if (!json_equal(json_object_get(labels, k), v))
			return false;
	return true;
}

json_t *k8s_service_entry(json_t *svc, json_t *pods)
{
	json_t *md = json_object_get(svc, "metadata"), *spec = json_object_get(svc, "spec");
	json_t *selector = json_object_get(spec, "selector"), *ports = json_array(), *eps = json_array();
	const char *ip = sget(spec, "clusterIP", NULL), *key;
	json_t *p, *pod;
	size_t i;

	if (!ip || !strcmp(ip, "None") || !*ip) {
		json_decref(ports);
		json_decref(eps);
		return NULL;
	}
	json_array_foreach(json_object_get(spec, "ports"), i, p)
		if (json_is_integer(json_object_get(p, "port")))
			json_array_append(ports, json_object_get(p, "port"));
	json_object_foreach(pods, key, pod) {
		const char *ns = sget(pod, "metadata", "namespace");

		if (ns && sget(md, "namespace", NULL) && !strcmp(ns, sget(md, "namespace", NULL)) &&
		    k8s_selector_matches(selector, json_object_get(json_object_get(pod, "metadata"), "labels")))
			json_array_append_new(eps, json_string(key));
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}",
			 "namespace", sget(md, "namespace", NULL) ? sget(md, "namespace", NULL) : "",
			 "name", sget(md, "name", NULL) ? sget(md, "name", NULL) : "", "ip", ip,
			 "ports", ports, "selector", json_is_object(selector) ? json_incref(selector) : json_object(),
			 "endpoints", eps);
}

json_t *k8s_inventory_build(const char *node, json_t *pods, json_t *services, json_t *cgroups,
			    unsigned *unresolved)
{
	json_t *inv_pods = json_array(), *inv_svcs = json_array(), *o, *e;
	const char *key;

	*unresolved = 0;
	json_object_foreach(pods, key, o)
	{
		json_t *entries = k8s_pod_entries(o, cgroups, unresolved);

		json_array_extend(inv_pods, entries);
		json_decref(entries);
	}
	json_object_foreach(services, key, o)
		if ((e = k8s_service_entry(o, pods)))
			json_array_append_new(inv_svcs, e);
	return json_pack("{s:i, s:s, s:s, s:o, s:o}", "version", 1, "node", node, "source",
			 "kubernetes", "pods", inv_pods, "services", inv_svcs);
}
