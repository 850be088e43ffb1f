/*
 * fuzz_lab - the lab's parsers on arbitrary bytes: the topology loader (and,
 * for what loads, the base mesh policy rendered in every variant) and the
 * metrics rewriting. Never crashes, never leaks, and keeps its contract:
 * every address lies in the lab network and is used once, endpoints are
 * pods of the service's namespace, the reference leaves metrics text as is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab_policy.h"
#include "lab/topology.h"
#include "mesh/haproxy.h"
#include "mesh/metrics.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Refusals are expected by the million; sanitizer reports go to fd 2 regardless. */
	stderr = fopen("/dev/null", "w");
	return 0;
}

static void check_topology(const struct topology *t)
{
	uint32_t mask = ~0u << (32 - t->prefix);

	if (t->mesh != t->n_pods - 1 || !t->pods[t->mesh].is_mesh)
		abort();
	for (int i = 0; i < t->n_pods; i++) {
		if ((t->pods[i].ip & mask) != t->net || t->pods[i].ip == t->net)
			abort();
		for (int j = 0; j < i; j++)
			if (t->pods[j].ip == t->pods[i].ip || !strcmp(t->pods[j].name, t->pods[i].name))
				abort();
		for (int j = 0; j < t->n_services; j++)
			if (t->services[j].ip == t->pods[i].ip)
				abort();
	}
	for (int s = 0; s < t->n_services; s++)
		for (int e = 0; e < t->services[s].n_endpoints; e++) {
			const struct topo_pod *p = &t->pods[t->services[s].endpoints[e]];

			if (p->is_mesh || strcmp(p->namespace, t->services[s].namespace))
				abort();
		}
}

static void render_all(const struct topology *t)
{
	struct mesh_policy p;

	if (lab_policy_base(t, true, &p))
		return;
	for (int v = 0; v < MESH_VARIANT_COUNT; v++) {
		struct mesh_render_opts o = { .variant = (enum mesh_variant)v, .stats_socket = "/run/x.sock",
					      .generation = 1, .node = "fuzz", .h2 = v % 2,
					      .mirror_lua = "/run/x.lua" };
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		if (!f)
			abort();
		mesh_render_haproxy(&p, &o, f);
		fclose(f);
		free(text);
	}
	mesh_policy_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct topology *t = topology_load_string("fuzz.yaml", (const char *)data, size);
	size_t len;
	char *out;

	if (t) {
		check_topology(t);
		render_all(t);
		free(t);
	}
	out = mesh_metrics_rewrite(MESH_REFERENCE, (const char *)data, size, 1.7e9, &len);
	if (!out || len != size || memcmp(out, data, size))
		abort();
	free(out);
	for (int v = 0; v < MESH_VARIANT_COUNT; v++) {
		if (!mesh_variant_rewrites_metrics((enum mesh_variant)v))
			continue;
		out = mesh_metrics_rewrite((enum mesh_variant)v, (const char *)data, size, 1.7e9, &len);
		if (!out || strlen(out) > len)
			abort();
		free(out);
	}
	return 0;
}
