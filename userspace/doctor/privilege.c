/*
 * privilege.c - the doctor's measurement of the least privilege capture
 * needs, per backend: the real capture is opened (every program loaded and
 * attached; the cgroup backend attaches a program to a cgroup as it opens)
 * in a child process holding only a candidate set of capabilities,
 * smallest first; the first set that works is then reduced while it still
 * works with a capability left out. The same child measures what capture
 * still needs once attached, and what watching more cgroups later needs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "capture/capture.h"
#include "doctor/probes.h"
#include "util/caps.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define set_detail(r, ...) snprintf((r)->detail, sizeof((r)->detail), __VA_ARGS__)

struct measured {
	bool done, ok;
	int err;		/* why the smallest set failed, when none worked */
	uint64_t attach;	/* smallest set that attached */
	uint64_t after;		/* what capture still needed once attached */
	uint64_t watch;		/* what watching more cgroups once attached needs */
};

struct child_result {
	int err;
	uint64_t after, watch;
};

/*
 * In a child holding only `set`: opens the capture with `backend`. Returns
 * 0 with *out filled when it attached, or -errno.
 */
static int try_set(int backend, uint64_t set, struct child_result *out)
{
	int p[2], st;
	pid_t pid;
	ssize_t n;
	struct child_result res = { -EIO, 0, 0 };

	if (pipe(p))
		return -errno;
	fflush(NULL);	/* nothing buffered may be written twice */
	pid = fork();
	if (pid == 0) {
		struct capture *c = NULL;

		close(p[0]);
		/* Refusals are the point here: no message from them (-j prints errors on stdout). */
		if (!freopen("/dev/null", "w", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(1);
		res.err = caps_limit(set);
		if (!res.err)
			res.err = capture_open(&(struct capture_opts){ .ring_bytes = 4096, .backend = backend }, &c);
		if (!res.err) {
			res.after = capture_caps_after_attach(c);
			res.watch = capture_caps_to_watch(c);
		}
		capture_close(c);
		n = write(p[1], &res, sizeof(res));
		_exit(n == sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -errno;
	}
	n = read(p[0], &res, sizeof(res));
	close(p[0]);
	waitpid(pid, &st, 0);
	if (n != sizeof(res))
		return -EIO;
	*out = res;
	return res.err;
}

static const struct measured *measure(int backend)
{
	static struct measured ms[3];
	struct measured *m = &ms[backend == CAPTURE_CGROUP];
	const uint64_t bp = CAPS_BIT(CAP_BPF) | CAPS_BIT(CAP_PERFMON), na = CAPS_BIT(CAP_NET_ADMIN);
	/* Smallest first; CAP_SYS_ADMIN alone is what kernels before CAP_BPF (5.8) need. */
	const uint64_t sets[] = {
		0, bp, bp | na, bp | CAPS_BIT(CAP_SYS_RESOURCE), bp | na | CAPS_BIT(CAP_SYS_RESOURCE),
		CAPS_BIT(CAP_SYS_ADMIN), CAPS_BIT(CAP_SYS_ADMIN) | na,
		CAPS_BIT(CAP_SYS_ADMIN) | CAPS_BIT(CAP_SYS_RESOURCE),
		CAPS_BIT(CAP_SYS_ADMIN) | na | CAPS_BIT(CAP_SYS_RESOURCE),
	};
	struct child_result res;

	if (m->done)
		return m;
	m->done = true;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]) && !m->ok; i++) {
		int r;

		if ((sets[i] & CAPS_BIT(CAP_BPF)) && !caps_known(CAP_BPF))
			continue;
		r = try_set(backend, sets[i], &res);
		if (!r) {
			m->ok = true;
			m->attach = sets[i];
			m->after = res.after;
			m->watch = res.watch;
		} else if (!m->err || r != -EPERM) {
			m->err = r;
		}
	}
	/* Then each capability of the set that worked is left out in turn: what still works is smaller. */
	for (int cap = 0; m->ok && cap < 64; cap++) {
		if ((m->attach & CAPS_BIT(cap)) && !try_set(backend, m->attach & ~CAPS_BIT(cap), &res)) {
			m->attach &= ~CAPS_BIT(cap);
			m->after = res.after;
			m->watch = res.watch;
		}
	}
	return m;
}

static void caps_result(struct probe_result *r, int backend)
{
	const struct measured *m = measure(backend);

	if (!m->ok) {
		set_detail(r, "capture did not attach with any set tried (%s)", strerror(-m->err));
		return;
	}
	r->ok = true;
	caps_format(m->attach, r->value, sizeof(r->value));
	set_detail(r, "measured: capture loaded and attached with only these%s%s", m->attach ? ", not with fewer" : "",
		   backend == CAPTURE_CGROUP ? "" : "; CAP_SYS_ADMIN too when tracefs must be mounted");
}

static void after_result(struct probe_result *r, int backend)
{
	const struct measured *m = measure(backend);
	char watch[64];

	if (!m->ok) {
		set_detail(r, "not measured: capture did not attach");
		return;
	}
	r->ok = true;
	caps_format(m->after, r->value, sizeof(r->value));
	caps_format(m->watch, watch, sizeof(watch));
	set_detail(r, "measured: ring and counters need %s; watching more cgroups needs %.40s (kept by the "
		   "agent's capture thread)", m->after ? "only these" : "nothing", watch);
}

void probe_capture_caps(struct probe_result *r)
{
	caps_result(r, CAPTURE_SYSCALLS);
}

void probe_caps_after_attach(struct probe_result *r)
{
	after_result(r, CAPTURE_SYSCALLS);
}

void probe_cgroup_caps(struct probe_result *r)
{
	caps_result(r, CAPTURE_CGROUP);
}

void probe_cgroup_caps_after_attach(struct probe_result *r)
{
	after_result(r, CAPTURE_CGROUP);
}
