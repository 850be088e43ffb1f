/*
 * target_lab.c - the lab as a run's target (target.h): the lab's own
 * operations (lab/api.h) with their output in the scenario's lab.log, the
 * capture on this machine, scrapes from inside the mesh pod's network.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/api.h"
#include "lab/lab.h"
#include "lab/state.h"
#include "lab/topology.h"
#include "metrics/fetch.h"
#include "records/inventory.h"
#include "run/check.h"
#include "run/live.h"
#include "run/target.h"
#include "run/traffic.h"
#include "util/file.h"
#include "util/log.h"
#include "util/exitcode.h"
#include "util/netns.h"

struct target_lab {
	struct target base;	/* first: a struct target * is a struct target_lab * */
	struct lab_opts lab;	/* name and topology; the state directory is the lab's default */
	const char *mesh;	/* the variant, as the run names it */
	bool h2;		/* the mesh speaks HTTP/2 to the pods */
	struct lab_info before;	/* the lab as the run found it: up ones are used and left up */
	bool announced;	/* the run was told whose lab it uses */
	struct lab_mesh_set set;	/* the variant and the scenario's access control, once prepared */
	bool access_control;
	char log[PATH_MAX];	/* the scenario's lab.log */
	char mesh_netns[PATH_MAX];	/* scrapes are made from the mesh pod's network */
	struct live *live;	/* the capture, while it runs */
	int capture_backend;	/* enum capture_backend (0: auto) */
};

static struct target_lab *lab_of(struct target *t)
{
	return (struct target_lab *)t;
}

/*
 * Calls fn(arg) with stdout and stderr appended to log_path (the lab's
 * tables and the driver's summary belong in logs, not in the run's output).
 * Returns fn's result, or -1 when the log cannot be opened.
 */
static int with_output_to(const char *log_path, int (*fn)(void *arg), void *arg)
{
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int out, err, r;

	if (fd < 0) {
		error_errno(errno, "cannot write '%s'", log_path);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	out = dup(STDOUT_FILENO);
	err = dup(STDERR_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	r = fn(arg);
	fflush(stdout);
	fflush(stderr);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	close(out);
	close(err);
	return r;
}

/* Runs a lab operation with its output in the scenario's lab.log. */
static int lab_do(struct target_lab *tl, int (*fn)(void *arg), void *arg, const char *what)
{
	int r = with_output_to(tl->log, fn, arg);

	if (r)
		error("lab %s failed (exit %d): see '%s'", what, r, tl->log);
	return r ? -1 : 0;
}

/* The variant was checked when the target was made; this cannot fail on it. */
static int up_call(void *arg)
{
	struct target_lab *tl = arg;
	int r = lab_mesh_set_parse(&tl->set, tl->mesh, tl->access_control ? "on" : "off");

	if (!r)
		r = lab_mesh_set_protocol(&tl->set, tl->h2 ? "h2" : "h1");
	return r ? r : lab_up(&tl->lab, &tl->set);
}

struct apply_args {
	struct target_lab *tl;
	const char *policy;	/* NULL: no object */
};

static int apply_call(void *arg)
{
	struct apply_args *a = arg;
	char *files[1] = { (char *)a->policy };

	return lab_apply(&a->tl->lab, &a->tl->set, true, files, a->policy ? 1 : 0);
}

static int check(struct target *t, const struct scenario *sc, const struct policy *pol)
{
	return check_scenario_topology(sc, pol, lab_of(t)->before.topology);
}

/* What the mesh speaks to pods on HTTP hops, for the messages. */
static const char *proto_name(bool h2)
{
	return h2 ? "HTTP/2" : "HTTP/1.1";
}

/* Once, before the first scenario: whose lab this is, and what becomes of it. */
static void announce(struct target_lab *tl)
{
	const struct lab_info *b = &tl->before;

	if (tl->announced)
		return;
	tl->announced = true;
	if (b->up)
		pr_info("lab %s is up (mesh %s, %s to pods, access control %s, %d file%s applied): the run uses "
			"it (mesh %s, %s to pods, access control as each scenario asks) and leaves it up as it "
			"found it, its applied SMI objects cleared", b->name, mesh_variant_name(b->variant),
			proto_name(b->h2), b->access_control ? "on" : "off", b->n_applied,
			b->n_applied == 1 ? "" : "s", tl->mesh, proto_name(tl->h2));
	else
		pr_info("lab %s: brought up for the run (topology %s) and taken down after it (--keep-lab keeps it)",
			b->name, b->topology);
}

static int prepare(struct target *t, const struct target_scenario *ts, struct inventory **inv)
{
	struct target_lab *tl = lab_of(t);
	char src[PATH_MAX], netns[LAB_NETNS_MAX];
	const char *pod;
	struct lab lab;
	int r;

	announce(tl);
	if (path_fmt(tl->log, sizeof(tl->log), "%s", ts->log))
		return error("path too long: '%s'", ts->log);
	tl->access_control = ts->access_control;
	if (lab_do(tl, up_call, tl, "up") || lab_do(tl, apply_call, &(struct apply_args){ tl, NULL }, "apply --clear"))
		return -1;
	if (lab_init(&lab, tl->lab.name, tl->lab.state_dir))
		return -1;
	lab_state_file(&lab, LAB_INVENTORY_FILE, src, sizeof(src));
	if ((r = file_copy(src, ts->inventory)))
		return error_errno(-r, "cannot copy '%s' to '%s'", src, ts->inventory);
	if (inventory_load(ts->inventory, inv))
		return -1;
	pod = strchr((*inv)->mesh_pod, '/');
	lab_netns_name(&lab, pod ? pod + 1 : (*inv)->mesh_pod, netns, sizeof(netns));
	return path_fmt(tl->mesh_netns, sizeof(tl->mesh_netns), "%s/%s", LAB_NETNS_DIR, netns) ? -1 : 0;
}

static int apply(struct target *t, const char *policy)
{
	return lab_do(lab_of(t), apply_call, &(struct apply_args){ lab_of(t), policy }, "apply");
}

struct exec_args {
	const struct lab_opts *lab;
	const char *pod;
	char *const *argv;
};

static int exec_in_pod(void *arg)
{
	struct exec_args *a = arg;

	return lab_exec(a->lab, a->pod, a->argv);
}

static int drive(struct target *t, const struct traffic_job *j)
{
	struct traffic_argv a;
	char pod[160];
	int r;

	snprintf(pod, sizeof(pod), "%s/%s", j->t->from_ns, j->t->from);
	traffic_driver_argv(&a, j);
	r = with_output_to(j->log_path, exec_in_pod, &(struct exec_args){ &lab_of(t)->lab, pod, a.argv });
	traffic_argv_free(&a);
	return r;
}

struct start_args {
	struct exec_args x;
	pid_t pid;
};

/* Returns 0 once started (pid set), or the exit code lab_exec() would have given. */
static int start_in_pod(void *arg)
{
	struct start_args *a = arg;

	a->pid = lab_exec_start(a->x.lab, a->x.pod, a->x.argv);
	return a->pid > 0 ? 0 : (int)-a->pid;
}

static void drive_all(struct target *t, const struct traffic_job *jobs, size_t n, int *status)
{
	pid_t pids[n];

	/* Each driver inherits the job's log as its output; they all run at once. */
	for (size_t i = 0; i < n; i++) {
		struct start_args a = { .x = { &lab_of(t)->lab, NULL, NULL } };
		struct traffic_argv argv;
		char pod[160];

		snprintf(pod, sizeof(pod), "%s/%s", jobs[i].t->from_ns, jobs[i].t->from);
		traffic_driver_argv(&argv, &jobs[i]);
		a.x.pod = pod;
		a.x.argv = argv.argv;
		status[i] = with_output_to(jobs[i].log_path, start_in_pod, &a);
		pids[i] = status[i] ? -1 : a.pid;
		traffic_argv_free(&argv);
	}
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 0)
			status[i] = lab_exec_wait(pids[i], "smi-witness drive");
}

static int observe_start(struct target *t, const struct target_observe *o)
{
	return live_start(&lab_of(t)->live, &(struct live_opts){ .inv = o->inv, .inventory_path = o->inventory_path,
								.out_path = o->out_path, .run = o->run,
								.backend = lab_of(t)->capture_backend,
								.response_headers = o->response_headers,
								.n_response_headers = o->n_response_headers });
}

static const struct obs_set *observed_lock(struct target *t)
{
	return live_lock(lab_of(t)->live);
}

static void observed_unlock(struct target *t)
{
	live_unlock(lab_of(t)->live);
}

static int observe_stop(struct target *t)
{
	struct target_lab *tl = lab_of(t);
	int r = tl->live ? live_stop(tl->live) : 0;

	tl->live = NULL;
	return r;
}

struct scrape_job {
	const char *url;
	char **text;
	size_t *len;
	uint64_t *mono_ns;
	char *err;
	size_t errlen;
};

/* On a thread inside the mesh pod's network. */
static int fetch_in_netns(void *arg)
{
	struct scrape_job *j = arg;

	return fetch_document(j->url, j->text, j->len, j->mono_ns, j->err, j->errlen);
}

/*
 * The mesh pod's network namespace is entered by a thread of this process,
 * so no workload process makes the request (only the mesh's side of it is
 * captured, and exchanges inside the mesh pod are not the workload's).
 */
static int scrape(struct target *t, const char *url, char **text, size_t *len, uint64_t *mono_ns, char *err,
		  size_t errlen)
{
	return netns_run_thread(lab_of(t)->mesh_netns, fetch_in_netns,
				&(struct scrape_job){ url, text, len, mono_ns, err, errlen });
}

static int mesh_running(struct target *t, char *why, size_t len)
{
	return lab_mesh_running(&lab_of(t)->lab, why, len);
}

static int down_call(void *arg)
{
	return lab_down(arg);
}

/* A lab the user had up gets its mesh settings back, with nothing applied (as each scenario began). */
static int restore_call(void *arg)
{
	struct target_lab *tl = arg;
	struct lab_mesh_set m = { .set_variant = true, .set_access = true, .variant = tl->before.variant,
				  .access_control = tl->before.access_control, .set_protocol = true,
				  .h2 = tl->before.h2 };

	return lab_apply(&tl->lab, &m, true, NULL, 0);
}

static int teardown(struct target *t, const char *log)
{
	struct target_lab *tl = lab_of(t);
	const struct lab_info *b = &tl->before;

	if (!b->up) {
		if (with_output_to(log, down_call, &tl->lab)) {
			pr_warn("lab down failed: see '%s'", log);
			return -1;
		}
		pr_info("lab %s: taken down", b->name);
		return 0;
	}
	if (with_output_to(log, restore_call, tl)) {
		pr_warn("lab %s: its mesh settings could not be put back: see '%s'", b->name, log);
		return -1;
	}
	pr_info("lab %s: left up, mesh %s, %s to pods, access control %s, no SMI object applied", b->name,
		mesh_variant_name(b->variant), proto_name(b->h2), b->access_control ? "on" : "off");
	return 0;
}

static void lab_free(struct target *t)
{
	observe_stop(t);
	free(t);
}

static const struct target_ops lab_ops = {
	.check = check,
	.prepare = prepare,
	.apply = apply,
	.drive = drive,
	.drive_all = drive_all,
	.observe_start = observe_start,
	.observed_lock = observed_lock,
	.observed_unlock = observed_unlock,
	.observe_stop = observe_stop,
	.scrape = scrape,
	.mesh_running = mesh_running,
	.teardown = teardown,
	.free = lab_free,
};

int target_lab_new(const struct target_lab_opts *o, struct target **out)
{
	struct target_lab *tl = calloc(1, sizeof(*tl));
	enum mesh_variant v;
	struct topology *topo;
	int r;

	*out = NULL;
	if (!tl)
		return EXIT_ERROR;
	tl->base = (struct target){ .ops = &lab_ops, .log_name = "lab.log" };
	tl->lab = (struct lab_opts){ .name = o->lab, .topology = o->topology };
	tl->mesh = o->mesh;
	tl->capture_backend = o->capture_backend;
	tl->h2 = o->h2;
	if (mesh_variant_parse(o->mesh, &v)) {
		error("--mesh: '%s' is not a mesh of the lab (reference, faulty-weights, fail-open, ignore-path, "
		      "ignore-method, ignore-headers, inflate-metrics, drop-failures-metrics, route-list-order, "
		      "route-loose-prefix, route-add-as-set, route-redirect-host, route-no-rewrite: see "
		      "'smi-witness lab meshes')", o->mesh);
		free(tl);
		return EXIT_USAGE;
	}
	r = lab_inspect(&tl->lab, &tl->before);
	if (!r && tl->before.topology_differs) {
		error("--topology: lab %s is up with topology '%s', not '%s': leave out --topology, or take the lab "
		      "down first ('smi-witness lab down --lab %s')", tl->before.name, tl->before.topology_source,
		      o->topology, tl->before.name);
		r = EXIT_USAGE;
	}
	/* The topology the scenarios are checked against must itself be valid. */
	if (!r && !(topo = topology_load(tl->before.topology)))
		r = EXIT_USAGE;
	else if (!r)
		free(topo);
	if (r) {
		free(tl);
		return r;
	}
	*out = &tl->base;
	return 0;
}
