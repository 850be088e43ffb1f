/* lab_smi.c - from the normalised SMI model to the mesh policy (lab_policy_add_smi). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab_policy.h"
#include "smi/smi.h"
#include "util/log.h"

static int push_str(char ***v, int *n, const char *s)
{
	char **slot = MESH_PUSH(*v, *n);

	if (!slot || !(*slot = strdup(s)))
		return -ENOMEM;
	return 0;
}

/* Converts one HTTPRouteGroup match; the policy keeps the patterns as written. */
static int convert_match(const struct smi_http_match *m, struct mesh_http_match *out)
{
	memset(out, 0, sizeof(*out));
	if (m->methods != SMI_METHOD_ANY)
		for (unsigned bit = 1; bit < SMI_METHOD_ANY; bit <<= 1)
			if ((m->methods & bit) && push_str(&out->methods, &out->n_methods, smi_method_name(bit)))
				return -ENOMEM;
	if (m->path_regex && !(out->path_regex = strdup(smi_regex_source(m->path_regex))))
		return -ENOMEM;
	for (size_t i = 0; i < m->n_headers; i++) {
		struct mesh_header_match *h = MESH_PUSH(out->headers, out->n_headers);

		if (!h || !(h->name = strdup(m->headers[i].name)) ||
		    !(h->regex = strdup(smi_regex_source(m->headers[i].value))))
			return -ENOMEM;
	}
	return 0;
}

/*
 * Weights in thousandths (any version) reduced by their common divisor;
 * only a split whose reduced weights still exceed 32 bits is rounded.
 */
static void split_weights(const struct smi_traffic_split *ts, struct lab_split_backend *b)
{
	uint64_t g = 0, max = 0;

	for (size_t i = 0; i < ts->n_backends; i++) {
		g = mesh_gcd(g, (uint64_t)ts->backends[i].weight_milli);
		if ((uint64_t)ts->backends[i].weight_milli > max)
			max = (uint64_t)ts->backends[i].weight_milli;
	}
	for (size_t i = 0; i < ts->n_backends; i++) {
		uint64_t w = g ? (uint64_t)ts->backends[i].weight_milli / g : 0;

		if (g && max / g > UINT32_MAX)
			w = (uint64_t)((double)ts->backends[i].weight_milli / (double)max * UINT32_MAX);
		b[i].service = ts->backends[i].service;
		b[i].weight = (uint32_t)w;
	}
}

/* "app-svc, app-a, ..." : the services of namespace ns, for a message. */
static void service_names(const struct topology *t, const char *ns, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < t->n_services && used < len; i++)
		if (!strcmp(t->services[i].namespace, ns))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", t->services[i].name);
	if (!used)
		snprintf(buf, len, "none");
}

/*
 * Every service a split names must be in the topology. Said with the
 * manifest's file, line and field, so a scenario's mistake is found before
 * a lab is brought up for it (a split naming no service the mesh knows
 * could only fail once traffic flows).
 */
static int split_services_known(const struct topology *t, const struct smi_traffic_split *ts)
{
	const char *ns = ts->meta.namespace;
	char names[512];

	service_names(t, ns, names, sizeof(names));
	if (topology_service(t, ns, ts->service) < 0)
		return error("'%s': line %d: spec.service: service '%s/%s' is not in the lab topology (services "
			     "in namespace '%s': %s)", ts->meta.file, ts->meta.line, ns, ts->service, ns, names);
	for (size_t i = 0; i < ts->n_backends; i++)
		if (topology_service(t, ns, ts->backends[i].service) < 0)
			return error("'%s': line %d: spec.backends[%zu].service: service '%s/%s' is not in the lab "
				     "topology (services in namespace '%s': %s)", ts->meta.file, ts->meta.line, i, ns,
				     ts->backends[i].service, ns, names);
	return 0;
}

static int add_split(struct mesh_policy *p, const struct topology *t, const struct smi_traffic_split *ts)
{
	struct lab_split_backend *b = calloc(ts->n_backends + 1, sizeof(*b));
	struct mesh_http_match *matches = NULL;
	int n_matches = 0, r = 0;
	char origin[160];

	snprintf(origin, sizeof(origin), "TrafficSplit %s/%s", ts->meta.namespace, ts->meta.name);
	if (!b)
		return error("out of memory");
	if (split_services_known(t, ts)) {
		free(b);
		return -1;
	}
	split_weights(ts, b);
	/* "If multiple HTTP route groups are specified, all routes will be merged into a single group." */
	for (size_t i = 0; i < ts->n_matches && !r; i++)
		for (size_t j = 0; ts->matches[i].group && j < ts->matches[i].group->n_matches && !r; j++) {
			struct mesh_http_match *m = MESH_PUSH(matches, n_matches);

			r = !m || convert_match(&ts->matches[i].group->matches[j], m) ? error("out of memory") : 0;
		}
	if (!r && ts->n_matches && !n_matches)
		pr_warn("%s: its matches select no request; it has no effect", origin);
	else if (!r)
		r = lab_policy_split(p, t, origin, ts->meta.namespace, ts->service, b, (int)ts->n_backends,
				     matches, n_matches);
	mesh_http_matches_free(matches, n_matches);
	free(b);
	return r;
}

/* The policy pods (indexes) holding identity `id`. */
static int pods_holding(const struct mesh_policy *p, const struct topology *t, const struct smi_identity *id,
			int **out, int *n)
{
	for (int i = 0; i < t->n_pods; i++) {
		const struct topo_pod *pod = &t->pods[i];
		struct smi_label labels[TOPO_MAX_LABELS];
		struct smi_peer peer = { .service_account = pod->service_account, .namespace = pod->namespace,
					 .labels = labels, .n_labels = (size_t)pod->n_labels };
		int k = lab_policy_pod(p, pod->namespace, pod->name), *slot;
		bool dup = false;

		for (int l = 0; l < pod->n_labels; l++)
			labels[l] = (struct smi_label){ pod->labels[l].key, pod->labels[l].value };
		if (k < 0 || !smi_identity_holds(id, &peer))
			continue;
		for (int j = 0; j < *n; j++)
			dup = dup || (*out)[j] == k;
		if (dup)
			continue;
		slot = MESH_PUSH(*out, *n);
		if (!slot)
			return -ENOMEM;
		*slot = k;
	}
	return 0;
}

static int add_rule(struct mesh_allow *a, const struct smi_rule *rule)
{
	if (rule->kind == SMI_TCP_ROUTE && rule->ports) {
		a->has_l4 = true;
		a->l4_all_ports |= rule->ports->n_ports == 0;
		for (size_t i = 0; i < rule->ports->n_ports; i++) {
			uint16_t *slot = MESH_PUSH(a->l4_ports, a->n_l4_ports);

			if (!slot)
				return -ENOMEM;
			*slot = rule->ports->ports[i];
		}
		return 0;
	}
	if (rule->kind != SMI_HTTP_ROUTE_GROUP)
		return 0;	/* UDPRoute: the lab carries no UDP */
	a->has_http = true;
	for (size_t i = 0; i < rule->n_selected; i++) {
		struct mesh_http_match *m = MESH_PUSH(a->matches, a->n_matches);

		if (!m || convert_match(rule->selected[i], m))
			return -ENOMEM;
	}
	return 0;
}

static int add_target(struct mesh_policy *p, const struct topology *t, const struct smi_traffic_target *tt)
{
	struct mesh_allow *a = MESH_PUSH(p->allows, p->n_allows);

	if (!a)
		return error("out of memory");
	snprintf(a->origin, sizeof(a->origin), "%s/%s", tt->meta.namespace, tt->meta.name);
	a->dst_port = tt->port;
	if (pods_holding(p, t, &tt->destination, &a->dst_pods, &a->n_dst))
		return error("out of memory");
	for (size_t i = 0; i < tt->n_sources; i++)
		if (pods_holding(p, t, &tt->sources[i], &a->src_pods, &a->n_src))
			return error("out of memory");
	for (size_t i = 0; i < tt->n_rules; i++)
		if (add_rule(a, &tt->rules[i]))
			return error("out of memory");
	return 0;
}

/*
 * Splits first: unconditional ones replace the apex's endpoints (only the
 * first per apex counts, as the model's smi_split_lookup() picks it);
 * conditional ones become routes in load order.
 */
int lab_policy_add_smi(struct mesh_policy *p, const struct topology *t, const struct smi_set *set)
{
	for (size_t i = 0; i < set->n_splits; i++) {
		const struct smi_traffic_split *ts = set->splits[i];
		bool shadowed = false;

		for (size_t j = 0; j < i && !ts->n_matches; j++)
			shadowed = shadowed || (!set->splits[j]->n_matches &&
						!strcmp(set->splits[j]->meta.namespace, ts->meta.namespace) &&
						!strcmp(set->splits[j]->service, ts->service));
		/* The model has warned about it already. */
		if (shadowed)
			continue;
		if (add_split(p, t, ts))
			return -1;
	}
	for (size_t i = 0; i < set->n_targets; i++)
		if (add_target(p, t, set->targets[i]))
			return -1;
	return 0;
}
