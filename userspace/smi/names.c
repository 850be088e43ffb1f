/* names.c - kinds, groups, versions and methods: names and which exist where. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "smi/internal.h"

static const struct {
	const char *name;
	enum smi_group group;
	unsigned versions;	/* bit v set: defined in version v */
} kinds[SMI_KIND_COUNT] = {
	[SMI_TRAFFIC_SPLIT] = { "TrafficSplit", SMI_GROUP_SPLIT, 0x1e },
	[SMI_TRAFFIC_TARGET] = { "TrafficTarget", SMI_GROUP_ACCESS, 0x1e },
	[SMI_IDENTITY_BINDING] = { "IdentityBinding", SMI_GROUP_ACCESS, 0x10 },
	[SMI_HTTP_ROUTE_GROUP] = { "HTTPRouteGroup", SMI_GROUP_SPECS, 0x1e },
	[SMI_TCP_ROUTE] = { "TCPRoute", SMI_GROUP_SPECS, 0x1e },
	/* UDPRoute first appears in the specs v1alpha4 document. */
	[SMI_UDP_ROUTE] = { "UDPRoute", SMI_GROUP_SPECS, 0x10 },
	[SMI_TRAFFIC_METRICS] = { "TrafficMetrics", SMI_GROUP_METRICS, 0x02 },
	[SMI_TRAFFIC_METRICS_LIST] = { "TrafficMetricsList", SMI_GROUP_METRICS, 0x02 },
};

static const struct {
	const char *name, *short_name;
	int max_version;
} groups[SMI_GROUP_COUNT] = {
	[SMI_GROUP_SPLIT] = { "split.smi-spec.io", "split", 4 },
	[SMI_GROUP_ACCESS] = { "access.smi-spec.io", "access", 4 },
	[SMI_GROUP_SPECS] = { "specs.smi-spec.io", "specs", 4 },
	[SMI_GROUP_METRICS] = { "metrics.smi-spec.io", "metrics", 1 },
};

static const char *const version_names[] = { "?", "v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4" };

const char *smi_kind_name(enum smi_kind kind)
{
	return (unsigned)kind < SMI_KIND_COUNT ? kinds[kind].name : "?";
}

enum smi_group smi_kind_group(enum smi_kind kind)
{
	return kinds[kind].group;
}

const char *smi_group_name(enum smi_group group)
{
	return (unsigned)group < SMI_GROUP_COUNT ? groups[group].name : "?";
}

const char *smi_group_short(enum smi_group group)
{
	return (unsigned)group < SMI_GROUP_COUNT ? groups[group].short_name : "?";
}

const char *smi_version_name(int version)
{
	return version >= 1 && version <= SMI_VERSION_MAX ? version_names[version] : "?";
}

bool smi_kind_in_version(enum smi_kind kind, int version)
{
	return (unsigned)kind < SMI_KIND_COUNT && version >= 1 && version <= SMI_VERSION_MAX &&
	       (kinds[kind].versions & (1u << version));
}

/* Returns the version number of "v1alphaN" within the group, or 0. */
int version_parse(enum smi_group group, const char *s, size_t len)
{
	for (int v = 1; v <= groups[group].max_version; v++)
		if (strlen(version_names[v]) == len && !memcmp(s, version_names[v], len))
			return v;
	return 0;
}

/* Returns the group whose name is s[0..len), or -1. */
int group_parse(const char *s, size_t len, bool short_name)
{
	for (int g = 0; g < SMI_GROUP_COUNT; g++) {
		const char *n = short_name ? groups[g].short_name : groups[g].name;

		if (strlen(n) == len && !memcmp(s, n, len))
			return g;
	}
	return -1;
}

/* Returns the kind called name, or -1. */
int kind_parse(const char *name)
{
	for (int k = 0; k < SMI_KIND_COUNT; k++)
		if (!strcmp(kinds[k].name, name))
			return k;
	return -1;
}

const char *api_version_string(enum smi_kind kind, int version, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", groups[kinds[kind].group].name, smi_version_name(version));
	return buf;
}

int smi_parse_api_versions(const char *spec, int versions[SMI_GROUP_COUNT], char *err, size_t errlen)
{
	int parsed[SMI_GROUP_COUNT];
	const char *p = spec;

	memcpy(parsed, versions, sizeof(parsed));
	if (!spec || !*spec) {
		snprintf(err, errlen, "empty version list");
		return -EINVAL;
	}
	while (*p) {
		size_t item = strcspn(p, ",");
		const char *eq = memchr(p, '=', item);
		int g, v;

		if (!eq) {
			snprintf(err, errlen, "'%.*s' is not GROUP=VERSION", (int)item, p);
			return -EINVAL;
		}
		g = group_parse(p, (size_t)(eq - p), true);
		if (g < 0)
			g = group_parse(p, (size_t)(eq - p), false);
		if (g < 0) {
			snprintf(err, errlen, "unknown group '%.*s' (expected split, access, specs or metrics)",
				 (int)(eq - p), p);
			return -EINVAL;
		}
		v = version_parse(g, eq + 1, (size_t)(p + item - eq - 1));
		if (!v) {
			snprintf(err, errlen, "%s has no version '%.*s'", groups[g].short_name,
				 (int)(p + item - eq - 1), eq + 1);
			return -EINVAL;
		}
		parsed[g] = v;
		p += item;
		if (*p == ',')
			p++;
	}
	memcpy(versions, parsed, sizeof(parsed));
	return 0;
}

static const char *const method_names[] = {
	"GET", "HEAD", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
};

const char *smi_method_name(unsigned method_bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(method_names); i++)
		if (method_bit == 1u << i)
			return method_names[i];
	return NULL;
}

unsigned smi_method_bit(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(method_names); i++)
		if (!strcmp(name, method_names[i]))
			return 1u << i;
	return 0;
}

const char *smi_access_verdict_name(enum smi_access_verdict v)
{
	static const char *const names[] = {
		[SMI_ALLOW] = "allow", [SMI_DENY_NO_TARGET] = "deny-no-target",
		[SMI_DENY_SOURCE] = "deny-source", [SMI_DENY_PORT] = "deny-port",
		[SMI_DENY_ROUTE] = "deny-route",
	};
	return (unsigned)v < ARRAY_SIZE(names) ? names[v] : "?";
}
