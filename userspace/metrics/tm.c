/* tm.c - SMI TrafficMetrics (metrics.smi-spec.io/v1alpha1) documents and their value formats. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/reported.h"

const double mx_tm_quantiles[MX_TM_NQ] = { 0.5, 0.9, 0.99 };

int mx_quantity_parse(const char *s, double *out)
{
	static const struct { const char *suffix; double mult; } sfx[] = {
		{ "Ki", 1024.0 }, { "Mi", 1048576.0 }, { "Gi", 1073741824.0 },
		{ "Ti", 1099511627776.0 }, { "Pi", 1125899906842624.0 }, { "Ei", 1152921504606846976.0 },
		{ "n", 1e-9 }, { "u", 1e-6 }, { "m", 1e-3 }, { "k", 1e3 }, { "M", 1e6 },
		{ "G", 1e9 }, { "T", 1e12 }, { "P", 1e15 }, { "E", 1e18 }, { "", 1 },
	};
	const char *p = s;
	char *end;
	double v;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return -EINVAL;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	if ((*p == 'e' || *p == 'E') && (isdigit((unsigned char)p[1]) ||
	    ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
		v = strtod(s, &end);	/* decimal exponent form: "1e3" */
		if (*end || !isfinite(v))
			return -EINVAL;
		*out = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		char num[64];

		if (strcmp(p, sfx[i].suffix) || (size_t)(p - s) >= sizeof(num))
			continue;
		memcpy(num, s, (size_t)(p - s));
		num[p - s] = '\0';
		v = strtod(num, &end);
		if (*end || !isfinite(v) || strchr(num, '.') != strrchr(num, '.'))
			return -EINVAL;
		*out = v * sfx[i].mult;
		return 0;
	}
	return -EINVAL;
}

void mx_quantity_format_nano(uint64_t nano, char *buf, size_t len)
{
	if (nano % 1000000000ULL == 0)
		snprintf(buf, len, "%llu", (unsigned long long)(nano / 1000000000ULL));
	else if (nano % 1000000ULL == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(nano / 1000000ULL));
	else if (nano % 1000ULL == 0)
		snprintf(buf, len, "%lluu", (unsigned long long)(nano / 1000ULL));
	else
		snprintf(buf, len, "%llun", (unsigned long long)nano);
}

int mx_go_duration_parse(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 },
	};
	double total = 0;

	if (!*s)
		return -EINVAL;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		size_t best = 0, bl = 0;

		if (end == s || v < 0 || !isdigit((unsigned char)*s))
			return -EINVAL;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t ul = strlen(units[i].unit);

			if (!strncmp(end, units[i].unit, ul) && ul > bl) {
				best = i;
				bl = ul;
			}
		}
		if (!bl)
			return -EINVAL;
		total += v * units[best].ns;
		s = end + bl;
	}
	if (total > 1e18)
		return -EINVAL;
	*ns = (uint64_t)llround(total);
	return 0;
}

int mx_rfc3339_parse(const char *s, int64_t *ns)
{
	struct tm tm = { 0 };
	const char *p;
	double frac = 0;
	int off = 0;
	time_t t;

	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		char *end;

		frac = strtod(p, &end);
		if (end == p + 1)
			return -EINVAL;
		p = end;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		   p[3] == ':' && isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5])) {
		off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
		off = *p == '-' ? -off : off;
		p += 6;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ns = ((int64_t)t - off) * 1000000000LL + (int64_t)llround(frac * 1e9);
	return 0;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static const struct { const char *kind; enum ep_kind ep; } kinds[] = {
	{ "Pod", EP_POD }, { "Deployment", EP_WORKLOAD }, { "StatefulSet", EP_WORKLOAD },
	{ "DaemonSet", EP_WORKLOAD }, { "ReplicaSet", EP_WORKLOAD },
	{ "ReplicationController", EP_WORKLOAD }, { "Job", EP_WORKLOAD },
	{ "Namespace", EP_NAMESPACE }, { "Service", EP_SERVICE },
};

/* Decodes an object reference into an endpoint and the way to name observed ends like it. */
static int decode_ref(json_t *ref, struct mx_endpoint *e, struct ep_spec *ep, char *note, size_t len)
{
	const char *kind = jstr(ref, "kind"), *name = jstr(ref, "name"), *ns = jstr(ref, "namespace");

	memset(e, 0, sizeof(*e));
	memset(ep, 0, sizeof(*ep));
	ep->label = "tm";	/* any non-NULL: a named end (never dereferenced as a label) */
	ep->ns_label = "tm";
	if (!json_is_object(ref) || (!*name && !*ns) || (!*name && !strcmp(kind, "Namespace") && !*ns)) {
		ep->any = true;
		ep->label = ep->ns_label = NULL;
		strcpy(e->name, "*");
		return 0;
	}
	if (!*name) {		/* only a namespace: all traffic of that namespace */
		ep->kind = EP_NAMESPACE;
		snprintf(e->ns, sizeof(e->ns), "%s", ns);
		strcpy(e->name, "*");
		return 0;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i].kind)) {
			ep->kind = kinds[i].ep;
			if (ep->kind == EP_NAMESPACE) {
				snprintf(e->ns, sizeof(e->ns), "%s", name);
				strcpy(e->name, "*");
			} else {
				snprintf(e->ns, sizeof(e->ns), "%s", ns);
				snprintf(e->name, sizeof(e->name), "%s", name);
			}
			return 0;
		}
	snprintf(note, len, "resource kind '%s' is not supported (Pod, workloads, Namespace, Service)",
		 *kind ? kind : "(none)");
	return 1;
}

static double metric_value(json_t *metrics, const char *name, bool latency, char *err, size_t errlen)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "ms", 1e6 }, { "milliseconds", 1e6 }, { "s", 1e9 }, { "seconds", 1e9 },
		{ "us", 1e3 }, { "ns", 1 },
	};
	json_t *m;
	size_t i;

	json_array_foreach(metrics, i, m) {
		const char *v = jstr(m, "value"), *unit = jstr(m, "unit");
		double x;

		if (strcmp(jstr(m, "name"), name))
			continue;
		if (json_is_number(json_object_get(m, "value")))
			x = json_number_value(json_object_get(m, "value"));
		else if (mx_quantity_parse(v, &x)) {
			snprintf(err, errlen, "metric '%s': '%s' is not a quantity", name, v);
			return NAN;
		}
		if (!latency)
			return x;
		/* quantities are decimal; whole nanoseconds keep 2200u s == 2200000 ns exact */
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
			if (!strcmp(unit, units[u].unit))
				return round(x * units[u].ns);
		snprintf(err, errlen, "metric '%s': unknown unit '%s'", name, unit);
		return NAN;
	}
	return NAN;
}

/* Whether an item's edge names another resource (not null, not empty). */
static bool has_edge_resource(json_t *edge)
{
	json_t *r = json_object_get(edge, "resource");

	return json_is_object(r) && (*jstr(r, "name") || *jstr(r, "namespace"));
}

static int decode_item(json_t *it, struct mx_tm_item *item, char *err, size_t errlen)
{
	static const char *const qnames[MX_TM_NQ] = { "p50_response_latency", "p90_response_latency",
						      "p99_response_latency" };
	json_t *res = json_object_get(it, "resource"), *edge = json_object_get(it, "edge");
	json_t *metrics = json_object_get(it, "metrics");
	const char *dir = jstr(edge, "direction"), *side = jstr(edge, "side");
	struct mx_endpoint self, other;
	struct ep_spec self_ep, other_ep;
	bool to;

	memset(item, 0, sizeof(*item));
	err[0] = '\0';
	snprintf(item->resource, sizeof(item->resource), "%s %s%s%s", jstr(res, "kind"),
		 jstr(res, "namespace"), *jstr(res, "namespace") ? "/" : "", jstr(res, "name"));
	if (strcmp(jstr(it, "kind"), "TrafficMetrics")) {
		snprintf(err, errlen, "item kind is '%s', not TrafficMetrics", jstr(it, "kind"));
		return -EINVAL;
	}
	if (strcmp(dir, "to") && strcmp(dir, "from")) {
		snprintf(err, errlen, "%.200s: edge.direction must be \"to\" or \"from\"", item->resource);
		return -EINVAL;
	}
	to = !strcmp(dir, "to");
	/*
	 * Without `side`: an edge to or from another resource is measured at the
	 * client (smi-metrics reads edges from the outbound series, the only ones
	 * that name both ends); a resource alone, at the resource, inbound
	 * ("from" every caller) or outbound ("to" every callee).
	 */
	if (*side)
		item->server_side = !strcmp(side, "server");
	else
		item->server_side = has_edge_resource(edge) ? false : !to;
	if (decode_ref(res, &self, &self_ep, item->note, sizeof(item->note)) ||
	    decode_ref(json_object_get(edge, "resource"), &other, &other_ep, item->note, sizeof(item->note)))
		item->unsupported = true;
	item->src = to ? self : other;
	item->dst = to ? other : self;
	item->src_ep = to ? self_ep : other_ep;
	item->dst_ep = to ? other_ep : self_ep;
	if (mx_rfc3339_parse(jstr(it, "timestamp"), &item->ts_real_ns) ||
	    mx_go_duration_parse(jstr(it, "window"), &item->window_ns)) {
		snprintf(err, errlen, "%.200s: timestamp '%.40s' / window '%.40s' unreadable", item->resource,
			 jstr(it, "timestamp"), jstr(it, "window"));
		return -EINVAL;
	}
	item->success = metric_value(metrics, "success_count", false, err, errlen);
	item->failure = metric_value(metrics, "failure_count", false, err, errlen);
	for (int q = 0; q < MX_TM_NQ; q++)
		item->q_ns[q] = metric_value(metrics, qnames[q], true, err, errlen);
	return err[0] ? -EINVAL : 0;
}

int mx_tm_decode(json_t *doc, const char *source, struct mx_tm_item **items, size_t *n,
		 char *err, size_t errlen)
{
	const char *kind = jstr(doc, "kind");
	json_t *list = json_object_get(doc, "items"), *it;
	char why[1024];
	size_t i, cnt;

	if (!strcmp(kind, "TrafficMetrics")) {
		cnt = 1;
	} else if (!strcmp(kind, "TrafficMetricsList") && json_is_array(list)) {
		cnt = json_array_size(list);
	} else {
		snprintf(err, errlen, "'%s': not a TrafficMetrics or TrafficMetricsList document", source);
		return -EINVAL;
	}
	*items = calloc(cnt ? cnt : 1, sizeof(**items));
	if (!*items)
		return -ENOMEM;
	*n = cnt;
	for (i = 0; i < cnt; i++) {
		it = !strcmp(kind, "TrafficMetrics") ? doc : json_array_get(list, i);
		if (decode_item(it, &(*items)[i], why, sizeof(why))) {
			snprintf(err, errlen, "'%s': item %zu: %s", source, i, why);
			free(*items);
			*items = NULL;
			return -EINVAL;
		}
	}
	return 0;
}
