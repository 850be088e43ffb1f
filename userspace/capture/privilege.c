/*
 * privilege.c - what capture keeps of its privileges once attached.
 *
 * Loading and attaching the programs needs CAP_BPF + CAP_PERFMON (or
 * CAP_SYS_ADMIN); CAP_SYS_ADMIN also mounts tracefs when it is missing.
 * After that capture only reads the ring buffer (mapped memory and epoll:
 * no capability), reads the drop counters, lists the kernel's connection
 * table and changes the watched set, all on map descriptors it already
 * holds, and (cgroup backend) runs a program it loaded to free the slots of
 * connections whose cgroup it stops watching (BPF_PROG_TEST_RUN). Since Linux 6.5 the kernel checks privileges when programs and
 * maps are created, not on every bpf() command, so those need nothing; on
 * older kernels with unprivileged BPF disabled every command needs CAP_BPF.
 * Which one applies is measured, not guessed from version numbers.
 */
#include <errno.h>
#include <string.h>
#include <linux/capability.h>

#include "capture/capture_int.h"
#include "util/caps.h"
#include "util/log.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int check(void *arg)
{
	return capture_check_maps(arg);
}

uint64_t capture_caps_after_attach(struct capture *c)
{
	if (caps_without(check, c) == 0)
		return 0;
	return caps_known(CAP_BPF) ? CAPS_BIT(CAP_BPF) : CAPS_BIT(CAP_SYS_ADMIN);
}

static int check_attach(void *arg)
{
	struct capture *c = arg;

	return c->sl ? skb_loader_probe_attach(c->sl) : 0;
}

uint64_t capture_caps_to_watch(struct capture *c)
{
	if (caps_without(check_attach, c) == 0)
		return 0;
	return CAPS_BIT(CAP_NET_ADMIN);
}

int capture_drop_caps(struct capture *c, uint64_t *kept)
{
	uint64_t keep = capture_caps_after_attach(c);
	char names[128];
	int r = caps_limit(keep);

	if (r)
		return error_errno(r, "capture: cannot give up capabilities"), r;
	if ((r = capture_check_maps(c)))
		pr_warn("capture: map operations fail with %s kept: %s", caps_format(keep, names, sizeof(names)),
			strerror(-r));
	pr_debug("capture: attached; capabilities kept: %s", caps_format(keep, names, sizeof(names)));
	if (kept)
		*kept = keep;
	return 0;
}
