/* proc.h - processes inside pods: start, identify, stop; pod cgroups. */
#ifndef SMIW_LAB_PROC_H
#define SMIW_LAB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How to start one process inside a pod. */
struct lab_spawn {
	const char *cgroup;	/* cgroup v2 directory, joined first */
	const char *netns;	/* network namespace name under /run/netns, entered second */
	const char *etc_dir;	/* its hosts and resolv.conf are bound over /etc/ (NULL: none) */
	const char *log;	/* daemon: stdout and stderr appended here */
	bool daemon;	/* new session, stdin /dev/null, outlives the caller */
	char *const *argv;	/* argv[0] is a path */
	char *const *envp;	/* NULL: the caller's environment */
};

/*
 * Forks and runs s->argv inside the pod: cgroup.procs first, then setns()
 * into the network namespace, then a private mount namespace with the pod's
 * /etc files bound in (no /sys remount, so the cgroup v2 tree stays
 * visible), then exec. Returns the pid, or -1 after printing which step
 * failed (the child is reaped then).
 */
pid_t lab_spawn(const struct lab_spawn *s);

/* Start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or 0 when gone. */
uint64_t proc_start_time(pid_t pid);

/* True when `pid` runs, is not a zombie, and started at `start_time` (not a reused pid). */
bool proc_alive(pid_t pid, uint64_t start_time);

/* Sends SIGKILL to `pid` when proc_alive(); returns true when it did. */
bool proc_kill(pid_t pid, uint64_t start_time);

/*
 * Kills every process in the cgroup tree at `path` (cgroup.kill), waits
 * until it is empty and removes the directories, deepest first. A missing
 * path is fine. Returns 0, or -1 after printing what could not be removed.
 */
int cgroup_destroy(const char *path);

/* Appends the pids in `path`/cgroup.procs and below to pids (up to max). Returns how many. */
int cgroup_pids(const char *path, pid_t *pids, int max);

#endif
