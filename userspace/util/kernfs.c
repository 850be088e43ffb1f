/* kernfs.c - see kernfs.h */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "util/kernfs.h"

static bool is_fs(const char *path, long magic)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == magic;
}

/* Mounts `fstype` at `path` unless it is already there. */
static int ensure_mounted(const char *fstype, const char *path, long magic, bool *mounted_now)
{
	if (mounted_now)
		*mounted_now = false;
	if (is_fs(path, magic))
		return 0;
	if (mount(fstype, path, fstype, 0, NULL))
		return -errno;
	if (mounted_now)
		*mounted_now = true;
	return 0;
}

int kernfs_ensure_tracefs(bool *mounted_now)
{
	return ensure_mounted("tracefs", TRACEFS_PATH, TRACEFS_MAGIC, mounted_now);
}

int kernfs_lockdown_mode(char *buf, size_t len, bool *mounted_now)
{
	char line[128], *open_br, *close_br;
	FILE *f;
	int r;

	r = ensure_mounted("securityfs", SECURITYFS_PATH, SECURITYFS_MAGIC, mounted_now);
	if (r)
		return r;
	f = fopen(SECURITYFS_PATH "/lockdown", "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	/* The active mode is the bracketed word: "none [integrity] confidentiality". */
	open_br = strchr(line, '[');
	close_br = open_br ? strchr(open_br, ']') : NULL;
	if (!close_br)
		return -EPROTO;
	*close_br = '\0';
	snprintf(buf, len, "%s", open_br + 1);
	return 0;
}

int cgroup2_mount_point(char *buf, size_t len)
{
	char *line = NULL, *sep, mnt[4096], fstype[64];
	size_t cap = 0;
	int r = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER */
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		if (!strcmp(fstype, "cgroup2")) {
			snprintf(buf, len, "%s", mnt);
			r = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return r;
}

uint64_t cgroup_id_of(const char *path)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh.handle_bytes = sizeof(uint64_t) };
	int mount_id;

	/* The kernfs file handle is the 64-bit cgroup id (the inode number may differ on 32-bit). */
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return 0;
	return h.id;
}

int cgroup_of_pid(int pid, char *buf, size_t len)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int r = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		/* The v2 entry is "0::/path". */
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line + 3);
			r = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return r;
}

int cgroup_move(const char *path, int pid)
{
	char procs[4096];
	int fd, n, r = 0;
	char num[24];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(num, sizeof(num), "%d", pid);
	if (write(fd, num, n) != n)
		r = -errno;
	close(fd);
	return r;
}
