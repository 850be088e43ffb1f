/* lab.c - see lab.h */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/api.h"
#include "lab/lab.h"
#include "util/file.h"
#include "util/kernfs.h"
#include "util/log.h"

/* A lab name never contains '-', so "<lab>-" cannot be the start of another lab's names. */
static bool valid_lab_name(const char *s)
{
	if (!islower((unsigned char)s[0]) || strlen(s) >= LAB_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
			return false;
	return true;
}

int lab_init(struct lab *lab, const char *name, const char *state_dir)
{
	char mnt[PATH_MAX];
	int r;

	memset(lab, 0, sizeof(*lab));
	lab->lock_fd = -1;
	if (!name)
		name = getenv("SMIW_LAB");
	if (!name || !*name)
		name = LAB_DEFAULT_NAME;
	if (!valid_lab_name(name))
		return error("invalid lab name '%s': 1 to %d characters a-z, 0-9, starting with a letter",
			     name, LAB_NAME_MAX - 1);
	path_fmt(lab->name, sizeof(lab->name), "%s", name);
	if (state_dir)
		path_fmt(lab->state_dir, sizeof(lab->state_dir), "%s", state_dir);
	else if (!strcmp(name, LAB_DEFAULT_NAME))
		path_fmt(lab->state_dir, sizeof(lab->state_dir), "%s", LAB_DEFAULT_STATE_DIR);
	else
		path_fmt(lab->state_dir, sizeof(lab->state_dir), "%s/lab-%s", LAB_RUN_DIR, name);
	if (cgroup2_mount_point(mnt, sizeof(mnt)))
		return error("no cgroup v2 hierarchy is mounted: the lab puts every pod in a cgroup v2 directory");
	path_fmt(lab->cgroup_base, sizeof(lab->cgroup_base), "%s/smi-witness", mnt);
	path_fmt(lab->cgroup_root, sizeof(lab->cgroup_root), "%s/%s", lab->cgroup_base, name);
	if ((r = file_exe_dir(lab->exe_dir, sizeof(lab->exe_dir))))
		return error_errno(-r, "cannot read /proc/self/exe");
	return 0;
}

int lab_lock(struct lab *lab)
{
	if (geteuid() != 0)
		return error("the lab needs root: it creates network namespaces, cgroups and /etc/netns entries");
	if (mkdir(LAB_RUN_DIR, 0755) && errno != EEXIST)
		return error_errno(errno, "cannot create '%s'", LAB_RUN_DIR);
	lab->lock_fd = open(LAB_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lab->lock_fd < 0)
		return error_errno(errno, "cannot open '%s'", LAB_RUN_DIR);
	if (flock(lab->lock_fd, LOCK_EX))
		return error_errno(errno, "cannot lock '%s'", LAB_RUN_DIR);
	return 0;
}

void lab_unlock(struct lab *lab)
{
	if (lab->lock_fd >= 0)
		close(lab->lock_fd);
	lab->lock_fd = -1;
}

void lab_netns_name(const struct lab *lab, const char *pod, char *buf, size_t len)
{
	path_fmt(buf, len, "%s-%s", lab->name, pod);
}

void lab_cgroup_path(const struct lab *lab, const struct topo_pod *pod, char *buf, size_t len)
{
	path_fmt(buf, len, "%s/%s/%s", lab->cgroup_root, pod->namespace, pod->name);
}

void lab_etc_dir(const struct lab *lab, const char *pod, char *buf, size_t len)
{
	path_fmt(buf, len, "%s/%s-%s", LAB_ETC_NETNS_DIR, lab->name, pod);
}

void lab_state_file(const struct lab *lab, const char *file, char *buf, size_t len)
{
	path_fmt(buf, len, "%s/%s", lab->state_dir, file);
}

void lab_default_topology(char *buf, size_t len)
{
	const char *env = getenv("SMIW_TOPOLOGY");

	if (env && *env)
		path_fmt(buf, len, "%s", env);
	else
		file_data_path(LAB_DEFAULT_TOPOLOGY, buf, len);	/* a missing one is named when it is read */
}

int lab_resolve_command(const char *word, char *buf, size_t len)
{
	char *path, *dir, *save = NULL;

	if (strchr(word, '/')) {
		path_fmt(buf, len, "%s", word);
		return 0;
	}
	if (!file_helper_path(word, buf, len))
		return 0;
	path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/sbin:/usr/bin:/sbin:/bin");
	if (!path)
		return -ENOMEM;
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		path_fmt(buf, len, "%s/%s", dir, word);
		if (!access(buf, X_OK)) {
			free(path);
			return 0;
		}
	}
	free(path);
	return -ENOENT;
}

int lab_mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (path_fmt(buf, sizeof(buf), "%s", path))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}
