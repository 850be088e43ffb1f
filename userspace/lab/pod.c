/* pod.c - see pod.h */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lab/mesh_ctl.h"
#include "lab/net.h"
#include "lab/pod.h"
#include "lab/proc.h"
#include "util/file.h"
#include "util/log.h"

/* Fills the spawn description shared by daemons and `lab exec`. */
static void describe(const struct lab *lab, const struct topology *t, int i, char *cg, char *netns, char *etc,
		     struct lab_spawn *s)
{
	lab_cgroup_path(lab, &t->pods[i], cg, PATH_MAX);
	lab_netns_name(lab, t->pods[i].name, netns, LAB_NETNS_MAX);
	lab_etc_dir(lab, t->pods[i].name, etc, PATH_MAX);
	s->cgroup = cg;
	s->netns = netns;
	s->etc_dir = etc;
}

int lab_pod_start(const struct lab *lab, const struct topology *t, int i, char *const argv[],
		  char *const envp[], const char *log, struct lab_proc *proc)
{
	char cg[PATH_MAX], netns[LAB_NETNS_MAX], etc[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];
	struct lab_spawn s = { .daemon = true, .argv = argv, .envp = envp };
	pid_t pid;

	describe(lab, t, i, cg, netns, etc, &s);
	lab_state_file(lab, LAB_LOG_DIR, dir, sizeof(dir));
	if (mkdir(dir, 0755) && errno != EEXIST)
		return error_errno(errno, "cannot create '%s'", dir);
	if (path_fmt(path, sizeof(path), "%s/%s.log", dir, log))
		return error("path too long: '%s'", dir);
	s.log = path;
	pid = lab_spawn(&s);
	if (pid < 0)
		return -1;
	proc->pid = pid;
	proc->start_time = proc_start_time(pid);
	pr_debug("started '%s' in pod %s as pid %d", argv[0], t->pods[i].name, (int)pid);
	return 0;
}

/*
 * The caller's environment without proxy settings: nothing in a pod can
 * reach a proxy outside the lab, and curl or the driver would try.
 */
static char **pod_environ(void)
{
	extern char **environ;
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 1, sizeof(*env));
	for (size_t i = 0; env && i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);

		if (len >= 6 && !strncasecmp(environ[i] + len - 6, "_proxy", 6))
			continue;
		env[k++] = environ[i];
	}
	return env;
}

pid_t lab_pod_spawn(const struct lab *lab, const struct topology *t, int i, char *const argv[])
{
	char cg[PATH_MAX], netns[LAB_NETNS_MAX], etc[PATH_MAX], cmd[PATH_MAX];
	char **args;
	struct lab_spawn s = { 0 };
	int argc = 0;
	pid_t pid;

	while (argv[argc])
		argc++;
	if (lab_resolve_command(argv[0], cmd, sizeof(cmd)))
		return error("cannot find command '%s'", argv[0]);
	args = calloc(argc + 1, sizeof(*args));
	if (!args)
		return error("out of memory");
	memcpy(args, argv, argc * sizeof(*args));
	args[0] = cmd;
	describe(lab, t, i, cg, netns, etc, &s);
	s.argv = args;
	s.envp = pod_environ();
	pid = s.envp ? lab_spawn(&s) : error("out of memory");
	free(args);
	free((void *)s.envp);
	return pid < 0 ? -1 : pid;
}

int lab_pod_wait(pid_t pid, const char *what)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_errno(errno, "cannot wait for '%s'", what);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int lab_pod_exec(const struct lab *lab, const struct topology *t, int i, char *const argv[])
{
	pid_t pid = lab_pod_spawn(lab, t, i, argv);

	if (pid < 0)
		return -1;
	/* The child owns the terminal's signals now; we only wait for it. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	return lab_pod_wait(pid, argv[0]);
}

int lab_pod_start_workload(const struct lab *lab, const struct topology *t, int i, unsigned fail_every,
			   struct lab_proc *proc)
{
	const struct topo_pod *pod = &t->pods[i];
	char *argv[TOPO_MAX_ARGS + 1] = { 0 }, *envp[TOPO_MAX_ENV + 3] = { 0 };
	char cmd[PATH_MAX], env[TOPO_MAX_ENV][TOPO_NAME_MAX + TOPO_ARG_MAX + 1], fail_env[32];
	char path_env[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	int n = pod->n_env;

	if (lab_resolve_command(pod->args[0], cmd, sizeof(cmd)))
		return error("pod %s: cannot find command '%s' (looked beside '%s/smi-witness', in its "
			     "libexec/smi-witness and $PATH)", pod->name, pod->args[0], lab->exe_dir);
	argv[0] = cmd;
	for (int k = 1; k < pod->n_args; k++)
		argv[k] = (char *)pod->args[k];
	/* A pod's environment is its own, as in a container: only PATH plus what the topology says. */
	for (int k = 0; k < pod->n_env; k++) {
		snprintf(env[k], sizeof(env[k]), "%s=%s", pod->env[k].name, pod->env[k].value);
		envp[k] = env[k];
	}
	envp[n++] = path_env;
	if (fail_every) {
		snprintf(fail_env, sizeof(fail_env), "FAIL_EVERY=%u", fail_every);
		envp[n++] = fail_env;
	}
	return lab_pod_start(lab, t, i, argv, envp, pod->name, proc);
}

int lab_pod_wait_ready(const struct lab *lab, const struct topology *t, int i, const struct lab_proc *proc)
{
	char netns[LAB_NETNS_MAX];

	lab_netns_name(lab, t->pods[i].name, netns, sizeof(netns));
	for (int k = 0; k < t->pods[i].n_ports; k++) {
		int r = lab_wait_tcp(netns, t->pods[i].ip, t->pods[i].ports[k], 5000, proc);

		if (r)
			return error_errno(r, "pod %s: port %u does not accept connections (see %s/%s/%s.log)",
					   t->pods[i].name, t->pods[i].ports[k], lab->state_dir, LAB_LOG_DIR,
					   t->pods[i].name);
	}
	return 0;
}
