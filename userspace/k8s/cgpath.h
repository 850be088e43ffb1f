/* cgpath.h - which pod and container a kubelet-made cgroup path belongs to. */
#ifndef SMIW_K8S_CGPATH_H
#define SMIW_K8S_CGPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cg_driver { CG_DRIVER_NONE, CG_DRIVER_CGROUPFS, CG_DRIVER_SYSTEMD };
enum cg_qos { CG_QOS_NONE, CG_QOS_GUARANTEED, CG_QOS_BURSTABLE, CG_QOS_BESTEFFORT };

/* What a cgroup path says about the pod and container it holds. */
struct cg_ref {
	enum cg_driver driver;
	enum cg_qos qos;
	char pod_uid[40];	/* with dashes, as metadata.uid spells it */
	char container_id[72];	/* hex id, "" for the pod-level cgroup */
	char runtime[16];	/* "containerd", "cri-o", "docker", "" when the path does not say */
	bool conmon;		/* CRI-O's monitor process, not the container itself */
};

/*
 * Parses a cgroup path ("/kubepods.slice/.../cri-containerd-ID.scope",
 * "/kubepods/burstable/podUID/ID", with any prefix such as a kubelet cgroup
 * root or a nested runtime). Returns 0 with `ref` filled, or -ENOENT when
 * the path holds no pod.
 */
int cgpath_parse(const char *path, struct cg_ref *ref);

/*
 * Writes the path the kubelet would create for (`driver`, `qos`, `uid`,
 * `runtime`, `container_id`) under `root` ("" for the default cgroup root)
 * into buf. Returns 0, or -EINVAL / -ENAMETOOLONG.
 */
int cgpath_build(enum cg_driver driver, const char *root, enum cg_qos qos, const char *uid,
		 const char *runtime, const char *container_id, char *buf, size_t len);

/* Maps a Pod's status.qosClass ("Guaranteed", ...) to its enum; CG_QOS_NONE when unknown. */
enum cg_qos cg_qos_from_class(const char *qos_class);

/*
 * Splits a containerStatuses[].containerID ("containerd://ID") into the
 * runtime name (as cg_ref.runtime spells it) and the id. Returns 0 or -EINVAL.
 */
int cg_split_container_id(const char *status_id, char *runtime, size_t rlen, char *id, size_t ilen);

/* Called for each container cgroup found: `path` absolute, `id` its cgroup v2 id. */
typedef int (*cg_found_fn)(void *arg, const char *path, uint64_t id, const struct cg_ref *ref);

/*
 * Walks the cgroup v2 tree at `mount` (bounded depth) and calls `fn` for
 * every container cgroup of a pod (conmon ones skipped). Returns 0, fn's
 * non-zero result, or -errno when `mount` cannot be read.
 */
int cgpath_scan(const char *mount, cg_found_fn fn, void *arg);

#endif
