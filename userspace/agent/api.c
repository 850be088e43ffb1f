/* api.c - the agent's HTTP API: observations, stats, inventory, metrics, health. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "http/url.h"
#include "records/relay.h"
#include "util/parse.h"

#define WINDOW_MAX_NS (30ULL * 86400ULL * 1000000000ULL)

/* Compares without stopping at the first difference, so timing says nothing of the token. */
static bool same_secret(const char *want, const char *got, size_t al)
{
	size_t wl = strlen(want);
	unsigned char diff = 0;

	for (size_t i = 0; i < wl; i++)
		diff |= (unsigned char)(want[i] ^ (i < al ? got[i] : 0));
	return wl && al == wl && !diff;
}

/*
 * The token comes as "Authorization: Bearer T", or as "X-Smiw-Token: T"
 * when the request went through the API server's pod proxy, which consumes
 * the Authorization header for itself.
 */
static bool token_ok(const char *want, const struct http_request *req)
{
	const struct http_str *token = http_header_get(req->head, "x-smiw-token");
	const struct http_str *auth = http_header_get(req->head, "authorization");

	if (token && token->len)
		return same_secret(want, token->p, token->len);
	return auth && auth->len >= 7 && !memcmp(auth->p, "Bearer ", 7) &&
	       same_secret(want, auth->p + 7, auth->len - 7);
}

static void answer_json(struct http_response *resp, int status, json_t *doc)
{
	resp->status = status;
	resp->content_type = "application/json";
	resp->body = json_dumps(doc, JSON_INDENT(1));
	resp->len = resp->body ? strlen(resp->body) : 0;
	json_decref(doc);
}

static void answer_error(struct http_response *resp, int status, const char *msg)
{
	answer_json(resp, status, json_pack("{s:s}", "error", msg));
	if (status == 401)
		resp->headers = "WWW-Authenticate: Bearer\r\n";
}

/*
 * A time bound: `NAME` is a duration back from now ("5m"), `NAME_ns` a
 * CLOCK_REALTIME instant in nanoseconds; both become CLOCK_MONOTONIC, the
 * clock records carry. Returns 0 (*out 0 when absent) or -EINVAL.
 */
static int time_bound(struct agent *a, const char *query, const char *name, uint64_t *out)
{
	char key[32], val[64];
	uint64_t v, now = mono_ns();

	*out = 0;
	if (!http_query_get(query, name, val, sizeof(val))) {
		if (parse_duration_ns(val, WINDOW_MAX_NS, &v))
			return -EINVAL;
		*out = v < now ? now - v : 1;
		return 0;
	}
	snprintf(key, sizeof(key), "%s_ns", name);
	if (!http_query_get(query, key, val, sizeof(val))) {
		uint64_t offset = a->real0_ns - a->mono0_ns;

		if (parse_u64(val, 0, UINT64_MAX, &v))
			return -EINVAL;
		*out = v > offset ? v - offset : 1;
	}
	return 0;
}

/*
 * Writes the answer's closing stats line to out: the capture's last counters,
 * the number of records answered (n) and whether filter f's window is whole.
 */
static void write_closing_stats(struct agent *a, const struct store_filter *f, uint64_t n,
				FILE *out)
{
	json_t *end;
	char *line;

	pthread_mutex_lock(&a->mu);
	end = a->last_stats ? json_deep_copy(a->last_stats) : json_object();
	pthread_mutex_unlock(&a->mu);
	json_object_set_new(end, "t", json_string("stats"));
	/*
	 * The closing counters hold up to now while capture runs. Once the
	 * source has ended they hold only up to its last counters: claiming
	 * more would make steps after a capture that was cut short look covered.
	 */
	if (!a->source_ended)
		json_object_set_new(end, "ts_ns", json_integer((json_int_t)mono_ns()));
	else if (!json_object_get(end, "ts_ns"))
		json_object_set_new(end, "ts_ns", json_integer(0));
	json_object_set_new(end, "records", json_integer((json_int_t)n));
	json_object_set_new(end, "store_evicted", json_integer((json_int_t)a->store.evicted));
	/* Evicted records inside the window make any verdict on it incomplete: say so. */
	json_object_set_new(end, "window_complete", json_boolean(!store_window_evicted(&a->store, f)));
	line = json_dumps(end, JSON_COMPACT);
	fprintf(out, "%s\n", line);
	free(line);
	json_decref(end);
}

/* GET /observations: the records matching the query's filters, as a records file. */
static void observations(struct agent *a, const struct http_request *req, struct http_response *resp)
{
	char ns[256] = "", pod[256] = "", rid[256] = "", type[32] = "", msg[128];
	struct store_filter f = { .ns = ns, .pod = pod, .request_id_prefix = rid, .type = type };
	json_t *meta;
	uint64_t n;
	FILE *out;
	char *line;

	if (time_bound(a, req->query, "since", &f.since_ns) ||
	    time_bound(a, req->query, "until", &f.until_ns)) {
		answer_error(resp, 400, "since/until: a duration such as 5m, or since_ns/until_ns in "
			     "Unix nanoseconds");
		return;
	}
	if (http_query_get(req->query, "namespace", ns, sizeof(ns)) == -ENAMETOOLONG ||
	    http_query_get(req->query, "pod", pod, sizeof(pod)) == -ENAMETOOLONG ||
	    http_query_get(req->query, "request_id", rid, sizeof(rid)) == -ENAMETOOLONG ||
	    http_query_get(req->query, "type", type, sizeof(type)) == -ENAMETOOLONG) {
		answer_error(resp, 400, "a filter value is too long");
		return;
	}
	out = open_memstream(&resp->body, &resp->len);
	if (!out) {
		answer_error(resp, 500, "out of memory");
		return;
	}
	/* The answer is a records file of its own: meta first, stats last. */
	meta = relay_meta(a->node, mono_ns(), real_ns());
	json_object_set_new(meta, "since_ns", json_integer((json_int_t)f.since_ns));
	json_object_set_new(meta, "until_ns", json_integer((json_int_t)f.until_ns));
	line = json_dumps(meta, JSON_COMPACT);
	fprintf(out, "%s\n", line);
	free(line);
	json_decref(meta);
	n = store_query(&a->store, &f, out);
	write_closing_stats(a, &f, n, out);
	if (fclose(out)) {
		snprintf(msg, sizeof(msg), "cannot build the answer: %s", strerror(errno));
		free(resp->body);
		resp->body = NULL;
		answer_error(resp, 500, msg);
		return;
	}
	resp->status = 200;
	resp->content_type = "application/x-ndjson";
}

static json_t *stats_doc(struct agent *a)
{
	json_t *doc;

	pthread_mutex_lock(&a->store.mu);
	doc = json_pack("{s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "node", a->node, "store",
			"records", (json_int_t)a->store.count, "capacity", (json_int_t)a->store.cap,
			"added", (json_int_t)a->store.added, "evicted", (json_int_t)a->store.evicted,
			"rejected", (json_int_t)a->store.rejected, "bytes", (json_int_t)a->store.bytes);
	pthread_mutex_unlock(&a->store.mu);
	if (a->spool_on)
		json_object_set_new(doc, "spool", json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
			"dir", a->spool.dir, "files_closed", (json_int_t)a->spool.files_closed,
			"files_removed", (json_int_t)a->spool.files_removed,
			"files_recovered", (json_int_t)a->spool.files_recovered,
			"records_recovered", (json_int_t)a->spool.records_recovered,
			"write_errors", (json_int_t)(a->spool.write_errors + a->spool_errors),
			"bytes", (json_int_t)a->spool.bytes_total));
	pthread_mutex_lock(&a->mu);
	json_object_set_new(doc, "capture", a->last_stats ? json_deep_copy(a->last_stats) : json_object());
	if (a->kube_status)
		json_object_set_new(doc, "kubernetes", json_deep_copy(a->kube_status));
	pthread_mutex_unlock(&a->mu);
	json_object_set_new(doc, "source", json_pack("{s:b, s:I, s:I}", "ended", a->source_ended,
		"records", (json_int_t)a->records_in, "rejected", (json_int_t)a->records_rejected));
	json_object_set_new(doc, "http", json_pack("{s:I, s:I}", "requests", (json_int_t)a->http.requests,
						   "rejected", (json_int_t)a->http.rejected));
	json_object_set_new(doc, "capabilities", json_string(a->caps_kept));
	return doc;
}

void agent_metrics(struct agent *a, FILE *out)
{
	json_t *doc = stats_doc(a), *cap = json_object_get(doc, "capture");
	json_t *st = json_object_get(doc, "store"), *sp = json_object_get(doc, "spool");
	json_t *k8s = json_object_get(doc, "kubernetes");
	static const struct {
		const char *name, *type, *help, *section, *key;
	} m[] = {
		{ "smiw_capture_kernel_drops_total", "counter", "ring-buffer reservations that failed in the kernel", "capture", "kernel_drops" },
		{ "smiw_capture_user_drops_total", "counter", "events the agent discarded", "capture", "user_drops" },
		{ "smiw_capture_gaps_total", "counter", "stream gaps detected", "capture", "gaps" },
		{ "smiw_capture_events_total", "counter", "kernel events received", "capture", "events" },
		{ "smiw_store_records", "gauge", "records kept in memory", "store", "records" },
		{ "smiw_store_capacity_records", "gauge", "records the store can keep", "store", "capacity" },
		{ "smiw_store_added_total", "counter", "records added to the store", "store", "added" },
		{ "smiw_store_evicted_total", "counter", "records pushed out of the store by newer ones", "store", "evicted" },
		{ "smiw_store_rejected_total", "counter", "lines that were not records", "store", "rejected" },
		{ "smiw_spool_files_closed_total", "counter", "spool files completed", "spool", "files_closed" },
		{ "smiw_spool_files_removed_total", "counter", "old spool files removed", "spool", "files_removed" },
		{ "smiw_spool_write_errors_total", "counter", "records that could not be written to disk", "spool", "write_errors" },
		{ "smiw_spool_bytes_total", "counter", "uncompressed bytes written to the spool", "spool", "bytes" },
		{ "smiw_http_requests_total", "counter", "API requests served", "http", "requests" },
		{ "smiw_kube_inventory_pods", "gauge", "container cgroups attributed to pods", "kubernetes", "containers" },
		{ "smiw_kube_unresolved_containers", "gauge", "running containers whose cgroup was not found", "kubernetes", "unresolved" },
		{ "smiw_kube_relists_total", "counter", "relists after 410 Gone", "kubernetes", "relists_gone" },
		{ "smiw_kube_reconnects_total", "counter", "watch reconnects after failures", "kubernetes", "reconnects" },
	};
	json_t *sections[] = { cap, st, sp, json_object_get(doc, "http"), k8s };
	static const char *const names[] = { "capture", "store", "spool", "http", "kubernetes" };

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		json_t *sec = NULL, *v;

		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (!strcmp(names[j], m[i].section))
				sec = sections[j];
		v = json_object_get(sec, m[i].key);
		if (!json_is_integer(v))
			continue;
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n%s{node=\"%s\"} %lld\n", m[i].name, m[i].help,
			m[i].name, m[i].type, m[i].name, a->node, (long long)json_integer_value(v));
	}
	json_decref(doc);
}

void agent_http(void *arg, const struct http_request *req, struct http_response *resp)
{
	struct agent *a = arg;

	if (!strcmp(req->path, "/healthz")) {
		/* Probes carry no token; the answer says nothing but "alive". */
		resp->status = 200;
		resp->body = strdup("ok\n");
		resp->len = resp->body ? 3 : 0;
		return;
	}
	if (!token_ok(a->token, req)) {
		answer_error(resp, 401, "a valid bearer token is required");
		return;
	}
	if (!strcmp(req->path, "/v1/observations")) {
		observations(a, req, resp);
	} else if (!strcmp(req->path, "/v1/stats")) {
		answer_json(resp, 200, stats_doc(a));
	} else if (!strcmp(req->path, "/v1/inventory")) {
		json_t *inv;

		pthread_mutex_lock(&a->mu);
		inv = a->inventory ? json_deep_copy(a->inventory) : NULL;
		pthread_mutex_unlock(&a->mu);
		if (inv)
			answer_json(resp, 200, inv);
		else
			answer_error(resp, 404, "no inventory yet (the agent runs without --kube, or has not synced)");
	} else if (!strcmp(req->path, "/metrics")) {
		FILE *out = open_memstream(&resp->body, &resp->len);

		if (out) {
			agent_metrics(a, out);
			fclose(out);
		}
		resp->status = out ? 200 : 500;
		resp->content_type = "text/plain; version=0.0.4";
	} else {
		answer_error(resp, 404, "no such endpoint (see /v1/observations, /v1/stats, /v1/inventory, /metrics, /healthz)");
	}
}
