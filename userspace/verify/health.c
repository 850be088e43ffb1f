/* health.c - see health.h */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "verify/health.h"

static void __attribute__((format(printf, 2, 3))) cause(struct step_health *h, const char *fmt, ...)
{
	size_t used = strlen(h->causes);
	va_list ap;

	snprintf(h->causes + used, sizeof(h->causes) - used, "%s", used ? ", " : "");
	used = strlen(h->causes);
	va_start(ap, fmt);
	vsnprintf(h->causes + used, sizeof(h->causes) - used, fmt, ap);
	va_end(ap);
}

/* The service whose address and port `peer` ("ip:port") is, or NULL. */
static const struct inv_service *service_at(const struct inventory *inv, const char *peer)
{
	char where[80];

	for (size_t i = 0; inv && i < inv->nservices; i++) {
		const struct inv_service *s = &inv->services[i];

		if (!s->addr.family)
			continue;
		for (size_t k = 0; k < s->nports; k++) {
			inv_addr_format(where, sizeof(where), s->addr.family, s->addr.bytes, s->ports[k]);
			if (!strcmp(where, peer))
				return s;
		}
	}
	return NULL;
}

/* Whether `peer` answered a client of the step between t0 and `before`. */
static bool answered(const struct obs_set *obs, const char *peer, uint64_t t0, uint64_t before)
{
	for (size_t i = 0; i < obs->n_ex; i++) {
		const struct obs_exchange *e = &obs->ex[i];

		if (e->role == OBS_ROLE_CLIENT && e->status > 0 && e->start_ns >= t0 && e->start_ns < before &&
		    !strcmp(e->peer, peer))
			return true;
	}
	for (size_t i = 0; i < obs->n_conns; i++) {
		const struct obs_conn *c = &obs->conns[i];

		if (c->role == OBS_ROLE_CLIENT && !*c->connect_error && c->open_ns >= t0 && c->open_ns < before &&
		    !strcmp(c->peer, peer))
			return true;
	}
	return false;
}

/*
 * A service address and port that answered during the step and then
 * refused connects: its listener vanished while the policy stayed the same
 * (a mesh listens on every service port it serves; in the lab every
 * service address is HAProxy's). A port that refused from the start is not
 * counted: refusing can be how a mesh or a network policy denies.
 */
static void mesh_check(const struct obs_set *obs, const struct inventory *inv, uint64_t t0, uint64_t t1,
		       struct step_health *h)
{
	const char *where = NULL;
	const struct inv_service *svc = NULL;
	uint64_t first = UINT64_MAX;
	size_t refused = 0;

	for (size_t i = 0; i < obs->n_conns; i++) {
		const struct obs_conn *c = &obs->conns[i];
		const struct inv_service *s;

		if (c->role != OBS_ROLE_CLIENT || strcmp(c->connect_error, "ECONNREFUSED") ||
		    c->open_ns < t0 || c->open_ns > t1 || !(s = service_at(inv, c->peer)))
			continue;
		if (where && strcmp(where, c->peer))
			continue;	/* one address is evidence enough */
		where = c->peer;
		svc = s;
		refused++;
		if (c->open_ns < first)
			first = c->open_ns;
	}
	if (!refused || !answered(obs, where, t0, first))
		return;
	h->mesh_refused = refused;
	snprintf(h->mesh_gone, sizeof(h->mesh_gone), "during the step: service address %s (%s) answered, then refused %zu "
		 "connect%s: nothing listened there any more", where, svc->ref, refused, refused == 1 ? "" : "s");
}

/*
 * Names the HTTP/2 connections whose header state was lost by t1 and that
 * were still open at t0 (at most three, then how many more): their streams
 * in the step were not reported, so the step cannot be judged.
 */
static void h2_lost_cause(const struct obs_set *obs, uint64_t t0, uint64_t t1, struct step_health *h)
{
	char names[200] = "";
	size_t n = 0, used = 0;

	for (size_t i = 0; i < obs->n_conns; i++) {
		const struct obs_conn *c = &obs->conns[i];

		if (!*c->h2_lost || c->h2_lost_ns > t1 || (c->close_ns && c->close_ns < t0))
			continue;
		if (n++ < 3 && used < sizeof(names))
			used += snprintf(names + used, sizeof(names) - used, "%s%s (%s, peer %s, %s)", used ? ", " : "",
					 c->conn, c->comm, c->peer, c->h2_lost);
	}
	cause(h, "%" PRIu64 " bytes on HTTP/2 connections whose header state was lost, their streams not reported",
	      h->h2_lost_bytes);
	if (n)
		cause(h, "lost: %s%s", names, n > 3 ? " and more" : "");
}

/* How much a counter grew from before to after; 0 when it went down (its writer restarted). */
static uint64_t grown(uint64_t before, uint64_t after)
{
	return after > before ? after - before : 0;
}

/* Why no counters cover the step's end: how the capture ended, as the reader found it. */
static void uncovered_cause(const struct obs_set *obs, struct step_health *h)
{
	if (obs->torn)
		cause(h, "capture cut short (torn last line %u, no end record) before the step ended",
		      obs->torn_line);
	else if (obs->stream_cut)
		cause(h, "capture cut short (compressed stream breaks off after line %u, no end record) "
		      "before the step ended", obs->last_line);
	else if (!obs->have_end)
		cause(h, "capture cut short (no end record) before the step ended");
	else
		cause(h, "no counters recorded after the step ended");
}

void health_check(const struct obs_set *obs, const struct inventory *inv, uint64_t t0, uint64_t t1,
		  size_t request_problems, struct step_health *h)
{
	static const struct obs_counters zero;
	const struct obs_counters *before = &zero, *after = NULL;

	memset(h, 0, sizeof(*h));
	h->request_problems = request_problems;
	for (size_t i = 0; i < obs->n_stats; i++) {
		const struct obs_counters *c = &obs->stats[i];

		if (c->ts_ns <= t0 && c->ts_ns >= before->ts_ns)
			before = c;
		if (c->ts_ns >= t1 && (!after || c->ts_ns < after->ts_ns))
			after = c;
	}
	h->covered = after != NULL;
	if (t0 && t1)
		mesh_check(obs, inv, t0, t1, h);
	if (after) {
		/* Counters only grow; a smaller value means a restarted writer, not negative loss. */
		h->kernel_drops = grown(before->kernel_drops, after->kernel_drops);
		h->user_drops = grown(before->user_drops, after->user_drops);
		h->gaps = grown(before->gaps, after->gaps);
		h->h2_lost_bytes = grown(before->h2_lost_bytes, after->h2_lost_bytes);
	}
	if (h->kernel_drops)
		cause(h, "%" PRIu64 " kernel drop%s", h->kernel_drops, h->kernel_drops == 1 ? "" : "s");
	if (h->user_drops)
		cause(h, "%" PRIu64 " user-space drop%s", h->user_drops, h->user_drops == 1 ? "" : "s");
	if (h->gaps)
		cause(h, "%" PRIu64 " stream gap%s", h->gaps, h->gaps == 1 ? "" : "s");
	if (h->h2_lost_bytes)
		h2_lost_cause(obs, t0, t1, h);
	/*
	 * Not an increase: a listener found outside the watched cgroups (cgroup
	 * backend) hides every connection it accepts from then on, in this step
	 * as in any later one.
	 */
	if (after && after->listeners_outside)
		cause(h, "%" PRIu64 " listening socket%s of watched pods belong%s to unwatched cgroups: the connections "
		      "accepted from %s are not captured", after->listeners_outside,
		      after->listeners_outside == 1 ? "" : "s", after->listeners_outside == 1 ? "s" : "",
		      after->listeners_outside == 1 ? "it" : "them");
	if (request_problems)
		cause(h, "%zu request%s with incompletely captured exchanges", request_problems,
		      request_problems == 1 ? "" : "s");
	if (!h->covered)
		uncovered_cause(obs, h);
}

json_t *health_json(const struct step_health *h)
{
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:s, s:I, s:s}", "covered", h->covered,
		"kernel_drops", (json_int_t)h->kernel_drops, "user_drops", (json_int_t)h->user_drops,
		"gaps", (json_int_t)h->gaps, "request_problems", (json_int_t)h->request_problems,
		"causes", h->causes, "mesh_refused", (json_int_t)h->mesh_refused, "mesh_gone", h->mesh_gone);
}
