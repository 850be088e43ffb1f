/* proc.c - see proc.h */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "lab/lab.h"
#include "lab/proc.h"
#include "util/file.h"
#include "util/kernfs.h"
#include "util/log.h"

extern char **environ;

/* What the child reports through the pipe when a step fails before exec. */
struct spawn_failure {
	int step;
	int err;
};

static const char *const step_names[] = {
	"start a new session", "join the pod cgroup", "enter the pod network namespace",
	"make a private mount namespace", "bind the pod's /etc/hosts", "open the log file", "exec",
};

static void __attribute__((noreturn)) fail(int fd, int step)
{
	struct spawn_failure f = { step, errno };

	if (write(fd, &f, sizeof(f)) != sizeof(f))
		_exit(126);
	_exit(127);
}

/* Binds <etc_dir>/<file> over /etc/<file> when both exist; only hosts is required. */
static int bind_etc(const char *etc_dir, const char *file, bool required)
{
	char src[PATH_MAX], dst[PATH_MAX];

	if (path_fmt(src, sizeof(src), "%s/%s", etc_dir, file) || path_fmt(dst, sizeof(dst), "/etc/%s", file))
		return -1;
	if (access(src, F_OK) || access(dst, F_OK))
		return required ? -1 : 0;
	return mount(src, dst, NULL, MS_BIND, NULL);
}

static void __attribute__((noreturn)) child(const struct lab_spawn *s, int errfd)
{
	char ns_path[sizeof(LAB_NETNS_DIR) + LAB_NETNS_MAX];
	sigset_t all;
	int fd;

	if (s->daemon && setsid() < 0)
		fail(errfd, 0);
	if (cgroup_move(s->cgroup, getpid()) < 0)
		fail(errfd, 1);
	snprintf(ns_path, sizeof(ns_path), "%s/%s", LAB_NETNS_DIR, s->netns);
	fd = open(ns_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		fail(errfd, 2);
	if (s->etc_dir) {
		/* Slave propagation keeps our binds from leaking back to the host. */
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
			fail(errfd, 3);
		if (bind_etc(s->etc_dir, "hosts", true) || bind_etc(s->etc_dir, "resolv.conf", false))
			fail(errfd, 4);
	}
	if (s->daemon) {
		int in = open("/dev/null", O_RDONLY), out = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			fail(errfd, 5);
	}
	/* Whatever the caller ignored or blocked, the program starts with defaults. */
	signal(SIGPIPE, SIG_DFL);
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(s->argv[0], s->argv, s->envp ? s->envp : environ);
	fail(errfd, 6);
}

pid_t lab_spawn(const struct lab_spawn *s)
{
	struct spawn_failure f;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return error_errno(errno, "cannot create a pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return error_errno(errno, "cannot fork");
	}
	if (pid == 0) {
		close(p[0]);
		child(s, p[1]);
	}
	close(p[1]);
	do {
		n = read(p[0], &f, sizeof(f));
	} while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == sizeof(f)) {
		waitpid(pid, &status, 0);
		return error_errno(f.err, "cannot start '%s' in pod namespace '%s': cannot %s", s->argv[0],
				   s->netns, step_names[f.step]);
	}
	return pid;
}

/* Copies the fields of /proc/PID/stat after "(comm)" into buf; comm may hold spaces and ')'. */
static const char *stat_fields(pid_t pid, char *buf, size_t len)
{
	char path[64], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

uint64_t proc_start_time(pid_t pid)
{
	unsigned long long start = 0;
	char buf[1024];
	const char *f = stat_fields(pid, buf, sizeof(buf));

	/* Fields from 3 (state) on; the start time is field 22. */
	if (!f || sscanf(f, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
			 &start) != 1)
		return 0;
	return start;
}

bool proc_alive(pid_t pid, uint64_t start_time)
{
	char buf[1024];
	const char *f;

	if (pid <= 0 || !start_time || proc_start_time(pid) != start_time)
		return false;
	f = stat_fields(pid, buf, sizeof(buf));
	return f && *f != 'Z' && *f != 'X';
}

bool proc_kill(pid_t pid, uint64_t start_time)
{
	return proc_alive(pid, start_time) && kill(pid, SIGKILL) == 0;
}

static bool cgroup_populated(const char *path)
{
	char file[PATH_MAX], line[64];
	bool populated = false;
	FILE *f;

	if (path_fmt(file, sizeof(file), "%s/cgroup.events", path))
		return false;
	f = fopen(file, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "populated 1\n"))
			populated = true;
	fclose(f);
	return populated;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Calls fn on every subdirectory of `path`; stops at the first failure. */
static int each_child(const char *path, int (*fn)(const char *child, void *arg), void *arg)
{
	char sub[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(path);
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!r && (e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (path_fmt(sub, sizeof(sub), "%s/%s", path, e->d_name))
			r = -ENAMETOOLONG;
		else
			r = fn(sub, arg);
	}
	closedir(d);
	return r;
}

static int destroy_one(const char *path, void *arg)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char kill_file[PATH_MAX];
	int r;

	r = each_child(path, destroy_one, arg);
	if (r)
		return r;
	if (path_fmt(kill_file, sizeof(kill_file), "%s/cgroup.kill", path))
		return -ENAMETOOLONG;
	if (cgroup_populated(path) && (r = write_file(kill_file, "1"))) {
		/* Kernels before 5.14 have no cgroup.kill: signal what cgroup.procs lists. */
		pid_t pids[1024];
		int n = cgroup_pids(path, pids, 1024);

		if (r != -ENOENT)
			return error_errno(r, "cannot kill the processes of cgroup '%s'", path);
		for (int i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
	}
	/* cgroup.kill is asynchronous: exiting tasks leave the cgroup a moment later. */
	for (int i = 0; i < 500 && cgroup_populated(path); i++)
		nanosleep(&tick, NULL);
	if (rmdir(path) && errno != ENOENT)
		return error_errno(errno, "cannot remove cgroup '%s'", path);
	return 0;
}

int cgroup_destroy(const char *path)
{
	return destroy_one(path, NULL) ? -1 : 0;
}

struct pid_list {
	pid_t *pids;
	int n, max;
};

static int collect(const char *path, void *arg)
{
	struct pid_list *l = arg;
	char file[PATH_MAX];
	FILE *f;
	int pid;

	if (path_fmt(file, sizeof(file), "%s/cgroup.procs", path))
		return 0;
	f = fopen(file, "re");
	while (f && l->n < l->max && fscanf(f, "%d", &pid) == 1)
		l->pids[l->n++] = pid;
	if (f)
		fclose(f);
	return each_child(path, collect, l);
}

int cgroup_pids(const char *path, pid_t *pids, int max)
{
	struct pid_list l = { pids, 0, max };

	collect(path, &l);
	return l.n;
}
