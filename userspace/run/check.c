/* check.c - see check.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/api.h"
#include "lab/topology.h"
#include "run/check.h"
#include "util/exitcode.h"
#include "util/log.h"

/* "app-a, app-b, ..." : the pods (or services) of namespace ns, for a message. */
static void names_in(const struct topology *t, bool pods, const char *ns, char *buf, size_t len)
{
	int n = pods ? t->n_pods : t->n_services;
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++) {
		const char *name = pods ? t->pods[i].name : t->services[i].name;
		const char *pns = pods ? t->pods[i].namespace : t->services[i].namespace;

		if ((!pods || !t->pods[i].is_mesh) && !strcmp(pns, ns))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
	}
	if (!used)
		snprintf(buf, len, "none");
}

/* The pods and services one traffic entry names. Returns 0 or EXIT_USAGE after printing. */
static int check_traffic(const struct scenario *sc, const struct topology *t, const char *topology, size_t i,
			 size_t j)
{
	const struct sc_traffic *tr = &sc->steps[i].traffic[j];
	char names[512];

	if (topology_pod(t, tr->from_ns, tr->from) < 0) {
		names_in(t, true, tr->from_ns, names, sizeof(names));
		/* A namespace the topology lacks altogether: most likely a scenario written for another topology. */
		error("'%s': line %u: steps[%zu].traffic[%zu].from: pod '%s/%s' is not in the lab topology '%s' "
		      "(pods: %s)%s", sc->path, tr->line, i, j, tr->from_ns, tr->from, topology, names,
		      strcmp(names, "none") ? "" : "; --topology names the topology a scenario was written for (the "
		      "Gateway API suites in specs/gamma/: sample-app/topology/gamma.yaml)");
		return EXIT_USAGE;
	}
	if (topology_service(t, tr->to_ns, tr->to) < 0) {
		names_in(t, false, tr->to_ns, names, sizeof(names));
		error("'%s': line %u: steps[%zu].traffic[%zu].to: service '%s/%s' is not in the lab topology '%s' "
		      "(services: %s)", sc->path, tr->line, i, j, tr->to_ns, tr->to, topology, names);
		return EXIT_USAGE;
	}
	for (size_t k = 0; k < tr->expect.n_shares; k++)
		if (topology_service(t, tr->to_ns, tr->expect.shares[k].service) < 0) {
			names_in(t, false, tr->to_ns, names, sizeof(names));
			error("'%s': line %u: steps[%zu].traffic[%zu].expect.split: service '%s/%s' is not in the lab "
			      "topology '%s' (services: %s)", sc->path, tr->line, i, j, tr->to_ns,
			      tr->expect.shares[k].service, topology, names);
			return EXIT_USAGE;
		}
	return 0;
}

int check_scenario_topology(const struct scenario *sc, const struct policy *pol, const char *topology)
{
	struct topology *t = topology_load(topology);
	int r = 0;

	if (!t)
		return EXIT_USAGE;
	for (size_t i = 0; i < sc->n_steps && !r; i++)
		for (size_t j = 0; j < sc->steps[i].n_traffic && !r; j++)
			r = check_traffic(sc, t, topology, i, j);
	free(t);
	/* A manifest applied at one step stays in force at the later ones: its first problem is enough. */
	for (size_t i = 0; i < pol->n && !r; i++)
		if (pol->sets[i] && (pol->sets[i]->n_objects || (pol->routes[i] && pol->routes[i]->n_routes)))
			r = lab_check_objects(topology, pol->sets[i], pol->routes[i]);
	return r;
}
