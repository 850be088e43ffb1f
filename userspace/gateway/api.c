/* api.c - the Gateway API versions a run renders routes in (gateway.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gateway/gateway.h"

enum gw_version gw_version_parse(const char *name)
{
	for (int v = GW_V1ALPHA2; v <= GW_V1; v++)
		if (!strcmp(name, gw_version_name(v)))
			return v;
	return 0;
}

bool gw_kind_has_version(enum gw_kind kind, enum gw_version v)
{
	return v && (kind != GW_GRPC_ROUTE || v != GW_V1BETA1);
}

/* The kind an --api key names ("httproute", "grpcroute"), or -1. */
static int kind_key(const char *key, size_t len)
{
	static const char *const keys[GW_KIND_COUNT] = { "httproute", "grpcroute" };

	for (int k = 0; k < GW_KIND_COUNT; k++)
		if (strlen(keys[k]) == len && !strncmp(keys[k], key, len))
			return k;
	return -1;
}

int gw_parse_api(const char *arg, int api[GW_KIND_COUNT], char *rest, size_t restlen, char *err, size_t errlen)
{
	size_t used = 0;

	for (int k = 0; k < GW_KIND_COUNT; k++)
		api[k] = 0;
	if (restlen)
		*rest = '\0';
	for (const char *p = arg; p && *p;) {
		size_t l = strcspn(p, ","), eq = strcspn(p, "=");
		int k = eq < l ? kind_key(p, eq) : -1;

		if (k < 0) {
			used += (size_t)snprintf(rest + used, used < restlen ? restlen - used : 0, "%s%.*s",
						 used ? "," : "", (int)l, p);
		} else {
			char v[32];

			snprintf(v, sizeof(v), "%.*s", (int)(l - eq - 1), p + eq + 1);
			api[k] = gw_version_parse(v);
			if (!gw_kind_has_version(k, api[k])) {
				snprintf(err, errlen, "%.*s: %s has no version '%s' (%s)", (int)l, p, gw_kind_name(k), v,
					 k == GW_GRPC_ROUTE ? "v1, v1alpha2" : "v1, v1beta1, v1alpha2");
				return -EINVAL;
			}
		}
		p = p[l] ? p + l + 1 : NULL;
	}
	if (used >= restlen) {
		snprintf(err, errlen, "too long");
		return -EINVAL;
	}
	return 0;
}
