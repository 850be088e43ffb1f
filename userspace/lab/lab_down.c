/* lab_down.c - lab_down(): remove everything the lab made, also after a crash. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/api.h"
#include "lab/files.h"
#include "lab/net.h"
#include "lab/proc.h"
#include "util/exitcode.h"
#include "util/log.h"

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT)
		return error_errno(errno, "cannot remove '%s'", path);
	return 0;
}

/*
 * The state directory is removed as a whole only when it is recognisably
 * a lab's (it holds the state file or the topology copy): --state-dir may
 * name any directory.
 */
static int remove_state_dir(const struct lab *lab)
{
	char marker[PATH_MAX], copy[PATH_MAX];

	lab_state_file(lab, LAB_STATE_FILE, marker, sizeof(marker));
	lab_state_file(lab, LAB_TOPOLOGY_COPY, copy, sizeof(copy));
	if (access(marker, F_OK) && access(copy, F_OK)) {
		if (rmdir(lab->state_dir) && errno != ENOENT && errno != ENOTEMPTY)
			return error_errno(errno, "cannot remove '%s'", lab->state_dir);
		return 0;
	}
	return nftw(lab->state_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) ? -1 : 0;
}

/* Which pods to look for: the copy of a lab that is up, else the topology named or the default one. */
static struct topology *find_topology(const struct lab *lab, const struct lab_opts *o)
{
	char path[PATH_MAX];

	lab_state_file(lab, LAB_TOPOLOGY_COPY, path, sizeof(path));
	if (access(path, F_OK)) {
		if (o->topology)
			snprintf(path, sizeof(path), "%s", o->topology);
		else
			lab_default_topology(path, sizeof(path));
	}
	return topology_load(path);
}

static int remove_pods(const struct lab *lab, const struct topology *t)
{
	char netns[LAB_NETNS_MAX];
	int r = 0;

	for (int i = 0; t && i < t->n_pods; i++) {
		lab_netns_name(lab, t->pods[i].name, netns, sizeof(netns));
		r |= lab_netns_delete(netns) | lab_remove_etc(lab, t->pods[i].name);
	}
	lab_netns_name(lab, LAB_ROUTER, netns, sizeof(netns));
	return r | lab_netns_delete(netns);
}

int lab_down(const struct lab_opts *o)
{
	struct lab_state st;
	struct topology *t;
	struct lab lab;
	bool had_state;
	int r = 0;

	if (lab_init(&lab, o->name, o->state_dir))
		return EXIT_USAGE;
	if (lab_lock(&lab))
		return EXIT_ERROR;
	had_state = lab_state_read(&lab, &st) == 1;
	t = find_topology(&lab, o);
	if (!t)
		pr_warn("without a topology only the cgroups and the switch of lab '%s' can be found", lab.name);
	/* Recorded pids first (a process could have left its cgroup), then whatever the cgroups hold. */
	for (int i = 0; had_state && i < TOPO_MAX_PODS; i++)
		proc_kill(st.pods[i].pid, st.pods[i].start_time);
	if (had_state)
		proc_kill(st.filter.pid, st.filter.start_time);
	r |= cgroup_destroy(lab.cgroup_root);
	if (rmdir(lab.cgroup_base) && errno != ENOENT && errno != ENOTEMPTY && errno != EBUSY)
		r |= error_errno(errno, "cannot remove cgroup '%s'", lab.cgroup_base);
	r |= remove_pods(&lab, t);
	/* /etc/netns is removed when the lab made it and nothing else lives there now. */
	if ((!had_state || st.created_etc_netns) && rmdir(LAB_ETC_NETNS_DIR) && errno != ENOENT && errno != ENOTEMPTY)
		r |= error_errno(errno, "cannot remove '%s'", LAB_ETC_NETNS_DIR);
	r |= remove_state_dir(&lab);
	rmdir(LAB_RUN_DIR);
	free(t);
	lab_unlock(&lab);
	if (r)
		return EXIT_ERROR;
	if (log_json)
		pr_json("{s:s, s:b}", "lab", lab.name, "up", 0);
	else
		pr_info("lab %s: down", lab.name);
	return EXIT_OK;
}
