/*
 * source_capture.c - `--source capture`: the kernel capture in-process.
 *
 * Capture runs on a thread of its own and writes its JSONL records into a
 * pipe that the agent's loop reads like any other source. The pipe keeps
 * the two apart (capture's sink writes whole records; the loop parses whole
 * lines) and a slow reader only ever slows the capture thread, whose own
 * ring buffer and drop counters then say what was lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/source.h"
#include "capture/capture.h"
#include "capture/record_sink.h"
#include "records/inventory.h"
#include "util/caps.h"
#include "util/clock.h"
#include "util/log.h"

#define PIPE_BYTES (1 << 20)
#define POLL_MS 100
#define NS 1000000000ULL

struct cap_src {
	struct record_source inner;	/* the pipe's read end */
	pthread_t thread;
	volatile sig_atomic_t stop;
	struct capture *cap;
	struct obs_writer sink;
	struct inventory *inv;		/* what capture attributes with; contents swapped on reload */
	struct inventory **old;		/* earlier contents: open connections still point into them */
	size_t nold;
	char inv_path[1024];
	struct timespec inv_mtime;
	uint64_t stats_ns;
	uint64_t caps_needed;		/* what the map operations need once attached (measured) */
	uint64_t caps_thread;		/* that, plus what watching more cgroups needs: the capture thread's */
};

/*
 * Loads the inventory again when its file changed. The structure capture
 * holds keeps its address; its contents are exchanged with the fresh load,
 * and the previous contents are kept until capture closes, because a
 * connection keeps pointing at the pod it was attributed to.
 */
static void reload_inventory(struct cap_src *s)
{
	struct inventory *fresh, tmp, **grown;
	struct stat st;
	int n;

	if (stat(s->inv_path, &st) || (st.st_mtim.tv_sec == s->inv_mtime.tv_sec &&
					 st.st_mtim.tv_nsec == s->inv_mtime.tv_nsec))
		return;
	if (inventory_load(s->inv_path, &fresh))
		return;	/* a half-written file: the next change brings a whole one */
	grown = realloc(s->old, (s->nold + 1) * sizeof(*s->old));
	if (!grown) {
		inventory_free(fresh);
		return;
	}
	s->old = grown;
	s->inv_mtime = st.st_mtim;
	tmp = *s->inv;
	*s->inv = *fresh;
	*fresh = tmp;
	s->old[s->nold++] = fresh;
	n = capture_watch_inventory(s->cap);
	pr_debug("capture: inventory reloaded, %d cgroup(s) watched", n);
}

static void *capture_thread(void *arg)
{
	struct cap_src *s = arg;
	struct capture_stats st;
	uint64_t next_stats = mono_ns() + s->stats_ns, next_inv = 0, now;

	/* Capabilities are per thread: this one gives up what the attach needed, like the loop's. */
	if (caps_limit(s->caps_thread))
		pr_warn("capture: cannot give up capabilities on its thread");

	while (!s->stop) {
		int r = capture_poll(s->cap, POLL_MS);

		if (r < 0 && r != -EINTR) {
			error_errno(r, "capture stopped");
			break;
		}
		now = mono_ns();
		if (now >= next_inv) {
			reload_inventory(s);
			next_inv = now + NS;
		}
		if (now >= next_stats) {
			capture_stats(s->cap, &st);
			capture_write_stats(&s->sink, &st, NULL);
			next_stats = now + s->stats_ns;
		}
		obs_writer_flush(&s->sink, true);
	}
	capture_finish(s->cap);
	capture_stats(s->cap, &st);
	capture_write_stats(&s->sink, &st, s->stop ? "signal" : "error");
	obs_writer_close(&s->sink);	/* the reader sees the end of the pipe */
	return NULL;
}

static int cap_drain(struct record_source *src, record_sink_fn sink, void *arg)
{
	struct cap_src *s = src->priv;

	return s->inner.drain(&s->inner, sink, arg);
}

static void cap_stop(struct record_source *src)
{
	struct cap_src *s = src->priv;

	s->stop = 1;
}

static void free_state(struct cap_src *s)
{
	capture_close(s->cap);
	inventory_free(s->inv);
	for (size_t i = 0; i < s->nold; i++)
		inventory_free(s->old[i]);
	free(s->old);
	free(s);
}

static void cap_close(struct record_source *src)
{
	struct cap_src *s = src->priv;
	char sink[4096];

	if (!s)
		return;
	s->stop = 1;
	/* Keep the pipe moving until the thread has written its last record. */
	while (pthread_tryjoin_np(s->thread, NULL) == EBUSY)
		if (read(s->inner.fd, sink, sizeof(sink)) <= 0)
			usleep(10000);
	s->inner.close(&s->inner);
	free_state(s);
	src->priv = NULL;
}

/* A new source state with the inventory loaded (empty when there is none yet), or NULL. */
static struct cap_src *state_new(const struct capture_source_opts *o)
{
	struct cap_src *s = calloc(1, sizeof(*s));
	struct stat st;

	if (!s)
		return NULL;
	s->stats_ns = o->stats_ns ? o->stats_ns : 5 * NS;
	snprintf(s->inv_path, sizeof(s->inv_path), "%s", o->inventory_path ? o->inventory_path : "");
	if (!s->inv_path[0] || stat(s->inv_path, &st) || inventory_load(s->inv_path, &s->inv)) {
		/* Before the first pods are known (--kube starting up) capture starts empty. */
		s->inv = calloc(1, sizeof(*s->inv));
		if (!s->inv) {
			free(s);
			return NULL;
		}
	} else {
		s->inv_mtime = st.st_mtim;
	}
	return s;
}

/*
 * Opens s->sink on a new pipe whose read end lands in *read_fd: the capture
 * thread writes records there and the agent drains them like any source.
 * Returns 0 or a negative errno (nothing left open).
 */
static int open_pipe_sink(struct cap_src *s, const char *node, int *read_fd)
{
	char path[64];
	int fds[2], r;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	fcntl(fds[1], F_SETPIPE_SZ, PIPE_BYTES);
	/* The records writer opens a path; this one names the pipe's write end. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[1]);
	r = obs_writer_open(&s->sink, path, node);
	close(fds[1]);
	if (r) {
		close(fds[0]);
		return error_errno(r, "cannot open the capture pipe"), r;
	}
	*read_fd = fds[0];
	return 0;
}

int source_capture_open(struct record_source *src, const struct capture_source_opts *o)
{
	struct cap_src *s = state_new(o);
	int rfd = -1, r, n;

	if (!s)
		return -ENOMEM;
	r = open_pipe_sink(s, o->node, &rfd);
	if (r) {
		free_state(s);
		return r;
	}
	r = capture_open(&(struct capture_opts){ .snaplen = o->snaplen, .inv = s->inv,
						 .unredacted = o->unredacted, .backend = o->backend,
						 .sink = capture_record_sink(&s->sink) }, &s->cap);
	if (r) {
		obs_writer_close(&s->sink);
		close(rfd);
		free_state(s);
		return r;
	}
	n = capture_watch_inventory(s->cap);
	/*
	 * The inventory changes later: the capture thread, which watches the
	 * new pods, also keeps what that needs (CAP_NET_ADMIN for the cgroup
	 * backend); every other thread of the agent keeps only the rest.
	 */
	s->caps_needed = capture_caps_after_attach(s->cap);
	s->caps_thread = s->caps_needed | capture_caps_to_watch(s->cap);
	obs_write_meta(&s->sink, &(struct obs_write_meta){ .inventory = o->inventory_path,
		.snaplen = capture_snaplen(s->cap), .capture_tag = capture_tag(s->cap),
		.backend = capture_backend_name(s->cap),
		.watched_cgroups = n > 0 ? (unsigned)n : 0 });
	obs_writer_flush(&s->sink, true);
	r = source_fd_open(&s->inner, rfd, false);
	if (!r && pthread_create(&s->thread, NULL, capture_thread, s))
		r = -errno;
	if (r) {
		obs_writer_close(&s->sink);
		free_state(s);
		return r;
	}
	memset(src, 0, sizeof(*src));
	src->name = "capture";
	src->fd = s->inner.fd;
	src->drain = cap_drain;
	src->close = cap_close;
	src->stop = cap_stop;
	src->caps_needed = s->caps_needed;
	src->priv = s;
	return 0;
}
