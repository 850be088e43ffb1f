/* caps.c - see caps.h */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "util/caps.h"

int caps_get(struct caps *c)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &hdr, d))
		return -errno;
	c->effective = (uint64_t)d[1].effective << 32 | d[0].effective;
	c->permitted = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	c->inheritable = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

int caps_set(uint64_t effective, uint64_t permitted)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ .effective = (uint32_t)effective, .permitted = (uint32_t)permitted },
		{ .effective = (uint32_t)(effective >> 32), .permitted = (uint32_t)(permitted >> 32) },
	};

	return syscall(SYS_capset, &hdr, d) ? -errno : 0;
}

int caps_last(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = 0;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = 0;
		fclose(f);
	}
	return last >= 31 && last < 64 ? last : 31;
}

bool caps_known(int cap)
{
	return cap >= 0 && cap <= caps_last();
}

int caps_limit(uint64_t keep)
{
	struct caps now;
	int last = caps_last(), r;

	if ((r = caps_get(&now)))
		return r;
	keep &= now.permitted;
	/* The bounding set first: taking from it needs CAP_SETPCAP, which goes below. */
	for (int cap = 0; cap <= last; cap++)
		if (!(keep & CAPS_BIT(cap)) && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return caps_set(keep, keep);
}

int caps_without(int (*fn)(void *arg), void *arg)
{
	struct caps now;
	int r;

	if ((r = caps_get(&now)) || (r = caps_set(0, now.permitted)))
		return r;
	r = fn(arg);
	caps_set(now.effective, now.permitted);
	return r;
}

const char *caps_format(uint64_t mask, char *buf, size_t len)
{
	static const char *const names[] = {
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
		"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
		"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
		"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
		"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
		"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
		"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
		"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
		"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
	};
	size_t used = 0;

	buf[0] = '\0';
	for (int cap = 0; cap < 64 && used < len; cap++) {
		if (!(mask & CAPS_BIT(cap)))
			continue;
		if (cap < (int)(sizeof(names) / sizeof(names[0])))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", names[cap]);
		else
			used += (size_t)snprintf(buf + used, len - used, "%scap_%d", used ? " " : "", cap);
	}
	if (!mask)
		snprintf(buf, len, "none");
	return buf;
}
