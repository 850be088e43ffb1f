/* apply.c - see apply.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/apply.h"
#include "k8s/kustomize.h"
#include "k8s/routes.h"
#include "k8s/smi.h"

struct kind_ref {
	const char *group, *kind, *plural;
};

/* Core and apps kinds a sample app is made of ("" is the core group). */
static const struct kind_ref builtin[] = {
	{ "", "Namespace", "namespaces" },
	{ "", "ServiceAccount", "serviceaccounts" },
	{ "", "Service", "services" },
	{ "", "Pod", "pods" },
	{ "", "ConfigMap", "configmaps" },
	{ "apps", "Deployment", "deployments" },
};

static const char *plural_of(const char *group, const char *kind)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (!strcmp(builtin[i].group, group) && !strcmp(builtin[i].kind, kind))
			return builtin[i].plural;
	for (unsigned i = 0; i < smi_kinds_count; i++)
		if (!strcmp(smi_kinds[i].group, group) && !strcmp(smi_kinds[i].kind, kind))
			return smi_kinds[i].plural;
	for (unsigned i = 0; i < k8s_route_kinds_count; i++)
		if (!strcmp(k8s_route_kinds[i].group, group) && !strcmp(k8s_route_kinds[i].kind, kind))
			return k8s_route_kinds[i].plural;
	return NULL;
}

int k8s_object_path(const char *api_version, const char *kind, const char *ns, const char *name, char *buf,
		    size_t len)
{
	const char *slash = strchr(api_version, '/'), *plural;
	char group[128] = "", nspart[300] = "";
	int n;

	if (slash)
		snprintf(group, sizeof(group), "%.*s", (int)(slash - api_version), api_version);
	plural = plural_of(group, kind);
	if (!plural)
		return -ENOENT;
	if (k8s_kind_namespaced(kind) && ns && *ns)
		snprintf(nspart, sizeof(nspart), "/namespaces/%s", ns);
	n = snprintf(buf, len, "%s%s%s/%s%s%s", slash ? "/apis/" : "/api/", api_version, nspart, plural,
		     name ? "/" : "", name ? name : "");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static const char *str_at(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	return json_string_value(b ? json_object_get(v, b) : v);
}

int k8s_path_of(json_t *obj, char *buf, size_t len)
{
	const char *api = str_at(obj, "apiVersion", NULL), *kind = str_at(obj, "kind", NULL);
	const char *name = str_at(obj, "metadata", "name");

	if (!api || !kind || !name)
		return -EINVAL;
	return k8s_object_path(api, kind, str_at(obj, "metadata", "namespace"), name, buf, len);
}

void k8s_object_name(json_t *obj, char *buf, size_t len)
{
	const char *ns = str_at(obj, "metadata", "namespace"), *name = str_at(obj, "metadata", "name");

	snprintf(buf, len, "%s %s%s%s", str_at(obj, "kind", NULL) ?: "object", ns && *ns ? ns : "",
		 ns && *ns ? "/" : "", name ? name : "?");
}

int k8s_apply(struct k8s_client *c, json_t *obj, const char *manager, json_t **out)
{
	char path[1024], what[400], *body, *mgr, *full;
	int r;

	k8s_object_name(obj, what + 6, sizeof(what) - 6);
	memcpy(what, "apply ", 6);
	if ((r = k8s_path_of(obj, path, sizeof(path)))) {
		snprintf(c->err, sizeof(c->err), "cannot %s: %s", what,
			 r == -ENOENT ? "a kind smi-witness does not know the API path of" : "no path");
		return r;
	}
	mgr = k8s_query_escape(manager);
	body = json_dumps(obj, JSON_COMPACT);
	if (!mgr || !body || asprintf(&full, "%s?fieldManager=%s&force=true", path, mgr) < 0) {
		free(mgr);
		free(body);
		return -ENOMEM;
	}
	/* JSON is YAML: the apply patch type takes either. */
	r = k8s_request(c, what, "PATCH", full, "application/apply-patch+yaml", body, out);
	free(full);
	free(mgr);
	free(body);
	return r;
}

int k8s_delete(struct k8s_client *c, const char *what, const char *path)
{
	char *full;
	int r;

	if (asprintf(&full, "%s?propagationPolicy=Background", path) < 0)
		return -ENOMEM;
	r = k8s_request(c, what, "DELETE", full, NULL, NULL, NULL);
	free(full);
	if (r == -ENOENT) {
		c->err[0] = '\0';
		return 0;	/* gone already: what a delete wants */
	}
	return r;
}
