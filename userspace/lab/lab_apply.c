/* lab_apply.c - lab_apply(): the SMI policy in force, rendered and hot-reloaded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/ctx.h"
#include "lab/files.h"
#include "lab/flaky.h"
#include "lab/lab_policy.h"
#include "lab/mesh_ctl.h"
#include "smi/smi.h"
#include "util/exitcode.h"
#include "util/log.h"

/* The policy of files[0..n) on this lab, validated against the model and the topology. */
static int policy_of_files(const struct lab_ctx *ctx, char *const *files, int n, struct mesh_policy *p)
{
	int r;

	if (lab_policy_base(ctx->topo, ctx->st.access_control, p))
		return error("out of memory");
	if (!n)
		return 0;
	r = lab_policy_add_files(p, ctx->topo, (const char *const *)files, (size_t)n);
	if (r)
		mesh_policy_free(p);
	return r;
}

/* Replaces the copies in <state_dir>/policy by copies of files[0..n). */
static int store_files(struct lab_ctx *ctx, char *const *files, int n)
{
	char dir[PATH_MAX], path[PATH_MAX], name[32];
	int r;

	for (int i = 0; i < ctx->st.n_applied; i++) {
		snprintf(name, sizeof(name), "%s/%02d.yaml", LAB_POLICY_DIR, i);
		lab_state_file(&ctx->lab, name, path, sizeof(path));
		unlink(path);
	}
	ctx->st.n_applied = 0;
	lab_state_file(&ctx->lab, LAB_POLICY_DIR, dir, sizeof(dir));
	if (n && (r = lab_mkdir_p(dir)))
		return error_errno(r, "cannot create '%s'", dir);
	for (int i = 0; i < n; i++) {
		size_t len;
		char *text = lab_read_file(files[i], &len);

		snprintf(name, sizeof(name), "%s/%02d.yaml", LAB_POLICY_DIR, i);
		lab_state_file(&ctx->lab, name, path, sizeof(path));
		r = text ? lab_write_file(path, text, len) : -1;
		free(text);
		if (r)
			return -1;
		if (!realpath(files[i], ctx->st.applied[i]))
			snprintf(ctx->st.applied[i], PATH_MAX, "%s", files[i]);
		ctx->st.n_applied = i + 1;
	}
	return 0;
}

int lab_apply(const struct lab_opts *o, const struct lab_mesh_set *m, bool replace, char *const files[], int n)
{
	struct mesh_policy p;
	struct lab_ctx ctx;
	bool installed = false;
	int r;

	if (n > LAB_MAX_POLICY_FILES) {
		error("at most %d files can be applied", LAB_MAX_POLICY_FILES);
		return EXIT_USAGE;
	}
	r = lab_ctx_open(&ctx, o, true);
	if (!r)
		lab_mesh_set_apply(m, &ctx.st);
	/* Nothing changes until HAProxy has accepted the new configuration. */
	if (!r && (replace ? policy_of_files(&ctx, files, n, &p) : lab_ctx_policy(&ctx, &p)))
		r = EXIT_USAGE;
	if (!r) {
		r = lab_mesh_write_config(&ctx.lab, &ctx.st, &p) ? EXIT_ERROR : EXIT_OK;
		installed = !r;
		mesh_policy_free(&p);
	}
	if (!r && replace && store_files(&ctx, files, n))
		r = EXIT_ERROR;
	/* A variant with a flaky backend: that workload restarts with its failures (or without them). */
	if (!r && (lab_flaky_sync(&ctx.lab, ctx.topo, &ctx.st) || lab_mesh_sync(&ctx.lab, ctx.topo, &ctx.st) ||
		   lab_write_inventory(&ctx.lab, ctx.topo, &ctx.st)))
		r = EXIT_ERROR;
	/* Whatever happened after the configuration was installed, the state file must say so. */
	if (installed && lab_state_write(&ctx.lab, ctx.topo, &ctx.st))
		r = EXIT_ERROR;
	if (!r && !log_json)
		pr_info("lab %s: mesh %s, access control %s, %d file(s) applied, configuration generation %u",
			ctx.lab.name, mesh_variant_name(ctx.st.variant), ctx.st.access_control ? "on" : "off",
			ctx.st.n_applied, ctx.st.generation);
	else if (!r)
		pr_json("{s:s, s:s, s:b, s:i, s:I}", "lab", ctx.lab.name, "variant", mesh_variant_name(ctx.st.variant),
			"access_control", (int)ctx.st.access_control, "applied", ctx.st.n_applied,
			"generation", (json_int_t)ctx.st.generation);
	lab_ctx_close(&ctx);
	return r;
}
