/*
 * cluster_drive.c - traffic on a cluster. Every request is sent by the
 * sample app inside the source pod: the runner POSTs one numbered batch
 * (ll5/batch.h) to the pod's /call through the API server's pod proxy, the
 * app sends the requests itself, and its answer lists each request's
 * outcome and times, which become the intent records. One API round trip
 * per job, so a convergence probe costs one and 1000 requests cost one;
 * no process of ours runs in the pod, which keeps the pod as the mesh
 * injected it (why not a driver pod: docs/kubernetes.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/client.h"
#include "http/http.h"
#include "ll5/batch.h"
#include "records/intent_write.h"
#include "run/cluster_int.h"
#include "run/traffic.h"
#include "util/clock.h"
#include "util/log.h"

#define MODE_TIMEOUT_NS (30ULL * 1000000000ULL)	/* the mesh forgetting the previous scenario's policy */
#define MODE_POLL_NS 500000000ULL
#define MODE_FROM "app-a"	/* the sample app's client and a backend no policy allows by default */
#define MODE_TO "app-b"

/*
 * POSTs a /call body to pod ns/pod through the API server and parses the
 * batch answer. The POST carries request id `id` (NULL: none): that of the
 * batch's first request, as the driver's POST to /call carries the id of
 * the request it relays, so the verifier knows the pod's /call exchange
 * for the entry's relay rather than traffic nothing explains. Returns the
 * number of results, or -1 after printing.
 */
static int post_batch(struct target_cluster *tc, const char *ns, const char *pod, const char *id, const char *body,
		      long timeout_s, json_t **answer, uint64_t *mono, uint64_t *real)
{
	char path[512], what[300], hdr[160];
	long saved = tc->api.request_timeout_s;
	int r;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s:%d/proxy/call", ns, pod, CLUSTER_APP_PORT);
	snprintf(what, sizeof(what), "send traffic from pod %s/%s (POST /call through the API server's pod proxy)",
		 ns, pod);
	snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", id ? id : "");
	tc->api.request_timeout_s = timeout_s;
	tc->api.extra_header = id ? hdr : NULL;
	r = k8s_request(&tc->api, what, "POST", path, "application/json", body, answer);
	tc->api.request_timeout_s = saved;
	tc->api.extra_header = NULL;
	if (r)
		return cluster_fail(tc, &tc->api, r);
	r = ll5_batch_answer(*answer, mono, real);
	if (r < 0) {
		json_decref(*answer);
		*answer = NULL;
		return error("pod %s/%s did not answer a numbered batch: its sample app must be smi-witness's "
			     "(deploy/Containerfile), which sends one, not an older learn-layer5 image", ns, pod);
	}
	return r;
}

/*
 * The job's extra headers as the batch carries them, and as the intent
 * records show them (secrets redacted). An entry on new connections asks
 * for Connection: close, so the sample app sends each request on a
 * connection of its own, as the driver's --new-connections does; like the
 * driver, the intent records do not list it.
 */
static json_t *headers_of(const struct sc_traffic *t, struct intent_header *shown)
{
	json_t *h = json_object();

	for (size_t i = 0; i < t->n_headers; i++) {
		const char *name = t->headers[i].name;
		bool secret = http_header_secret((struct http_str){ name, strlen(name) });

		json_object_set_new(h, name, json_string(t->headers[i].value));
		shown[i] = (struct intent_header){ name, secret ? HTTP_REDACTED : t->headers[i].value };
	}
	if (t->connections == SC_CONN_NEW)
		json_object_set_new(h, "Connection", json_string("close"));
	return h;
}

struct tally {
	uint64_t sent, responses, status[600], errors;
};

/* One batch's results into intent records, on the capture's timeline. Returns 0 or -errno of the write. */
static int record(struct target_cluster *tc, struct intent_log *log, json_t *answer, int n, uint64_t mono,
		  uint64_t real, struct tally *k)
{
	uint64_t offset = real - mono;	/* this node's wall clock minus its monotonic clock */

	for (int i = 0; i < n; i++) {
		struct ll5_batch_result res;
		int r;

		ll5_batch_result(answer, (size_t)i, &res);
		k->sent++;
		if (res.error || !res.status)
			k->errors++;
		else {
			k->responses++;
			k->status[res.status > 0 && res.status < 600 ? res.status : 0]++;
		}
		r = intent_write(log, res.id, cluster_timeline(tc, res.sent_ns + offset),
				 cluster_timeline(tc, res.done_ns + offset), res.error ? 0 : res.status, res.error);
		if (r)
			return r;
	}
	return 0;
}

/* What the driver's summary says, into the job's drive.log. */
static void summary(const struct traffic_job *j, const char *url, const struct tally *k, double secs)
{
	FILE *f = fopen(j->log_path, "a");

	if (!f)
		return;
	fprintf(f, "run        %s\ntarget     %s %s (sent by pod %s/%s through its /call)\n", j->run_id,
		j->t->method, url, j->t->from_ns, j->t->from);
	fprintf(f, "sent       %" PRIu64 " in %.2f s\nresponses  %" PRIu64 "\nstatus     ", k->sent, secs, k->responses);
	for (int i = 0, first = 1; i < 600; i++)
		if (k->status[i]) {
			fprintf(f, "%s%d: %" PRIu64, first ? "" : ", ", i, k->status[i]);
			first = 0;
		}
	fprintf(f, "\nerrors     %" PRIu64 "\nintent     %s\n", k->errors, j->intent_path);
	fclose(f);
}

/* Sends the job in batches of at most LL5_BATCH_MAX_COUNT (a duration: until it has passed). */
static int send_job(struct target_cluster *tc, const struct traffic_job *j, const char *url, json_t *hdrs,
		    struct intent_log *log, struct tally *k)
{
	uint64_t first = 1, left = j->count, end = j->duration_ns ? mono_ns() + j->duration_ns : 0;

	while (end ? mono_ns() < end : left > 0) {
		struct ll5_batch b = { .concurrency = j->concurrency ? j->concurrency : 1, .first = first,
				       .request_id = j->run_id };
		uint64_t mono = 0, real = 0, now = mono_ns();
		long timeout_s;
		json_t *answer = NULL;
		char *body, id[160];
		int n, r;

		if (end) {
			b.duration_ns = end - now < 1000000ULL ? 1000000ULL : end - now;
			timeout_s = (long)(b.duration_ns / 1000000000ULL) + 120;
		} else {
			b.count = left < LL5_BATCH_MAX_COUNT ? left : LL5_BATCH_MAX_COUNT;
			timeout_s = (long)(b.count / b.concurrency / 10) + 120;	/* far beyond 10 ms a request */
		}
		body = ll5_batch_body(url, j->t->method, hdrs, j->t->body, &b);
		if (!body)
			return error("out of memory");
		snprintf(id, sizeof(id), "%s-%" PRIu64, j->run_id, first);
		n = post_batch(tc, j->t->from_ns, j->t->from, id, body, timeout_s, &answer, &mono, &real);
		free(body);
		if (n < 0)
			return n;
		r = record(tc, log, answer, n, mono, real, k);
		json_decref(answer);
		if (r)
			return error_errno(r, "cannot write '%s'", j->intent_path);
		if (!n)
			break;	/* a duration that ended before any request: done */
		first += (uint64_t)n;
		left -= end ? 0 : (uint64_t)n;
	}
	return 0;
}

int cluster_drive(struct target *t, const struct traffic_job *j)
{
	struct target_cluster *tc = cluster_of(t);
	struct intent_header shown[SC_MAX_HEADERS];
	struct intent_log log = { 0 };
	struct tally k = { 0 };
	char url[600], via[700];
	uint64_t t0 = mono_ns();
	json_t *hdrs;
	int r;

	cluster_note_traffic(tc, j->run_id);
	snprintf(url, sizeof(url), "http://%s.%s:%u%s", j->t->to, j->t->to_ns, j->t->port, j->t->path);
	snprintf(via, sizeof(via), "%s/api/v1/namespaces/%s/pods/%s:%d/proxy/call", tc->cfg.server, j->t->from_ns,
		 j->t->from, CLUSTER_APP_PORT);
	hdrs = headers_of(j->t, shown);
	r = intent_open(&log, j->intent_path, "cluster", &(struct intent_run){ .run = j->run_id,
		.method = j->t->method, .url = url, .via = via, .headers = shown, .nheaders = j->t->n_headers });
	if (r) {
		json_decref(hdrs);
		error_errno(r, "cannot write '%s'", j->intent_path);
		return TARGET_NOT_SENT;
	}
	r = send_job(tc, j, url, hdrs, &log, &k);
	json_decref(hdrs);
	if (intent_close(&log, r != 0) && !r)
		r = error("cannot write '%s'", j->intent_path);
	summary(j, url, &k, (mono_ns() - t0) / 1e9);
	if (r)
		return TARGET_NOT_SENT;
	return k.responses == k.sent ? 0 : 1;
}

/* One request app-a -> app-b with no policy in force: 1 when it was answered 2xx, 0 when not, or an error. */
static int probe_allowed(struct target_cluster *tc)
{
	struct ll5_batch b = { .count = 1, .concurrency = 1, .first = 1, .request_id = "smiw-mode-probe" };
	char url[300], *body;
	uint64_t mono, real;
	json_t *answer = NULL;
	struct ll5_batch_result res;
	int n;

	snprintf(url, sizeof(url), "http://%s.%s:%d/echo", MODE_TO, tc->ns, CLUSTER_APP_PORT);
	body = ll5_batch_body(url, "GET", NULL, "", &b);
	if (!body)
		return error("out of memory");
	n = post_batch(tc, tc->ns, MODE_FROM, NULL, body, 60, &answer, &mono, &real);
	free(body);
	if (n < 0)
		return n;
	if (n != 1) {
		json_decref(answer);
		return error("pod %s/%s answered the access-control probe with %d results", tc->ns, MODE_FROM, n);
	}
	ll5_batch_result(answer, 0, &res);
	n = !res.error && res.status >= 200 && res.status < 300;
	json_decref(answer);
	return n;
}

int cluster_check_mode(struct target_cluster *tc, bool forgetting)
{
	uint64_t deadline = mono_ns() + (forgetting ? MODE_TIMEOUT_NS : 0);
	int allowed;

	if (!cluster_app_has(tc, "Pod", tc->ns, MODE_FROM) || !cluster_app_has(tc, "Pod", tc->ns, MODE_TO)) {
		clog_line(tc, "no %s and %s in the sample app: the mesh's access-control mode is not checked",
			  MODE_FROM, MODE_TO);
		return 0;
	}
	while ((allowed = probe_allowed(tc)) >= 0 && allowed == tc->access_control) {
		if (mono_ns() >= deadline)
			return error("with no SMI policy in force the mesh %s %s -> %s in namespace %s, so its access "
				     "control is %s; this "
				     "scenario needs it %s: configure mesh '%s' that way (e.g. OSM's "
				     "enablePermissiveTrafficPolicyMode) and run the suites of each mode apart",
				     allowed ? "lets" : "denies", MODE_FROM, MODE_TO, tc->ns, allowed ? "off" : "on",
				     tc->access_control ? "on" : "off", tc->o.mesh);
		if (!cluster_wait(tc, MODE_POLL_NS))
			return -1;
	}
	if (allowed >= 0)
		clog_line(tc, "access control is %s: with no SMI policy the mesh %s %s -> %s",
			  tc->access_control ? "on" : "off", allowed ? "lets" : "denies", MODE_FROM, MODE_TO);
	return allowed < 0 ? allowed : 0;
}
