/* smitest.c - see smitest.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smitest.h"

static struct smi_set *new_set(const char *assume)
{
	struct smi_load_opts opts = { 0 };
	char err[256];
	struct smi_set *set;

	if (assume && smi_parse_api_versions(assume, opts.default_version, err, sizeof(err))) {
		fprintf(stderr, "bad assume '%s': %s\n", assume, err);
		abort();
	}
	set = smi_set_new(&opts);
	if (!set)
		abort();
	return set;
}

struct smi_set *smit_load(const char *files, const char *assume)
{
	struct smi_set *set = new_set(assume);
	char *copy = strdup(files), *save = NULL;

	for (char *f = strtok_r(copy, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		char path[512];

		snprintf(path, sizeof(path), SMI_FIXTURES "%s", f);
		smi_set_load_file(set, path);
	}
	free(copy);
	smi_set_finish(set);
	return set;
}

struct smi_set *smit_load_text(const char *text, const char *assume)
{
	struct smi_set *set = new_set(assume);

	smi_set_load_buffer(set, "inline.yaml", text, strlen(text));
	smi_set_finish(set);
	return set;
}

static char out[65536];

const char *smit_objects(const struct smi_set *set)
{
	size_t o = 0;
	char summary[4096];

	out[0] = '\0';
	for (size_t i = 0; i < set->n_objects; i++) {
		const struct smi_meta *m = set->objects[i];

		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s %s/%s: %s", i ? "\n" : "",
				      smi_kind_name(m->kind), m->namespace, m->name,
				      smi_object_summary(m, summary, sizeof(summary)));
		if (o >= sizeof(out))
			abort();
	}
	return out;
}

const char *smit_problems(const struct smi_set *set)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < set->diags.n; i++) {
		const struct smi_diag *d = &set->diags.v[i];

		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%c %d %s: %s", i ? "\n" : "",
				      d->severity == SMI_ERROR ? 'E' : 'W', d->line, d->path, d->message);
		if (o >= sizeof(out))
			abort();
	}
	return out;
}

void smit_routes_load(struct smit_routes *l, const char *path, const char *text)
{
	struct smi_load_opts o = { 0 };

	l->gw = gw_set_new();
	if (!l->gw)
		abort();
	gw_attach(l->gw, &o);
	l->set = smi_set_new(&o);
	if (!l->set)
		abort();
	if (path)
		smi_set_load_file(l->set, path);
	else
		smi_set_load_buffer(l->set, "inline.yaml", text, strlen(text));
	if (smi_set_finish(l->set) || gw_set_finish(l->gw, l->set) || !l->gw->n_routes) {
		fprintf(stderr, "routes of '%s' did not load: %s\n", path ? path : "inline.yaml", smit_problems(l->set));
		abort();
	}
}

void smit_routes_free(struct smit_routes *l)
{
	smi_set_free(l->set);
	gw_set_free(l->gw);
}
