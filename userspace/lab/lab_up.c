/* lab_up.c - lab_up(): create what is missing, start what is not running. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/ctx.h"
#include "lab/files.h"
#include "lab/flaky.h"
#include "lab/mesh_ctl.h"
#include "lab/net.h"
#include "lab/pod.h"
#include "lab/proc.h"
#include "util/exitcode.h"
#include "util/log.h"

/* First `up` of a lab: validate the topology, keep a copy, note what the machine had. */
static int first_up(struct lab_ctx *ctx, const struct lab_opts *o)
{
	char src[PATH_MAX], copy[PATH_MAX], *text;
	struct stat st;
	size_t len;
	int r;

	if (o->topology)
		snprintf(src, sizeof(src), "%s", o->topology);
	else
		lab_default_topology(src, sizeof(src));
	text = lab_read_file(src, &len);
	if (!text)
		return EXIT_USAGE;
	ctx->topo = topology_load_string(src, text, len);
	if (!ctx->topo) {
		free(text);
		return EXIT_USAGE;
	}
	if ((r = lab_mkdir_p(ctx->lab.state_dir))) {
		free(text);
		error_errno(r, "cannot create '%s'", ctx->lab.state_dir);
		return EXIT_ERROR;
	}
	lab_state_file(&ctx->lab, LAB_TOPOLOGY_COPY, copy, sizeof(copy));
	r = lab_write_file(copy, text, len);
	free(text);
	if (r)
		return EXIT_ERROR;
	if (!realpath(src, ctx->st.topology_source))
		snprintf(ctx->st.topology_source, sizeof(ctx->st.topology_source), "%s", src);
	ctx->st.created_etc_netns = stat(LAB_ETC_NETNS_DIR, &st) != 0;
	return 0;
}

/* A later `up`: the topology may only be named again if it is the same text. */
static int same_topology(struct lab_ctx *ctx, const struct lab_opts *o)
{
	char copy[PATH_MAX], *a, *b;
	size_t la, lb;
	bool same;

	if (!o->topology)
		return 0;
	lab_state_file(&ctx->lab, LAB_TOPOLOGY_COPY, copy, sizeof(copy));
	a = lab_read_file(o->topology, &la);
	if (!a)
		return EXIT_USAGE;
	b = lab_read_file(copy, &lb);
	same = b && la == lb && !memcmp(a, b, la);
	free(a);
	free(b);
	if (!same) {
		error("lab '%s' is up with topology '%s'; run 'smi-witness lab down' first", ctx->lab.name,
		      ctx->st.topology_source);
		return EXIT_USAGE;
	}
	return 0;
}

static int net_and_files(struct lab_ctx *ctx)
{
	const struct topology *t = ctx->topo;
	char cg[PATH_MAX];
	bool created;
	int r;

	if (lab_net_router(&ctx->lab))
		return -1;
	for (int i = 0; i < t->n_pods; i++) {
		lab_cgroup_path(&ctx->lab, &t->pods[i], cg, sizeof(cg));
		if ((r = lab_mkdir_p(cg)))
			return error_errno(r, "cannot create cgroup '%s'", cg);
		if (lab_net_pod(&ctx->lab, t, i, &created) || lab_write_etc(&ctx->lab, t, i))
			return -1;
		/* A process left in a namespace that was rebuilt talks to nobody: start it again. */
		if (created)
			proc_kill(ctx->st.pods[i].pid, ctx->st.pods[i].start_time);
	}
	return 0;
}

static int workloads(struct lab_ctx *ctx)
{
	const struct topology *t = ctx->topo;
	bool started[TOPO_MAX_PODS] = { false };

	for (int i = 0; i < t->n_pods; i++) {
		if (t->pods[i].is_mesh || proc_alive(ctx->st.pods[i].pid, ctx->st.pods[i].start_time))
			continue;
		ctx->st.fail_every[i] = lab_fail_every(t, ctx->st.variant, i);
		if (lab_pod_start_workload(&ctx->lab, t, i, ctx->st.fail_every[i], &ctx->st.pods[i]) ||
		    lab_state_write(&ctx->lab, t, &ctx->st))
			return -1;
		started[i] = true;
	}
	for (int i = 0; i < t->n_pods; i++)
		if (started[i] && lab_pod_wait_ready(&ctx->lab, t, i, &ctx->st.pods[i]))
			return -1;
	return 0;
}

static int mesh(struct lab_ctx *ctx)
{
	const struct topology *t = ctx->topo;
	struct lab_proc *master = &ctx->st.pods[t->mesh];
	struct mesh_policy p;
	bool current;
	int r = 0;

	if (lab_ctx_policy(ctx, &p))
		return -1;
	current = ctx->st.generation && lab_mesh_config_current(&ctx->lab, &ctx->st, &p);
	if (!current)
		r = lab_mesh_write_config(&ctx->lab, &ctx->st, &p);
	mesh_policy_free(&p);
	if (r)
		return -1;
	if (current && proc_alive(master->pid, master->start_time) &&
	    (!mesh_variant_rewrites_metrics(ctx->st.variant) || proc_alive(ctx->st.filter.pid, ctx->st.filter.start_time)))
		return 0;
	return lab_mesh_sync(&ctx->lab, t, &ctx->st);
}

int lab_up(const struct lab_opts *o, const struct lab_mesh_set *m)
{
	struct lab_ctx ctx;
	int r;

	r = lab_ctx_open(&ctx, o, false);
	if (!r)
		r = ctx.up ? same_topology(&ctx, o) : first_up(&ctx, o);
	if (r) {
		lab_ctx_close(&ctx);
		return r;
	}
	lab_mesh_set_apply(m, &ctx.st);
	ctx.up = true;
	/* The state file comes first: whatever happens next, `down` finds what was made. */
	if (lab_state_write(&ctx.lab, ctx.topo, &ctx.st) || net_and_files(&ctx) ||
	    lab_state_write(&ctx.lab, ctx.topo, &ctx.st) || lab_flaky_sync(&ctx.lab, ctx.topo, &ctx.st) ||
	    workloads(&ctx) || mesh(&ctx) ||
	    lab_state_write(&ctx.lab, ctx.topo, &ctx.st) || lab_write_inventory(&ctx.lab, ctx.topo, &ctx.st)) {
		lab_state_write(&ctx.lab, ctx.topo, &ctx.st);
		lab_ctx_close(&ctx);
		return EXIT_ERROR;
	}
	r = lab_print_status(&ctx);
	lab_ctx_close(&ctx);
	return r;
}
