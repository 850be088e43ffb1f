/* kernfs.h - the pseudo file systems the tool needs: tracefs, securityfs, cgroup v2. */
#ifndef SMIW_KERNFS_H
#define SMIW_KERNFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACEFS_PATH "/sys/kernel/tracing"
#define SECURITYFS_PATH "/sys/kernel/security"

/*
 * Makes sure tracefs is mounted at /sys/kernel/tracing (libbpf resolves
 * tracepoint ids there); mounts it when missing and sets *mounted_now.
 * Returns 0 or a negative errno.
 */
int kernfs_ensure_tracefs(bool *mounted_now);

/*
 * Reads the kernel lockdown mode ("none", "integrity", "confidentiality")
 * into buf, mounting securityfs first when needed. Returns 0 or -errno.
 */
int kernfs_lockdown_mode(char *buf, size_t len, bool *mounted_now);

/* Finds the cgroup v2 mount point (from /proc/self/mountinfo). Returns 0 or -ENOENT. */
int cgroup2_mount_point(char *buf, size_t len);

/* Returns the cgroup v2 id of the directory `path` (what bpf_get_current_cgroup_id() reports), or 0. */
uint64_t cgroup_id_of(const char *path);

/* Returns the cgroup v2 path of process `pid` relative to the v2 mount ("/a/b"), in buf; 0 or -errno. */
int cgroup_of_pid(int pid, char *buf, size_t len);

/* Moves process `pid` into the cgroup v2 directory `path`. Returns 0 or -errno. */
int cgroup_move(const char *path, int pid);

#endif
