/* test_k8s_cgpath - cgroup paths of both kubelet drivers and every runtime -> pod UID and container. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "k8s/cgpath.h"

#define UID "6a3b1f2e-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
#define UID_ "6a3b1f2e_8c4d_4e5f_9a0b_1c2d3e4f5a6b"
#define CID "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a"
#define STATIC_UID "1d5bd0bc6d6bbc4dd1f1d1e1c0b5a6a7"

static const struct {
	const char *desc, *path;
	int ret;
	enum cg_driver driver;
	enum cg_qos qos;
	const char *uid, *cid, *runtime;
	bool conmon;
} cases[] = {
	{ "systemd, containerd, burstable",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, CID, "containerd", false },
	{ "systemd, containerd, besteffort",
	  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_BESTEFFORT, UID, CID, "containerd", false },
	{ "systemd, guaranteed (no QoS slice)",
	  "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_GUARANTEED, UID, CID, "containerd", false },
	{ "systemd, CRI-O container",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" CID ".scope",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, CID, "cri-o", false },
	{ "systemd, CRI-O conmon is not the container",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-conmon-" CID ".scope",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, CID, "cri-o", true },
	{ "systemd, dockershim / cri-dockerd",
	  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/docker-" CID ".scope",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_BESTEFFORT, UID, CID, "docker", false },
	{ "kind node: kubelet cgroup root nested in kubelet.slice",
	  "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_BESTEFFORT, UID, CID, "containerd", false },
	{ "kind node, guaranteed",
	  "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_GUARANTEED, UID, CID, "containerd", false },
	{ "systemd, pod-level cgroup only",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, UID, "", "", false },
	{ "systemd, a cgroup the container made below its own",
	  "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" CID ".scope/init.scope",
	  0, CG_DRIVER_SYSTEMD, CG_QOS_GUARANTEED, UID, CID, "containerd", false },
	{ "cgroupfs, containerd, burstable", "/kubepods/burstable/pod" UID "/" CID,
	  0, CG_DRIVER_CGROUPFS, CG_QOS_BURSTABLE, UID, CID, "", false },
	{ "cgroupfs, besteffort", "/kubepods/besteffort/pod" UID "/" CID,
	  0, CG_DRIVER_CGROUPFS, CG_QOS_BESTEFFORT, UID, CID, "", false },
	{ "cgroupfs, guaranteed", "/kubepods/pod" UID "/" CID,
	  0, CG_DRIVER_CGROUPFS, CG_QOS_GUARANTEED, UID, CID, "", false },
	{ "cgroupfs, CRI-O names the container crio-ID", "/kubepods/burstable/pod" UID "/crio-" CID,
	  0, CG_DRIVER_CGROUPFS, CG_QOS_BURSTABLE, UID, CID, "cri-o", false },
	{ "cgroupfs, static pod UID is a 32-hex hash", "/kubepods/burstable/pod" STATIC_UID "/" CID,
	  0, CG_DRIVER_CGROUPFS, CG_QOS_BURSTABLE, STATIC_UID, CID, "", false },
	{ "cgroupfs below a custom cgroup root", "/k3s/kubepods/besteffort/pod" UID "/" CID,
	  0, CG_DRIVER_CGROUPFS, CG_QOS_BESTEFFORT, UID, CID, "", false },
	{ "cgroupfs, pod-level cgroup only", "/kubepods/burstable/pod" UID,
	  0, CG_DRIVER_CGROUPFS, CG_QOS_BURSTABLE, UID, "", "", false },
	{ "not a pod: system service", "/system.slice/containerd.service", -ENOENT, 0, 0, "", "", "", false },
	{ "not a pod: QoS slice alone", "/kubepods.slice/kubepods-burstable.slice", -ENOENT, 0, 0, "", "", "", false },
	{ "not a pod: short UID", "/kubepods/burstable/pod1234/" CID, -ENOENT, 0, 0, "", "", "", false },
	{ "not a pod: pod dir outside kubepods", "/user.slice/pod" UID "/" CID, -ENOENT, 0, 0, "", "", "", false },
	{ "not a container: 63 hex", "/kubepods/pod" UID "/3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2",
	  0, CG_DRIVER_CGROUPFS, CG_QOS_GUARANTEED, UID, "", "", false },
	{ "empty", "", -ENOENT, 0, 0, "", "", "", false },
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cg_ref ref;

		print_message("%s\n", cases[i].desc);
		assert_int_equal(cgpath_parse(cases[i].path, &ref), cases[i].ret);
		if (cases[i].ret)
			continue;
		assert_int_equal(ref.driver, cases[i].driver);
		assert_int_equal(ref.qos, cases[i].qos);
		assert_string_equal(ref.pod_uid, cases[i].uid);
		assert_string_equal(ref.container_id, cases[i].cid);
		assert_string_equal(ref.runtime, cases[i].runtime);
		assert_int_equal(ref.conmon, cases[i].conmon);
	}
}

/* What the kubelet would create parses back to the same pod and container. */
static void test_build_roundtrip(void **state)
{
	static const struct {
		enum cg_driver driver;
		enum cg_qos qos;
		const char *root, *runtime, *want;
	} b[] = {
		{ CG_DRIVER_SYSTEMD, CG_QOS_BURSTABLE, "", "containerd",
		  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" CID ".scope" },
		{ CG_DRIVER_SYSTEMD, CG_QOS_GUARANTEED, "", "cri-o",
		  "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" CID ".scope" },
		{ CG_DRIVER_SYSTEMD, CG_QOS_BESTEFFORT, "/sys/fs/cgroup", "docker",
		  "/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/docker-" CID ".scope" },
		{ CG_DRIVER_CGROUPFS, CG_QOS_BURSTABLE, "", "containerd", "/kubepods/burstable/pod" UID "/" CID },
		{ CG_DRIVER_CGROUPFS, CG_QOS_GUARANTEED, "", "cri-o", "/kubepods/pod" UID "/crio-" CID },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		struct cg_ref ref;
		char buf[512];

		assert_int_equal(cgpath_build(b[i].driver, b[i].root, b[i].qos, UID, b[i].runtime, CID,
					      buf, sizeof(buf)), 0);
		assert_string_equal(buf, b[i].want);
		assert_int_equal(cgpath_parse(buf, &ref), 0);
		assert_string_equal(ref.pod_uid, UID);
		assert_string_equal(ref.container_id, CID);
		assert_int_equal(ref.qos, b[i].qos);
	}
	{
		char small[20];

		assert_int_equal(cgpath_build(CG_DRIVER_CGROUPFS, "", CG_QOS_BURSTABLE, UID, "containerd", CID,
					      small, sizeof(small)), -ENAMETOOLONG);
		assert_int_equal(cgpath_build(CG_DRIVER_SYSTEMD, "", CG_QOS_NONE, UID, "containerd", CID,
					      small, sizeof(small)), -EINVAL);
	}
}

static void test_container_id(void **state)
{
	static const struct {
		const char *in;
		int ret;
		const char *runtime, *id;
	} c[] = {
		{ "containerd://" CID, 0, "containerd", CID },
		{ "cri-o://" CID, 0, "cri-o", CID },
		{ "docker://" CID, 0, "docker", CID },
		{ CID, -EINVAL, "", "" },
		{ "containerd://", -EINVAL, "", "" },
		{ "://x", -EINVAL, "", "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char rt[32] = "", id[128] = "";

		assert_int_equal(cg_split_container_id(c[i].in, rt, sizeof(rt), id, sizeof(id)), c[i].ret);
		assert_string_equal(rt, c[i].runtime);
		assert_string_equal(id, c[i].id);
	}
	assert_int_equal(cg_qos_from_class("Burstable"), CG_QOS_BURSTABLE);
	assert_int_equal(cg_qos_from_class("Guaranteed"), CG_QOS_GUARANTEED);
	assert_int_equal(cg_qos_from_class("BestEffort"), CG_QOS_BESTEFFORT);
	assert_int_equal(cg_qos_from_class("burstable"), CG_QOS_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_build_roundtrip),
		cmocka_unit_test(test_container_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
