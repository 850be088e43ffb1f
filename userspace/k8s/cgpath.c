/* cgpath.c - see cgpath.h */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/cgpath.h"
#include "util/kernfs.h"

/* kubepods nest at most a few levels below a cgroup root; containers at most three below the pod. */
#define SCAN_MAX_DEPTH 10

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * A pod UID is a 36-character UUID (dashes, or underscores in systemd unit
 * names, where '-' means nesting) or, for static pods, a 32-character hash.
 */
static bool parse_uid(const char *s, size_t n, char *out, size_t olen)
{
	size_t j = 0;

	if (n != 36 && n != 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (n == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (ch != '-' && ch != '_')
				return false;
			ch = '-';
		} else if (!is_hex(&ch, 1)) {
			return false;
		}
		if (j + 1 < olen)
			out[j++] = ch;
	}
	out[j] = '\0';
	return true;
}

static enum cg_qos qos_word(const char *s, size_t n)
{
	if (n == 9 && !strncmp(s, "burstable", 9))
		return CG_QOS_BURSTABLE;
	if (n == 10 && !strncmp(s, "besteffort", 10))
		return CG_QOS_BESTEFFORT;
	return CG_QOS_NONE;
}

/* "kubepods-burstable-pod<uid>.slice" or "...-kubepods-pod<uid>.slice" (systemd driver). */
static bool systemd_pod(const char *c, size_t n, struct cg_ref *ref)
{
	const char *pod, *kp;
	size_t sfx = strlen(".slice");

	if (n <= sfx || strncmp(c + n - sfx, ".slice", sfx))
		return false;
	pod = NULL;
	for (const char *p = c; p + 4 <= c + n; p++)
		if (!strncmp(p, "-pod", 4))
			pod = p;
	kp = strstr(c, "kubepods");
	if (!pod || !kp || kp > pod || !parse_uid(pod + 4, (size_t)(c + n - sfx - pod - 4),
						  ref->pod_uid, sizeof(ref->pod_uid)))
		return false;
	ref->driver = CG_DRIVER_SYSTEMD;
	ref->qos = CG_QOS_GUARANTEED;
	kp += strlen("kubepods");
	if (*kp == '-' && kp < pod)
		ref->qos = qos_word(kp + 1, (size_t)(pod - kp - 1));
	return ref->qos != CG_QOS_NONE;
}

/* "pod<uid>" below "kubepods[/burstable|/besteffort]" (cgroupfs driver). */
static bool cgroupfs_pod(const char *c, size_t n, const char *prev, size_t prevn, struct cg_ref *ref)
{
	if (n < 3 || strncmp(c, "pod", 3) || !parse_uid(c + 3, n - 3, ref->pod_uid, sizeof(ref->pod_uid)))
		return false;
	ref->driver = CG_DRIVER_CGROUPFS;
	if (prevn == 8 && !strncmp(prev, "kubepods", 8))
		ref->qos = CG_QOS_GUARANTEED;
	else
		ref->qos = qos_word(prev, prevn);
	return ref->qos != CG_QOS_NONE;
}

/* Runtime unit prefixes, longest first so "crio-conmon-" wins over "crio-". */
static const struct {
	const char *prefix, *runtime;
	bool conmon;
} runtimes[] = {
	{ "cri-containerd-", "containerd", false },
	{ "crio-conmon-", "cri-o", true },
	{ "crio-", "cri-o", false },
	{ "docker-", "docker", false },
	{ "containerd-", "containerd", false },
};

/* "<64 hex>", "<prefix><64 hex>" or "<prefix><64 hex>.scope". */
static bool container_part(const char *c, size_t n, struct cg_ref *ref)
{
	const char *rt = "", *id = c;
	bool conmon = false;
	size_t idn = n;

	if (idn > 6 && !strncmp(c + idn - 6, ".scope", 6))
		idn -= 6;
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		size_t pl = strlen(runtimes[i].prefix);

		if (idn > pl && !strncmp(c, runtimes[i].prefix, pl)) {
			rt = runtimes[i].runtime;
			conmon = runtimes[i].conmon;
			id = c + pl;
			idn -= pl;
			break;
		}
	}
	if (idn != 64 || !is_hex(id, idn))
		return false;
	memcpy(ref->container_id, id, idn);
	ref->container_id[idn] = '\0';
	snprintf(ref->runtime, sizeof(ref->runtime), "%s", rt);
	ref->conmon = conmon;
	return true;
}

int cgpath_parse(const char *path, struct cg_ref *ref)
{
	const char *c = path, *prev = "";
	size_t prevn = 0;
	bool in_pod = false;

	memset(ref, 0, sizeof(*ref));
	while (*c) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if (!n)
			break;
		if (!in_pod) {
			struct cg_ref tmp = { 0 };

			if (systemd_pod(c, n, &tmp) || cgroupfs_pod(c, n, prev, prevn, &tmp)) {
				*ref = tmp;
				in_pod = true;
			}
		} else if (!ref->container_id[0]) {
			/* The first container-looking part below the pod is the container. */
			container_part(c, n, ref);
		}
		prev = c;
		prevn = n;
		c += n;
	}
	return in_pod ? 0 : -ENOENT;
}

enum cg_qos cg_qos_from_class(const char *qos_class)
{
	if (!qos_class)
		return CG_QOS_NONE;
	if (!strcmp(qos_class, "Guaranteed"))
		return CG_QOS_GUARANTEED;
	if (!strcmp(qos_class, "Burstable"))
		return CG_QOS_BURSTABLE;
	if (!strcmp(qos_class, "BestEffort"))
		return CG_QOS_BESTEFFORT;
	return CG_QOS_NONE;
}

int cg_split_container_id(const char *status_id, char *runtime, size_t rlen, char *id, size_t ilen)
{
	const char *sep = status_id ? strstr(status_id, "://") : NULL;
	size_t n;

	if (!sep || sep == status_id || !sep[3])
		return -EINVAL;
	n = (size_t)(sep - status_id);
	snprintf(runtime, rlen, "%.*s", (int)n, status_id);
	snprintf(id, ilen, "%s", sep + 3);
	return 0;
}

static const char *systemd_unit_prefix(const char *runtime)
{
	if (!strcmp(runtime, "containerd"))
		return "cri-containerd-";
	if (!strcmp(runtime, "cri-o"))
		return "crio-";
	if (!strcmp(runtime, "docker"))
		return "docker-";
	return NULL;
}

int cgpath_build(enum cg_driver driver, const char *root, enum cg_qos qos, const char *uid,
		 const char *runtime, const char *container_id, char *buf, size_t len)
{
	static const char *const qos_names[] = { "", "", "burstable", "besteffort" };
	char uid_us[40], slice_base[64];
	const char *q = qos_names[qos];
	int n;

	if (qos == CG_QOS_NONE || !uid || strlen(uid) >= sizeof(uid_us))
		return -EINVAL;
	if (driver == CG_DRIVER_CGROUPFS) {
		n = snprintf(buf, len, "%s/kubepods%s%s/pod%s", root, *q ? "/" : "", q, uid);
		if (n >= 0 && (size_t)n < len && container_id && *container_id)
			n += snprintf(buf + n, len - (size_t)n, "/%s%s",
				      runtime && !strcmp(runtime, "cri-o") ? "crio-" : "", container_id);
	} else if (driver == CG_DRIVER_SYSTEMD) {
		/* systemd spells '-' as nesting, so the UID's dashes become underscores. */
		snprintf(uid_us, sizeof(uid_us), "%s", uid);
		for (char *p = uid_us; *p; p++)
			if (*p == '-')
				*p = '_';
		snprintf(slice_base, sizeof(slice_base), "kubepods%s%s", *q ? "-" : "", q);
		n = snprintf(buf, len, "%s/kubepods.slice%s%s%s/%s-pod%s.slice", root,
			     *q ? "/" : "", *q ? slice_base : "", *q ? ".slice" : "", slice_base, uid_us);
		if (n >= 0 && (size_t)n < len && container_id && *container_id) {
			const char *pfx = runtime ? systemd_unit_prefix(runtime) : NULL;

			if (!pfx)
				return -EINVAL;
			n += snprintf(buf + n, len - (size_t)n, "/%s%s.scope", pfx, container_id);
		}
	} else {
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int scan_dir(const char *mount, char *path, size_t plen, int depth, cg_found_fn fn, void *arg)
{
	size_t base = strlen(path);
	struct cg_ref ref;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > SCAN_MAX_DEPTH)
		return 0;
	d = opendir(path);
	if (!d)
		return depth ? 0 : -errno;	/* cgroups come and go while we walk */
	while (!r && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (base + 1 + strlen(de->d_name) >= plen)
			continue;
		snprintf(path + base, plen - base, "/%s", de->d_name);
		if (!cgpath_parse(path + strlen(mount), &ref) && ref.container_id[0]) {
			/* Below a container's own cgroup there is nothing more to find. */
			if (!ref.conmon)
				r = fn(arg, path, cgroup_id_of(path), &ref);
		} else {
			r = scan_dir(mount, path, plen, depth + 1, fn, arg);
		}
		path[base] = '\0';
	}
	closedir(d);
	return r;
}

int cgpath_scan(const char *mount, cg_found_fn fn, void *arg)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s", mount);
	return scan_dir(mount, path, sizeof(path), 0, fn, arg);
}
