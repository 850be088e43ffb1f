/*
 * engine.c - the driver's event loop: C keep-alive client connections on one
 * epoll instance, each carrying one request at a time, fed either as fast as
 * replies come (closed loop) or on a fixed schedule (--rate, open loop).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "drive/drive.h"
#include "http/http.h"
#include "ll5/call.h"
#include "records/intent_write.h"
#include "util/array.h"
#include "util/log.h"
#include "util/netguard.h"
#include "util/resolve.h"

/* A request sent this long after its slot counts as late (the loop wakes in ms steps). */
#define LATE_NS 10000000ULL

struct slot {
	struct hc_conn hc;		/* first: the done callback gets &slot->hc */
	struct engine *e;
	bool busy;
	uint64_t seq;
	uint64_t sent_ns;
};

struct engine {
	const struct drive_opts *o;
	struct drive_stats *st;
	struct evloop loop;
	struct ev_io signal_io;
	struct slot *slots;
	struct http_url target, via;
	struct intent_log intent;
	uint64_t next_seq;		/* 1-based sequence number of the next request */
	uint64_t inflight;
	uint64_t stop_ns;		/* no new request from then on (duration) */
	double interval_ns;		/* rate mode: time between two requests */
	bool stopping;
	bool abort;
	uint64_t last_progress_ns;
	bool progress_shown;
	struct buf req;
};

static bool may_start(const struct engine *e, uint64_t now)
{
	return !e->stopping && e->next_seq <= e->o->requests && (!e->stop_ns || now < e->stop_ns);
}

/* When request `seq` is due in rate mode. */
static uint64_t due_ns(const struct engine *e, uint64_t seq)
{
	return e->st->start_ns + (uint64_t)((double)(seq - 1) * e->interval_ns);
}

/* Builds request `seq` into e->req: direct, or as a learn-layer5 /call body. */
static int build(struct engine *e, const char *id)
{
	const struct drive_opts *o = e->o;
	struct hc_header hdrs[DRIVE_MAX_HEADERS + 2];
	size_t n = 0;
	char *text;
	int r;

	e->req.len = 0;
	for (size_t i = 0; i < o->nheaders; i++)
		hdrs[n++] = o->headers[i];
	hdrs[n++] = (struct hc_header){ "X-Request-Id", id };
	/* The target closes after answering; through --via, the relay's connection to it does. */
	if (o->new_connections)
		hdrs[n++] = (struct hc_header){ "Connection", "close" };
	if (!o->via)
		return hc_build_request(&e->req, o->method, &e->target, hdrs, n, o->body, strlen(o->body));

	text = ll5_call_body(o->url, o->method, hdrs, n, o->body);
	if (!text)
		return -ENOMEM;
	hdrs[0] = (struct hc_header){ "X-Request-Id", id };
	hdrs[1] = (struct hc_header){ "Content-Type", "application/json" };
	r = hc_build_request(&e->req, "POST", &e->via, hdrs, 2, text, strlen(text));
	free(text);
	return r;
}

static void request_id(const struct engine *e, uint64_t seq, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%llu", e->o->run_id, (unsigned long long)seq);
}

static void start(struct slot *s, uint64_t now)
{
	struct engine *e = s->e;
	char id[96];

	s->seq = e->next_seq++;
	request_id(e, s->seq, id, sizeof(id));
	if (e->o->rate > 0 && now > due_ns(e, s->seq) + LATE_NS)
		e->st->late++;
	s->sent_ns = now;
	e->st->sent++;
	if (build(e, id) || hc_send(&s->hc, e->req.p, e->req.len, !strcmp(e->o->method, "HEAD") && !e->o->via,
				    e->o->timeout_ns)) {
		/* Could not even start (no memory, no socket): an error of this request. */
		e->st->errors[HC_OTHER]++;
		if (e->intent.open)
			intent_write(&e->intent, id, now, mono_ns(), 0, hc_error_name(HC_OTHER));
		return;
	}
	s->busy = true;
	e->inflight++;
}

/* Starts requests on idle connections while the schedule allows. */
static void feed(struct engine *e)
{
	uint64_t now = mono_ns();

	for (unsigned i = 0; i < e->o->connections && may_start(e, now); i++) {
		struct slot *s = &e->slots[i];

		if (s->busy)
			continue;
		if (e->o->rate > 0 && now < due_ns(e, e->next_seq))
			break;
		start(s, now);
	}
}

static void record_latency(struct drive_stats *st, uint64_t ns)
{
	if (array_reserve(&st->latency_ns, &st->cap_latency, st->nlatency, sizeof(*st->latency_ns), 4096))
		return;
	st->latency_ns[st->nlatency++] = ns;
}

static void on_done(struct hc_conn *hc)
{
	struct slot *s = hc->owner;
	struct engine *e = s->e;
	uint64_t now = mono_ns();
	char id[96];
	int r;

	s->busy = false;
	e->inflight--;
	if (hc->err) {
		e->st->errors[hc->err]++;
	} else {
		e->st->responses++;
		e->st->status[hc->status < 600 ? hc->status : 0]++;
		record_latency(e->st, now - s->sent_ns);
	}
	if (e->intent.open) {
		request_id(e, s->seq, id, sizeof(id));
		r = intent_write(&e->intent, id, s->sent_ns, now, hc->err ? 0 : hc->status,
				 hc->err != HC_OK ? hc_error_name(hc->err) : NULL);
		if (r && !e->st->intent_error)
			e->st->intent_error = r;
	}
	/* The request said Connection: close: the next one gets a new connection whatever the server said. */
	if (e->o->new_connections && !e->o->via)
		hc_close(hc);
	/* Closed loop: this connection takes the next request at once. */
	if (e->o->rate <= 0 && may_start(e, now))
		start(s, now);
}

static void on_signal(struct ev_io *io, uint32_t events)
{
	struct engine *e = (struct engine *)((char *)io - offsetof(struct engine, signal_io));
	struct signalfd_siginfo si;

	(void)events;
	if (read(io->fd, &si, sizeof(si)) == sizeof(si)) {
		e->abort = e->stopping;	/* a second signal: do not wait for replies */
		e->stopping = true;
		e->st->interrupted = true;
	}
}

static void progress(struct engine *e, uint64_t now, bool last)
{
	struct drive_stats *st = e->st;
	uint64_t errs = 0;
	double secs = (double)(now - st->start_ns) / 1e9;

	if (!e->o->progress || (!last && now - e->last_progress_ns < 1000000000ULL))
		return;
	if (last && !e->progress_shown)
		return;	/* a short run never showed a line: nothing to finish */
	e->progress_shown = true;
	for (int i = 1; i < HC_NERRORS; i++)
		errs += st->errors[i];
	fprintf(stderr, "\r  sent %llu", (unsigned long long)st->sent);
	if (e->o->requests != UINT64_MAX)
		fprintf(stderr, "/%llu", (unsigned long long)e->o->requests);
	fprintf(stderr, "  responses %llu  errors %llu  %.0f req/s   %s",
		(unsigned long long)st->responses, (unsigned long long)errs,
		secs > 0 ? (double)(st->responses + errs) / secs : 0.0, last ? "\n" : "");
	e->last_progress_ns = now;
}

/* Milliseconds until something is due: the next scheduled send, the next second. */
static int wait_ms(const struct engine *e, uint64_t now)
{
	uint64_t wake = now + 100000000ULL;	/* timeouts and progress are checked at least 10 times/s */

	if (e->o->rate > 0 && may_start(e, now) && due_ns(e, e->next_seq) < wake)
		wake = due_ns(e, e->next_seq);
	if (e->stop_ns && e->stop_ns > now && e->stop_ns < wake)
		wake = e->stop_ns;
	return wake <= now ? 0 : (int)((wake - now + 999999) / 1000000);
}

int drive_open_intents(const struct drive_opts *o, struct intent_log *log)
{
	struct intent_header h[DRIVE_MAX_HEADERS];
	char node[256] = "";

	for (size_t i = 0; i < o->nheaders; i++) {
		const char *name = o->headers[i].name;
		bool secret = !o->unredacted && http_header_secret((struct http_str){ name, strlen(name) });

		h[i] = (struct intent_header){ name, secret ? HTTP_REDACTED : o->headers[i].value };
	}
	gethostname(node, sizeof(node) - 1);
	return intent_open(log, o->intent_path, node, &(struct intent_run){
		.run = o->run_id, .method = o->method, .url = o->url, .via = o->via,
		.headers = h, .nheaders = o->nheaders });
}

int drive_prepare(const struct drive_opts *o, const char *host, uint16_t port, struct evloop *loop,
		  struct sockaddr_storage *ss, socklen_t *len)
{
	char why[320];
	int r;

	if (resolve_tcp(host, port, ss, len))
		return error("cannot resolve '%s'", host), -EHOSTUNREACH;
	/* A lab address no attached network reaches would take the default route out. */
	if (netguard_addr(ss, host, why, sizeof(why)))
		return error("%s", why), -EINVAL;
	if (evloop_raise_nofile(o->connections + 64) < o->connections + 16)
		return error("--connections %u: the open-file limit is too low", o->connections), -EMFILE;
	if ((r = evloop_init(loop)))
		return error_errno(r, "cannot create the event loop"), r;
	return 0;
}

static int setup(struct engine *e)
{
	const struct drive_opts *o = e->o;
	const struct http_url *dest;
	struct sockaddr_storage ss;
	socklen_t len;
	int r;

	if (http_url_parse(o->url, &e->target))
		return error("invalid URL '%s': only http://host[:port]/path is supported", o->url), -EINVAL;
	if (o->via && http_url_parse(o->via, &e->via))
		return error("invalid --via URL '%s'", o->via), -EINVAL;
	/* Only the address given is used: the target's, or the relay's with --via. */
	dest = o->via ? &e->via : &e->target;
	if ((r = drive_prepare(o, dest->host, dest->port, &e->loop, &ss, &len)))
		return r;
	e->slots = calloc(o->connections, sizeof(*e->slots));
	if (!e->slots)
		return error("out of memory"), -ENOMEM;
	for (unsigned i = 0; i < o->connections; i++) {
		hc_init(&e->slots[i].hc, &e->loop, &ss, len, on_done, &e->slots[i]);
		e->slots[i].e = e;
	}
	if (o->intent_path && (r = drive_open_intents(o, &e->intent)))
		return error_errno(r, "cannot write '%s'", o->intent_path), r;
	if ((r = evloop_watch_signals(&e->loop, &e->signal_io, on_signal)))
		return error_errno(r, "cannot watch signals"), r;
	return 0;
}

static void teardown(struct engine *e)
{
	for (unsigned i = 0; e->slots && i < e->o->connections; i++)
		hc_close(&e->slots[i].hc);
	free(e->slots);
	if (e->signal_io.fd >= 0)
		close(e->signal_io.fd);
	if (e->loop.epfd >= 0)
		evloop_fini(&e->loop);
	buf_free(&e->req);
}

int drive_run(const struct drive_opts *o, struct drive_stats *st)
{
	struct engine e = { .o = o, .st = st, .next_seq = 1, .signal_io.fd = -1, .loop.epfd = -1 };
	uint64_t now;
	int r;

	if (o->protocol != DRIVE_HTTP1)
		return drive_run_h2(o, st);
	memset(st, 0, sizeof(*st));
	signal(SIGPIPE, SIG_IGN);
	r = setup(&e);
	if (r) {
		intent_close(&e.intent, false);
		teardown(&e);
		return r;
	}
	st->start_ns = e.last_progress_ns = now = mono_ns();
	e.stop_ns = o->duration_ns ? now + o->duration_ns : 0;
	e.interval_ns = o->rate > 0 ? 1e9 / o->rate : 0;
	feed(&e);
	while ((e.inflight || may_start(&e, now)) && !e.abort) {
		if (evloop_run_once(&e.loop, wait_ms(&e, now)) < 0)
			break;
		now = mono_ns();
		for (unsigned i = 0; i < o->connections; i++)
			if (e.slots[i].busy)
				hc_check_timeout(&e.slots[i].hc, now);
		feed(&e);
		progress(&e, now, false);
	}
	st->end_ns = mono_ns();
	progress(&e, st->end_ns, true);
	r = intent_close(&e.intent, st->interrupted);
	if (r && !st->intent_error)
		st->intent_error = r;
	teardown(&e);
	return 0;
}
