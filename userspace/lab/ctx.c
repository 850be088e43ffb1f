/* ctx.c - see ctx.h; also the mesh settings of api.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/ctx.h"
#include "lab/lab_policy.h"
#include "smi/smi.h"
#include "util/exitcode.h"
#include "util/log.h"

int lab_mesh_set_parse(struct lab_mesh_set *m, const char *variant, const char *access)
{
	memset(m, 0, sizeof(*m));
	if (variant && mesh_variant_parse(variant, &m->variant)) {
		char names[1024] = "";
		size_t used = 0;

		for (int i = 0; i < MESH_VARIANT_COUNT && used < sizeof(names); i++)
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
						 mesh_variant_name((enum mesh_variant)i));
		error("unknown mesh variant '%s' (expected one of %s)", variant, names);
		return EXIT_USAGE;
	}
	if (access && strcmp(access, "on") && strcmp(access, "off")) {
		error("--access-control takes 'on' or 'off', not '%s'", access);
		return EXIT_USAGE;
	}
	m->set_variant = variant != NULL;
	m->set_access = access != NULL;
	m->access_control = access && !strcmp(access, "on");
	return 0;
}

int lab_mesh_set_protocol(struct lab_mesh_set *m, const char *protocol)
{
	if (protocol && strcmp(protocol, "h1") && strcmp(protocol, "h2")) {
		error("--protocol takes 'h1' or 'h2', not '%s'", protocol);
		return EXIT_USAGE;
	}
	m->set_protocol = protocol != NULL;
	m->h2 = protocol && !strcmp(protocol, "h2");
	return 0;
}

void lab_mesh_set_apply(const struct lab_mesh_set *m, struct lab_state *st)
{
	if (m->set_protocol)
		st->h2 = m->h2;
	if (m->set_variant)
		st->variant = m->variant;
	if (m->set_access)
		st->access_control = m->access_control;
}

int lab_ctx_open(struct lab_ctx *ctx, const struct lab_opts *o, bool need_up)
{
	char path[PATH_MAX];
	int r;

	memset(ctx, 0, sizeof(*ctx));
	ctx->lab.lock_fd = -1;
	if (lab_init(&ctx->lab, o->name, o->state_dir))
		return EXIT_USAGE;
	if (lab_lock(&ctx->lab))
		return EXIT_ERROR;
	r = lab_state_read(&ctx->lab, &ctx->st);
	if (r < 0)
		return EXIT_ERROR;
	ctx->up = r == 1;
	if (!ctx->up) {
		if (!need_up)
			return 0;
		error("lab '%s' is not up (run 'smi-witness lab up%s%s')", ctx->lab.name,
		      o->name ? " --lab " : "", o->name ? o->name : "");
		return EXIT_ERROR;
	}
	lab_state_file(&ctx->lab, LAB_TOPOLOGY_COPY, path, sizeof(path));
	ctx->topo = topology_load(path);
	return ctx->topo ? 0 : EXIT_ERROR;
}

void lab_ctx_close(struct lab_ctx *ctx)
{
	free(ctx->topo);
	ctx->topo = NULL;
	lab_unlock(&ctx->lab);
}

int lab_ctx_policy(const struct lab_ctx *ctx, struct mesh_policy *p)
{
	char copies[LAB_MAX_POLICY_FILES][PATH_MAX];
	const char *paths[LAB_MAX_POLICY_FILES];
	int r;

	if (lab_policy_base(ctx->topo, ctx->st.access_control, p))
		return error("out of memory");
	if (!ctx->st.n_applied)
		return 0;
	for (int i = 0; i < ctx->st.n_applied; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s/%02d.yaml", LAB_POLICY_DIR, i);
		lab_state_file(&ctx->lab, name, copies[i], PATH_MAX);
		paths[i] = copies[i];
	}
	r = lab_policy_add_files(p, ctx->topo, paths, (size_t)ctx->st.n_applied);
	if (r)
		mesh_policy_free(p);
	return r;
}
