/* itest.c - see itest.h */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"
#include "util/kernfs.h"

int itest_failures;

void itest_require_bpf(void)
{
	int fd;

	if (geteuid() != 0)
		itest_skip("needs root (BPF programs, cgroups)");
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "itest", 4, 4, 1, NULL);
	if (fd < 0)
		itest_skip("bpf() syscall unavailable: %s", strerror(errno));
	close(fd);
	if (kernfs_ensure_tracefs(NULL))
		itest_skip("tracefs cannot be mounted at %s", TRACEFS_PATH);
}

uint64_t itest_cgroup_create(const char *name, char *buf, size_t len)
{
	char mnt[256];

	if (cgroup2_mount_point(mnt, sizeof(mnt)))
		itest_skip("no cgroup v2 mount");
	snprintf(buf, len, "%s/%s-%d", mnt, name, (int)getpid());
	if (mkdir(buf, 0755) && errno != EEXIST)
		return 0;
	return cgroup_id_of(buf);
}

void itest_cgroup_remove(const char *path)
{
	char procs[4096], mnt[256], line[32];
	FILE *f;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	f = fopen(procs, "re");
	if (f && !cgroup2_mount_point(mnt, sizeof(mnt))) {
		while (fgets(line, sizeof(line), f))
			cgroup_move(mnt, atoi(line));
	}
	if (f)
		fclose(f);
	rmdir(path);
}

int itest_done(void)
{
	printf("%s: %d check(s) failed\n", itest_failures ? "FAIL" : "PASS", itest_failures);
	return itest_failures ? 1 : 0;
}
