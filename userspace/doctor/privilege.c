/*
 * privilege.c - the doctor's measurement of the least privilege capture
 * needs: the real capture is opened (every program loaded and attached) in
 * a child process holding only a candidate set of capabilities, smallest
 * first; the first set that works is then reduced while it still works
 * with a capability left out. The same child measures what capture still
 * needs once attached.
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
};

/*
 * In a child holding only `set`: opens the capture. Returns 0 with *after
 * filled when it attached, or -errno.
 */
static int try_set(uint64_t set, uint64_t *after)
{
	int p[2], st;
	pid_t pid;
	ssize_t n;
	struct { int err; uint64_t after; } res = { -EIO, 0 };

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
			res.err = capture_open(&(struct capture_opts){ .ring_bytes = 4096 }, &c);
		if (!res.err)
			res.after = capture_caps_after_attach(c);
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
	*after = res.after;
	return res.err;
}

static const struct measured *measure(void)
{
	static struct measured m;
	/* Smallest first; CAP_SYS_ADMIN alone is what kernels before CAP_BPF (5.8) need. */
	const uint64_t sets[] = {
		0,
		CAPS_BIT(CAP_BPF) | CAPS_BIT(CAP_PERFMON),
		CAPS_BIT(CAP_BPF) | CAPS_BIT(CAP_PERFMON) | CAPS_BIT(CAP_SYS_RESOURCE),
		CAPS_BIT(CAP_SYS_ADMIN),
		CAPS_BIT(CAP_SYS_ADMIN) | CAPS_BIT(CAP_SYS_RESOURCE),
	};

	if (m.done)
		return &m;
	m.done = true;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]) && !m.ok; i++) {
		int r;

		if ((sets[i] & CAPS_BIT(CAP_BPF)) && !caps_known(CAP_BPF))
			continue;
		r = try_set(sets[i], &m.after);
		if (!r) {
			m.ok = true;
			m.attach = sets[i];
		} else if (!m.err) {
			m.err = r;
		}
	}
	/* Then each capability of the set that worked is left out in turn: what still works is smaller. */
	for (int cap = 0; m.ok && cap < 64; cap++) {
		uint64_t after;

		if ((m.attach & CAPS_BIT(cap)) && !try_set(m.attach & ~CAPS_BIT(cap), &after)) {
			m.attach &= ~CAPS_BIT(cap);
			m.after = after;
		}
	}
	return &m;
}

void probe_capture_caps(struct probe_result *r)
{
	const struct measured *m = measure();

	if (!m->ok) {
		set_detail(r, "capture did not attach with any set tried (%s)", strerror(-m->err));
		return;
	}
	r->ok = true;
	caps_format(m->attach, r->value, sizeof(r->value));
	set_detail(r, "measured: capture loaded and attached with only these%s; CAP_SYS_ADMIN too when "
		   "tracefs must be mounted", m->attach ? ", not with fewer" : "");
}

void probe_caps_after_attach(struct probe_result *r)
{
	const struct measured *m = measure();

	if (!m->ok) {
		set_detail(r, "not measured: capture did not attach");
		return;
	}
	r->ok = true;
	caps_format(m->after, r->value, sizeof(r->value));
	set_detail(r, "measured: ring buffer, drop counters and watched set used with %s; observe and "
		   "agent give up everything else", m->after ? "only these" : "no capability");
}
