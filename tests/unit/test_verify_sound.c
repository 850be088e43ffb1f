/*
 * test_verify_sound - the verifier against a mesh that cheats: requests
 * followed through the mesh's connections when it removes or rewrites their
 * ids, every copy of a request counted, every exchange of a step accounted
 * for, splits judged on the independent choices they are worth.
 *
 * The observation records are made here, as fixture tables: each request
 * leaves what the capture records of it in the lab (the driver's POST /call
 * and app-a serving it, app-a's request to the service address, the mesh's
 * two proxies joined over loopback, the backend serving it), with the
 * connections' addresses as the kernel reports them, so that following them
 * is exactly what it is on real records; the cheats change those tables the
 * way the faulty meshes do.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "records/inventory.h"
#include "records/obs.h"
#include "scenario/scenario.h"
#include "utest.h"
#include "verdict/report.h"
#include "verify/engine.h"

#define T0 1000000000000ULL	/* CLOCK_MONOTONIC of the meta record */
#define US 1000ULL
#define RUN "rT"

static char dir[64];
static struct inventory *inv;

static const char inventory_json[] =
	"{\"version\": 1, \"node\": \"lab\", \"source\": \"lab\", \"pods\": [\n"
	" {\"namespace\": \"default\", \"name\": \"app-a\", \"service_account\": \"service-a\", \"ip\": \"198.18.0.11\"},\n"
	" {\"namespace\": \"default\", \"name\": \"app-b\", \"service_account\": \"service-b\", \"ip\": \"198.18.0.12\"},\n"
	" {\"namespace\": \"default\", \"name\": \"app-c\", \"service_account\": \"service-c\", \"ip\": \"198.18.0.13\"},\n"
	" {\"namespace\": \"default\", \"name\": \"app-d\", \"service_account\": \"service-d\", \"ip\": \"198.18.0.14\"},\n"
	" {\"namespace\": \"default\", \"name\": \"mesh\", \"service_account\": \"mesh\", \"ip\": \"198.18.1.250\"}],\n"
	" \"services\": [\n"
	" {\"namespace\": \"default\", \"name\": \"app-svc\", \"ip\": \"198.18.1.1\", \"ports\": [9091],"
	"  \"endpoints\": [\"default/app-b\", \"default/app-c\"]},\n"
	" {\"namespace\": \"default\", \"name\": \"app-svc3\", \"ip\": \"198.18.1.5\", \"ports\": [9091],"
	"  \"endpoints\": [\"default/app-b\", \"default/app-c\", \"default/app-d\"]},\n"
	" {\"namespace\": \"default\", \"name\": \"app-b\", \"ip\": \"198.18.1.2\", \"ports\": [9091],"
	"  \"endpoints\": [\"default/app-b\"]},\n"
	" {\"namespace\": \"default\", \"name\": \"app-c\", \"ip\": \"198.18.1.3\", \"ports\": [9091],"
	"  \"endpoints\": [\"default/app-c\"]},\n"
	" {\"namespace\": \"default\", \"name\": \"app-d\", \"ip\": \"198.18.1.6\", \"ports\": [9091],"
	"  \"endpoints\": [\"default/app-d\"]}],\n"
	" \"mesh\": {\"name\": \"cheat\", \"pod\": \"default/mesh\","
	" \"metrics_url\": \"http://198.18.1.250:8405/metrics\"}}\n";

/* --- fixture tables ------------------------------------------------------ */

/* One exchange as the capture writes it. */
struct row {
	const char *conn;
	uint64_t seq;
	bool server;
	const char *pod, *comm;
	unsigned pid;
	const char *local, *peer, *method, *path, *rid;
	int status;
	uint64_t start_us, end_us;	/* after T0 */
};

static void put(struct obs_set *s, const struct row *w)
{
	struct obs_exchange *e = obs_new_exchange(s);

	assert_non_null(e);
	e->conn = obs_keep(s, w->conn);
	e->seq = w->seq;
	e->role = w->server ? OBS_ROLE_SERVER : OBS_ROLE_CLIENT;
	e->node = "lab";
	e->ns = *w->pod ? "default" : "";
	e->pod = obs_keep(s, w->pod);
	e->comm = obs_keep(s, w->comm);
	e->pid = e->tgid = w->pid;
	e->local = obs_keep(s, w->local);
	e->peer = obs_keep(s, w->peer);
	e->method = obs_keep(s, w->method);
	e->path = obs_keep(s, w->path);
	e->request_id = obs_keep(s, w->rid);
	e->status = w->status;
	e->start_ns = T0 + w->start_us * US;
	e->end_ns = T0 + w->end_us * US;
	e->complete = true;
	e->line = (unsigned)s->n_ex + 1;
}

static void start(struct obs_set *s)
{
	memset(s, 0, sizeof(*s));
	s->path = "fixture";
	s->have_meta = true;
	s->meta = (struct obs_meta){ .v = 1, .tool = "smi-witness test", .node = "lab", .inventory = "",
				     .snaplen = 4096, .mono_ns = T0, .real_ns = 1764239700000000000ULL };
}

/* The counters around the traffic: nothing lost, and an `end` record after it. */
static void finish(struct obs_set *s)
{
	uint64_t last = T0;

	for (size_t i = 0; i < s->n_ex; i++)
		if (s->ex[i].end_ns > last)
			last = s->ex[i].end_ns;
	s->stats = calloc(2, sizeof(*s->stats));
	assert_non_null(s->stats);
	s->stats[0] = (struct obs_counters){ .ts_ns = T0 - 1, .reason = "" };
	s->stats[1] = (struct obs_counters){ .ts_ns = last + 5000000000ULL, .end = true, .reason = "signal" };
	s->n_stats = s->cap_stats = 2;
	s->have_end = true;
}

static const char *ip_of(const char *pod)
{
	return !strcmp(pod, "app-a") ? "198.18.0.11" : !strcmp(pod, "app-b") ? "198.18.0.12" :
	       !strcmp(pod, "app-c") ? "198.18.0.13" : !strcmp(pod, "app-d") ? "198.18.0.14" : "198.18.1.250";
}

enum idmode {
	ID_KEEP,	/* every hop carries the request's id */
	ID_STRIP,	/* the mesh removes it on the last hop, to the backend */
	ID_REWRITE,	/* the mesh's service-side proxy sets a fresh one on every hop after it */
};

/* One request through /call and the mesh: how the fixture writes it. */
struct req {
	unsigned step, traffic;
	uint64_t seq;
	const char *to_ip;		/* the service address app-a calls */
	const char *backend;		/* the pod the mesh forwards to; NULL: not forwarded */
	int client_status;		/* what app-a (and the driver) get */
	int backend_status;
	enum idmode ids;
	int conn;			/* app-a's connection to the mesh: >= 0 shared (keep-alive), -1 its own */
	uint64_t conn_seq;		/* its position on that connection */
	uint64_t at_us;			/* when the driver sends it */
	const char *retry_first;	/* a first attempt at this pod, answered 503, before `backend` */
	const char *mirror_to;		/* a copy sent to this pod once the backend answered */
	bool hide_last_hop;		/* the mesh's connection to the backend left no record */
	const char *method, *path;
	uint64_t probe_round;		/* > 0: a convergence probe of that round */
	unsigned n_offset;		/* added to the number its connections and ports are named by */
};

/* The pod-side proxy's loopback port for a backend. */
static unsigned pod_port(const char *pod)
{
	return 20000 + (unsigned)(pod[4] - 'a');
}

/*
 * One attempt from the service-side proxy on: its loopback hop to the
 * pod-side proxy, that proxy's connection to the pod, and the pod serving
 * it, within [from, to] (microseconds after T0), on ports numbered by `n`.
 */
static void attempt(struct obs_set *s, const struct req *q, const char *pod, int status, const char *rid,
		    const char *last_rid, unsigned n, uint64_t from, uint64_t to)
{
	char lo_c[32], lo_s[32], out_c[40], out_s[40], c1[16], c2[16], c3[16], c4[16];

	snprintf(lo_c, sizeof(lo_c), "127.0.0.1:%u", 40000 + n);
	snprintf(lo_s, sizeof(lo_s), "127.0.0.1:%u", pod_port(pod));
	snprintf(out_c, sizeof(out_c), "198.18.1.250:%u", 50000 + n);
	snprintf(out_s, sizeof(out_s), "%s:9091", ip_of(pod));
	snprintf(c1, sizeof(c1), "l%u", n);
	snprintf(c2, sizeof(c2), "p%u", n);
	snprintf(c3, sizeof(c3), "o%u", n);
	snprintf(c4, sizeof(c4), "b%u", n);
	put(s, &(struct row){ c1, 0, false, "mesh", "haproxy", 500, lo_c, lo_s, q->method, q->path, rid, status,
			      from, to });
	put(s, &(struct row){ c2, 0, true, "mesh", "haproxy", 500, lo_s, lo_c, q->method, q->path, rid, status,
			      from + 10, to - 10 });
	if (!q->hide_last_hop)
		put(s, &(struct row){ c3, 0, false, "mesh", "haproxy", 500, out_c, out_s, q->method, q->path, last_rid,
				      status, from + 20, to - 20 });
	put(s, &(struct row){ c4, 0, true, pod, "sample-app", 600 + (unsigned)pod[4], out_s, out_c, q->method, q->path,
			      last_rid, status, from + 30, to - 30 });
}

static void request(struct obs_set *s, const struct req *q)
{
	char rid[64], uuid[64], drv[32], app[40], svc[40], c[16], m[16], d[16], r[16];
	unsigned n = (unsigned)(q->step * 1000 + q->seq) + q->n_offset;
	uint64_t t = q->at_us;
	const char *mid, *last;

	if (q->probe_round)
		snprintf(rid, sizeof(rid), RUN ".%u.%u.c%llu-%llu", q->step, q->traffic,
			 (unsigned long long)q->probe_round, (unsigned long long)q->seq);
	else
		snprintf(rid, sizeof(rid), RUN ".%u.%u-%llu", q->step, q->traffic, (unsigned long long)q->seq);
	snprintf(uuid, sizeof(uuid), "3f1c0a2e-%04u-4b7d-9e21-uuid", n);
	mid = q->ids == ID_REWRITE ? uuid : rid;
	last = q->ids == ID_STRIP ? "" : mid;
	snprintf(drv, sizeof(drv), "127.0.0.1:%u", 30000 + n);
	if (q->conn >= 0)
		snprintf(app, sizeof(app), "198.18.0.11:%u", 45000 + (unsigned)q->conn);
	else
		snprintf(app, sizeof(app), "198.18.0.11:%u", 46000 + n);
	snprintf(svc, sizeof(svc), "%s:9091", q->to_ip);
	snprintf(d, sizeof(d), "d%u", n);
	snprintf(r, sizeof(r), "r%u", n);
	if (q->conn >= 0) {
		snprintf(c, sizeof(c), "a%d", q->conn);
		snprintf(m, sizeof(m), "s%d", q->conn);
	} else {
		snprintf(c, sizeof(c), "a-%u", n);
		snprintf(m, sizeof(m), "s-%u", n);
	}
	put(s, &(struct row){ d, 0, false, "app-a", "smi-witness", 700, drv, "127.0.0.1:9091", "POST", "/call", rid,
			      q->client_status, t, t + 1000 });
	put(s, &(struct row){ r, 0, true, "app-a", "sample-app", 601, "127.0.0.1:9091", drv, "POST", "/call", rid,
			      q->client_status, t + 10, t + 990 });
	put(s, &(struct row){ c, q->conn_seq, false, "app-a", "sample-app", 601, app, svc, q->method, q->path, rid,
			      q->client_status, t + 20, t + 980 });
	put(s, &(struct row){ m, q->conn_seq, true, "mesh", "haproxy", 500, svc, app, q->method, q->path, rid,
			      q->client_status, t + 30, t + 970 });
	if (q->retry_first) {
		attempt(s, q, q->retry_first, 503, mid, last, n + 500, t + 40, t + 400);
		attempt(s, q, q->backend, q->backend_status, mid, last, n, t + 410, t + 900);
	} else if (q->backend) {
		attempt(s, q, q->backend, q->backend_status, mid, last, n, t + 40, t + 900);
	}
	if (q->mirror_to) {
		/* The mesh's own HTTP client, from its address straight to the pod, once the answer is in. */
		char mc[40], ms[40], c5[16], c6[16];

		snprintf(mc, sizeof(mc), "198.18.1.250:%u", 56000 + n);
		snprintf(ms, sizeof(ms), "%s:9091", ip_of(q->mirror_to));
		snprintf(c5, sizeof(c5), "mo%u", n);
		snprintf(c6, sizeof(c6), "mb%u", n);
		put(s, &(struct row){ c5, 0, false, "mesh", "haproxy", 500, mc, ms, q->method, q->path, mid, 200,
				      t + 905, t + 960 });
		put(s, &(struct row){ c6, 0, true, q->mirror_to, "sample-app", 600 + (unsigned)q->mirror_to[4], ms, mc,
				      q->method, q->path, mid, 200, t + 915, t + 950 });
	}
}

/* --- running the verifier ------------------------------------------------ */

struct outcome {
	struct scenario sc;
	struct report rep;
	json_t *doc;	/* the report as JSON */
};

static void verify(struct obs_set *s, const char *name, const char *yaml, struct outcome *o)
{
	char path[160];

	assert_int_equal(utest_write(dir, name, yaml, strlen(yaml)), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(scenario_load(&o->sc, path), 0);
	assert_int_equal(report_init(&o->rep, "cheat"), 0);
	assert_int_equal(verify_scenario(&(struct verify_input){ .sc = &o->sc, .obs = s, .inv = inv, .run = RUN,
								  .capture_name = "fixture" }, &o->rep), 0);
	o->doc = report_to_json(&o->rep);
	assert_non_null(o->doc);
}

static void release(struct outcome *o, struct obs_set *s)
{
	json_decref(o->doc);
	report_free(&o->rep);
	scenario_free(&o->sc);
	obs_free(s);
}

static const struct assertion *find(const struct outcome *o, const char *id)
{
	for (size_t i = 0; i < o->rep.n; i++)
		if (!strcmp(o->rep.a[i].id, id))
			return &o->rep.a[i];
	fail_msg("no assertion %s", id);
	return NULL;
}

static void expect(const struct outcome *o, const char *id, enum verdict v, const char *reason)
{
	const struct assertion *a = find(o, id);

	if (a->verdict != v || (reason && strcmp(a->reason, reason)))
		fail_msg("%s:\n got  %s %s\n want %s %s", id, verdict_name(a->verdict), a->reason, verdict_name(v),
			 reason ? reason : "(any reason)");
}

/* A value of an assertion's evidence, by a path of keys and array indexes ("violations.items.0.copies"). */
static json_t *ev(const struct outcome *o, const char *id, const char *path)
{
	json_t *j = find(o, id)->evidence;
	char buf[200], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, strtoul(k, NULL, 10)) : json_object_get(j, k);
	if (!j)
		fail_msg("%s: no evidence %s", id, path);
	return j;
}

static const char *ev_str(const struct outcome *o, const char *id, const char *path)
{
	return json_string_value(ev(o, id, path));
}

static long long ev_int(const struct outcome *o, const char *id, const char *path)
{
	json_t *j = ev(o, id, path);

	return json_is_integer(j) ? (long long)json_integer_value(j) : (long long)json_real_value(j);
}

/* Step `step`'s accounting, checked to count every exchange exactly once. */
static json_t *accounting(const struct outcome *o, size_t step)
{
	json_t *a = json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(o->doc,
		"scenarios"), 0), "steps"), step - 1), "accounting");
	static const char *const classes[] = { "joined", "followed", "probe", "relay", "mesh", "scrape",
					       "background", "unexplained" };
	json_int_t sum = 0;

	assert_non_null(a);
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		sum += json_integer_value(json_object_get(a, classes[i]));
	assert_int_equal(sum, json_integer_value(json_object_get(a, "exchanges")));
	return a;
}

/* "joined relay mesh followed unexplained background": the counts of step `step`. */
static void expect_counts(const struct outcome *o, size_t step, const char *want)
{
	json_t *a = accounting(o, step);
	char got[200];

	snprintf(got, sizeof(got), "exchanges %lld: joined %lld followed %lld probe %lld relay %lld mesh %lld "
		 "scrape %lld background %lld unexplained %lld; ids removed %lld rewritten %lld",
		 (long long)json_integer_value(json_object_get(a, "exchanges")),
		 (long long)json_integer_value(json_object_get(a, "joined")),
		 (long long)json_integer_value(json_object_get(a, "followed")),
		 (long long)json_integer_value(json_object_get(a, "probe")),
		 (long long)json_integer_value(json_object_get(a, "relay")),
		 (long long)json_integer_value(json_object_get(a, "mesh")),
		 (long long)json_integer_value(json_object_get(a, "scrape")),
		 (long long)json_integer_value(json_object_get(a, "background")),
		 (long long)json_integer_value(json_object_get(a, "unexplained")),
		 (long long)json_integer_value(json_object_get(a, "ids_removed")),
		 (long long)json_integer_value(json_object_get(a, "ids_rewritten")));
	if (strcmp(got, want))
		fail_msg("step %zu accounting:\n got  %s\n want %s", step, got, want);
}

static struct req base(unsigned step, uint64_t seq, const char *to_ip, const char *backend, uint64_t at_us)
{
	return (struct req){ .step = step, .traffic = 1, .seq = seq, .to_ip = to_ip, .backend = backend,
			     .client_status = 200, .backend_status = 200, .conn = -1, .at_us = at_us,
			     .method = "GET", .path = "/echo" };
}

/* --- the tests ----------------------------------------------------------- */

/*
 * An honest mesh: everything by request id, every exchange accounted for
 * (per request: two relay exchanges, app-a's and app-b's, four mesh legs).
 */
static void test_honest(void **state)
{
	struct obs_set s;
	struct outcome o;

	(void)state;
	start(&s);
	for (uint64_t i = 1; i <= 3; i++)
		request(&s, &(struct req){ .step = 1, .traffic = 1, .seq = i, .to_ip = "198.18.1.2", .backend = "app-b",
					   .client_status = 200, .backend_status = 200, .conn = 0, .conn_seq = i - 1,
					   .at_us = i * 2000, .method = "GET", .path = "/echo" });
	finish(&s);
	verify(&s, "honest.yaml", "version: 1\nname: honest\nsmispec: traffic-access\nsteps:\n"
	       "  - name: allow\n    converge: false\n"
	       "    traffic: [{from: app-a, to: app-b, path: /echo, count: 3, expect: {access: allow}}]\n", &o);
	expect(&o, "honest/allow/t1/access", VERDICT_PASS, "3/3 reached app-b and succeeded");
	expect_counts(&o, 1, "exchanges 24: joined 6 followed 0 probe 0 relay 6 mesh 12 scrape 0 background 0 "
		      "unexplained 0; ids removed 0 rewritten 0");
	release(&o, &s);
}

/*
 * strip-id: the mesh forwards every denied request to app-b without its
 * X-Request-Id, then answers 403 itself. Followed through the connections
 * and the proxies, each is a denied request served.
 */
static void test_strip_id_followed(void **state)
{
	struct obs_set s;
	struct outcome o;
	const char *id = "strip/deny/t1/access";

	(void)state;
	start(&s);
	for (uint64_t i = 1; i <= 3; i++) {
		struct req q = base(1, i, "198.18.1.2", "app-b", i * 2000);

		q.client_status = 403;
		q.ids = ID_STRIP;
		request(&s, &q);
	}
	finish(&s);
	verify(&s, "strip.yaml", "version: 1\nname: strip\nsmispec: traffic-access\nsteps:\n"
	       "  - name: deny\n    converge: false\n"
	       "    traffic: [{from: app-a, to: app-b, path: /echo, count: 3, expect: {access: deny}}]\n", &o);
	expect(&o, id, VERDICT_FAIL, "3 of 3 denied requests reached a workload (first: rT.1.1-1 at default/app-b "
	       "/echo 2025-11-27T10:35:00.002Z, followed: conn b1001, peer 198.18.1.250:51001); client saw 403 ×3; "
	       "the mesh removed X-Request-Id from 3 requests; followed through the proxy: 3 of 3");
	/* the evidence names the request, the pod, the time, the connection and its peer */
	assert_string_equal(ev_str(&o, id, "violations.items.0.request_id"), "rT.1.1-1");
	assert_string_equal(ev_str(&o, id, "violations.items.0.served_by"), "default/app-b");
	assert_string_equal(ev_str(&o, id, "violations.items.0.time"), "2025-11-27T10:35:00.002Z");
	assert_string_equal(ev_str(&o, id, "violations.items.0.path"), "/echo");
	assert_string_equal(ev_str(&o, id, "violations.items.0.copies.0.conn"), "b1001");
	assert_string_equal(ev_str(&o, id, "violations.items.0.copies.0.peer"), "198.18.1.250:51001");
	assert_string_equal(ev_str(&o, id, "violations.items.0.copies.0.request_id"), "");
	assert_string_equal(ev_str(&o, id, "violations.items.0.copies.0.how"), "followed");
	assert_int_equal(ev_int(&o, id, "request_ids.removed"), 3);
	assert_int_equal(ev_int(&o, id, "request_ids.followed"), 3);
	assert_int_equal(ev_int(&o, id, "request_ids.not_followed"), 0);
	expect_counts(&o, 1, "exchanges 24: joined 3 followed 3 probe 0 relay 6 mesh 12 scrape 0 background 0 "
		      "unexplained 0; ids removed 3 rewritten 0");
	release(&o, &s);
}

/*
 * strip-id where nothing ties the forwarded request to its source (the
 * mesh's connection to the backend left no record): what reached the
 * destination is unexplained, matches the denied entry's method and path
 * during its traffic, and fails it, named by pod, time, path, connection
 * and peer.
 */
static void test_strip_id_unexplained(void **state)
{
	struct obs_set s;
	struct outcome o;
	const char *id = "strip/deny/t1/access";

	(void)state;
	start(&s);
	for (uint64_t i = 1; i <= 3; i++) {
		struct req q = base(1, i, "198.18.1.2", "app-b", i * 2000);

		q.client_status = 403;
		q.ids = ID_STRIP;
		q.hide_last_hop = true;
		request(&s, &q);
	}
	finish(&s);
	verify(&s, "strip2.yaml", "version: 1\nname: strip\nsmispec: traffic-access\nsteps:\n"
	       "  - name: deny\n    converge: false\n"
	       "    traffic: [{from: app-a, to: app-b, path: /echo, count: 3, expect: {access: deny}}]\n", &o);
	expect(&o, id, VERDICT_FAIL, "3 requests without a request id of this run reached the destination while "
	       "this entry's traffic ran (first: default/app-b server GET /echo at 2025-11-27T10:35:00.002Z, conn "
	       "b1001, peer 198.18.1.250:51001); the mesh removed X-Request-Id from 3 requests; followed through "
	       "the proxy: 0 of 3");
	assert_int_equal(ev_int(&o, id, "unexplained_hits.total"), 3);
	assert_string_equal(ev_str(&o, id, "unexplained_hits.items.0.pod"), "default/app-b");
	assert_string_equal(ev_str(&o, id, "unexplained_hits.items.0.path"), "/echo");
	assert_string_equal(ev_str(&o, id, "unexplained_hits.items.0.conn"), "b1001");
	assert_string_equal(ev_str(&o, id, "unexplained_hits.items.0.peer"), "198.18.1.250:51001");
	assert_string_equal(ev_str(&o, id, "unexplained_hits.items.2.time"), "2025-11-27T10:35:00.006Z");
	expect_counts(&o, 1, "exchanges 21: joined 3 followed 0 probe 0 relay 6 mesh 9 scrape 0 background 0 "
		      "unexplained 3; ids removed 0 rewritten 0");
	release(&o, &s);
}

/*
 * regenerate-id: the service-side proxy sets a fresh id on every request.
 * Allowed requests are followed to app-b and pass, several in flight at
 * once too (followed to their entry, given out in order); denied ones
 * that the mesh forwards fail.
 */
static void test_regenerated_ids(void **state)
{
	struct obs_set s;
	struct outcome o;

	(void)state;
	start(&s);
	for (uint64_t i = 1; i <= 3; i++) {
		struct req q = base(1, i, "198.18.1.2", "app-b", i * 2000);

		q.ids = ID_REWRITE;
		request(&s, &q);
	}
	for (uint64_t i = 1; i <= 4; i++) {	/* 4 at once: every one in flight while the others are */
		struct req q = base(2, i, "198.18.1.2", "app-b", 20000 + i * 100);

		q.ids = ID_REWRITE;
		request(&s, &q);
	}
	for (uint64_t i = 1; i <= 3; i++) {
		struct req q = base(3, i, "198.18.1.2", "app-b", 40000 + i * 2000);

		q.ids = ID_REWRITE;
		q.client_status = 403;
		request(&s, &q);
	}
	finish(&s);
	verify(&s, "regen.yaml", "version: 1\nname: regen\nsmispec: traffic-access\n"
	       "defaults: {from: app-a, to: app-b, path: /echo, converge: false}\nsteps:\n"
	       "  - name: allow\n    traffic: [{count: 3, expect: {access: allow}}]\n"
	       "  - name: allow-at-once\n    traffic: [{count: 4, expect: {access: allow}}]\n"
	       "  - name: deny\n    traffic: [{count: 3, expect: {access: deny}}]\n", &o);
	expect(&o, "regen/allow/t1/access", VERDICT_PASS, "3/3 reached app-b and succeeded; the mesh rewrote "
	       "X-Request-Id in 3 requests; followed through the proxy: 3 of 3");
	expect(&o, "regen/allow-at-once/t1/access", VERDICT_PASS, "4/4 reached app-b and succeeded; the mesh "
	       "rewrote X-Request-Id in 4 requests; followed through the proxy: 4 of 4");
	expect(&o, "regen/deny/t1/access", VERDICT_FAIL, "3 of 3 denied requests reached a workload (first: "
	       "rT.3.1-1 at default/app-b /echo 2025-11-27T10:35:00.042Z, followed: conn b3001, peer "
	       "198.18.1.250:53001); client saw 403 ×3; the mesh rewrote X-Request-Id in 3 requests; followed "
	       "through the proxy: 3 of 3");
	assert_string_equal(ev_str(&o, "regen/deny/t1/access", "violations.items.0.copies.0.request_id"),
			    "3f1c0a2e-3001-4b7d-9e21-uuid");
	expect_counts(&o, 1, "exchanges 24: joined 3 followed 3 probe 0 relay 6 mesh 12 scrape 0 background 0 "
		      "unexplained 0; ids removed 0 rewritten 3");
	expect_counts(&o, 2, "exchanges 32: joined 4 followed 4 probe 0 relay 8 mesh 16 scrape 0 background 0 "
		      "unexplained 0; ids removed 0 rewritten 4");
	release(&o, &s);
}

/*
 * regenerate-id, probes: the runner sends one probe per entry at once, and
 * the mesh, rewriting ids, has them in hand together. What comes out of it
 * is a probe whichever entry's it was: accounted as a probe, not as
 * unexplained. What leaves the mesh while it holds a probe and a measured
 * request of another entry stays unexplained: it may be either's.
 */
static void test_probes_at_once(void **state)
{
	struct obs_set s;
	struct outcome o;

	(void)state;
	start(&s);
	for (unsigned k = 1; k <= 2; k++) {	/* step 1: both entries' probes of round 1 together */
		struct req q = base(1, 1, "198.18.1.2", "app-b", 1000 + k * 50);

		q.traffic = k;
		q.probe_round = 1;
		q.n_offset = k * 100;
		q.ids = ID_REWRITE;
		request(&s, &q);
	}
	for (unsigned k = 1; k <= 2; k++) {	/* then each entry's measured request, one after the other */
		struct req q = base(1, 1, "198.18.1.2", "app-b", 10000 + k * 5000);

		q.traffic = k;
		q.n_offset = k * 100 + 50;
		q.ids = ID_REWRITE;
		request(&s, &q);
	}
	for (unsigned k = 1; k <= 2; k++) {	/* step 2: t1's probe in hand with t2's measured request */
		struct req q = base(2, 1, "198.18.1.2", "app-b", 40000 + k * 50);

		q.traffic = k;
		q.probe_round = k == 1 ? 1 : 0;
		q.n_offset = k * 100;
		q.ids = ID_REWRITE;
		request(&s, &q);
	}
	finish(&s);
	verify(&s, "probes.yaml", "version: 1\nname: probes\nsmispec: traffic-access\n"
	       "defaults: {from: app-a, to: app-b, path: /echo, converge: false}\nsteps:\n"
	       "  - name: both\n    traffic: [{name: t1, count: 1, expect: {access: allow}},"
	       " {name: t2, count: 1, expect: {access: allow}}]\n"
	       "  - name: mixed\n    traffic: [{name: t1, count: 1, expect: {access: allow}},"
	       " {name: t2, count: 1, expect: {access: allow}}]\n", &o);
	expect_counts(&o, 1, "exchanges 32: joined 2 followed 2 probe 16 relay 4 mesh 8 scrape 0 background 0 "
		      "unexplained 0; ids removed 0 rewritten 2");
	/* The probe came in first: its legs left before t2's request arrived. t2's legs may be either's. */
	expect_counts(&o, 2, "exchanges 16: joined 1 followed 0 probe 8 relay 2 mesh 1 scrape 0 background 0 "
		      "unexplained 4; ids removed 0 rewritten 0");
	release(&o, &s);
}

/*
 * mirror-to-zero-weight: once the chosen backend answered, the mesh sends a
 * copy of the request, same id, to the weight-0 backend. Every copy counts;
 * the split is judged on the backend that answered.
 */
static void test_mirror(void **state)
{
	struct obs_set s;
	struct outcome o;

	(void)state;
	start(&s);
	for (uint64_t i = 1; i <= 50; i++) {
		struct req q = base(1, i, "198.18.1.1", "app-b", i * 2000);

		q.mirror_to = "app-c";
		request(&s, &q);
	}
	for (uint64_t i = 1; i <= 1000; i++) {
		struct req q = base(2, i, "198.18.1.5", i % 2 ? "app-b" : "app-c", 200000 + i * 2000);

		q.mirror_to = i == 7 || i == 8 ? "app-d" : NULL;
		request(&s, &q);
	}
	finish(&s);
	verify(&s, "mirror.yaml", "version: 1\nname: mirror\nsmispec: traffic-split\n"
	       "defaults: {from: app-a, path: /echo, converge: false}\nsteps:\n"
	       "  - name: b-only\n    traffic: [{to: app-svc, count: 50, expect: {split: {app-b: 1, app-c: 0}}}]\n"
	       "  - name: two-of-three\n"
	       "    traffic: [{to: app-svc3, count: 1000, expect: {split: {app-b: 1, app-c: 1, app-d: 0}}}]\n", &o);
	expect(&o, "mirror/b-only/t1/split", VERDICT_FAIL, "app-c (weight 0) served 50 of 50 delivered requests "
	       "(first: rT.1.1-1) (50 of them as copies beside the backend that answered; first copy: rT.1.1-1 at "
	       "default/app-c 2025-11-27T10:35:00.002Z); the split sends everything to app-b");
	assert_string_equal(ev_str(&o, "mirror/b-only/t1/split", "zero_weight_violations.items.0.copies.0.pod"),
			    "default/app-b");
	assert_true(json_is_true(ev(&o, "mirror/b-only/t1/split", "zero_weight_violations.items.0.copies.0.answered")));
	assert_string_equal(ev_str(&o, "mirror/b-only/t1/split", "zero_weight_violations.items.0.copies.1.pod"),
			    "default/app-c");
	assert_true(json_is_false(ev(&o, "mirror/b-only/t1/split",
				     "zero_weight_violations.items.0.copies.1.answered")));
	assert_int_equal(ev_int(&o, "mirror/b-only/t1/split", "copies.total"), 50);
	expect(&o, "mirror/two-of-three/t1/zero-weight", VERDICT_FAIL, "app-d (weight 0) served 2 of 1000 "
	       "delivered requests (first: rT.2.1-7) (2 of them as copies beside the backend that answered; first "
	       "copy: rT.2.1-7 at default/app-d 2025-11-27T10:35:00.214Z)");
	assert_string_equal(ev_str(&o, "mirror/two-of-three/t1/zero-weight", "violations.items.1.request_id"),
			    "rT.2.1-8");
	assert_string_equal(ev_str(&o, "mirror/two-of-three/t1/zero-weight", "violations.items.1.copies.1.time"),
			    "2025-11-27T10:35:00.216Z");
	/* the split itself: the answering backends, 500 / 500 */
	expect(&o, "mirror/two-of-three/t1/split", VERDICT_PASS, "50.0% / 50.0% vs expected 50.0% / 50.0% "
	       "(app-b / app-c): p = 1, power 0.9989 over 1000 requests (effective n 1000)");
	release(&o, &s);
}

/*
 * Retries: every second request meant for app-c is first answered 503 by
 * it, then retried on app-b, which answers the client. Both copies are
 * listed; the split counts the one that answered (here 750 / 250 against
 * 50 / 50: a FAIL it would not have been on first attempts).
 */
static void test_retries(void **state)
{
	struct obs_set s;
	struct outcome o;
	const char *id = "retry/even/t1/split";

	(void)state;
	start(&s);
	for (uint64_t i = 1; i <= 1000; i++) {
		struct req q = base(1, i, "198.18.1.1", i % 2 ? "app-b" : "app-c", i * 2000);

		if (i % 4 == 0) {
			q.retry_first = "app-c";
			q.backend = "app-b";
		}
		request(&s, &q);
	}
	finish(&s);
	verify(&s, "retry.yaml", "version: 1\nname: retry\nsmispec: traffic-split\nsteps:\n"
	       "  - name: even\n    converge: false\n"
	       "    traffic: [{from: app-a, to: app-svc, path: /echo, count: 1000, expect: {split: {app-b: 1, app-c: 1}}}]\n",
	       &o);
	expect(&o, id, VERDICT_FAIL, "75.0% / 25.0% vs expected 50.0% / 50.0% (app-b / app-c): p = 1.3e-58 < alpha "
	       "= 0.001 over 1000 requests");
	assert_int_equal(ev_int(&o, id, "copies.total"), 250);
	assert_string_equal(ev_str(&o, id, "copies.items.0.request_id"), "rT.1.1-4");
	assert_string_equal(ev_str(&o, id, "copies.items.0.copies.0.pod"), "default/app-c");
	assert_int_equal(ev_int(&o, id, "copies.items.0.copies.0.status"), 503);
	assert_true(json_is_false(ev(&o, id, "copies.items.0.copies.0.answered")));
	assert_string_equal(ev_str(&o, id, "copies.items.0.copies.1.pod"), "default/app-b");
	assert_true(json_is_true(ev(&o, id, "copies.items.0.copies.1.answered")));
	assert_int_equal(ev_int(&o, id, "backends.0.observed"), 750);
	assert_int_equal(ev_int(&o, id, "backends.1.observed"), 250);
	release(&o, &s);
}

/*
 * Per-connection balancing: 1000 requests at 75/25 over four keep-alive
 * connections, each connection pinned to one backend. The shares are right
 * (750 / 250); the requests are four independent choices.
 */
static void test_per_connection(void **state)
{
	struct obs_set s;
	struct outcome o;
	const char *id = "pc/keep/t1/split";

	(void)state;
	start(&s);
	for (uint64_t i = 0; i < 1000; i++) {
		struct req q = base(1, i + 1, "198.18.1.1", i % 4 == 3 ? "app-c" : "app-b", 1000 + i * 2000);

		q.conn = (int)(i % 4);
		q.conn_seq = i / 4;
		request(&s, &q);
	}
	finish(&s);
	verify(&s, "pc.yaml", "version: 1\nname: pc\nsmispec: traffic-split\nsteps:\n"
	       "  - name: keep\n    converge: false\n"
	       "    traffic: [{from: app-a, to: app-svc, path: /echo, count: 1000, expect: {split: {app-b: 75, app-c: 25}}}]\n",
	       &o);
	expect(&o, id, VERDICT_FAIL, "the backend depends on the client's connection: chi-square 1000 on 3 df over "
	       "4 connections, p = 1.8e-216 < alpha = 0.001 (1000 requests are worth 4 independent choices)");
	assert_int_equal(ev_int(&o, id, "n"), 1000);
	assert_int_equal(ev_int(&o, id, "n_effective"), 4);
	assert_int_equal(ev_int(&o, id, "dependence.connections"), 4);
	release(&o, &s);
}

/*
 * Moderate dependence on the connection, not proven at alpha: 1000
 * requests over 20 connections of 50, backend shares from 31 to 46 of 50
 * (chi-square 41.7 on 19 df, p = 0.002); the intraclass correlation 0.0242
 * makes them worth 457 independent choices, too few for 75/25 (exact
 * binomial power 0.923 at 457; all the numbers computed apart, by the
 * formulas of docs/verdicts.md).
 */
static void test_effective_n(void **state)
{
	static const int b_of[20] = { 32, 34, 36, 38, 40, 42, 44, 46, 33, 35, 37, 39, 41, 43, 45, 31, 33, 35, 37, 39 };
	struct obs_set s;
	struct outcome o;
	const char *id = "eff/keep/t1/split";

	(void)state;
	start(&s);
	for (uint64_t i = 0; i < 1000; i++) {
		unsigned conn = (unsigned)(i % 20), k = (unsigned)(i / 20), c = 50 - (unsigned)b_of[conn];
		/* app-c spread evenly over the connection's 50 requests */
		bool to_c = (k + 1) * c / 50 > k * c / 50;
		struct req q = base(1, i + 1, "198.18.1.1", to_c ? "app-c" : "app-b", 1000 + i * 2000);

		q.conn = (int)conn;
		q.conn_seq = k;
		request(&s, &q);
	}
	finish(&s);
	verify(&s, "eff.yaml", "version: 1\nname: eff\nsmispec: traffic-split\nsteps:\n"
	       "  - name: keep\n    converge: false\n"
	       "    traffic: [{from: app-a, to: app-svc, path: /echo, count: 1000, expect: {split: {app-b: 75, app-c: 25}}}]\n",
	       &o);
	expect(&o, id, VERDICT_INCONCLUSIVE, "1000 requests over 20 client connections are worth 457 independent "
	       "choices (design effect 2.19): power 0.923 (< 0.99) to detect a 10-point deviation; 663 independent "
	       "choices needed");
	assert_int_equal(ev_int(&o, id, "n_effective"), 457);
	assert_int_equal(ev_int(&o, id, "dependence.by_connection.rows"), 20);
	release(&o, &s);
}

/*
 * Sticky runs: every request on its own connection, the shares exact at
 * 75/25, but the backend chosen in blocks of ten: the choice depends on the
 * one before.
 */
static void test_sticky_runs(void **state)
{
	struct obs_set s;
	struct outcome o;
	const char *id = "sticky/blocks/t1/split";

	(void)state;
	start(&s);
	for (uint64_t i = 0; i < 1000; i++)
		request(&s, &(struct req){ .step = 1, .traffic = 1, .seq = i + 1, .to_ip = "198.18.1.1",
					   .backend = i / 10 % 4 == 3 ? "app-c" : "app-b", .client_status = 200,
					   .backend_status = 200, .conn = -1, .at_us = 1000 + i * 2000, .method = "GET",
					   .path = "/echo" });
	finish(&s);
	verify(&s, "sticky.yaml", "version: 1\nname: sticky\nsmispec: traffic-split\nsteps:\n"
	       "  - name: blocks\n    converge: false\n"
	       "    traffic: [{from: app-a, to: app-svc, path: /echo, count: 1000, expect: {split: {app-b: 75, app-c: 25}}}]\n",
	       &o);
	expect(&o, id, VERDICT_FAIL, "the backend depends on the request before: 50 runs of the same backend where "
	       "376.0 were expected, p = 8e-165 < alpha = 0.001 over 1000 requests");
	assert_int_equal(ev_int(&o, id, "dependence.connections"), 1000);
	release(&o, &s);
}

/*
 * Background: a health check at app-b during a denied entry's traffic. Not
 * declared, it could be a denied request that lost its id (other path):
 * INCONCLUSIVE. Declared, it is counted and never judged; declared
 * background never fails an entry, even where it looks like its request.
 */
static void test_background(void **state)
{
	static const char *const yaml[] = {
		"version: 1\nname: bg\nsmispec: traffic-access\nsteps:\n"
		"  - name: deny\n    converge: false\n"
		"    traffic: [{from: app-a, to: app-b, path: /echo, count: 3, expect: {access: deny}}]\n",
		"version: 1\nname: bg\nsmispec: traffic-access\n"
		"background: [{pods: app-b, method: GET, path: /healthz, role: server}]\nsteps:\n"
		"  - name: deny\n    converge: false\n"
		"    traffic: [{from: app-a, to: app-b, path: /echo, count: 3, expect: {access: deny}}]\n",
		"version: 1\nname: bg\nsmispec: traffic-access\nsteps:\n"
		"  - name: deny\n    converge: false\n"
		"    background: [{pods: {}, method: GET}]\n"
		"    traffic: [{from: app-a, to: app-b, path: /echo, count: 3, expect: {access: deny}}]\n",
	};
	static const char *const want[] = {
		"1 exchange during the step could not be tied to a request and may be this entry's (first: "
		"default/app-b server GET /healthz at 2025-11-27T10:35:00.003Z, conn h1, peer 198.18.0.1:5555)",
		"3/3 denied before reaching app-b; client saw 403 ×3",
	};
	(void)state;
	for (int v = 0; v < 4; v++) {
		struct obs_set s;
		struct outcome o;

		start(&s);
		for (uint64_t i = 1; i <= 3; i++) {
			struct req q = base(1, i, "198.18.1.2", NULL, i * 2000);

			q.client_status = 403;
			request(&s, &q);
		}
		/* the kubelet's probe (or, v == 3, a GET /echo no request explains) */
		put(&s, &(struct row){ "h1", 0, true, "app-b", "sample-app", 698, "198.18.0.12:9091", "198.18.0.1:5555",
				       "GET", v == 3 ? "/echo" : "/healthz", "", 200, 3000, 3100 });
		finish(&s);
		if (v == 2) {
			/* an empty label mapping is refused at load time */
			char path[160];
			struct scenario sc;

			assert_int_equal(utest_write(dir, "bg3.yaml", yaml[2], strlen(yaml[2])), 0);
			snprintf(path, sizeof(path), "%s/bg3.yaml", dir);
			assert_int_equal(scenario_load(&sc, path), -EINVAL);
			scenario_free(&sc);
			obs_free(&s);
			continue;
		}
		if (v == 3) {
			verify(&s, "bg4.yaml", "version: 1\nname: bg\nsmispec: traffic-access\n"
			       "background: [{pods: '*', method: GET, path: /echo}]\nsteps:\n"
			       "  - name: deny\n    converge: false\n"
			       "    traffic: [{from: app-a, to: app-b, path: /echo, count: 3, expect: {access: deny}}]\n", &o);
			expect(&o, "bg/deny/t1/access", VERDICT_PASS, want[1]);
			expect_counts(&o, 1, "exchanges 13: joined 3 followed 0 probe 0 relay 6 mesh 3 scrape 0 "
				      "background 1 unexplained 0; ids removed 0 rewritten 0");
			release(&o, &s);
			continue;
		}
		verify(&s, v ? "bg2.yaml" : "bg1.yaml", yaml[v], &o);
		expect(&o, "bg/deny/t1/access", v ? VERDICT_PASS : VERDICT_INCONCLUSIVE, want[v]);
		if (!v)
			assert_string_equal(ev_str(&o, "bg/deny/t1/access", "unexplained.items.0.conn"), "h1");
		expect_counts(&o, 1, v ? "exchanges 13: joined 3 followed 0 probe 0 relay 6 mesh 3 scrape 0 background 1 "
					 "unexplained 0; ids removed 0 rewritten 0"
				       : "exchanges 13: joined 3 followed 0 probe 0 relay 6 mesh 3 scrape 0 background 0 "
					 "unexplained 1; ids removed 0 rewritten 0");
		release(&o, &s);
	}
}

/*
 * An exchange whose pod is unknown (its connection's opening was lost)
 * during an allowed entry's traffic could be one of its requests served
 * elsewhere: INCONCLUSIVE. The runner's scrape of the mesh's metrics is
 * its own traffic (class scrape), judged by nothing.
 */
static void test_unknown_and_scrape(void **state)
{
	struct obs_set s;
	struct outcome o;

	(void)state;
	start(&s);
	for (uint64_t i = 1; i <= 3; i++)
		request(&s, &(struct req){ .step = 1, .traffic = 1, .seq = i, .to_ip = "198.18.1.2", .backend = "app-b",
					   .client_status = 200, .backend_status = 200, .conn = -1, .at_us = i * 2000,
					   .method = "GET", .path = "/echo" });
	put(&s, &(struct row){ "u1", 0, true, "", "", 0, "", "", "GET", "/echo", "", 200, 4500, 4600 });
	put(&s, &(struct row){ "m1", 0, true, "mesh", "haproxy", 500, "198.18.1.250:8405", "198.18.1.250:41000",
			       "GET", "/metrics", "", 200, 2500, 2600 });
	finish(&s);
	verify(&s, "unknown.yaml", "version: 1\nname: unknown\nsmispec: traffic-access\nsteps:\n"
	       "  - name: allow\n    converge: false\n"
	       "    traffic: [{from: app-a, to: app-b, path: /echo, count: 3, expect: {access: allow}}]\n", &o);
	expect(&o, "unknown/allow/t1/access", VERDICT_INCONCLUSIVE, "1 exchange during the step could not be tied "
	       "to a request and may be this entry's (first: (unknown pod) server GET /echo at "
	       "2025-11-27T10:35:00.004Z, conn u1, peer )");
	expect_counts(&o, 1, "exchanges 26: joined 6 followed 0 probe 0 relay 6 mesh 12 scrape 1 background 0 "
		      "unexplained 1; ids removed 0 rewritten 0");
	release(&o, &s);
}

/*
 * An exchange nothing explains at the destination of an allowed entry
 * cannot change its PASS (every request was served there; a copy there is
 * allowed): counted, listed, not judged. The same exchange at a pod outside
 * the destination could be a request served where it must not be:
 * INCONCLUSIVE.
 */
static void test_unexplained_where_allowed(void **state)
{
	static const char *const pods[] = { "app-b", "app-c" };

	(void)state;
	for (int v = 0; v < 2; v++) {
		struct obs_set s;
		struct outcome o;

		start(&s);
		for (uint64_t i = 1; i <= 3; i++)
			request(&s, &(struct req){ .step = 1, .traffic = 1, .seq = i, .to_ip = "198.18.1.2",
						   .backend = "app-b", .client_status = 200, .backend_status = 200,
						   .conn = -1, .at_us = i * 2000, .method = "GET", .path = "/echo" });
		put(&s, &(struct row){ "u1", 0, true, pods[v], "sample-app", 300 + v, "198.18.1.9:9091",
				       "198.18.1.250:41000", "GET", "/echo", "", 200, 4500, 4600 });
		finish(&s);
		verify(&s, "where.yaml", "version: 1\nname: where\nsmispec: traffic-access\nsteps:\n"
		       "  - name: allow\n    converge: false\n"
		       "    traffic: [{from: app-a, to: app-b, path: /echo, count: 3, expect: {access: allow}}]\n", &o);
		if (!v)
			expect(&o, "where/allow/t1/access", VERDICT_PASS, "3/3 reached app-b and succeeded");
		else
			expect(&o, "where/allow/t1/access", VERDICT_INCONCLUSIVE, "1 exchange during the step could not "
			       "be tied to a request and may be this entry's (first: default/app-c server GET /echo at "
			       "2025-11-27T10:35:00.004Z, conn u1, peer 198.18.1.250:41000)");
		expect_counts(&o, 1, "exchanges 25: joined 6 followed 0 probe 0 relay 6 mesh 12 scrape 0 background 0 "
			      "unexplained 1; ids removed 0 rewritten 0");
		release(&o, &s);
	}
}

/* The same records give the same report, byte for byte. */
static void test_deterministic(void **state)
{
	char *text[2];

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct obs_set s;
		struct outcome o;

		start(&s);
		for (uint64_t i = 1; i <= 6; i++) {
			struct req q = base(1, i, "198.18.1.2", "app-b", 1000 + i * 300);

			q.ids = i % 2 ? ID_STRIP : ID_REWRITE;
			q.client_status = 403;
			request(&s, &q);
		}
		finish(&s);
		verify(&s, "det.yaml", "version: 1\nname: det\nsmispec: traffic-access\nsteps:\n"
		       "  - name: deny\n    converge: false\n"
		       "    traffic: [{from: app-a, to: app-b, path: /echo, count: 6, expect: {access: deny}}]\n", &o);
		text[k] = json_dumps(o.doc, JSON_SORT_KEYS | JSON_INDENT(1));
		assert_non_null(text[k]);
		expect(&o, "det/deny/t1/access", VERDICT_FAIL, NULL);
		release(&o, &s);
	}
	assert_string_equal(text[0], text[1]);
	free(text[0]);
	free(text[1]);
}

static int setup(void **state)
{
	char path[160];

	(void)state;
	if (utest_tmpdir(dir, sizeof(dir), "sound"))
		return -1;
	if (utest_write(dir, "inventory.json", inventory_json, strlen(inventory_json)))
		return -1;
	snprintf(path, sizeof(path), "%s/inventory.json", dir);
	return inventory_load(path, &inv);
}

static int teardown(void **state)
{
	(void)state;
	inventory_free(inv);
	return utest_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_honest),
		cmocka_unit_test(test_strip_id_followed),
		cmocka_unit_test(test_strip_id_unexplained),
		cmocka_unit_test(test_regenerated_ids),
		cmocka_unit_test(test_probes_at_once),
		cmocka_unit_test(test_mirror),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_per_connection),
		cmocka_unit_test(test_effective_n),
		cmocka_unit_test(test_sticky_runs),
		cmocka_unit_test(test_background),
		cmocka_unit_test(test_unknown_and_scrape),
		cmocka_unit_test(test_unexplained_where_allowed),
		cmocka_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
