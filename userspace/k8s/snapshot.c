/* snapshot.c - see snapshot.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/informer.h"
#include "gateway/gateway.h"
#include "k8s/inventory.h"
#include "k8s/routes.h"
#include "k8s/smi.h"
#include "k8s/snapshot.h"
#include "smi/smi.h"
#include "util/kernfs.h"
#include "util/log.h"

static int write_doc(json_t *doc, const char *output)
{
	FILE *f = output ? fopen(output, "we") : stdout;

	if (!f)
		return error_errno(errno, "cannot write '%s'", output);
	json_dumpf(doc, f, JSON_INDENT(2));
	fputc('\n', f);
	if (f != stdout && fclose(f))
		return error_errno(errno, "cannot write '%s'", output);
	return 0;
}

/* One list of `path` (all pages) into a cache; the error is printed. */
static json_t *list_all(struct k8s_client *c, const char *path, const char *what, const char *fsel)
{
	struct k8s_informer inf;
	json_t *cache;

	k8s_informer_init(&inf, c, path, what);
	inf.field_selector = fsel;
	if (k8s_informer_list(&inf)) {
		error("%s", c->err);
		k8s_informer_free(&inf);
		return NULL;
	}
	cache = json_incref(inf.cache);
	k8s_informer_free(&inf);
	return cache;
}

int k8s_snapshot_inventory(struct k8s_client *c, const char *node, const char *cgroup_root, const char *output)
{
	char fsel[300], mnt[256] = "";
	json_t *pods, *svcs, *cg = NULL, *inv;
	unsigned unresolved = 0;
	int r;

	snprintf(fsel, sizeof(fsel), "spec.nodeName=%s", node);
	pods = list_all(c, "/api/v1/pods", "pods", fsel);
	svcs = pods ? list_all(c, "/api/v1/services", "services", NULL) : NULL;
	if (!svcs) {
		json_decref(pods);
		return -1;
	}
	if (cgroup_root)
		snprintf(mnt, sizeof(mnt), "%s", cgroup_root);
	else if (cgroup2_mount_point(mnt, sizeof(mnt)))
		pr_warn("no cgroup v2 mount: containers cannot be attributed");
	if (*mnt && (r = k8s_cgroup_index(mnt, &cg)))
		pr_warn("cannot walk cgroups under '%s': %s", mnt, strerror(-r));
	if (!cg)
		cg = json_object();
	inv = k8s_inventory_build(node, pods, svcs, cg, &unresolved);
	if (unresolved)
		pr_warn("%u running container(s) on node '%s' have no cgroup here (is this that node?)",
			unresolved, node);
	r = write_doc(inv, output) ? -1 : 0;
	json_decref(inv);
	json_decref(cg);
	json_decref(pods);
	json_decref(svcs);
	return r;
}

/*
 * Loads the cluster's SMI objects (or, with `gw`, its routes) with the
 * model and prints what it finds wrong.
 */
static int check_with_model(json_t *list, struct gw_set *gw)
{
	char *text = json_dumps(list, JSON_COMPACT), line[1024];
	struct smi_load_opts o = { 0 };
	struct smi_set *set;
	int r = 0;

	if (gw)
		gw_attach(gw, &o);
	set = smi_set_new(&o);
	if (!text || !set) {
		free(text);
		smi_set_free(set);
		return -ENOMEM;
	}
	smi_set_load_buffer(set, "cluster", text, strlen(text));
	smi_set_finish(set);
	if (gw)
		gw_set_finish(gw, set);
	for (size_t i = 0; i < set->diags.n; i++) {
		smi_diag_format(&set->diags.v[i], line, sizeof(line));
		if (set->diags.v[i].severity == SMI_ERROR)
			error("%s", line);
		else
			pr_warn("%s", line);
	}
	if (gw)
		pr_info("%zu route(s) valid, %zu error(s)", gw->n_routes, set->diags.n_errors);
	else
		pr_info("%zu SMI object(s) valid, %zu error(s)", set->n_objects, set->diags.n_errors);
	if (set->diags.n_errors)
		r = -EINVAL;
	smi_set_free(set);
	free(text);
	return r;
}

/*
 * The objects of the discovered `kinds` as one List: listed, a warning for
 * each served in another version than it was written in, checked with the
 * model (the SMI one, or with `gw` the routes'), written to `output`.
 * Takes `kinds`. Returns 0 or -1.
 */
static int snapshot(struct k8s_client *c, json_t *kinds, struct gw_set *gw, const char *output)
{
	json_t *objs = NULL, *list, *obj;
	size_t i;
	int r;

	r = k8s_smi_list(c, kinds, &objs);
	if (r) {
		error("%s", c->err);
		json_decref(kinds);
		return -1;
	}
	json_array_foreach(kinds, i, obj) {
		char *served = json_dumps(json_object_get(obj, "served_versions"), JSON_COMPACT);

		pr_info("%s %s/%s (served: %s)", json_string_value(json_object_get(obj, "kind")),
			json_string_value(json_object_get(obj, "group")),
			json_string_value(json_object_get(obj, "version")), served ? served : "?");
		free(served);
	}
	json_array_foreach(objs, i, obj) {
		const char *applied = k8s_applied_version(obj);
		const char *served = json_string_value(json_object_get(obj, "apiVersion"));
		char key[300];

		k8s_object_key(obj, key, sizeof(key));
		if (applied && served && strcmp(applied, served))
			pr_warn("%s %s was written as %s and is served as %s",
				json_string_value(json_object_get(obj, "kind")), key, applied, served);
	}
	list = json_pack("{s:s, s:s, s:O}", "apiVersion", "v1", "kind", "List", "items", objs);
	r = check_with_model(list, gw) ? -1 : 0;
	if (write_doc(list, output))
		r = -1;
	json_decref(list);
	json_decref(objs);
	json_decref(kinds);
	return r;
}

int k8s_snapshot_smi(struct k8s_client *c, const char *output)
{
	json_t *kinds = NULL;

	if (k8s_smi_discover(c, &kinds)) {
		error("%s", c->err);
		return -1;
	}
	if (!json_array_size(kinds))
		pr_warn("the API server serves no SMI group (no SMI CRDs installed)");
	return snapshot(c, kinds, NULL, output);
}

int k8s_snapshot_routes(struct k8s_client *c, const char *output)
{
	struct gw_set *gw;
	json_t *kinds = NULL;
	int r;

	if (k8s_routes_discover(c, &kinds)) {
		error("%s", c->err);
		return -1;
	}
	if (!json_array_size(kinds))
		pr_warn("the API server serves no HTTPRoute or GRPCRoute (no Gateway API CRDs installed)");
	gw = gw_set_new();
	if (!gw) {
		json_decref(kinds);
		return -1;
	}
	r = snapshot(c, kinds, gw, output);
	gw_set_free(gw);
	return r;
}
