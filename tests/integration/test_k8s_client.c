/*
 * test_k8s_client - the Kubernetes API client against a local HTTPS server
 * (a throw-away CA, loopback of a private network namespace) playing
 * recorded API answers: paged list, watch events and bookmarks, a stream cut
 * short, 410 Gone in both forms, 401/403, client certificates, a wrong CA,
 * and SMI discovery.
 */
#include <errno.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fakeapi.h"
#include "itest.h"
#include "k8s/client.h"
#include "k8s/config.h"
#include "k8s/informer.h"
#include "k8s/smi.h"
#include "agent/fetch.h"
#include "k8s/nodewatch.h"
#include "util/kernfs.h"
#include "util/netns.h"

#define FIX "tests/fixtures/k8s/"
/* {"alg":"none"}.{"sub":"system:serviceaccount:smi-witness:smi-witness-agent"}.sig */
#define SA_TOKEN "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c21pLXdpdG5lc3M6c21pLXdpdG5lc3MtYWdlbnQifQ.c2ln"

static struct fake_certs certs;
static char sa_dir[300];

static char *slurp(const char *path)
{
	char *s = k8s_read_small_file(path);

	if (!s) {
		printf("cannot read fixture %s\n", path);
		exit(1);
	}
	return s;
}

static void write_file(const char *dir, const char *name, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(content, f) < 0)
		exit(1);
	fclose(f);
}

/* Sets up the service-account directory a pod would have, pointing at `port`. */
static int in_cluster(struct k8s_config *cfg, int port)
{
	char portstr[16], err[256];
	int r;

	snprintf(portstr, sizeof(portstr), "%d", port);
	setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", portstr, 1);
	r = k8s_config_in_cluster(cfg, sa_dir, err, sizeof(err));
	if (r)
		printf("in-cluster config: %s\n", err);
	return r;
}

/* Records every cache change as "TYPE ns/name" in a log. */
struct change_log {
	char lines[32][160];
	unsigned n;
};

static int log_change(void *arg, enum k8s_event_type type, json_t *obj)
{
	static const char *const names[] = { "ADDED", "MODIFIED", "DELETED" };
	struct change_log *l = arg;
	char key[128];

	k8s_object_key(obj, key, sizeof(key));
	if (l->n < 32)
		snprintf(l->lines[l->n++], sizeof(l->lines[0]), "%s %s", names[type], key);
	return 0;
}

/* Splits the watch fixture at awkward places: inside an object and inside a string. */
static const char **chunks_of(const char *text, const size_t *cuts, size_t ncuts)
{
	const char **out = calloc(ncuts + 2, sizeof(*out));
	size_t from = 0, i;

	for (i = 0; i < ncuts; i++) {
		out[i] = strndup(text + from, cuts[i] - from);
		from = cuts[i];
	}
	out[i] = strdup(text + from);
	return out;
}

static void test_list_watch(void)
{
	char *page1 = slurp(FIX "pods-page1.json"), *page2 = slurp(FIX "pods-page2.json");
	char *relist = slurp(FIX "pods-relist.json"), *events = slurp(FIX "watch-events.jsonl");
	char *drop = slurp(FIX "watch-drop.jsonl"), *expired = slurp(FIX "watch-expired.jsonl");
	char *gone = slurp(FIX "status-410.json");
	size_t cuts[] = { 100, strlen(events) / 2, strlen(events) - 40 };
	const char **ev_chunks = chunks_of(events, cuts, 3);
	const char *drop_chunks[] = { drop, NULL }, *expired_chunks[] = { expired, NULL };
	const char *empty_chunks[] = { NULL };
	struct fake_route routes[] = {
		{ .match = "continue=c1", .status = 200, .body = page2, .uses = 1 },
		{ .match = "/api/v1/pods?limit=500&fieldSelector=spec.nodeName%3Dnode-1", .status = 200,
		  .body = page1, .uses = 1 },
		{ .match = "/api/v1/pods?limit=500", .status = 200, .body = relist, .uses = 2 },
		{ .match = "watch=1", .status = 200, .chunks = ev_chunks, .uses = 1 },
		{ .match = "watch=1", .status = 200, .chunks = drop_chunks, .drop = true, .uses = 1 },
		{ .match = "watch=1", .status = 200, .chunks = expired_chunks, .uses = 1 },
		{ .match = "watch=1", .status = 410, .body = gone, .uses = 1 },
		{ .match = "watch=1", .status = 200, .chunks = empty_chunks },
	};
	static const char *const want_changes[] = {
		"ADDED default/app-a-7d9f8c6b5-x2kqp", "ADDED default/app-b-5c7d8e9f0-abcde",
		"ADDED default/app-c-6d8e9f0a1-fghij",
		"ADDED default/app-d-0000000000-zzzzz", "MODIFIED default/app-a-7d9f8c6b5-x2kqp",
		"DELETED default/app-b-5c7d8e9f0-abcde",
		"MODIFIED default/app-c-6d8e9f0a1-fghij",
		/* relist after the ERROR 410 event: app-d is gone, app-a changed again */
		"DELETED default/app-d-0000000000-zzzzz", "MODIFIED default/app-a-7d9f8c6b5-x2kqp",
	};
	struct change_log log = { 0 };
	struct k8s_informer inf;
	struct k8s_client cl;
	struct k8s_config cfg;
	struct fake_api api;
	int r, i1, i2, i3, i4, i5;

	if (fakeapi_start(&api, &certs, routes, sizeof(routes) / sizeof(routes[0])) ||
	    in_cluster(&cfg, api.port) || k8s_client_init(&cl, &cfg)) {
		itest_check(false, "list/watch: server and client start");
		return;
	}
	itest_check(!strcmp(cfg.identity, "system:serviceaccount:smi-witness:smi-witness-agent"),
		    "identity from the token's sub claim (%s)", cfg.identity);
	itest_check(cfg.namespace && !strcmp(cfg.namespace, "smi-witness"), "namespace from the pod");
	k8s_informer_init(&inf, &cl, "/api/v1/pods", "pods");
	inf.field_selector = "spec.nodeName=node-1";
	inf.page_limit = 500;
	inf.on_change = log_change;
	inf.arg = &log;
	r = k8s_informer_run(&inf, 5);
	itest_check(r == 0, "informer ran 5 watches (r=%d: %s)", r, cl.err);
	itest_check(api.nreq == 9, "9 requests: 2 list pages, 5 watches, 2 relists (%u)", api.nreq);
	itest_check(!strcmp(api.auth[0], "Bearer " SA_TOKEN), "bearer token sent (%.20s...)", api.auth[0]);
	itest_check(fakeapi_find(&api, 0, "continue=c1") == 1, "second page asked with continue=c1");
	i1 = fakeapi_find(&api, 0, "watch=1&allowWatchBookmarks=true&resourceVersion=1000&timeoutSeconds=300");
	i2 = fakeapi_find(&api, 0, "watch=1&allowWatchBookmarks=true&resourceVersion=1005&");
	i3 = fakeapi_find(&api, 0, "watch=1&allowWatchBookmarks=true&resourceVersion=1006&");
	i4 = fakeapi_find(&api, 0, "watch=1&allowWatchBookmarks=true&resourceVersion=1300&");
	i5 = i4 >= 0 ? fakeapi_find(&api, (unsigned)i4 + 1, "resourceVersion=1300&") : -1;
	itest_check(i1 == 2, "first watch from the list's resourceVersion 1000 (request %d)", i1);
	itest_check(i2 == 3, "after a clean end: resumes from the bookmark's 1005 (request %d)", i2);
	itest_check(i3 == 4, "after the dropped stream: resumes from the last event's 1006 (request %d)", i3);
	itest_check(i4 == 6, "after the ERROR 410 event: relist, then watch from 1300 (request %d)", i4);
	itest_check(i5 == 8, "after HTTP 410: relist again, then watch from 1300 (request %d)", i5);
	itest_check(fakeapi_find(&api, 0, "fieldSelector=spec.nodeName%3Dnode-1") == 0,
		    "field selector is escaped in the query");
	itest_check(inf.lists == 3 && inf.relists_gone == 2 && inf.reconnects == 1 && inf.bookmarks == 1,
		    "counters: lists 3, relists on 410 2, reconnects 1, bookmarks 1 (%lu %lu %lu %lu)",
		    (unsigned long)inf.lists, (unsigned long)inf.relists_gone,
		    (unsigned long)inf.reconnects, (unsigned long)inf.bookmarks);
	itest_check(log.n == sizeof(want_changes) / sizeof(want_changes[0]), "%u cache changes reported", log.n);
	for (unsigned i = 0; i < log.n && i < sizeof(want_changes) / sizeof(want_changes[0]); i++)
		itest_check(!strcmp(log.lines[i], want_changes[i]), "change %u: %s", i, log.lines[i]);
	itest_check(json_object_size(inf.cache) == 2 &&
		    json_object_get(inf.cache, "default/app-a-7d9f8c6b5-x2kqp") &&
		    json_object_get(inf.cache, "default/app-c-6d8e9f0a1-fghij"),
		    "final cache: app-a and app-c");
	itest_check(!strcmp(inf.rv, "1300"), "resourceVersion 1300 at the end (%s)", inf.rv);
	k8s_informer_free(&inf);
	k8s_client_free(&cl);
	k8s_config_free(&cfg);
	fakeapi_stop(&api);
	for (const char **c = ev_chunks; *c; c++)
		free((void *)*c);
	free(ev_chunks);
	free(page1), free(page2), free(relist), free(events), free(drop), free(expired), free(gone);
}

static void test_denied(int status, const char *fixture, const char *want)
{
	char *body = slurp(fixture);
	struct fake_route routes[] = { { .match = "/api/v1/pods", .status = status, .body = body } };
	struct k8s_informer inf;
	struct k8s_client cl;
	struct k8s_config cfg;
	struct fake_api api;
	int r;

	if (fakeapi_start(&api, &certs, routes, 1) || in_cluster(&cfg, api.port) ||
	    k8s_client_init(&cl, &cfg)) {
		itest_check(false, "%d: server and client start", status);
		return;
	}
	k8s_informer_init(&inf, &cl, "/api/v1/pods", "pods");
	r = k8s_informer_run(&inf, 1);
	itest_check(r == -EACCES, "%d stops the informer with -EACCES (r=%d)", status, r);
	itest_check(strstr(cl.err, want) != NULL, "%d message: %s", status, cl.err);
	itest_check(api.nreq == 1, "%d is not retried (%u requests)", status, api.nreq);
	k8s_informer_free(&inf);
	k8s_client_free(&cl);
	k8s_config_free(&cfg);
	fakeapi_stop(&api);
	free(body);
}

/* A kubeconfig with embedded client certificate data, as kind writes one. */
static int write_kubeconfig(const char *path, int port, const char *ca_file)
{
	char *ca = slurp(ca_file), *crt = slurp(certs.client_crt), *key = slurp(certs.client_key);
	char cmd[4096];
	int r;

	snprintf(cmd, sizeof(cmd),
		 "{ printf 'apiVersion: v1\\nkind: Config\\ncurrent-context: kind-test\\nclusters:\\n"
		 "- name: kind-test\\n  cluster:\\n    server: https://127.0.0.1:%d/\\n"
		 "    certificate-authority-data: %%s\\n' \"$(base64 -w0 < '%s')\"; "
		 "printf 'contexts:\\n- name: kind-test\\n  context: {cluster: kind-test, user: kind-test}\\n"
		 "users:\\n- name: kind-test\\n  user:\\n    client-certificate-data: %%s\\n"
		 "    client-key-data: %%s\\n' \"$(base64 -w0 < '%s')\" \"$(base64 -w0 < '%s')\"; } > '%s'",
		 port, ca_file, certs.client_crt, certs.client_key, path);
	r = system(cmd);
	free(ca), free(crt), free(key);
	return r;
}

static void test_client_cert(void)
{
	char *body = slurp(FIX "pods-page2.json"), path[400], err[256];
	struct fake_route routes[] = { { .match = "/api/v1/pods", .status = 200, .body = body } };
	struct k8s_client cl;
	struct k8s_config cfg;
	struct fake_api api;
	json_t *doc = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/kubeconfig", certs.dir);
	if (fakeapi_start(&api, &certs, routes, 1) || write_kubeconfig(path, api.port, certs.ca)) {
		itest_check(false, "client cert: setup");
		return;
	}
	r = k8s_config_kubeconfig(&cfg, path, NULL, err, sizeof(err));
	itest_check(r == 0, "kubeconfig with embedded data loads (%s)", r ? err : "ok");
	if (!r && !k8s_client_init(&cl, &cfg)) {
		r = k8s_get_json(&cl, "list pods", "/api/v1/pods", &doc);
		itest_check(r == 0 && json_array_size(json_object_get(doc, "items")) == 1,
			    "mutual TLS request answered (r=%d %s)", r, cl.err);
		itest_check(!strcmp(api.client_cn[0], "test-user"), "server saw client CN '%s'", api.client_cn[0]);
		itest_check(api.auth[0][0] == '\0', "no bearer token with a client certificate");
		json_decref(doc);
		k8s_client_free(&cl);
		k8s_config_free(&cfg);
	}
	fakeapi_stop(&api);
	/* The same server checked against a CA that did not sign it must be refused. */
	if (fakeapi_start(&api, &certs, routes, 1) || write_kubeconfig(path, api.port, certs.other_ca)) {
		itest_check(false, "wrong CA: setup");
		return;
	}
	r = k8s_config_kubeconfig(&cfg, path, NULL, err, sizeof(err));
	if (!r && !k8s_client_init(&cl, &cfg)) {
		r = k8s_get_json(&cl, "list pods", "/api/v1/pods", &doc);
		itest_check(r == -ECONNRESET && strstr(cl.err, "cannot list pods: https://127.0.0.1:"),
			    "a server the CA did not sign is refused (r=%d: %s)", r, cl.err);
		itest_check(api.nreq == 0, "no request reached it (%u)", api.nreq);
		k8s_client_free(&cl);
		k8s_config_free(&cfg);
	}
	fakeapi_stop(&api);
	unlink(path);
	free(body);
}

static void test_smi_discovery(void)
{
	char *group = slurp(FIX "apigroup-split.json"), *res = slurp(FIX "resources-split-v1alpha2.json");
	char *list = slurp(FIX "trafficsplits.json");
	struct fake_route routes[] = {
		{ .match = "/apis/split.smi-spec.io/v1alpha2/trafficsplits?", .status = 200, .body = list },
		{ .match = "/apis/split.smi-spec.io/v1alpha2", .status = 200, .body = res },
		{ .match = "/apis/split.smi-spec.io", .status = 200, .body = group },
	};
	struct k8s_client cl;
	struct k8s_config cfg;
	struct fake_api api;
	json_t *kinds = NULL, *objs = NULL, *k, *o;
	int r;

	if (fakeapi_start(&api, &certs, routes, 3) || in_cluster(&cfg, api.port) ||
	    k8s_client_init(&cl, &cfg)) {
		itest_check(false, "smi: setup");
		return;
	}
	r = k8s_smi_discover(&cl, &kinds);
	itest_check(r == 0 && json_array_size(kinds) == 1, "discovery: one SMI kind served (r=%d, %zu) %s",
		    r, json_array_size(kinds), cl.err);
	k = json_array_get(kinds, 0);
	itest_check(!strcmp(json_string_value(json_object_get(k, "kind")) ?: "", "TrafficSplit") &&
		    !strcmp(json_string_value(json_object_get(k, "version")) ?: "", "v1alpha2") &&
		    json_array_size(json_object_get(k, "served_versions")) == 2,
		    "TrafficSplit at the preferred v1alpha2, two versions served");
	itest_check(fakeapi_find(&api, 0, "/apis/access.smi-spec.io") >= 0 &&
		    fakeapi_find(&api, 0, "/apis/specs.smi-spec.io") >= 0,
		    "access and specs groups asked (and absent: 404)");
	r = kinds ? k8s_smi_list(&cl, kinds, &objs) : -1;
	o = json_array_get(objs, 0);
	itest_check(r == 0 && json_array_size(objs) == 1, "one TrafficSplit listed (r=%d)", r);
	itest_check(!strcmp(json_string_value(json_object_get(o, "apiVersion")) ?: "", "split.smi-spec.io/v1alpha2") &&
		    !strcmp(json_string_value(json_object_get(o, "kind")) ?: "", "TrafficSplit"),
		    "listed object gets apiVersion and kind back");
	itest_check(!strcmp(k8s_applied_version(o) ?: "", "split.smi-spec.io/v1alpha1"),
		    "applied version from managedFields: v1alpha1");
	json_decref(kinds);
	json_decref(objs);
	k8s_client_free(&cl);
	k8s_config_free(&cfg);
	fakeapi_stop(&api);
	free(group), free(res), free(list);
}

/* --cluster: agent pods found through the API server and read through its pod proxy. */
static void test_cluster_agents(void)
{
	char *pods = slurp(FIX "agent-pods.json"), *obs = slurp(FIX "agent-observations.jsonl");
	struct fake_route routes[] = {
		{ .match = "/api/v1/namespaces/smi-witness/pods?labelSelector=app.kubernetes.io%2Fname%3D"
			   "smi-witness%2Capp.kubernetes.io%2Fcomponent%3Dagent", .status = 200, .body = pods },
		{ .match = "/pods/smi-witness-agent-7xk2p:9469/proxy/v1/observations?since=5m", .status = 200,
		  .body = obs },
	};
	struct fetch_query q = { .since = "5m" };
	struct fetch_target *t = NULL;
	struct fetch_result res;
	struct k8s_config cfg;
	struct fake_api api;
	int n, r, i;

	if (fakeapi_start(&api, &certs, routes, 2) || in_cluster(&cfg, api.port)) {
		itest_check(false, "agents: setup");
		return;
	}
	n = fetch_discover(&cfg, "smi-witness", false, &t);
	itest_check(n == 2, "two running agent pods found, the pending one skipped (%d)", n);
	if (n == 2) {
		itest_check(t[0].via_api && !strcmp(t[0].base, "/api/v1/namespaces/smi-witness/pods/"
						    "smi-witness-agent-7xk2p:9469/proxy"),
			    "reached through the pod proxy: %s", t[0].base);
		itest_check(!strcmp(t[1].name, "smi-witness-agent-q9d4m (node node-2)"), "named by pod and node");
		r = fetch_merge(t, 1, &cfg, "agent-secret-token-123", &q, &res);
		i = fakeapi_find(&api, 1, "/proxy/v1/observations?since=5m");
		itest_check(r == 0 && json_array_size(res.records) == 2 && res.kernel_drops == 2 && res.complete,
			    "observations read through the proxy: an exchange and the counters (r=%d)", r);
		itest_check(i >= 0 && !strcmp(api.xtoken[i], "agent-secret-token-123") &&
			    !strcmp(api.auth[i], "Bearer " SA_TOKEN),
			    "agent token in X-Smiw-Token, API credentials in Authorization");
		if (!r)
			fetch_result_free(&res);
	}
	free(t);
	t = NULL;
	n = fetch_discover(&cfg, "smi-witness", true, &t);
	itest_check(n == 2 && !t[0].via_api && !strcmp(t[0].base, "http://10.244.1.5:9469") &&
		    !strcmp(t[1].base, "http://[fd00:10:244:2::6]:9469"), "--direct: pod IPs, IPv6 bracketed");
	free(t);
	k8s_config_free(&cfg);
	fakeapi_stop(&api);
	free(pods), free(obs);
}

/*
 * Runs `smi-witness kube WHAT -o FILE` against a scripted API server serving
 * routes[0..n), left running in *api for the caller's checks (it stops it).
 * *doc is what the command wrote (NULL when nothing). Returns its exit
 * status, or -1 (after a failed check) when the setup failed.
 */
static int kube_command(const char *what, struct fake_route *routes, size_t n, struct fake_api *api, json_t **doc)
{
	char exe[512], bin[600], cmd[2048], kc[400], out[400];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int rc;

	*doc = NULL;
	exe[len > 0 ? len : 0] = '\0';
	*strrchr(exe, '/') = '\0';	/* BUILD/tests/integration */
	snprintf(bin, sizeof(bin), "%s/../../smi-witness", exe);
	snprintf(kc, sizeof(kc), "%s/kubeconfig-%s", certs.dir, what);
	snprintf(out, sizeof(out), "%s/%s.json", certs.dir, what);
	if (fakeapi_start(api, &certs, routes, n) || write_kubeconfig(kc, api->port, certs.ca)) {
		itest_check(false, "kube %s: setup", what);
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "'%s' kube %s --kubeconfig '%s' -o '%s'", bin, what, kc, out);
	rc = system(cmd);
	*doc = json_load_file(out, 0, NULL);
	unlink(out);
	unlink(kc);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* `smi-witness kube smi` end to end: kubeconfig, discovery, list, the SMI model's check. */
static void test_kube_smi_command(void)
{
	char *group = slurp(FIX "apigroup-split.json"), *res = slurp(FIX "resources-split-v1alpha2.json");
	char *list = slurp(FIX "trafficsplits.json");
	struct fake_route routes[] = {
		{ .match = "/apis/split.smi-spec.io/v1alpha2/trafficsplits?", .status = 200, .body = list },
		{ .match = "/apis/split.smi-spec.io/v1alpha2", .status = 200, .body = res },
		{ .match = "/apis/split.smi-spec.io", .status = 200, .body = group },
	};
	struct fake_api api;
	json_t *doc, *item;
	int rc = kube_command("smi", routes, 3, &api, &doc);

	if (rc < 0)
		goto out;
	item = json_array_get(json_object_get(doc, "items"), 0);
	itest_check(rc == 0, "kube smi exits 0 (status %d)", rc);
	itest_check(!strcmp(json_string_value(json_object_get(doc, "kind")) ?: "", "List") &&
		    json_array_size(json_object_get(doc, "items")) == 1 &&
		    !strcmp(json_string_value(json_object_get(item, "kind")) ?: "", "TrafficSplit") &&
		    json_integer_value(json_object_get(json_array_get(json_object_get(json_object_get(item, "spec"),
				"backends"), 0), "weight")) == 75,
		    "a List with the TrafficSplit as served");
	itest_check(!strcmp(api.client_cn[0], "test-user"), "kubeconfig client certificate used");
	json_decref(doc);
	fakeapi_stop(&api);
out:
	free(group), free(res), free(list);
}

/*
 * `smi-witness kube routes`: each route kind discovered in the versions that
 * serve it (GRPCRoute was never v1beta1), listed in the newest, checked with
 * the route model.
 */
static void test_kube_routes_command(void)
{
	static const char group[] = "{\"kind\":\"APIGroup\",\"name\":\"gateway.networking.k8s.io\",\"versions\":["
		"{\"groupVersion\":\"gateway.networking.k8s.io/v1beta1\",\"version\":\"v1beta1\"},"
		"{\"groupVersion\":\"gateway.networking.k8s.io/v1alpha2\",\"version\":\"v1alpha2\"}],"
		"\"preferredVersion\":{\"version\":\"v1beta1\"}}";
	static const char v1beta1[] = "{\"kind\":\"APIResourceList\",\"resources\":["
		"{\"name\":\"httproutes\",\"kind\":\"HTTPRoute\",\"namespaced\":true},"
		"{\"name\":\"httproutes/status\",\"kind\":\"HTTPRoute\",\"namespaced\":true}]}";
	static const char v1alpha2[] = "{\"kind\":\"APIResourceList\",\"resources\":["
		"{\"name\":\"httproutes\",\"kind\":\"HTTPRoute\",\"namespaced\":true},"
		"{\"name\":\"grpcroutes\",\"kind\":\"GRPCRoute\",\"namespaced\":true}]}";
	static const char http[] = "{\"kind\":\"HTTPRouteList\",\"metadata\":{\"resourceVersion\":\"5\"},\"items\":["
		"{\"metadata\":{\"name\":\"echo-split\",\"namespace\":\"gamma\"},\"spec\":{\"parentRefs\":["
		"{\"group\":\"\",\"kind\":\"Service\",\"name\":\"echo\",\"port\":80}],\"rules\":[{\"backendRefs\":["
		"{\"name\":\"echo-v1\",\"port\":8080,\"weight\":70},{\"name\":\"echo-v2\",\"port\":8080,\"weight\":30}]}]}}]}";
	static const char grpc[] = "{\"kind\":\"GRPCRouteList\",\"metadata\":{\"resourceVersion\":\"5\"},\"items\":[]}";
	struct fake_route routes[] = {
		{ .match = "/apis/gateway.networking.k8s.io/v1beta1/httproutes?", .status = 200, .body = http },
		{ .match = "/apis/gateway.networking.k8s.io/v1alpha2/grpcroutes?", .status = 200, .body = grpc },
		{ .match = "/apis/gateway.networking.k8s.io/v1beta1", .status = 200, .body = v1beta1 },
		{ .match = "/apis/gateway.networking.k8s.io/v1alpha2", .status = 200, .body = v1alpha2 },
		{ .match = "/apis/gateway.networking.k8s.io", .status = 200, .body = group },
	};
	struct fake_api api;
	json_t *doc, *item;
	int rc = kube_command("routes", routes, 5, &api, &doc);

	if (rc < 0)
		return;
	item = json_array_get(json_object_get(doc, "items"), 0);
	itest_check(rc == 0, "kube routes exits 0 (status %d)", rc);
	itest_check(json_array_size(json_object_get(doc, "items")) == 1 &&
		    !strcmp(json_string_value(json_object_get(item, "kind")) ?: "", "HTTPRoute") &&
		    !strcmp(json_string_value(json_object_get(item, "apiVersion")) ?: "",
			    "gateway.networking.k8s.io/v1beta1"),
		    "a List with the HTTPRoute as served in v1beta1, the newest version that serves it");
	itest_check(fakeapi_find(&api, 0, "/apis/gateway.networking.k8s.io/v1alpha2/grpcroutes?") >= 0,
		    "GRPCRoute listed in v1alpha2, the one version that serves it");
	json_decref(doc);
	fakeapi_stop(&api);
}

/* The agent's node watch: pods and services from the API server, cgroups from a real tree. */
struct inv_seen {
	pthread_mutex_t mu;
	json_t *last;
	unsigned calls;
};

static void on_inventory(void *arg, json_t *inv, json_t *status)
{
	struct inv_seen *seen = arg;

	(void)status;
	pthread_mutex_lock(&seen->mu);
	json_decref(seen->last);
	seen->last = inv;
	seen->calls++;
	pthread_mutex_unlock(&seen->mu);
}

static void test_nodewatch(void)
{
	char *pods = slurp(FIX "pods-page2.json"), root[512], dir[1024], invpath[400];
	static const char *const hold[] = { "\n", "\n", "\n", "\n", "\n", "\n", "\n", "\n", "\n", "\n", NULL };
	static const char svcs[] = "{\"kind\":\"ServiceList\",\"metadata\":{\"resourceVersion\":\"7\"},\"items\":["
		"{\"metadata\":{\"name\":\"app-c\",\"namespace\":\"default\"},\"spec\":{\"clusterIP\":\"10.96.0.3\","
		"\"selector\":{\"app\":\"app-c\"},\"ports\":[{\"port\":9091}]}}]}";
	struct fake_route routes[] = {
		{ .match = "/api/v1/pods?limit=500&fieldSelector=spec.nodeName%3Dnode-1", .status = 200, .body = pods },
		{ .match = "/api/v1/services?limit=500", .status = 200, .body = svcs },
		{ .match = "watch=1", .status = 200, .chunks = hold },
	};
	struct inv_seen seen = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct nodewatch w;
	struct k8s_config cfg;
	struct fake_api api;
	json_t *e, *file, *svc;
	char mnt[256];
	uint64_t want;
	int r;

	if (cgroup2_mount_point(mnt, sizeof(mnt))) {
		itest_check(false, "nodewatch: cgroup v2 mount");
		return;
	}
	/* app-c's container as the systemd driver lays it out (pod UID and container id from the fixture). */
	snprintf(root, sizeof(root), "%s/smiw-k8s-nw-%d", mnt, (int)getpid());
	snprintf(dir, sizeof(dir), "%s/kubepods.slice/kubepods-pod8c5d3b4a_0e6f_4071_9c2d_3e4f5a6b7c8d.slice/"
		 "cri-containerd-ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc3.scope", root);
	snprintf(invpath, sizeof(invpath), "%s/inventory.json", certs.dir);
	if (mkdir(root, 0755) || fakeapi_start(&api, &certs, routes, 3) ||
	    in_cluster(&cfg, api.port)) {
		itest_check(false, "nodewatch: setup");
		return;
	}
	{
		char cmd[1200];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
		r = system(cmd);
	}
	want = cgroup_id_of(dir);
	r = nodewatch_start(&w, &cfg, "node-1", root, invpath, on_inventory, &seen);
	itest_check(r == 0, "node watch started");
	for (int i = 0; i < 600; i++) {	/* 60 s: only a broken run takes that long */
		pthread_mutex_lock(&seen.mu);
		r = json_array_size(json_object_get(seen.last, "pods")) == 1 &&
		    json_array_size(json_object_get(seen.last, "services")) == 1;
		pthread_mutex_unlock(&seen.mu);
		if (r)
			break;
		usleep(100000);
	}
	nodewatch_stop(&w);
	e = json_array_get(json_object_get(seen.last, "pods"), 0);
	itest_check(r && (uint64_t)json_integer_value(json_object_get(e, "cgroup_id")) == want && want,
		    "inventory: app-c's container with its real cgroup id (%llu)", (unsigned long long)want);
	svc = json_array_get(json_object_get(seen.last, "services"), 0);
	itest_check(!strcmp(json_string_value(json_array_get(json_object_get(svc, "endpoints"), 0)) ?: "",
			    "default/app-c-6d8e9f0a1-fghij"), "service app-c selects the pod");
	file = json_load_file(invpath, 0, NULL);
	itest_check(json_equal(file, seen.last), "the same inventory written to %s", invpath);
	itest_check(fakeapi_find(&api, 0, "/api/v1/services?watch=1") >= 0 ||
		    fakeapi_find(&api, 0, "/api/v1/services?limit=500") >= 0, "services listed");
	json_decref(file);
	json_decref(seen.last);
	unlink(invpath);
	{
		char cmd[1200];

		snprintf(cmd, sizeof(cmd), "find '%s' -depth -type d -exec rmdir {} +", root);
		if (system(cmd))
			printf("cannot remove %s\n", root);
	}
	k8s_config_free(&cfg);
	fakeapi_stop(&api);
	free(pods);
}

/* `smi-witness agent --kube`: the binary with a kubeconfig, serving the inventory it built. */
static void test_agent_kube(void)
{
	char *pods = slurp(FIX "pods-page2.json"), exe[512], bin[600], kc[400], tok[400];
	static const char *const hold[] = { "\n", "\n", "\n", "\n", "\n", NULL };
	static const char svcs[] = "{\"kind\":\"ServiceList\",\"metadata\":{\"resourceVersion\":\"7\"},\"items\":[]}";
	struct fake_route routes[] = {
		{ .match = "/api/v1/pods?limit=500&fieldSelector=spec.nodeName%3Dnode-1", .status = 200, .body = pods },
		{ .match = "/api/v1/services?limit=500", .status = 200, .body = svcs },
		{ .match = "watch=1", .status = 200, .chunks = hold },
	};
	struct k8s_config acfg = { 0 };
	struct k8s_client ac;
	struct fake_api api;
	json_t *inv = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int in[2], r = -1, status;
	pid_t pid;

	exe[n > 0 ? n : 0] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(bin, sizeof(bin), "%s/../../smi-witness", exe);
	snprintf(kc, sizeof(kc), "%s/kubeconfig-agent", certs.dir);
	snprintf(tok, sizeof(tok), "%s/agent-token", certs.dir);
	write_file(certs.dir, "agent-token", "agent-token-0123456789\n");
	if (fakeapi_start(&api, &certs, routes, 3) || write_kubeconfig(kc, api.port, certs.ca) || pipe(in)) {
		itest_check(false, "agent --kube: setup");
		return;
	}
	pid = fork();
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		close(in[1]);
		execl(bin, bin, "agent", "--source", "-", "--kube", "--kubeconfig", kc, "--node", "node-1",
		      "--token-file", tok, "--listen", "127.0.0.1:19469", "--cgroup-root", certs.dir, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	acfg.server = strdup("http://127.0.0.1:19469");
	acfg.token = strdup("agent-token-0123456789");
	k8s_client_init(&ac, &acfg);
	/* Pods are listed, but no container cgroup exists under this root: the entry count is 0, services []. */
	for (int i = 0; i < 600 && r; i++) {	/* 60 s: only a broken run takes that long */
		usleep(100000);
		json_decref(inv);
		inv = NULL;
		r = k8s_get_json(&ac, "read the inventory", "/v1/inventory", &inv);
	}
	itest_check(r == 0 && !strcmp(json_string_value(json_object_get(inv, "node")) ?: "", "node-1") &&
		    !strcmp(json_string_value(json_object_get(inv, "source")) ?: "", "kubernetes"),
		    "the agent serves the inventory it keeps from the API server (r=%d %s)", r, ac.err);
	json_decref(inv);
	inv = NULL;
	r = k8s_get_json(&ac, "read the stats", "/v1/stats", &inv);
	itest_check(r == 0 && json_integer_value(json_object_get(json_object_get(inv, "kubernetes"), "pods")) == 1 &&
		    json_integer_value(json_object_get(json_object_get(inv, "kubernetes"), "unresolved")) == 1,
		    "stats: 1 pod on the node, its container's cgroup unresolved here");
	itest_check(!strcmp(api.client_cn[0], "test-user") && fakeapi_find(&api, 0, "fieldSelector=spec.nodeName%3Dnode-1") >= 0,
		    "listed as the kubeconfig's user, this node's pods only");
	json_decref(inv);
	close(in[1]);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	itest_check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "agent stops cleanly on SIGTERM");
	k8s_client_free(&ac);
	k8s_config_free(&acfg);
	unlink(kc);
	unlink(tok);
	fakeapi_stop(&api);
	free(pods);
}

static int run_all(void *arg)
{
	int r;

	(void)arg;
	test_list_watch();
	test_denied(403, FIX "status-403.json",
		    "cannot list pods: 403 Forbidden for system:serviceaccount:smi-witness:smi-witness-agent");
	test_denied(401, FIX "status-401.json",
		    "cannot list pods: 401 Unauthorized: the API server rejected the credentials of "
		    "system:serviceaccount:smi-witness:smi-witness-agent");
	test_client_cert();
	test_smi_discovery();
	test_cluster_agents();
	test_kube_smi_command();
	test_kube_routes_command();
	test_nodewatch();
	test_agent_kube();
	r = itest_done();
	fflush(stdout);	/* the namespace's child leaves with _exit() */
	return r;
}

int main(void)
{
	int r;

	/* Line by line: a crash in the namespace's child must not swallow what was already checked. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0)
		itest_skip("needs root to create a private network namespace");
	if (fakeapi_certs(&certs)) {
		printf("cannot create test certificates\n");
		return 1;
	}
	snprintf(sa_dir, sizeof(sa_dir), "%s/sa", certs.dir);
	mkdir(sa_dir, 0700);
	write_file(sa_dir, "token", SA_TOKEN "\n");
	write_file(sa_dir, "namespace", "smi-witness");
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "cp '%s' '%s/ca.crt'", certs.ca, sa_dir);
		if (system(cmd))
			return 1;
	}
	r = netns_run_private(run_all, NULL);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sa_dir);
		if (system(cmd))
			printf("cannot remove %s\n", sa_dir);
	}
	fakeapi_certs_remove(&certs);
	if (r < 0) {
		printf("cannot run in a private network namespace: %s\n", strerror(-r));
		return 1;
	}
	return r;
}
