/* live.c - see live.h */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/record_sink.h"
#include "run/live.h"
#include "smiw_abi.h"
#include "util/clock.h"
#include "util/log.h"
#include "scenario/reqid.h"

#define STATS_EVERY_NS 500000000ULL

struct live {
	struct capture *c;
	struct obs_writer sink;
	struct capture_sink file;	/* the JSON lines writer */
	pthread_t thread;
	pthread_mutex_t mu;
	volatile bool stop;
	int poll_error;
	char run[REQID_RUN_MAX + 1];
	struct obs_set probes;		/* guarded by mu */
};

static enum obs_role role_of(int role)
{
	return role == SMIW_ROLE_CLIENT ? OBS_ROLE_CLIENT : role == SMIW_ROLE_SERVER ? OBS_ROLE_SERVER :
	       OBS_ROLE_UNKNOWN;
}

/* The observer's attribution, as the JSON lines carry it. */
static void who(struct obs_set *s, const struct inv_pod *p, const char **ns, const char **pod, const char **sa)
{
	*ns = obs_keep(s, p ? p->namespace : "");
	*pod = obs_keep(s, p ? p->name : "");
	*sa = obs_keep(s, p ? p->service_account : "");
}

/*
 * What the runner judges probes by: the probes' exchanges, and every
 * exchange without a measured request's id of the run, since a mesh that
 * removes or rewrites ids leaves a probe's copies without its id, and the
 * verifier follows them through connections and proxies (verify/follow.h).
 * Measured traffic that kept its ids, the bulk, is not kept.
 */
/* Appends s[0..n) to f as the text of a JSON string (quotes and escapes). */
static void json_text(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * The response header fields capture kept, as the `response_headers`
 * object of a record reads (repeated names as repeated keys), owned by s;
 * NULL when it kept none or out of memory. Probes are judged on them.
 */
static const char *response_text(struct obs_set *s, const struct cap_exchange *x)
{
	char *text = NULL;
	size_t len = 0;
	const char *kept;
	FILE *f;

	if (!x->has_resp_headers || !(f = open_memstream(&text, &len)))
		return NULL;
	fputc('{', f);
	for (unsigned i = 0; i < x->nresp_headers; i++) {
		const struct obs_write_header *h = &x->resp_headers[i];

		if (i)
			fputc(',', f);
		json_text(f, x->resp_hdrbuf + h->name, h->name_len);
		fputc(':', f);
		json_text(f, x->resp_hdrbuf + h->value, h->value_len);
	}
	fputc('}', f);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	kept = obs_keep(s, text);
	free(text);
	return kept;
}

static void keep_exchange(struct live *l, const struct cap_exchange *x)
{
	struct obs_set *s = &l->probes;
	struct obs_exchange *e;
	struct reqid id;

	if (!reqid_parse(x->request_id, &id) && !id.probe && !strcmp(id.run, l->run))
		return;
	e = obs_new_exchange(s);
	if (!e)
		return;
	who(s, x->conn ? x->conn->pod : NULL, &e->ns, &e->pod, &e->sa);
	e->comm = obs_keep(s, x->conn ? x->conn->comm : "");
	e->conn = obs_keep(s, x->conn ? x->conn->name : "");
	e->local = obs_keep(s, x->conn ? x->conn->local : "");
	e->peer = obs_keep(s, x->conn ? x->conn->peer : "");
	e->seq = x->seq;
	e->pid = x->pid;
	e->tgid = x->tgid;
	e->line = (unsigned)s->n_ex;
	e->role = role_of(x->role);
	e->method = obs_keep(s, x->method);
	e->path = obs_keep(s, x->path);
	e->host = obs_keep(s, x->host);
	e->location = obs_keep(s, x->location);
	e->request_id = obs_keep(s, x->request_id);
	e->incomplete = obs_keep(s, x->complete ? "" : x->incomplete);
	e->status = x->status;
	e->start_ns = x->start_ns;
	e->end_ns = x->end_ns;
	e->complete = x->complete;
	e->truncated = x->truncated;
	e->response_headers = response_text(s, x);
	e->has_response_headers = e->response_headers != NULL;
}

static void keep_conn(struct live *l, const struct cap_conn *c)
{
	struct obs_set *s = &l->probes;
	char peer[80];
	struct obs_conn *o;
	const char *err;

	if (!c->connect_errno || c->role != SMIW_ROLE_CLIENT)
		return;
	o = obs_new_conn(s);
	if (!o)
		return;
	who(s, c->pod, &o->ns, &o->pod, &o->sa);
	err = strerrorname_np(c->connect_errno);
	o->connect_error = obs_keep(s, err ? err : "EIO");
	inv_addr_format(peer, sizeof(peer), c->family, c->peer_addr, c->peer_port);
	o->peer = obs_keep(s, peer);
	o->comm = obs_keep(s, c->comm);
	o->role = OBS_ROLE_CLIENT;
	o->open_ns = c->open_ns;
	o->close_ns = c->close_ns;
	o->reset = c->reset;
}

/* The capture's sink: the file first, then what the runner needs in memory. */
static void on_exchange(void *ctx, const struct cap_exchange *x)
{
	struct live *l = ctx;

	l->file.exchange(l->file.ctx, x);
	pthread_mutex_lock(&l->mu);
	keep_exchange(l, x);
	pthread_mutex_unlock(&l->mu);
}

static void on_conn(void *ctx, const struct cap_conn *c)
{
	struct live *l = ctx;

	l->file.conn(l->file.ctx, c);
	pthread_mutex_lock(&l->mu);
	keep_conn(l, c);
	pthread_mutex_unlock(&l->mu);
}

static void *poll_loop(void *arg)
{
	struct live *l = arg;
	uint64_t next = mono_ns() + STATS_EVERY_NS;
	struct capture_stats st;

	while (!l->stop) {
		int r = capture_poll(l->c, 50);

		if (r < 0 && r != -EINTR) {
			l->poll_error = r;
			break;
		}
		if (mono_ns() >= next) {
			capture_stats(l->c, &st);
			capture_write_stats(&l->sink, &st, NULL);
			obs_writer_flush(&l->sink, false);
			next = mono_ns() + STATS_EVERY_NS;
		}
	}
	return NULL;
}

int live_start(struct live **out, const struct live_opts *o)
{
	struct live *l = calloc(1, sizeof(*l));
	int r, n;

	if (!l)
		return -ENOMEM;
	pthread_mutex_init(&l->mu, NULL);
	snprintf(l->run, sizeof(l->run), "%s", o->run);
	r = obs_writer_open(&l->sink, o->out_path, *o->inv->node ? o->inv->node : "lab");
	if (r) {
		error_errno(r, "cannot write '%s'", o->out_path);
		free(l);
		return r;
	}
	l->file = capture_record_sink(&l->sink);
	r = capture_open(&(struct capture_opts){ .inv = o->inv, .backend = o->backend,
		.response_headers = o->response_headers, .n_response_headers = o->n_response_headers,
		.sink = { .exchange = on_exchange, .conn = on_conn, .ctx = l } }, &l->c);
	n = r ? r : capture_watch_inventory(l->c);
	if (n <= 0) {
		if (!r)
			error("no cgroup of the inventory '%s' could be watched", o->inventory_path);
		capture_close(l->c);
		obs_writer_close(&l->sink);
		free(l);
		return n < 0 ? n : -ENOENT;
	}
	obs_write_meta(&l->sink, &(struct obs_write_meta){ .inventory = o->inventory_path,
		.snaplen = capture_snaplen(l->c), .capture_tag = capture_tag(l->c),
		.backend = capture_backend_name(l->c), .watched_cgroups = (unsigned)n });
	obs_writer_flush(&l->sink, true);
	/* As obs_read() would set it from that meta record: the probes are judged the same way. */
	l->probes.ends_may_lag = strcmp(capture_backend_name(l->c), "cgroup") != 0;
	r = pthread_create(&l->thread, NULL, poll_loop, l);
	if (r) {
		capture_close(l->c);
		obs_writer_close(&l->sink);
		free(l);
		return -r;
	}
	*out = l;
	return 0;
}

const struct obs_set *live_lock(struct live *l)
{
	pthread_mutex_lock(&l->mu);
	return &l->probes;
}

void live_unlock(struct live *l)
{
	pthread_mutex_unlock(&l->mu);
}

int live_stop(struct live *l)
{
	struct capture_stats st;
	int r;

	l->stop = true;
	pthread_join(l->thread, NULL);
	if (l->poll_error)
		error_errno(l->poll_error, "capture: reading the ring buffer");
	capture_finish(l->c);
	capture_stats(l->c, &st);
	capture_write_stats(&l->sink, &st, l->poll_error ? "error" : "duration");
	r = obs_writer_close(&l->sink);
	capture_close(l->c);
	obs_free(&l->probes);
	pthread_mutex_destroy(&l->mu);
	free(l);
	return r;
}
