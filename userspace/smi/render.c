/*
 * render.c - a normalised object back to YAML in a chosen API version of its
 * group, for conformance suites that must speak the versions a mesh serves.
 * An object the version cannot express is refused with the reason, never
 * written with a part silently left out.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "smi/internal.h"

#define MAX_WEIGHT 2147483647LL

struct out {
	FILE *f;
	char *err;
	size_t errlen;
	int ret;
};

static int refuse(struct out *o, const struct smi_meta *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct out *o, const struct smi_meta *m, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(o->err, o->errlen, "%s '%s/%s': ", smi_kind_name(m->kind),
			     m->namespace, m->name);
	va_start(ap, fmt);
	if (n < o->errlen)
		vsnprintf(o->err + n, o->errlen - n, fmt, ap);
	va_end(ap);
	o->ret = -ENOTSUP;
	return -ENOTSUP;
}

/* Plain when it cannot be mistaken for another type or YAML syntax; else double-quoted. */
static void scalar(FILE *f, const char *s)
{
	bool plain = *s && yaml_plain_kind(s, strlen(s)) == YSCALAR_STRING &&
		     strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == strlen(s) &&
		     s[0] != '-' && s[0] != '.';

	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void kv(FILE *f, int indent, const char *key, const char *value)
{
	fprintf(f, "%*s%s: ", indent, "", key);
	scalar(f, value);
	fputc('\n', f);
}

static void header(FILE *f, const struct smi_meta *m, int version, bool metadata)
{
	char api[64];

	fprintf(f, "---\napiVersion: %s\nkind: %s\n", api_version_string(m->kind, version, api, sizeof(api)),
		smi_kind_name(m->kind));
	/* TrafficMetrics carry metadata only when named apart from their resource. */
	if (!metadata || (!m->name && !m->namespace))
		return;
	fputs("metadata:\n", f);
	if (m->name)
		kv(f, 2, "name", m->name);
	if (m->namespace)
		kv(f, 2, "namespace", m->namespace);
}

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static int render_split(struct out *o, const struct smi_traffic_split *ts, int v)
{
	FILE *f = o->f;
	int64_t scale = 1000;

	if (ts->n_matches && v < SMI_V1ALPHA3)
		return refuse(o, &ts->meta, "spec.matches needs split.smi-spec.io v1alpha3 or later");
	if (v >= SMI_V1ALPHA2) {
		/* Whole numbers: keep them when they are, else the smallest ratio. */
		for (size_t i = 0; i < ts->n_backends; i++)
			if (ts->backends[i].weight_milli % 1000)
				scale = 0;
		if (!scale)
			for (size_t i = 0; i < ts->n_backends; i++)
				scale = gcd64(scale, ts->backends[i].weight_milli);
		for (size_t i = 0; i < ts->n_backends; i++)
			if (ts->backends[i].weight_milli / scale > MAX_WEIGHT)
				return refuse(o, &ts->meta, "weights do not fit whole numbers up to %lld", MAX_WEIGHT);
	}
	header(f, &ts->meta, v, true);
	fputs("spec:\n", f);
	kv(f, 2, "service", ts->service);
	if (ts->n_matches) {
		fputs("  matches:\n", f);
		for (size_t i = 0; i < ts->n_matches; i++) {
			fputs("  - kind: HTTPRouteGroup\n", f);
			kv(f, 4, "name", ts->matches[i].name);
		}
	}
	fputs("  backends:\n", f);
	for (size_t i = 0; i < ts->n_backends; i++) {
		int64_t w = ts->backends[i].weight_milli;

		fputs("  - service: ", f);
		scalar(f, ts->backends[i].service);
		if (v >= SMI_V1ALPHA2)
			fprintf(f, "\n    weight: %lld\n", (long long)(w / scale));
		else if (w % 1000)
			fprintf(f, "\n    weight: %lldm\n", (long long)w);
		else
			fprintf(f, "\n    weight: %lld\n", (long long)(w / 1000));
	}
	return 0;
}

static int check_identity(struct out *o, const struct smi_meta *m, const struct smi_identity *id, int v)
{
	if (id->kind == SMI_ID_IDENTITY_BINDING && v < SMI_V1ALPHA4)
		return refuse(o, m, "IdentityBinding '%s' needs access.smi-spec.io v1alpha4", id->name);
	return 0;
}

static void identity(FILE *f, int indent, bool item, const struct smi_identity *id)
{
	bool ib = id->kind == SMI_ID_IDENTITY_BINDING;

	fprintf(f, "%*s%skind: %s\n", indent, "", item ? "- " : "", ib ? "IdentityBinding" : "ServiceAccount");
	indent += item ? 2 : 0;
	if (ib)
		kv(f, indent, "group", "access.smi-spec.io");
	kv(f, indent, "name", id->name);
	kv(f, indent, "namespace", id->namespace);
}

static int render_target(struct out *o, const struct smi_traffic_target *t, int v)
{
	const char *ind = v >= SMI_V1ALPHA2 ? "  " : "";
	int in = v >= SMI_V1ALPHA2 ? 2 : 0;
	FILE *f = o->f;

	if (t->port && v >= SMI_V1ALPHA3)
		return refuse(o, &t->meta, "destination.port needs access.smi-spec.io v1alpha1 or v1alpha2 (later versions take ports from TCPRoute rules)");
	if (v >= SMI_V1ALPHA3 && (!t->n_rules || !t->n_sources))
		return refuse(o, &t->meta, "access.smi-spec.io %s needs at least one rule and one source",
			      smi_version_name(v));
	if (check_identity(o, &t->meta, &t->destination, v))
		return o->ret;
	for (size_t i = 0; i < t->n_sources; i++)
		if (check_identity(o, &t->meta, &t->sources[i], v))
			return o->ret;
	for (size_t i = 0; i < t->n_rules; i++)
		if (t->rules[i].kind == SMI_UDP_ROUTE && v < SMI_V1ALPHA3)
			return refuse(o, &t->meta, "UDPRoute rules need access.smi-spec.io v1alpha3 or later");
	header(f, &t->meta, v, true);
	if (v >= SMI_V1ALPHA2)
		fputs("spec:\n", f);
	fprintf(f, "%sdestination:\n", ind);
	identity(f, in + 2, false, &t->destination);
	if (t->port)
		fprintf(f, "%*sport: %u\n", in + 2, "", t->port);
	if (t->n_rules)
		fprintf(f, "%s%s:\n", ind, v >= SMI_V1ALPHA2 ? "rules" : "specs");
	for (size_t i = 0; i < t->n_rules; i++) {
		const struct smi_rule *r = &t->rules[i];

		fprintf(f, "%s- kind: %s\n", ind, smi_kind_name(r->kind));
		kv(f, in + 2, "name", r->name);
		if (r->n_match_names)
			fprintf(f, "%s  matches:\n", ind);
		for (size_t j = 0; j < r->n_match_names; j++) {
			fprintf(f, "%s  - ", ind);
			scalar(f, r->match_names[j]);
			fputc('\n', f);
		}
	}
	if (t->n_sources)
		fprintf(f, "%ssources:\n", ind);
	for (size_t i = 0; i < t->n_sources; i++)
		identity(f, in, true, &t->sources[i]);
	return 0;
}

static void methods(FILE *f, int indent, unsigned bits)
{
	fprintf(f, "%*smethods:\n", indent, "");
	if (bits == SMI_METHOD_ANY) {
		fprintf(f, "%*s- \"*\"\n", indent, "");
		return;
	}
	for (unsigned b = 1; b < SMI_METHOD_ANY; b <<= 1)
		if (bits & b)
			fprintf(f, "%*s- %s\n", indent, "", smi_method_name(b));
}

static int render_http(struct out *o, const struct smi_http_route_group *g, int v)
{
	int in = v >= SMI_V1ALPHA3 ? 2 : 0;
	FILE *f = o->f;

	for (size_t i = 0; i < g->n_matches; i++)
		if (g->matches[i].n_headers && v < SMI_V1ALPHA2)
			return refuse(o, &g->meta, "matches[%zu] has header filters, which need specs.smi-spec.io v1alpha2 or later", i);
	header(f, &g->meta, v, true);
	if (in)
		fputs("spec:\n", f);
	fprintf(f, "%*smatches:%s\n", in, "", g->n_matches ? "" : " []");
	for (size_t i = 0; i < g->n_matches; i++) {
		const struct smi_http_match *m = &g->matches[i];

		fprintf(f, "%*s- name: ", in, "");
		scalar(f, m->name);
		fputc('\n', f);
		if (m->path_regex)
			kv(f, in + 2, "pathRegex", smi_regex_source(m->path_regex));
		methods(f, in + 2, m->methods);
		if (m->n_headers)
			fprintf(f, "%*sheaders:\n", in + 2, "");
		for (size_t j = 0; j < m->n_headers; j++) {
			fprintf(f, "%*s", in + 4, "");
			scalar(f, m->headers[j].name);
			fputs(": ", f);
			scalar(f, smi_regex_source(m->headers[j].value));
			fputc('\n', f);
		}
	}
	return 0;
}

static int render_ports(struct out *o, const struct smi_port_route *r, int v)
{
	FILE *f = o->f;

	if (r->meta.kind == SMI_UDP_ROUTE && v < SMI_V1ALPHA4)
		return refuse(o, &r->meta, "UDPRoute needs specs.smi-spec.io v1alpha4");
	if (r->n_ports && v < SMI_V1ALPHA4)
		return refuse(o, &r->meta, "ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)");
	header(f, &r->meta, v, true);
	if (v == SMI_V1ALPHA3)
		fputs("spec: {}\n", f);
	if (v < SMI_V1ALPHA4)
		return 0;
	fprintf(f, "spec:\n  matches:\n    ports:%s\n", r->n_ports ? "" : " []");
	for (size_t i = 0; i < r->n_ports; i++)
		fprintf(f, "    - %u\n", r->ports[i]);
	return 0;
}

static void labels(FILE *f, int indent, const char *key, const struct smi_label *l, size_t n)
{
	fprintf(f, "%*s%s:%s\n", indent, "", key, n ? "" : " {}");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%*s", indent + 2, "");
		scalar(f, l[i].key);
		fputs(": ", f);
		scalar(f, l[i].value);
		fputc('\n', f);
	}
}

static int render_binding(struct out *o, const struct smi_identity_binding *b, int v)
{
	FILE *f = o->f;

	header(f, &b->meta, v, true);
	fputs("spec:\n  schemes:\n", f);
	if (b->has_selector) {
		fputs("    podLabelSelector:\n", f);
		labels(f, 6, "matchLabels", b->match_labels, b->n_match_labels);
	}
	if (b->n_spiffe)
		fputs("    spiffeIdentities:\n", f);
	for (size_t i = 0; i < b->n_spiffe; i++) {
		fputs("    - ", f);
		scalar(f, b->spiffe[i]);
		fputc('\n', f);
	}
	if (b->service_account)
		kv(f, 4, "serviceAccount", b->service_account);
	return 0;
}

static void ref(FILE *f, int indent, const char *key, const struct smi_object_ref *r)
{
	fprintf(f, "%*s%s:%s\n", indent, "", key, r->kind || r->name || r->namespace ? "" : " {}");
	if (r->kind)
		kv(f, indent + 2, "kind", r->kind);
	if (r->name)
		kv(f, indent + 2, "name", r->name);
	if (r->namespace)
		kv(f, indent + 2, "namespace", r->namespace);
}

/* The fields of a TrafficMetrics, at `in` (items of a list are indented). */
static void metrics_body(FILE *f, int in, const struct smi_traffic_metrics *tm)
{
	ref(f, in, "resource", &tm->resource);
	if (tm->edge_direction || tm->edge_side) {
		fprintf(f, "%*sedge:\n", in, "");
		if (tm->edge_direction)
			kv(f, in + 2, "direction", tm->edge_direction);
		if (tm->edge_side)
			kv(f, in + 2, "side", tm->edge_side);
		ref(f, in + 2, "resource", &tm->edge_resource);
	}
	if (tm->has_backend) {
		fprintf(f, "%*sbackend:\n", in, "");
		if (tm->backend_apex)
			kv(f, in + 2, "apex", tm->backend_apex);
		kv(f, in + 2, "name", tm->backend_name);
		fprintf(f, "%*sweight: %lld\n", in + 2, "", (long long)tm->backend_weight);
	}
	if (tm->timestamp)
		kv(f, in, "timestamp", tm->timestamp);
	if (tm->window_ns)
		fprintf(f, "%*swindow: %.9gs\n", in, "", (double)tm->window_ns / 1e9);
	fprintf(f, "%*smetrics:%s\n", in, "", tm->n_metrics ? "" : " []");
	for (size_t i = 0; i < tm->n_metrics; i++) {
		fprintf(f, "%*s- name: ", in, "");
		scalar(f, tm->metrics[i].name);
		fputc('\n', f);
		if (tm->metrics[i].unit)
			kv(f, in + 2, "unit", tm->metrics[i].unit);
		kv(f, in + 2, "value", tm->metrics[i].raw);
	}
}

static int render_metrics(struct out *o, const struct smi_meta *m, int v)
{
	FILE *f = o->f;

	header(f, m, v, true);
	if (m->kind == SMI_TRAFFIC_METRICS) {
		metrics_body(f, 0, (const struct smi_traffic_metrics *)m);
		return 0;
	}
	const struct smi_traffic_metrics_list *l = (const void *)m;

	ref(f, 0, "resource", &l->resource);
	if (l->n_selector_labels) {
		fputs("selector:\n", f);
		labels(f, 2, "matchLabels", l->selector_labels, l->n_selector_labels);
	}
	fprintf(f, "items:%s\n", l->n_items ? "" : " []");
	for (size_t i = 0; i < l->n_items; i++) {
		fputs("- kind: TrafficMetrics\n", f);
		metrics_body(f, 2, l->items[i]);
	}
	return 0;
}

static int render_to(struct out *o, const struct smi_meta *obj, int version)
{
	switch (obj->kind) {
	case SMI_TRAFFIC_SPLIT: return render_split(o, (const void *)obj, version);
	case SMI_TRAFFIC_TARGET: return render_target(o, (const void *)obj, version);
	case SMI_IDENTITY_BINDING: return render_binding(o, (const void *)obj, version);
	case SMI_HTTP_ROUTE_GROUP: return render_http(o, (const void *)obj, version);
	case SMI_TCP_ROUTE:
	case SMI_UDP_ROUTE: return render_ports(o, (const void *)obj, version);
	default: return render_metrics(o, obj, version);
	}
}

int smi_render(const struct smi_meta *obj, int version, FILE *out, char *err, size_t errlen)
{
	struct out o = { .err = err, .errlen = errlen };
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (!obj || !out)
		return -EINVAL;
	if (!smi_kind_in_version(obj->kind, version)) {
		if (version < 1 || version > SMI_VERSION_MAX ||
		    (smi_kind_group(obj->kind) == SMI_GROUP_METRICS && version != SMI_V1ALPHA1)) {
			snprintf(err, errlen, "%s has no version %d", smi_group_name(smi_kind_group(obj->kind)), version);
			return -EINVAL;
		}
		o.ret = 0;
		return refuse(&o, obj, "%s is not defined in %s %s", smi_kind_name(obj->kind),
			      smi_group_name(smi_kind_group(obj->kind)), smi_version_name(version));
	}
	/* Into memory first, so a refusal leaves no half-written object behind. */
	o.f = open_memstream(&buf, &len);
	if (!o.f)
		return -ENOMEM;
	r = render_to(&o, obj, version);
	fclose(o.f);
	if (!r)
		fwrite(buf, 1, len, out);
	free(buf);
	return r;
}

int smi_render_set(const struct smi_set *set, const int versions[SMI_GROUP_COUNT],
		   FILE *out, char *err, size_t errlen)
{
	for (size_t i = 0; i < set->n_objects; i++) {
		const struct smi_meta *m = set->objects[i];
		int v = versions ? versions[smi_kind_group(m->kind)] : 0;
		int r;

		/* Items of a TrafficMetricsList are written inside it. */
		if (m->kind == SMI_TRAFFIC_METRICS && ((const struct smi_traffic_metrics *)m)->list)
			continue;
		r = smi_render(m, v ? v : m->version, out, err, errlen);
		if (r)
			return r;
	}
	return 0;
}
