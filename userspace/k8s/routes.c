/* routes.c - see routes.h */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gateway/gateway.h"
#include "k8s/routes.h"

const struct smi_kind_ref k8s_route_kinds[] = {
	{ GW_GROUP, "HTTPRoute", "httproutes" },
	{ GW_GROUP, "GRPCRoute", "grpcroutes" },
};
const unsigned k8s_route_kinds_count = sizeof(k8s_route_kinds) / sizeof(k8s_route_kinds[0]);

/* Newest first: the version a route is applied in unless the run asks for another. */
static const char *const newest_first[] = { "v1", "v1beta1", "v1alpha2" };

/* Adds `version` to the served versions of each route kind the API server lists in it. */
static int kinds_in(struct k8s_client *c, const char *version, json_t *served[])
{
	char path[256], what[256];
	json_t *res = NULL, *r;
	size_t i;
	int ret;

	snprintf(path, sizeof(path), "/apis/%s/%s", GW_GROUP, version);
	snprintf(what, sizeof(what), "discover resources of %s/%s", GW_GROUP, version);
	ret = k8s_get_json(c, what, path, &res);
	if (ret == -ENOENT)
		return 0;	/* listed by the group, not served after all */
	if (ret)
		return ret;
	json_array_foreach(json_object_get(res, "resources"), i, r) {
		const char *kind = json_string_value(json_object_get(r, "kind"));
		const char *name = json_string_value(json_object_get(r, "name"));

		if (!kind || !name || strchr(name, '/'))	/* subresources (status) */
			continue;
		for (unsigned k = 0; k < k8s_route_kinds_count; k++)
			if (!strcmp(k8s_route_kinds[k].kind, kind) && !strcmp(k8s_route_kinds[k].plural, name))
				json_array_append_new(served[k], json_string(version));
	}
	json_decref(res);
	return 0;
}

static bool has(json_t *versions, const char *v)
{
	json_t *x;
	size_t i;

	json_array_foreach(versions, i, x)
		if (!strcmp(json_string_value(x), v))
			return true;
	return false;
}

int k8s_routes_discover(struct k8s_client *c, json_t **out)
{
	json_t *doc = NULL, *v, *kinds, *served[2] = { json_array(), json_array() };
	char path[256];
	size_t i;
	int r;

	snprintf(path, sizeof(path), "/apis/%s", GW_GROUP);
	r = k8s_get_json(c, "discover API group " GW_GROUP, path, &doc);
	if (r == -ENOENT)
		r = 0;	/* the Gateway API CRDs are not installed */
	json_array_foreach(json_object_get(doc, "versions"), i, v) {
		const char *ver = json_string_value(json_object_get(v, "version"));

		if (!r && ver)
			r = kinds_in(c, ver, served);
	}
	json_decref(doc);
	kinds = json_array();
	for (unsigned k = 0; k < k8s_route_kinds_count && !r; k++) {
		const char *pick = NULL;

		for (size_t n = 0; n < sizeof(newest_first) / sizeof(newest_first[0]) && !pick; n++)
			if (has(served[k], newest_first[n]))
				pick = newest_first[n];
		if (!pick)
			continue;
		snprintf(path, sizeof(path), "/apis/%s/%s/%s", GW_GROUP, pick, k8s_route_kinds[k].plural);
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "group", GW_GROUP, "version",
			pick, "kind", k8s_route_kinds[k].kind, "plural", k8s_route_kinds[k].plural, "path", path,
			"served_versions", served[k]));
	}
	json_decref(served[0]);
	json_decref(served[1]);
	if (r) {
		json_decref(kinds);
		return r;
	}
	*out = kinds;
	return 0;
}
