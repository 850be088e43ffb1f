/*
 * test_k8s_inventory - real cgroup v2 directories laid out as the kubelet
 * does (systemd and cgroupfs drivers, containerd and CRI-O), found by the
 * walk, joined with recorded Pod objects into the inventory: the cgroup ids
 * must be the directories' real ids, sidecars get their own entries, CRI-O's
 * conmon is skipped, and a missing container is counted as unresolved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"
#include "k8s/cgpath.h"
#include "k8s/config.h"
#include "k8s/inventory.h"
#include "util/kernfs.h"

#define A_UID "6a3b1f2e_8c4d_4e5f_9a0b_1c2d3e4f5a6b"
#define B_UID "7b4c2a3f_9d5e_4f60_8b1c_2d3e4f5a6b7c"
#define C_UID "8c5d3b4a-0e6f-4071-9c2d-3e4f5a6b7c8d"
#define A_APP "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"
#define A_PROXY "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee1"
#define B_APP "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2"
#define C_APP "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc3"

static char root[512];

/* The directories, parents first; removed in reverse. */
static const char *const dirs[] = {
	"/kubepods.slice",
	"/kubepods.slice/kubepods-burstable.slice",
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" A_UID ".slice",
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" A_UID ".slice/cri-containerd-" A_APP ".scope",
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" A_UID ".slice/cri-containerd-" A_PROXY ".scope",
	"/kubepods.slice/kubepods-besteffort.slice",
	"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" B_UID ".slice",
	"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" B_UID ".slice/crio-conmon-" B_APP ".scope",
	"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" B_UID ".slice/crio-" B_APP ".scope",
	"/kubepods",
	"/kubepods/pod" C_UID,
	"/kubepods/pod" C_UID "/" C_APP,
	"/system.slice",
};
#define NDIRS (sizeof(dirs) / sizeof(dirs[0]))

static void cleanup(void)
{
	char path[1024];

	for (size_t i = NDIRS; i-- > 0;) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		rmdir(path);
	}
	rmdir(root);
}

static json_t *pods_cache(void)
{
	static const char *const files[] = { "tests/fixtures/k8s/pods-page1.json",
					     "tests/fixtures/k8s/pods-page2.json" };
	json_t *cache = json_object(), *doc, *item;
	char key[256];
	size_t i;

	for (size_t f = 0; f < 2; f++) {
		doc = json_load_file(files[f], 0, NULL);
		json_array_foreach(json_object_get(doc, "items"), i, item) {
			snprintf(key, sizeof(key), "default/%s",
				 json_string_value(json_object_get(json_object_get(item, "metadata"), "name")));
			json_object_set(cache, key, item);
		}
		json_decref(doc);
	}
	return cache;
}

static json_t *entry_for(json_t *inv, const char *container_id)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(inv, "pods"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "container_id")) ?: "", container_id))
			return e;
	return NULL;
}

static uint64_t id_of(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	return cgroup_id_of(path);
}

static void check_entry(json_t *inv, const char *cid, const char *pod, const char *sa, const char *ip,
			const char *container, const char *dir)
{
	json_t *e = entry_for(inv, cid);
	uint64_t want = id_of(dir);

	itest_check(e != NULL, "%s: entry for container %.12s", pod, cid);
	if (!e)
		return;
	itest_check(!strcmp(json_string_value(json_object_get(e, "name")) ?: "", pod) &&
		    !strcmp(json_string_value(json_object_get(e, "service_account")) ?: "", sa) &&
		    !strcmp(json_string_value(json_object_get(e, "ip")) ?: "", ip) &&
		    !strcmp(json_string_value(json_object_get(e, "container")) ?: "", container),
		    "%s/%s: service account %s, ip %s", pod, container, sa, ip);
	itest_check(want && (uint64_t)json_integer_value(json_object_get(e, "cgroup_id")) == want,
		    "%s/%s: cgroup_id is the directory's id (%llu)", pod, container, (unsigned long long)want);
}

int main(void)
{
	char mnt[256], path[1024];
	json_t *idx = NULL, *pods, *svcs, *inv;
	unsigned unresolved = 0;
	int r;

	if (geteuid() != 0)
		itest_skip("needs root to create cgroup directories");
	if (cgroup2_mount_point(mnt, sizeof(mnt)))
		itest_skip("no cgroup v2 mount");
	snprintf(root, sizeof(root), "%s/smiw-k8s-inv-%d", mnt, (int)getpid());
	if (mkdir(root, 0755)) {
		printf("cannot create %s: %s\n", root, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < NDIRS; i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		if (mkdir(path, 0755)) {
			printf("cannot create %s: %s\n", path, strerror(errno));
			cleanup();
			return 1;
		}
	}
	r = k8s_cgroup_index(root, &idx);
	itest_check(r == 0, "walk of %s", root);
	itest_check(json_object_size(idx) == 4, "4 container cgroups found, conmon skipped (%zu)",
		    json_object_size(idx));
	itest_check(!strcmp(json_string_value(json_object_get(json_object_get(idx, B_APP), "runtime")) ?: "",
			    "cri-o"), "CRI-O container recognised");
	itest_check(!strcmp(json_string_value(json_object_get(json_object_get(idx, C_APP), "pod_uid")) ?: "",
			    C_UID), "cgroupfs pod UID read back");

	pods = pods_cache();
	svcs = json_pack("{s:{s:{s:s, s:s}, s:{s:s, s:{s:s}, s:[{s:i}]}}}", "default/app-b",
			 "metadata", "name", "app-b", "namespace", "default",
			 "spec", "clusterIP", "10.96.0.21", "selector", "app", "app-b", "ports", "port", 9091);
	inv = k8s_inventory_build("node-1", pods, svcs, idx, &unresolved);
	itest_check(json_integer_value(json_object_get(inv, "version")) == 1 &&
		    !strcmp(json_string_value(json_object_get(inv, "source")) ?: "", "kubernetes") &&
		    !strcmp(json_string_value(json_object_get(inv, "node")) ?: "", "node-1"),
		    "inventory version 1, source kubernetes, node-1");
	itest_check(json_array_size(json_object_get(inv, "pods")) == 4 && unresolved == 0,
		    "4 entries, none unresolved (%zu, %u)", json_array_size(json_object_get(inv, "pods")), unresolved);
	check_entry(inv, A_APP, "app-a-7d9f8c6b5-x2kqp", "service-a", "10.244.1.11", "app-a",
		    dirs[3]);
	check_entry(inv, A_PROXY, "app-a-7d9f8c6b5-x2kqp", "service-a", "10.244.1.11", "linkerd-proxy",
		    dirs[4]);
	check_entry(inv, B_APP, "app-b-5c7d8e9f0-abcde", "service-b", "10.244.1.12", "app-b", dirs[8]);
	check_entry(inv, C_APP, "app-c-6d8e9f0a1-fghij", "service-c", "10.244.1.13", "app-c", dirs[11]);
	{
		json_t *svc = json_array_get(json_object_get(inv, "services"), 0);

		itest_check(!strcmp(json_string_value(json_object_get(svc, "ip")) ?: "", "10.96.0.21") &&
			    json_array_size(json_object_get(svc, "endpoints")) == 1 &&
			    !strcmp(json_string_value(json_array_get(json_object_get(svc, "endpoints"), 0)) ?: "",
				    "default/app-b-5c7d8e9f0-abcde"),
			    "service app-b: cluster IP and its one endpoint");
	}
	json_decref(inv);
	json_decref(idx);

	/* The proxy's cgroup is gone (container restarting): counted, not invented. */
	snprintf(path, sizeof(path), "%s%s", root, dirs[4]);
	rmdir(path);
	k8s_cgroup_index(root, &idx);
	inv = k8s_inventory_build("node-1", pods, svcs, idx, &unresolved);
	itest_check(json_array_size(json_object_get(inv, "pods")) == 3 && unresolved == 1,
		    "a missing container cgroup is unresolved (%zu entries, %u unresolved)",
		    json_array_size(json_object_get(inv, "pods")), unresolved);
	json_decref(inv);
	json_decref(idx);
	json_decref(pods);
	json_decref(svcs);
	cleanup();
	return itest_done();
}
