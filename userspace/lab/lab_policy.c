/* lab_policy.c - see lab_policy.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab_policy.h"
#include "util/log.h"

int lab_policy_pod(const struct mesh_policy *p, const char *ns, const char *name)
{
	for (int i = 0; i < p->n_pods; i++)
		if (!strcmp(p->pods[i].ns, ns) && !strcmp(p->pods[i].name, name))
			return i;
	return -1;
}

static int add_server(struct mesh_server **servers, int *n, int pod, uint16_t port, uint32_t weight)
{
	struct mesh_server *s = MESH_PUSH(*servers, *n);

	if (!s)
		return -ENOMEM;
	*s = (struct mesh_server){ pod, port, weight };
	return 0;
}

int lab_policy_endpoints(const struct mesh_policy *p, const struct topology *t, const struct topo_service *svc,
			 const struct topo_svc_port *sp, struct mesh_server **servers, int *n, uint32_t weight)
{
	for (int e = 0; e < svc->n_endpoints; e++) {
		const struct topo_pod *pod = &t->pods[svc->endpoints[e]];

		if (add_server(servers, n, lab_policy_pod(p, pod->namespace, pod->name), sp->target_port, weight))
			return -ENOMEM;
	}
	return 0;
}

int lab_policy_base(const struct topology *t, bool access_control, struct mesh_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->access_control = access_control;
	p->mesh_ip = t->pods[t->mesh].ip;
	p->metrics_port = t->metrics_port;
	for (int i = 0; i < t->n_pods; i++) {
		struct mesh_pod *pod;

		if (t->pods[i].is_mesh)
			continue;
		pod = MESH_PUSH(p->pods, p->n_pods);
		if (!pod)
			goto nomem;
		snprintf(pod->ns, sizeof(pod->ns), "%s", t->pods[i].namespace);
		snprintf(pod->name, sizeof(pod->name), "%s", t->pods[i].name);
		pod->ip = t->pods[i].ip;
	}
	for (int s = 0; s < t->n_services; s++) {
		const struct topo_service *svc = &t->services[s];

		for (int k = 0; k < svc->n_ports; k++) {
			struct mesh_listener *l = MESH_PUSH(p->listeners, p->n_listeners);

			if (!l)
				goto nomem;
			snprintf(l->ns, sizeof(l->ns), "%s", svc->namespace);
			snprintf(l->service, sizeof(l->service), "%s", svc->name);
			l->ip = svc->ip;
			l->port = svc->ports[k].port;
			l->tcp = svc->ports[k].proto == TOPO_TCP;
			if (lab_policy_endpoints(p, t, svc, &svc->ports[k], &l->servers, &l->n_servers, 1))
				goto nomem;
		}
	}
	return 0;
nomem:
	mesh_policy_free(p);
	return -ENOMEM;
}

static const struct topo_svc_port *port_of(const struct topo_service *s, uint16_t port)
{
	for (int k = 0; k < s->n_ports; k++)
		if (s->ports[k].port == port)
			return &s->ports[k];
	return s->n_ports == 1 ? &s->ports[0] : NULL;
}

static uint64_t lcm(uint64_t a, uint64_t b)
{
	return a / mesh_gcd(a, b) * b;
}

/* The weighted servers of one split for port `port`. Returns 0 or -1 after printing. */
static int split_servers(const struct mesh_policy *p, const struct topology *t, const char *origin,
			 const char *ns, const struct topo_service *const *backends,
			 const struct lab_split_backend *b, int n, uint16_t port, struct mesh_server **servers,
			 int *n_servers)
{
	uint64_t pods_lcm = 1;

	for (int i = 0; i < n; i++)
		if (backends[i]->n_endpoints)
			pods_lcm = lcm(pods_lcm, (uint64_t)backends[i]->n_endpoints);
	for (int i = 0; i < n; i++) {
		const struct topo_svc_port *sp = port_of(backends[i], port);
		uint64_t w;

		if (!sp)
			return error("%s: backend %s/%s has no port %u", origin, ns, b[i].service, port);
		/* Every pod of a backend gets an equal part of the backend's weight, kept integral. */
		w = (uint64_t)b[i].weight * (pods_lcm / (uint64_t)(backends[i]->n_endpoints ?: 1));
		if (w > UINT32_MAX)
			return error("%s: weight %u of backend %s is too large", origin, b[i].weight, b[i].service);
		if (lab_policy_endpoints(p, t, backends[i], sp, servers, n_servers, (uint32_t)w))
			return error("out of memory");
	}
	return 0;
}

/* Appends a conditional route with copies of `matches` to listener l. */
static struct mesh_route *add_route(struct mesh_listener *l, const char *origin,
				    const struct mesh_http_match *matches, int n_matches)
{
	struct mesh_route *rt = MESH_PUSH(l->routes, l->n_routes);

	if (!rt)
		return NULL;
	snprintf(rt->origin, sizeof(rt->origin), "%s", origin);
	for (int m = 0; m < n_matches; m++) {
		struct mesh_http_match *copy = MESH_PUSH(rt->matches, rt->n_matches);

		if (!copy || mesh_http_match_copy(copy, &matches[m]))
			return NULL;
	}
	return rt;
}

int lab_policy_split(struct mesh_policy *p, const struct topology *t, const char *origin, const char *ns,
		     const char *apex, const struct lab_split_backend *b, int n,
		     const struct mesh_http_match *matches, int n_matches)
{
	const struct topo_service *backends[TOPO_MAX_SERVICES];

	if (topology_service(t, ns, apex) < 0)
		return error("%s: service %s/%s is not in the lab topology", origin, ns, apex);
	if (n > TOPO_MAX_SERVICES)
		return error("%s: more than %d backends", origin, TOPO_MAX_SERVICES);
	for (int i = 0; i < n; i++) {
		int s = topology_service(t, ns, b[i].service);

		if (s < 0)
			return error("%s: backend service %s/%s is not in the lab topology", origin, ns, b[i].service);
		backends[i] = &t->services[s];
	}
	for (int li = 0; li < p->n_listeners; li++) {
		struct mesh_listener *l = &p->listeners[li];
		struct mesh_route *rt;

		if (strcmp(l->ns, ns) || strcmp(l->service, apex))
			continue;
		if (!n_matches) {
			free(l->servers);
			l->servers = NULL;
			l->n_servers = 0;
			if (split_servers(p, t, origin, ns, backends, b, n, l->port, &l->servers, &l->n_servers))
				return -1;
			continue;
		}
		if (l->tcp)
			return error("%s: HTTP matches cannot apply to TCP port %u of %s/%s", origin, l->port, ns, apex);
		rt = add_route(l, origin, matches, n_matches);
		if (!rt)
			return error("out of memory");
		if (split_servers(p, t, origin, ns, backends, b, n, l->port, &rt->servers, &rt->n_servers))
			return -1;
	}
	return 0;
}
