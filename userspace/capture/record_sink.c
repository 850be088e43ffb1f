/* record_sink.c - see record_sink.h */
#include <string.h>

#include <stdio.h>

#include "capture/h2frame.h"
#include "capture/record_sink.h"
#include "records/inventory.h"
#include "smiw_abi.h"

static enum obs_role role_of(int role)
{
	return role == SMIW_ROLE_CLIENT ? OBS_ROLE_CLIENT : role == SMIW_ROLE_SERVER ? OBS_ROLE_SERVER :
	       OBS_ROLE_UNKNOWN;
}

/* The naming members of c's records; the writer reads them only when its cache misses. */
static void who_of(const struct cap_conn *c, struct obs_write_who *who)
{
	*who = (struct obs_write_who){
		.key = c->id, .gen = c->gen,
		.ns = c->pod ? c->pod->namespace : "",
		.pod = c->pod ? c->pod->name : "",
		.sa = c->pod ? c->pod->service_account : "",
		.comm = c->comm, .cgroup_id = c->cgroup_id, .local = c->local, .peer = c->peer,
		.peer_pod = c->peer_pod ? c->peer_pod->ref : "",
		.peer_service = c->peer_service ? c->peer_service->ref : NULL,
	};
}

/* An HTTP/2 error code by name, or as a number when RFC 9113 does not name it. */
static const char *h2_error_text(uint32_t code, char *buf, size_t len)
{
	const char *name = h2_error_name(code);

	if (name)
		return name;
	snprintf(buf, len, "0x%x", code);
	return buf;
}

static void on_exchange(void *ctx, const struct cap_exchange *x)
{
	struct obs_write_who who;
	struct obs_write_h2_stream h2;
	char rst[16];

	who_of(x->conn, &who);
	if (x->protocol != CAP_HTTP1)
		h2 = (struct obs_write_h2_stream){
			.protocol = x->protocol == CAP_GRPC ? "grpc" : "h2", .stream_id = x->stream_id,
			.has_grpc_status = x->has_grpc_status, .grpc_status = x->grpc_status,
			.grpc_message = x->grpc_message,
			.rst = x->rst ? h2_error_text(x->rst_code, rst, sizeof(rst)) : NULL,
			.rst_by = role_of(x->rst_by) };
	obs_write_exchange(ctx, &(struct obs_write_exchange){
		.conn = x->conn->name, .seq = x->seq, .role = role_of(x->role), .pid = x->pid, .tgid = x->tgid,
		.who = &who, .method = x->method, .path = x->path, .host = x->host, .request_id = x->request_id,
		.status = x->status, .location = x->location, .start_ns = x->start_ns, .end_ns = x->end_ns, .req_bytes = x->req_bytes,
		.resp_bytes = x->resp_bytes, .complete = x->complete, .incomplete = x->incomplete,
		.truncated = x->truncated, .hdrbuf = x->hdrbuf, .headers = x->headers, .nheaders = x->nheaders,
		.has_resp_headers = x->has_resp_headers, .resp_hdrbuf = x->resp_hdrbuf, .resp_headers = x->resp_headers,
		.nresp_headers = x->nresp_headers,
		.h2 = x->protocol != CAP_HTTP1 ? &h2 : NULL });
}

static void on_conn(void *ctx, const struct cap_conn *c)
{
	const char *errname = c->connect_errno ? strerrorname_np(c->connect_errno) : NULL;
	struct obs_write_who who;
	struct obs_write_h2_conn h2 = { 0 };
	char goaway[2][16];

	who_of(c, &who);
	if (c->h2.start) {
		h2.start = c->h2.start;
		h2.lost = c->h2.lost;
		h2.lost_ns = c->h2.lost_ns;
		for (int i = 0; i < 2; i++)
			if (c->h2.goaway[i].seen) {
				h2.goaway[i] = h2_error_text(c->h2.goaway[i].error, goaway[i], sizeof(goaway[i]));
				h2.goaway_last_stream[i] = c->h2.goaway[i].last_stream;
			}
	}
	obs_write_conn(ctx, &(struct obs_write_conn){
		.conn = c->name, .role = role_of(c->role), .pid = c->pid, .tgid = c->tgid, .who = &who,
		.netns = c->netns, .open_ns = c->open_ns, .close_ns = c->close_ns, .bytes_sent = c->bytes_sent,
		.bytes_recv = c->bytes_recv, .reset = c->reset,
		.connect_error = c->connect_errno ? (errname ? errname : "EIO") : NULL,
		.gaps = c->gaps, .exchanges = c->exchanges, .late = c->late, .open_lost = !c->open_seen,
		.h2 = c->h2.start ? &h2 : NULL });
}

struct capture_sink capture_record_sink(struct obs_writer *o)
{
	return (struct capture_sink){ .exchange = on_exchange, .conn = on_conn, .ctx = o };
}

void capture_write_stats(struct obs_writer *o, const struct capture_stats *st, const char *end_reason)
{
	obs_write_stats(o, &(struct obs_write_counters){
		.ts_ns = st->ts_ns, .kernel_drops = st->kernel_drops,
		.drops_ring_data = st->kernel_drops_by[SMIW_DROP_RING_DATA],
		.drops_ring_conn = st->kernel_drops_by[SMIW_DROP_RING_CONN],
		.drops_pending_full = st->kernel_drops_by[SMIW_DROP_PENDING_FULL],
		.drops_conns_full = st->kernel_drops_by[SMIW_DROP_CONNS_FULL],
		.user_drops = st->user_drops, .gaps = st->gaps, .unparsed_bytes = st->unparsed_bytes,
		.unpaired = st->unpaired, .h2_lost_bytes = st->h2_lost_bytes, .events = st->events, .exchanges = st->exchanges, .conns = st->conns,
		.conns_open = st->conns_open, .listeners_outside = st->listeners_outside }, end_reason);
}
