/*
 * lab_info.c - what a lab is, read without touching it (lab_inspect), the
 * check of SMI objects against a topology (lab_check_objects), and the list
 * of mesh variants (lab_meshes). A run asks these before it creates anything.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/api.h"
#include "lab/lab.h"
#include "lab/lab_policy.h"
#include "lab/state.h"
#include "lab/topology.h"
#include "util/exitcode.h"
#include "util/file.h"
#include "util/log.h"

/* True when both files can be read and hold the same bytes. */
static bool same_text(const char *a_path, const char *b_path)
{
	size_t la, lb;
	char *a = lab_read_file(a_path, &la), *b = a ? lab_read_file(b_path, &lb) : NULL;
	bool same = a && b && la == lb && !memcmp(a, b, la);

	free(a);
	free(b);
	return same;
}

int lab_inspect(const struct lab_opts *o, struct lab_info *info)
{
	struct lab_state *st = calloc(1, sizeof(*st));
	struct lab lab;
	int r;

	memset(info, 0, sizeof(*info));
	if (!st)
		return error("out of memory"), EXIT_ERROR;
	if (lab_init(&lab, o->name, o->state_dir)) {
		free(st);
		return EXIT_USAGE;
	}
	snprintf(info->name, sizeof(info->name), "%s", lab.name);
	/* Read without the lock: nothing is changed, and a lab that changes meanwhile is reported by `up` itself. */
	r = lab_state_read(&lab, st);
	if (r < 0) {
		free(st);
		return EXIT_ERROR;
	}
	info->up = r == 1;
	if (info->up) {
		info->variant = st->variant;
		info->access_control = st->access_control;
		info->h2 = st->h2;
		info->n_applied = st->n_applied;
		snprintf(info->topology_source, sizeof(info->topology_source), "%s", st->topology_source);
		lab_state_file(&lab, LAB_TOPOLOGY_COPY, info->topology, sizeof(info->topology));
		info->topology_differs = o->topology && !same_text(o->topology, info->topology);
	} else if (o->topology) {
		snprintf(info->topology, sizeof(info->topology), "%s", o->topology);
	} else {
		lab_default_topology(info->topology, sizeof(info->topology));
	}
	free(st);
	return 0;
}

int lab_check_objects(const char *topology, const struct smi_set *set, const struct gw_set *gw)
{
	struct topology *t = topology_load(topology);
	struct mesh_policy p;
	int r;

	if (!t)
		return EXIT_USAGE;
	if (lab_policy_base(t, true, &p)) {
		free(t);
		return error("out of memory"), EXIT_ERROR;
	}
	r = lab_policy_add_smi(&p, t, set) ? EXIT_USAGE : 0;
	if (!r && gw && lab_policy_add_routes(&p, t, gw))
		r = EXIT_USAGE;
	mesh_policy_free(&p);
	free(t);
	return r;
}

void lab_meshes_table(FILE *f, int indent)
{
	/* The longest name (retry-with-flaky-backend) sets the column; each line fits 100 columns. */
	for (int v = 0; v < MESH_VARIANT_COUNT; v++)
		fprintf(f, "%*s%-24s %s\n", indent, "", mesh_variant_name(v), mesh_variant_summary(v));
}

int lab_meshes(void)
{
	json_t *doc = log_json ? json_array() : NULL;

	if (!doc) {
		lab_meshes_table(stdout, 0);
		return EXIT_OK;
	}
	for (int v = 0; v < MESH_VARIANT_COUNT; v++)
		json_array_append_new(doc, json_pack("{s:s, s:s, s:b}", "name", mesh_variant_name(v),
			"summary", mesh_variant_summary(v), "rewrites_metrics", mesh_variant_rewrites_metrics(v)));
	{
		json_t *top = json_pack("{s:o}", "meshes", doc);
		int r = top ? json_dumpf(top, stdout, JSON_INDENT(2)) : -1;

		fputc('\n', stdout);
		json_decref(top);
		return r ? EXIT_ERROR : EXIT_OK;
	}
}
