/* policy.c - see policy.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/policy.h"

static const char *const variant_names[MESH_VARIANT_COUNT] = {
	[MESH_REFERENCE] = "reference",
	[MESH_FAULTY_WEIGHTS] = "faulty-weights",
	[MESH_FAIL_OPEN] = "fail-open",
	[MESH_IGNORE_PATH] = "ignore-path",
	[MESH_IGNORE_METHOD] = "ignore-method",
	[MESH_IGNORE_HEADERS] = "ignore-headers",
	[MESH_INFLATE_METRICS] = "inflate-metrics",
	[MESH_DROP_FAILURES_METRICS] = "drop-failures-metrics",
	[MESH_ROUTE_LIST_ORDER] = "route-list-order",
	[MESH_ROUTE_LOOSE_PREFIX] = "route-loose-prefix",
	[MESH_ROUTE_ADD_AS_SET] = "route-add-as-set",
	[MESH_ROUTE_REDIRECT_HOST] = "route-redirect-host",
	[MESH_ROUTE_NO_REWRITE] = "route-no-rewrite",
	[MESH_ROUTE_CONSUMER_EVERYWHERE] = "route-consumer-everywhere",
	[MESH_STRIP_ID] = "strip-id",
	[MESH_MIRROR_TO_ZERO_WEIGHT] = "mirror-to-zero-weight",
	[MESH_REGENERATE_ID] = "regenerate-id",
	[MESH_PER_CONNECTION_SPLIT] = "per-connection-split",
	[MESH_RETRY_FLAKY_BACKEND] = "retry-with-flaky-backend",
	[MESH_BOGUS_RESTART] = "bogus-restart",
	[MESH_ALLOW_OTHER_METHODS] = "allow-other-methods",
	[MESH_LOOSE_MATCH] = "loose-match",
	[MESH_ROUTE_NO_MIRROR] = "route-no-mirror",
	[MESH_ROUTE_ANY_PORT] = "route-any-port",
	[MESH_ROUTE_NO_RESPONSE_HEADERS] = "route-no-response-headers",
	[MESH_ROUTE_BY_HOST] = "route-by-host",
};

/* One line each, for `lab meshes` and `run --list-meshes` (docs/lab.md has the details). */
static const char *const variant_summaries[MESH_VARIANT_COUNT] = {
	[MESH_REFERENCE] = "HAProxy rendering every SMI object as the specifications say",
	[MESH_FAULTY_WEIGHTS] = "split weights pulled 20% toward an even split (75/25 becomes 70/30)",
	[MESH_FAIL_OPEN] = "access control on, but nothing is denied",
	[MESH_IGNORE_PATH] = "allow rules and split matches without their pathRegex",
	[MESH_IGNORE_METHOD] = "allow rules and split matches without their methods",
	[MESH_IGNORE_HEADERS] = "allow rules and split matches without their header filters",
	[MESH_INFLATE_METRICS] = "traffic as the reference; request and response counters reported 20% high",
	[MESH_DROP_FAILURES_METRICS] = "traffic as the reference; 4xx/5xx, denied, error counters reported 0",
	[MESH_ROUTE_LIST_ORDER] = "HTTPRoute matches tried in list order, first wins (no precedence)",
	[MESH_ROUTE_LOOSE_PREFIX] = "HTTPRoute PathPrefix compared by characters, not segments: /v2 takes /v2x",
	[MESH_ROUTE_ADD_AS_SET] = "RequestHeaderModifier add replaces the values rather than appending one",
	[MESH_ROUTE_REDIRECT_HOST] = "RequestRedirect keeps the request's host, ignoring its hostname",
	[MESH_ROUTE_NO_REWRITE] = "URLRewrite paths left as they came",
	[MESH_ROUTE_CONSUMER_EVERYWHERE] = "consumer HTTPRoutes applied to every client, not only their namespace's",
	[MESH_STRIP_ID] = "denied requests reach the pod without X-Request-Id; the client gets 403",
	[MESH_MIRROR_TO_ZERO_WEIGHT] = "a copy of each answered request goes to the split's weight-0 backend",
	[MESH_REGENERATE_ID] = "every request gets a new X-Request-Id; denied ones reach the pod",
	[MESH_PER_CONNECTION_SPLIT] = "a split picks its backend once per client connection",
	[MESH_RETRY_FLAKY_BACKEND] = "one backend fails every 2nd request; the mesh retries 503s elsewhere",
	[MESH_BOGUS_RESTART] = "5xx counters reported 0, a process start time after every scrape",
	[MESH_ALLOW_OTHER_METHODS] = "denies only GETs or sources some rule names; other methods pass",
	[MESH_LOOSE_MATCH] = "header values matched case-insensitively; pathRegex not anchored",
	[MESH_ROUTE_NO_MIRROR] = "HTTPRoute RequestMirror filters left out: the mirror gets no copies",
	[MESH_ROUTE_ANY_PORT] = "HTTPRoutes bound to one port of a Service taken on its other ports too",
	[MESH_ROUTE_NO_RESPONSE_HEADERS] = "ResponseHeaderModifier filters left out (responses unchanged)",
	[MESH_ROUTE_BY_HOST] = "a request whose Host names another service gets that service's routing",
};

const char *mesh_variant_summary(enum mesh_variant v)
{
	return (unsigned)v < MESH_VARIANT_COUNT ? variant_summaries[v] : "";
}

const char *mesh_variant_name(enum mesh_variant v)
{
	return (unsigned)v < MESH_VARIANT_COUNT ? variant_names[v] : "unknown";
}

int mesh_variant_parse(const char *s, enum mesh_variant *v)
{
	for (int i = 0; i < MESH_VARIANT_COUNT; i++) {
		if (!strcmp(s, variant_names[i])) {
			*v = (enum mesh_variant)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool mesh_variant_rewrites_metrics(enum mesh_variant v)
{
	return v == MESH_INFLATE_METRICS || v == MESH_DROP_FAILURES_METRICS || v == MESH_BOGUS_RESTART;
}

unsigned mesh_variant_fail_every(enum mesh_variant v)
{
	/* Every 2nd: a failure rate no split can hide once the failures go elsewhere. */
	return v == MESH_RETRY_FLAKY_BACKEND ? 2 : 0;
}

void *mesh_grow(void **array, int *count, size_t size)
{
	char *a = realloc(*array, (size_t)(*count + 1) * size);

	if (!a)
		return NULL;
	*array = a;
	memset(a + (size_t)*count * size, 0, size);
	return a + (size_t)(*count)++ * size;
}

void mesh_http_match_free(struct mesh_http_match *m)
{
	for (int i = 0; i < m->n_methods; i++)
		free(m->methods[i]);
	free(m->methods);
	free(m->path_regex);
	for (int i = 0; i < m->n_headers; i++) {
		free(m->headers[i].name);
		free(m->headers[i].regex);
	}
	free(m->headers);
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*failed = true;
	return d;
}

int mesh_http_match_copy(struct mesh_http_match *dst, const struct mesh_http_match *src)
{
	bool failed = false;

	memset(dst, 0, sizeof(*dst));
	dst->path_regex = dup_or_null(src->path_regex, &failed);
	for (int i = 0; i < src->n_methods && !failed; i++) {
		char **m = MESH_PUSH(dst->methods, dst->n_methods);

		if (!m || !(*m = strdup(src->methods[i])))
			failed = true;
	}
	for (int i = 0; i < src->n_headers && !failed; i++) {
		struct mesh_header_match *h = MESH_PUSH(dst->headers, dst->n_headers);

		if (!h)
			failed = true;
		else if (!(h->name = dup_or_null(src->headers[i].name, &failed)) ||
			 !(h->regex = dup_or_null(src->headers[i].regex, &failed)))
			failed = true;
	}
	if (failed) {
		mesh_http_match_free(dst);
		memset(dst, 0, sizeof(*dst));
		return -ENOMEM;
	}
	return 0;
}

void mesh_http_matches_free(struct mesh_http_match *matches, int n)
{
	for (int i = 0; i < n; i++)
		mesh_http_match_free(&matches[i]);
	free(matches);
}

uint64_t mesh_gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

bool mesh_policy_has_mirrors(const struct mesh_policy *p)
{
	for (int i = 0; i < p->n_listeners; i++)
		for (int k = 0; k < p->listeners[i].n_rules; k++)
			if (p->listeners[i].rules[k].n_mirrors)
				return true;
	return false;
}

void mesh_policy_free(struct mesh_policy *p)
{
	for (int i = 0; i < p->n_listeners; i++) {
		struct mesh_listener *l = &p->listeners[i];

		for (int j = 0; j < l->n_routes; j++) {
			mesh_http_matches_free(l->routes[j].matches, l->routes[j].n_matches);
			free(l->routes[j].servers);
		}
		free(l->routes);
		free(l->servers);
		for (int j = 0; j < l->n_rules; j++)
			free(l->rules[j].servers);
		free(l->rules);
		free(l->rule_matches);
	}
	for (int i = 0; i < p->n_allows; i++) {
		struct mesh_allow *a = &p->allows[i];

		free(a->dst_pods);
		free(a->src_pods);
		free(a->l4_ports);
		mesh_http_matches_free(a->matches, a->n_matches);
	}
	free(p->pods);
	free(p->listeners);
	free(p->allows);
	arena_free(&p->arena);
	memset(p, 0, sizeof(*p));
}
