/*
 * test_tracepoint_pid - a syscall tracepoint program sees the pid of a child
 * in a watched cgroup, and nothing from a child outside it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "itest.h"
#include "probe.skel.h"
#include "smiw_abi.h"
#include "util/kernfs.h"

struct seen {
	pid_t watched, unwatched;
	uint64_t cgroup_id;
	int from_watched, from_unwatched, wrong_cgroup;
};

static int on_event(void *ctx, void *data, size_t len)
{
	const struct probe_event *e = data;
	struct seen *s = ctx;

	if (len < sizeof(*e))
		return 0;
	if (e->tgid == (__u32)s->watched) {
		s->from_watched++;
		if (e->cgroup_id != s->cgroup_id)
			s->wrong_cgroup++;
	} else if (e->tgid == (__u32)s->unwatched) {
		s->from_unwatched++;
	}
	return 0;
}

/* A child that waits for the go byte, then makes the traced syscall three times. */
static pid_t spawn_caller(int *go_fd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < 3; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

static void release(int go_fd, pid_t pid)
{
	int status;

	if (write(go_fd, "g", 1) != 1)
		kill(pid, SIGKILL);
	close(go_fd);
	waitpid(pid, &status, 0);
}

int main(void)
{
	struct seen seen = { 0 };
	struct ring_buffer *ring;
	struct probe_bpf *skel;
	struct bpf_program *p;
	char cgpath[4096];
	int go_w, go_u;
	__u8 one = 1;

	itest_require_bpf();
	seen.cgroup_id = itest_cgroup_create("smiw-itest-tp", cgpath, sizeof(cgpath));
	if (!seen.cgroup_id)
		itest_skip("cannot create a cgroup v2 directory: %s", strerror(errno));

	skel = probe_bpf__open();
	if (!skel)
		itest_skip("cannot open the probe object");
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == skel->progs.probe_syscall_tp);
	itest_check(probe_bpf__load(skel) == 0, "probe object loads");
	itest_check(bpf_map__update_elem(skel->maps.watched_cgroups, &seen.cgroup_id,
					 sizeof(seen.cgroup_id), &one, 1, 0) == 0,
		    "test cgroup %llu added to watched_cgroups", (unsigned long long)seen.cgroup_id);
	itest_check(probe_bpf__attach(skel) == 0, "sys_enter_getppid tracepoint attached");
	ring = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &seen, NULL);
	itest_check(ring != NULL, "ring buffer consumer created");
	if (itest_failures)
		goto out;

	seen.watched = spawn_caller(&go_w);
	seen.unwatched = spawn_caller(&go_u);
	itest_check(cgroup_move(cgpath, seen.watched) == 0, "child %d moved into the watched cgroup",
		    seen.watched);
	release(go_w, seen.watched);
	release(go_u, seen.unwatched);
	ring_buffer__poll(ring, 200);
	ring_buffer__consume(ring);

	itest_check(seen.from_watched == 3, "3 events carry the watched child's pid %d (got %d)",
		    seen.watched, seen.from_watched);
	itest_check(seen.wrong_cgroup == 0, "every event names the watched cgroup id");
	itest_check(seen.from_unwatched == 0, "0 events from the unwatched child %d (got %d)",
		    seen.unwatched, seen.from_unwatched);
out:
	ring_buffer__free(ring);
	probe_bpf__destroy(skel);
	itest_cgroup_remove(cgpath);
	return itest_done();
}
