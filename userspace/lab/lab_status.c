/* lab_status.c - lab_status(): pods, addresses, processes, mesh; lab_mesh_running(). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "lab/ctx.h"
#include "lab/files.h"
#include "lab/mesh_ctl.h"
#include "lab/net.h"
#include "lab/proc.h"
#include "util/exitcode.h"
#include "util/log.h"

#define MAX_PIDS 256

static json_t *proc_status(const struct lab_proc *p)
{
	return json_pack("{s:i, s:b}", "pid", (int)p->pid, "running", proc_alive(p->pid, p->start_time));
}

/* The inventory, plus for each pod its recorded process and every pid in its cgroup. */
static json_t *status_json(const struct lab_ctx *ctx, bool *all_running)
{
	const struct topology *t = ctx->topo;
	json_t *doc = lab_inventory(&ctx->lab, t, &ctx->st), *pods = json_object_get(doc, "pods");
	json_t *mesh = json_object_get(doc, "mesh"), *applied = json_array();
	struct mesh_info mi;
	char path[PATH_MAX];

	*all_running = true;
	for (int i = 0; i < t->n_pods; i++) {
		json_t *pod = json_array_get(pods, i), *procs = json_array();
		char cg[PATH_MAX], netns[LAB_NETNS_MAX];
		pid_t pids[MAX_PIDS];
		int n;

		lab_cgroup_path(&ctx->lab, &t->pods[i], cg, sizeof(cg));
		lab_netns_name(&ctx->lab, t->pods[i].name, netns, sizeof(netns));
		n = cgroup_pids(cg, pids, MAX_PIDS);
		for (int k = 0; k < n; k++)
			json_array_append_new(procs, json_integer(pids[k]));
		json_object_set_new(pod, "process", proc_status(&ctx->st.pods[i]));
		if (ctx->st.fail_every[i])
			json_object_set_new(pod, "fail_every", json_integer(ctx->st.fail_every[i]));
		json_object_set_new(pod, "processes", procs);
		json_object_set_new(pod, "netns_present", json_boolean(lab_netns_exists(netns)));
		if (!proc_alive(ctx->st.pods[i].pid, ctx->st.pods[i].start_time) || !lab_netns_exists(netns))
			*all_running = false;
	}
	for (int i = 0; i < ctx->st.n_applied; i++)
		json_array_append_new(applied, json_string(ctx->st.applied[i]));
	json_object_set_new(mesh, "generation", json_integer(ctx->st.generation));
	json_object_set_new(mesh, "protocol", json_string(ctx->st.h2 ? "h2" : "h1"));
	json_object_set_new(mesh, "haproxy", proc_status(&ctx->st.pods[t->mesh]));
	if (!lab_mesh_info(&ctx->lab, &mi))
		json_object_set_new(mesh, "worker", json_pack("{s:i, s:i, s:I, s:I}", "pid", (int)mi.worker,
			"generation", (int)mi.generation, "current_connections", (json_int_t)mi.curr_conns,
			"requests", (json_int_t)mi.cum_req));
	else
		*all_running = false;
	if (mesh_variant_rewrites_metrics(ctx->st.variant)) {
		json_object_set_new(mesh, "metrics_filter", proc_status(&ctx->st.filter));
		if (!proc_alive(ctx->st.filter.pid, ctx->st.filter.start_time))
			*all_running = false;
	}
	json_object_set_new(mesh, "applied", applied);
	lab_state_file(&ctx->lab, LAB_INVENTORY_FILE, path, sizeof(path));
	json_object_set_new(doc, "lab", json_string(ctx->lab.name));
	json_object_set_new(doc, "up", json_true());
	json_object_set_new(doc, "healthy", json_boolean(*all_running));
	json_object_set_new(doc, "state_dir", json_string(ctx->lab.state_dir));
	json_object_set_new(doc, "inventory", json_string(path));
	json_object_set_new(doc, "topology", json_string(ctx->st.topology_source));
	return doc;
}

static const char *js(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "-";
}

static void print_text(json_t *doc)
{
	json_t *mesh = json_object_get(doc, "mesh"), *worker = json_object_get(mesh, "worker"), *v;
	size_t i, k;

	printf("lab %s: up%s (topology %s, state %s)\n", js(doc, "lab"),
	       json_is_true(json_object_get(doc, "healthy")) ? "" : ", NOT HEALTHY", js(doc, "topology"),
	       js(doc, "state_dir"));
	printf("mesh: %s, %s to pods, access control %s, configuration generation %lld, haproxy pid %lld%s\n",
	       js(mesh, "name"), strcmp(js(mesh, "protocol"), "h2") ? "HTTP/1.1" : "HTTP/2",
	       json_is_true(json_object_get(mesh, "access_control")) ? "on" : "off",
	       json_integer_value(json_object_get(mesh, "generation")),
	       json_integer_value(json_object_get(json_object_get(mesh, "haproxy"), "pid")),
	       json_is_true(json_object_get(json_object_get(mesh, "haproxy"), "running")) ? "" : " (not running)");
	if (worker)
		printf("      worker pid %lld serves generation %lld: %lld connections now, %lld requests\n",
		       json_integer_value(json_object_get(worker, "pid")),
		       json_integer_value(json_object_get(worker, "generation")),
		       json_integer_value(json_object_get(worker, "current_connections")),
		       json_integer_value(json_object_get(worker, "requests")));
	printf("metrics: %s\napplied:", js(mesh, "metrics_url"));
	json_array_foreach(json_object_get(mesh, "applied"), i, v)
		printf(" %s", json_string_value(v));
	printf("%s\ninventory: %s\n\n", json_array_size(json_object_get(mesh, "applied")) ? "" : " nothing",
	       js(doc, "inventory"));
	printf("%-12s %-10s %-12s %-13s %-16s %-10s %-8s %-8s %s\n", "POD", "NAMESPACE", "SERVICE-ACCT", "IP",
	       "NETNS", "CGROUP-ID", "PID", "STATE", "PROCESSES");
	json_array_foreach(json_object_get(doc, "pods"), i, v) {
		json_t *p = json_object_get(v, "process"), *pid;

		printf("%-12s %-10s %-12s %-13s %-16s %-10lld %-8lld %-8s", js(v, "name"), js(v, "namespace"),
		       js(v, "service_account"), js(v, "ip"), js(v, "netns"),
		       json_integer_value(json_object_get(v, "cgroup_id")), json_integer_value(json_object_get(p, "pid")),
		       json_is_true(json_object_get(p, "running")) ? "running" : "stopped");
		json_array_foreach(json_object_get(v, "processes"), k, pid)
			printf("%s%lld", k ? "," : " ", json_integer_value(pid));
		if (json_object_get(v, "fail_every"))
			printf("  (flaky: FAIL_EVERY=%lld)",
			       json_integer_value(json_object_get(v, "fail_every")));
		putchar('\n');
	}
	printf("\n%-12s %-10s %-13s %-10s %s\n", "SERVICE", "NAMESPACE", "IP", "PORTS", "ENDPOINTS");
	json_array_foreach(json_object_get(doc, "services"), i, v) {
		json_t *x;

		printf("%-12s %-10s %-13s", js(v, "name"), js(v, "namespace"), js(v, "ip"));
		json_array_foreach(json_object_get(v, "ports"), k, x)
			printf("%s%lld", k ? "," : " ", json_integer_value(x));
		printf("%*s", 6, "");
		json_array_foreach(json_object_get(v, "endpoints"), k, x)
			printf(" %s", json_string_value(x));
		putchar('\n');
	}
}

int lab_print_status(const struct lab_ctx *ctx)
{
	bool all_running;
	json_t *doc = status_json(ctx, &all_running);

	if (log_json) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		print_text(doc);
	}
	json_decref(doc);
	return all_running ? EXIT_OK : EXIT_FAILED;
}

int lab_status(const struct lab_opts *o)
{
	struct lab_ctx ctx;
	int r;

	r = lab_ctx_open(&ctx, o, false);
	if (!r && !ctx.up) {
		if (log_json)
			pr_json("{s:s, s:b}", "lab", ctx.lab.name, "up", 0);
		else
			printf("lab %s: down\n", ctx.lab.name);
		r = EXIT_FAILED;
	} else if (!r) {
		r = lab_print_status(&ctx);
	}
	lab_ctx_close(&ctx);
	return r;
}

int lab_mesh_running(const struct lab_opts *o, char *why, size_t len)
{
	struct lab_ctx ctx;
	const struct lab_proc *p;
	int r;

	if (lab_ctx_open(&ctx, o, true))
		return -1;
	p = &ctx.st.pods[ctx.topo->mesh];
	r = proc_alive(p->pid, p->start_time);
	if (!r)
		snprintf(why, len, "HAProxy (pid %d) of the mesh pod is not running", (int)p->pid);
	lab_ctx_close(&ctx);
	return r;
}
