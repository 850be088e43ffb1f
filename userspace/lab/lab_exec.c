/* lab_exec.c - lab_exec(): run a command inside a pod. */
#include <stdio.h>
#include <string.h>

#include "lab/ctx.h"
#include "lab/pod.h"
#include "util/exitcode.h"
#include "util/log.h"

/* A pod is named "name" or "namespace/name". */
static int find_pod(const struct topology *t, const char *arg)
{
	const char *slash = strchr(arg, '/');
	char ns[TOPO_NAME_MAX];

	if (!slash) {
		for (int i = 0; i < t->n_pods; i++)
			if (!strcmp(t->pods[i].name, arg))
				return i;
		return -1;
	}
	if ((size_t)(slash - arg) >= sizeof(ns))
		return -1;
	memcpy(ns, arg, slash - arg);
	ns[slash - arg] = '\0';
	return topology_pod(t, ns, slash + 1);
}

/* Opens the lab and finds the pod: 0 and ctx open with *pod set, or an exit code (ctx closed). */
static int open_pod(struct lab_ctx *ctx, const struct lab_opts *o, const char *name, int *pod)
{
	int r = lab_ctx_open(ctx, o, true);

	*pod = r ? -1 : find_pod(ctx->topo, name);
	if (!r && *pod < 0) {
		error("no pod '%s' in lab '%s'", name, ctx->lab.name);
		r = EXIT_USAGE;
	}
	if (r)
		lab_ctx_close(ctx);
	return r;
}

int lab_exec(const struct lab_opts *o, const char *name, char *const argv[])
{
	struct lab_ctx ctx;
	int r, pod;

	r = open_pod(&ctx, o, name, &pod);
	if (r)
		return r;
	/* The command may run for minutes: other lab commands must not wait for it. */
	lab_unlock(&ctx.lab);
	r = lab_pod_exec(&ctx.lab, ctx.topo, pod, argv);
	lab_ctx_close(&ctx);
	return r < 0 ? EXIT_ERROR : r;
}

pid_t lab_exec_start(const struct lab_opts *o, const char *name, char *const argv[])
{
	struct lab_ctx ctx;
	int r, pod;
	pid_t pid;

	r = open_pod(&ctx, o, name, &pod);
	if (r)
		return -r;
	pid = lab_pod_spawn(&ctx.lab, ctx.topo, pod, argv);
	lab_ctx_close(&ctx);
	return pid < 0 ? -EXIT_ERROR : pid;
}

int lab_exec_wait(pid_t pid, const char *what)
{
	int r = lab_pod_wait(pid, what);

	return r < 0 ? EXIT_ERROR : r;
}
