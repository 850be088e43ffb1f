/* probes.c - see probes.h */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probe.skel.h"
#include "smiw_abi.h"
#include "doctor/probes.h"
#include "util/caps.h"
#include "util/kernfs.h"
#include "util/netns.h"

#define set_detail(r, ...) snprintf((r)->detail, sizeof((r)->detail), __VA_ARGS__)
#define set_value(r, ...) snprintf((r)->value, sizeof((r)->value), __VA_ARGS__)

__attribute__((noinline)) void smiw_uprobe_target(void)
{
	/* Keeps the call from being optimised away. */
	asm volatile("" ::: "memory");
}

static void probe_privileges(struct probe_result *r)
{
	static const struct { int cap; const char *name; } caps[] = {
		{ 39, "CAP_BPF" }, { 38, "CAP_PERFMON" }, { CAP_NET_ADMIN, "CAP_NET_ADMIN" },
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" }, { CAP_SYS_RESOURCE, "CAP_SYS_RESOURCE" },
	};
	struct caps now = { 0 };
	unsigned long long eff = caps_get(&now) ? 0 : now.effective;
	size_t n = 0;

	set_value(r, "uid %d", (int)geteuid());
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (eff & (1ULL << caps[i].cap))
			n += snprintf(r->detail + n, sizeof(r->detail) - n, "%s%s", n ? " " : "", caps[i].name);
	/* CAP_SYS_ADMIN implies what CAP_BPF + CAP_PERFMON grant on older kernels. */
	r->ok = (eff & (1ULL << 39) && eff & (1ULL << 38)) || eff & (1ULL << CAP_SYS_ADMIN);
	if (!r->ok)
		n += snprintf(r->detail + n, sizeof(r->detail) - n, "%sneeds CAP_BPF and CAP_PERFMON",
			      n ? "; " : "");
}

static void probe_btf(struct probe_result *r)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int err = libbpf_get_error(btf);

	if (err) {
		set_detail(r, "cannot load vmlinux BTF: %s", strerror(-err));
		return;
	}
	set_value(r, "%u types", btf__type_cnt(btf));
	set_detail(r, "/sys/kernel/btf/vmlinux");
	btf__free(btf);
	r->ok = true;
}

static void probe_bpf_syscall(struct probe_result *r)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "smiw_probe", 4, 8, 1, NULL);

	if (fd < 0) {
		set_detail(r, "bpf(BPF_MAP_CREATE): %s", strerror(errno));
		return;
	}
	close(fd);
	set_detail(r, "created an array map");
	r->ok = true;
}

static void probe_tracefs(struct probe_result *r)
{
	bool mounted_now;
	int err = kernfs_ensure_tracefs(&mounted_now);

	if (err) {
		set_detail(r, "cannot mount tracefs at %s: %s", TRACEFS_PATH, strerror(-err));
		return;
	}
	set_value(r, "%s", TRACEFS_PATH);
	if (mounted_now)
		set_detail(r, "was not mounted; mounted it now");
	r->ok = true;
}

static void probe_cgroup2(struct probe_result *r)
{
	if (cgroup2_mount_point(r->value, sizeof(r->value))) {
		set_detail(r, "no cgroup2 mount in /proc/self/mountinfo");
		return;
	}
	r->ok = true;
}

static void probe_lockdown(struct probe_result *r)
{
	bool mounted_now;
	int err = kernfs_lockdown_mode(r->value, sizeof(r->value), &mounted_now);

	if (err == -ENOENT) {
		/* Kernels built without the lockdown LSM have no file: that is "none". */
		set_value(r, "none");
		set_detail(r, "lockdown LSM not present");
		r->ok = true;
		return;
	}
	if (err) {
		set_detail(r, "cannot read lockdown mode: %s", strerror(-err));
		return;
	}
	/* confidentiality forbids reading kernel memory from BPF, which capture needs. */
	r->ok = strcmp(r->value, "confidentiality") != 0;
	set_detail(r, "%s%s", r->ok ? "BPF kernel reads allowed" : "BPF kernel reads forbidden",
		   mounted_now ? "; mounted securityfs" : "");
}

/* Opens the probe object with only program `prog` enabled, counting hits of `tgid`. */
static struct probe_bpf *load_one(struct bpf_program *(*pick)(struct probe_bpf *), __u32 tgid,
				  struct probe_result *r)
{
	struct probe_bpf *skel = probe_bpf__open();
	struct bpf_program *p, *want;
	int err;

	if (!skel) {
		set_detail(r, "open: %s", strerror(errno));
		return NULL;
	}
	want = pick(skel);
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == want);
	skel->rodata->target_tgid = tgid;
	err = probe_bpf__load(skel);
	if (err) {
		set_detail(r, "load failed: %s", strerror(-err));
		probe_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static __u64 read_hits(struct probe_bpf *skel, enum probe_kind kind)
{
	__u32 key = kind;
	__u64 v = 0;

	bpf_map__lookup_elem(skel->maps.hits, &key, sizeof(key), &v, sizeof(v), 0);
	return v;
}

/* Attaches `pick`'s program with its section's defaults, runs `trigger`, checks the counter. */
static void probe_attach_and_count(struct probe_result *r, struct bpf_program *(*pick)(struct probe_bpf *),
				   enum probe_kind kind, __u32 tgid, void (*trigger)(void))
{
	struct probe_bpf *skel = load_one(pick, tgid, r);
	struct bpf_link *link;
	int err;

	if (!skel)
		return;
	link = bpf_program__attach(pick(skel));
	err = libbpf_get_error(link);
	if (err) {
		set_detail(r, "attach failed: %s", strerror(-err));
		goto out;
	}
	trigger();
	r->ok = read_hits(skel, kind) > 0;
	set_detail(r, r->ok ? "attached and ran" : "attached but never ran");
	bpf_link__destroy(link);
out:
	probe_bpf__destroy(skel);
}

static void trigger_getppid(void)
{
	syscall(SYS_getppid);
}

/* Listens and connects on a private loopback: SYN_SENT, ESTABLISHED, CLOSE... */
static int tcp_handshake(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l, c, ok = 1;

	(void)arg;
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l >= 0 && c >= 0 && !bind(l, (void *)&a, sizeof(a)) && !listen(l, 1) &&
	    !getsockname(l, (void *)&a, &len) && !connect(c, (void *)&a, sizeof(a)))
		ok = 0;
	close(c);
	close(l);
	return ok;
}

static void trigger_tcp(void)
{
	netns_run_private(tcp_handshake, NULL);
}

static void trigger_uprobe(void)
{
	smiw_uprobe_target();
}

#define PICK(prog) \
	static struct bpf_program *pick_##prog(struct probe_bpf *s) { return s->progs.prog; }
PICK(probe_syscall_tp)
PICK(probe_sock_tp)
PICK(probe_tp_btf)
PICK(probe_raw_tp)
PICK(probe_kprobe)
PICK(probe_fentry)
PICK(probe_uprobe)
PICK(probe_tc)

/*
 * The syscall probe emits an event only for a watched cgroup: watching our
 * own cgroup and seeing our own pid come back through the ring buffer
 * exercises the in-kernel filter, reserve/submit and the consumer at once.
 */
struct rb_seen {
	__u32 tgid;
	int events;
};

static int on_probe_event(void *ctx, void *data, size_t len)
{
	struct rb_seen *seen = ctx;
	const struct probe_event *e = data;

	if (len >= sizeof(*e) && e->tgid == seen->tgid)
		seen->events++;
	return 0;
}

/* Loads and attaches the syscall probe watching this process's cgroup. */
static struct probe_bpf *attach_syscall_probe(struct probe_result *r)
{
	struct probe_bpf *skel = load_one(pick_probe_syscall_tp, getpid(), r);
	char cgpath[4096], mnt[256], rel[2048];
	__u64 cg = 0;
	__u8 one = 1;
	int err;

	if (!skel)
		return NULL;
	if (!cgroup2_mount_point(mnt, sizeof(mnt)) && !cgroup_of_pid(getpid(), rel, sizeof(rel))) {
		snprintf(cgpath, sizeof(cgpath), "%s%s", mnt, rel);
		cg = cgroup_id_of(cgpath);
	}
	if (!cg || bpf_map__update_elem(skel->maps.watched_cgroups, &cg, sizeof(cg), &one, 1, 0)) {
		set_detail(r, "cannot find or watch this process's cgroup v2 id");
		goto fail;
	}
	err = probe_bpf__attach(skel);
	if (err) {
		set_detail(r, "attach failed: %s", strerror(-err));
		goto fail;
	}
	return skel;
fail:
	probe_bpf__destroy(skel);
	return NULL;
}

static void probe_syscall_tp(struct probe_result *r)
{
	struct probe_bpf *skel = attach_syscall_probe(r);

	if (!skel)
		return;
	trigger_getppid();
	r->ok = read_hits(skel, PROBE_SYSCALL_TP) > 0;
	set_detail(r, r->ok ? "sys_enter_getppid ran for this process" : "attached but never ran");
	probe_bpf__destroy(skel);
}

static void probe_ringbuf(struct probe_result *r)
{
	struct probe_bpf *skel = attach_syscall_probe(r);
	struct rb_seen seen = { .tgid = getpid() };
	struct ring_buffer *ring;

	if (!skel)
		return;
	ring = ring_buffer__new(bpf_map__fd(skel->maps.events), on_probe_event, &seen, NULL);
	if (!ring) {
		set_detail(r, "ring_buffer__new: %s", strerror(errno));
	} else {
		trigger_getppid();
		ring_buffer__poll(ring, 100);
		r->ok = seen.events > 0;
		set_detail(r, r->ok ? "event with this pid received" : "no event received");
		ring_buffer__free(ring);
	}
	probe_bpf__destroy(skel);
}

/* TC: a classifier on the loopback of a private namespace, fed one UDP packet. */
struct tc_ctx {
	int prog_fd;
};

static int tc_in_private_netns(void *arg)
{
	struct tc_ctx *t = arg;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)if_nametoindex("lo"),
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = t->prog_fd);
	int s, err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return 1;
	if (bpf_tc_attach(&hook, &opts))
		return 2;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || sendto(s, "x", 1, 0, (void *)&a, sizeof(a)) != 1)
		return 3;
	close(s);
	return 0;
}

static void probe_tc(struct probe_result *r)
{
	struct probe_bpf *skel = load_one(pick_probe_tc, 0, r);
	struct tc_ctx t;
	int rc;

	if (!skel)
		return;
	t.prog_fd = bpf_program__fd(skel->progs.probe_tc);
	rc = netns_run_private(tc_in_private_netns, &t);
	if (rc < 0)
		set_detail(r, "cannot create a private network namespace: %s", strerror(-rc));
	else if (rc)
		set_detail(r, "%s failed", rc == 1 ? "bpf_tc_hook_create" : rc == 2 ? "bpf_tc_attach" : "sendto");
	else if (read_hits(skel, PROBE_TC) == 0)
		set_detail(r, "attached but never ran");
	else {
		r->ok = true;
		set_detail(r, "clsact ingress on a private loopback");
	}
	probe_bpf__destroy(skel);
}

static void probe_uprobe(struct probe_result *r)
{
	struct probe_bpf *skel = load_one(pick_probe_uprobe, getpid(), r);
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "smiw_uprobe_target");
	struct bpf_link *link;
	int err;

	if (!skel)
		return;
	link = bpf_program__attach_uprobe_opts(skel->progs.probe_uprobe, -1, "/proc/self/exe", 0, &opts);
	err = libbpf_get_error(link);
	if (err) {
		set_detail(r, "attach failed: %s", strerror(-err));
	} else {
		trigger_uprobe();
		r->ok = read_hits(skel, PROBE_UPROBE) > 0;
		set_detail(r, r->ok ? "uprobe on this binary ran" : "attached but never ran");
		bpf_link__destroy(link);
	}
	probe_bpf__destroy(skel);
}

/* Probes that attach one program with its section defaults and count its hits. */
#define COUNTING_PROBE(fn, prog, kind, tgid, trigger) \
	static void fn(struct probe_result *r) \
	{ probe_attach_and_count(r, pick_##prog, kind, tgid, trigger); }
COUNTING_PROBE(probe_sock_tp, probe_sock_tp, PROBE_SOCK_TP, 0, trigger_tcp)
COUNTING_PROBE(probe_tp_btf, probe_tp_btf, PROBE_TP_BTF, getpid(), trigger_getppid)
COUNTING_PROBE(probe_raw_tp, probe_raw_tp, PROBE_RAW_TP, getpid(), trigger_getppid)
COUNTING_PROBE(probe_kprobe, probe_kprobe, PROBE_KPROBE, getpid(), trigger_getppid)
COUNTING_PROBE(probe_fentry, probe_fentry, PROBE_FENTRY, getpid(), trigger_getppid)

int doctor_run_probes(struct probe_result *out, int max)
{
	/* tracefs comes before the tracepoints: libbpf resolves their ids through it. */
	static const struct {
		const char *name, *what;
		bool required;
		void (*run)(struct probe_result *r);
	} probes[] = {
		{ "privileges", "root / effective capabilities", true, probe_privileges },
		{ "btf", "kernel BTF", true, probe_btf },
		{ "bpf_syscall", "bpf() syscall", true, probe_bpf_syscall },
		{ "tracefs", "tracefs", true, probe_tracefs },
		{ "syscall_tracepoints", "syscall tracepoints", true, probe_syscall_tp },
		{ "ringbuf", "ring buffer map", true, probe_ringbuf },
		{ "sock_tracepoint", "sock/inet_sock_set_state", true, probe_sock_tp },
		{ "cgroup_v2", "cgroup v2 mount", true, probe_cgroup2 },
		{ "lockdown", "lockdown mode", true, probe_lockdown },
		{ "tp_btf", "tp_btf programs", false, probe_tp_btf },
		{ "raw_tp", "raw_tp programs", false, probe_raw_tp },
		{ "tc", "TC attach", false, probe_tc },
		{ "uprobes", "uprobes", false, probe_uprobe },
		{ "kprobes", "kprobes", false, probe_kprobe },
		{ "fentry", "fentry/fexit", false, probe_fentry },
		{ "cgroup_capture", "cgroup_skb + sockops capture", false, probe_cgroup_capture },
		{ "capture_backend", "capture backend (auto)", false, probe_capture_backend },
		{ "capture_capabilities", "capabilities to attach (syscalls)", false, probe_capture_caps },
		{ "capabilities_after_attach", "capabilities after attach (syscalls)", false, probe_caps_after_attach },
		{ "cgroup_capture_capabilities", "capabilities to attach (cgroup)", false, probe_cgroup_caps },
		{ "cgroup_capabilities_after_attach", "capabilities after attach (cgroup)", false,
		  probe_cgroup_caps_after_attach },
	};
	int n = (int)(sizeof(probes) / sizeof(probes[0]));

	if (n > max)
		return -1;
	for (int i = 0; i < n; i++) {
		out[i] = (struct probe_result){ .name = probes[i].name, .what = probes[i].what,
						.required = probes[i].required };
		probes[i].run(&out[i]);
	}
	return n;
}
