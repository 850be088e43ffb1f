/*
 * decide.c - what SHOULD happen to a request or a connection under a set:
 * route matching, access control and traffic split selection. One code path
 * for every API version: the decoders already normalised the versions away.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "smi/internal.h"

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

bool smi_http_match_request(const struct smi_http_match *m, const struct smi_http_request *req)
{
	const char *path = req->path ? req->path : "";

	if (m->methods != SMI_METHOD_ANY && !(smi_method_bit(req->method) & m->methods))
		return false;
	/*
	 * "A regex is used to match against the URI and is anchored (^) to the
	 * beginning of the URI" (traffic-specs v1alpha1..v1alpha4). The regex
	 * was compiled anchored at the start, and nothing anchors its end: the
	 * path is matched up to the query string, which is not part of it.
	 */
	if (m->path_regex && !regex_match(m->path_regex, path, strcspn(path, "?#")))
		return false;
	/*
	 * "A route with multiple header filters represents an AND condition"
	 * (traffic-specs v1alpha2+). Names compare case-insensitively, as HTTP
	 * field names do; a header sent several times passes if any value does.
	 */
	for (size_t i = 0; i < m->n_headers; i++) {
		bool ok = false;

		for (size_t j = 0; j < req->n_headers && !ok; j++) {
			const struct smi_header *h = &req->headers[j];

			ok = h->name && h->value && !strcasecmp(h->name, m->headers[i].name) &&
			     regex_match(m->headers[i].value, h->value, strlen(h->value));
		}
		if (!ok)
			return false;
	}
	return true;
}

bool smi_port_route_covers(const struct smi_port_route *r, uint16_t port)
{
	/* "When matching ports are not specified, the TCP route will match all the ports" (specs v1alpha4). */
	if (!r->n_ports)
		return true;
	for (size_t i = 0; i < r->n_ports; i++)
		if (r->ports[i] == port)
			return true;
	return false;
}

static const char *strip_spiffe(const char *s)
{
	return strncmp(s, "spiffe://", 9) ? s : s + 9;
}

static bool labels_select(const struct smi_identity_binding *b, const struct smi_peer *p)
{
	for (size_t i = 0; i < b->n_match_labels; i++) {
		bool found = false;

		for (size_t j = 0; j < p->n_labels && !found; j++)
			found = same(p->labels[j].key, b->match_labels[i].key) &&
				same(p->labels[j].value, b->match_labels[i].value);
		if (!found)
			return false;
	}
	return true;
}

bool smi_identity_holds(const struct smi_identity *id, const struct smi_peer *peer)
{
	const struct smi_identity_binding *b = id->binding;

	if (id->kind == SMI_ID_SERVICE_ACCOUNT)
		return same(id->name, peer->service_account) && same(id->namespace, peer->namespace);
	if (!b)
		return false;
	/*
	 * "Each scheme's configuration is OR'd together"; a binding speaks only
	 * for workloads of its own namespace (traffic-access v1alpha4).
	 */
	if (b->service_account && same(b->service_account, peer->service_account) &&
	    same(b->meta.namespace, peer->namespace))
		return true;
	if (b->has_selector && same(b->meta.namespace, peer->namespace) && labels_select(b, peer))
		return true;
	for (size_t i = 0; peer->spiffe_id && i < b->n_spiffe; i++)
		if (!strcmp(strip_spiffe(b->spiffe[i]), strip_spiffe(peer->spiffe_id)))
			return true;
	return false;
}

/*
 * Rules of one target whose destination and source already hold. The L4
 * rules (TCPRoute) say which ports traffic may use and the HTTPRouteGroup
 * rules which HTTP routes: "the TCPRoute/UDPRoute matches.ports field allows
 * the user to specify specifically which port traffic should be allowed on"
 * (traffic-access v1alpha3). So an HTTP request needs its port covered when
 * the target has TCPRoute rules, and a matching route when it has
 * HTTPRouteGroup rules; the v1alpha3 "L7" example (TCPRoute 8080 plus the
 * metrics match) allows prometheus only GET /metrics, not all of port 8080.
 * A TCP or UDP flow that is not HTTP needs a TCPRoute or UDPRoute covering
 * its port ("will allow TCP and UDP traffic to both 8301 and 8302 ports, but
 * will block UDP traffic to 8300", the v1alpha3 "L4" example).
 */
static enum smi_access_verdict rules_allow(const struct smi_traffic_target *t, uint16_t port,
					   enum smi_proto proto, const struct smi_http_request *req,
					   struct smi_access_result *out)
{
	enum smi_kind l4 = proto == SMI_PROTO_UDP ? SMI_UDP_ROUTE : SMI_TCP_ROUTE;
	const struct smi_rule *port_rule = NULL;
	bool has_l4 = false, has_http = false;

	for (size_t i = 0; i < t->n_rules; i++) {
		const struct smi_rule *r = &t->rules[i];

		if (r->kind == SMI_HTTP_ROUTE_GROUP) {
			has_http = true;
		} else if (r->kind == l4) {
			has_l4 = true;
			if (!port_rule && r->ports && smi_port_route_covers(r->ports, port))
				port_rule = r;
		}
	}
	if (!req || proto == SMI_PROTO_UDP) {
		if (!has_l4)
			return SMI_DENY_ROUTE;
		if (!port_rule)
			return SMI_DENY_PORT;
		out->rule = port_rule;
		return SMI_ALLOW;
	}
	if (!has_l4 && !has_http)
		return SMI_DENY_ROUTE;
	if (has_l4 && !port_rule)
		return SMI_DENY_PORT;
	if (!has_http) {
		out->rule = port_rule;
		return SMI_ALLOW;
	}
	for (size_t i = 0; i < t->n_rules; i++) {
		const struct smi_rule *r = &t->rules[i];

		if (r->kind != SMI_HTTP_ROUTE_GROUP)
			continue;
		for (size_t j = 0; j < r->n_selected; j++)
			if (smi_http_match_request(r->selected[j], req)) {
				out->rule = r;
				out->match = r->selected[j];
				return SMI_ALLOW;
			}
	}
	return SMI_DENY_ROUTE;
}

/*
 * "Access control in this specification is additive, all traffic is denied
 * by default" (traffic-access, every version): a request is allowed when any
 * TrafficTarget allows it, and denied otherwise. The verdict of a denial is
 * the furthest any target got (destination, then source, port, route).
 */
static int decide(const struct smi_set *set, const struct smi_peer *src, const struct smi_peer *dst,
		  uint16_t port, enum smi_proto proto, const struct smi_http_request *req,
		  struct smi_access_result *out)
{
	enum smi_access_verdict best = SMI_DENY_NO_TARGET;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->verdict = SMI_DENY_NO_TARGET;
	if (!set || !src || !dst)
		return -EINVAL;
	for (size_t i = 0; i < set->n_targets; i++) {
		const struct smi_traffic_target *t = set->targets[i];
		enum smi_access_verdict v = SMI_DENY_SOURCE;
		bool source = false;

		if (!smi_identity_holds(&t->destination, dst))
			continue;
		/* "Any pod which attempts to connect and is not in the defined list of sources will be denied." */
		for (size_t j = 0; j < t->n_sources && !source; j++)
			source = smi_identity_holds(&t->sources[j], src);
		/* v1alpha1/v1alpha2: "port ... if not specified, traffic will be allowed to all ports". */
		if (source)
			v = t->port && t->port != port ? SMI_DENY_PORT : rules_allow(t, port, proto, req, out);
		if (v == SMI_ALLOW) {
			out->verdict = SMI_ALLOW;
			out->target = t;
			return 0;
		}
		out->rule = NULL;
		out->match = NULL;
		if (v > best)
			best = v;
	}
	out->verdict = best;
	return 0;
}

int smi_access_http(const struct smi_set *set, const struct smi_peer *src,
		    const struct smi_peer *dst, uint16_t port,
		    const struct smi_http_request *req, struct smi_access_result *out)
{
	if (!req) {
		if (out)
			memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	return decide(set, src, dst, port, SMI_PROTO_TCP, req, out);
}

int smi_access_l4(const struct smi_set *set, const struct smi_peer *src,
		  const struct smi_peer *dst, uint16_t port, enum smi_proto proto,
		  struct smi_access_result *out)
{
	return decide(set, src, dst, port, proto, NULL, out);
}

/* The first match of the split's route groups that selects the request. */
static bool split_selects(const struct smi_traffic_split *ts, const struct smi_http_request *req,
			  struct smi_split_result *out)
{
	/* "If multiple HTTP route groups are specified, all routes will be merged into a single group." */
	for (size_t i = 0; i < ts->n_matches; i++) {
		const struct smi_http_route_group *g = ts->matches[i].group;

		for (size_t j = 0; g && j < g->n_matches; j++)
			if (smi_http_match_request(&g->matches[j], req)) {
				out->split_match = &ts->matches[i];
				out->match = &g->matches[j];
				return true;
			}
	}
	return false;
}

int smi_split_lookup(const struct smi_set *set, const char *namespace, const char *service,
		     const struct smi_http_request *req, struct smi_split_result *out)
{
	const struct smi_traffic_split *unconditional = NULL;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!set || !namespace || !service)
		return -EINVAL;
	for (size_t i = 0; i < set->n_splits; i++) {
		const struct smi_traffic_split *ts = set->splits[i];

		if (!same(ts->meta.namespace, namespace) || !same(ts->service, service))
			continue;
		if (!ts->n_matches) {
			if (!unconditional)
				unconditional = ts;
			continue;
		}
		/*
		 * "If the header conditions don't match the incoming request, then
		 * routing will be handled by the Kubernetes service with the same
		 * name as spec.service" (traffic-split v1alpha3/v1alpha4).
		 */
		if (req && split_selects(ts, req, out)) {
			out->split = ts;
			return 0;
		}
	}
	out->split = unconditional;
	return 0;
}
