/*
 * fakecluster - a scripted Kubernetes API server in front of the lab, so
 * `smi-witness run --cluster` runs against real pods, a real mesh and real
 * agents with only the API server scripted (tests/integration/cluster_run.sh).
 *
 *   fakecluster --lab NAME --lab-inventory FILE --kubeconfig-out FILE
 *               [--node POD=NODE]... [--agent NODE=PORT]... [--serve GROUP=V,V]...
 *               [--deny VERB:RESOURCE]... [--metrics-api FILE]
 *               [--hold "METHOD PATH-PART":N]
 *
 * It keeps applied objects (tests/lib/fakestore.c) and plays the cluster's
 * controllers against the lab: a Pod named like a lab pod runs on the node
 * --node gives it, with the lab pod's address; a Service gets the lab
 * service's address; the SMI objects and Gateway API routes stored make
 * the lab's HAProxy
 * configuration (`lab apply`, a moment after they change, as a mesh
 * follows the API server; a request into a lab pod waits until it has).
 * The pod and service proxies reach the lab pods
 * from inside their network namespaces, and the agents' pods (namespace
 * smi-witness, one per --agent) the agents listening on loopback. GET
 * /_store answers every stored object, for the test to check what is left.
 * --hold keeps the N-th request whose "METHOD TARGET" contains the text
 * unanswered (WORK/held appears) until WORK/release appears, then
 * answers it (WORK/answered appears): the test interrupts or kills a run
 * exactly there.
 *
 * One file of about 900 lines: one concept (the scripted server), its
 * parts (HTTP over TLS, routes, proxy, the lab controller) only used here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "fakeapi.h"
#include "fakestore.h"
#include "http/curl.h"
#include "http/http.h"
#include "lab/api.h"
#include "records/inventory.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/netns.h"

#define MAX_LIST 32
#define MAX_HEAD 65536
#define MAX_BODY (16u << 20)
#define MAX_ANSWER ((size_t)1 << 30)	/* a proxied answer: an agent's observations of a long step are large */

/* --- configuration ------------------------------------------------------------------ */

struct kv {
	char key[128], val[128];
};

static struct {
	const char *lab, *lab_inventory, *kubeconfig_out, *metrics_api, *log_dir;
	struct kv nodes[MAX_LIST], agents[MAX_LIST], serve[8];
	size_t n_nodes, n_agents, n_serve;
	char deny[MAX_LIST][128];
	size_t n_deny;
	char hold[256];
	unsigned hold_nth;
} opt;

static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned hold_seen;

static struct fstore store;
static struct inventory *lab_inv;
static struct fake_certs certs;
static SSL_CTX *ssl_ctx;
static volatile sig_atomic_t stopping;

/* The mesh controller: renders the stored SMI objects and routes into the lab's mesh. */
static pthread_mutex_t mesh_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mesh_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t mesh_idle_cv = PTHREAD_COND_INITIALIZER;
static bool mesh_dirty, mesh_rendering;

static int add_kv(struct kv *list, size_t *n, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || *n == MAX_LIST)
		return -1;
	snprintf(list[*n].key, sizeof(list[*n].key), "%.*s", (int)(eq - arg), arg);
	snprintf(list[*n].val, sizeof(list[*n].val), "%s", eq + 1);
	(*n)++;
	return 0;
}

/* The value of `key`: the last one given wins, as a later option overrides an earlier one. */
static const char *kv_get(const struct kv *list, size_t n, const char *key)
{
	for (size_t i = n; i-- > 0;)
		if (!strcmp(list[i].key, key))
			return list[i].val;
	return NULL;
}

/* --- resources ------------------------------------------------------------------------ */

struct resource {
	const char *group, *plural, *kind;
	bool namespaced, policy;	/* policy: rendered into the mesh (SMI objects, routes) */
	const char *versions;	/* the versions the kind exists in, when not every version of its group */
};

static const struct resource resources[] = {
	{ "", "namespaces", "Namespace", false, false, NULL },
	{ "", "pods", "Pod", true, false, NULL },
	{ "", "services", "Service", true, false, NULL },
	{ "", "serviceaccounts", "ServiceAccount", true, false, NULL },
	{ "", "configmaps", "ConfigMap", true, false, NULL },
	{ "apps", "deployments", "Deployment", true, false, NULL },
	{ "split.smi-spec.io", "trafficsplits", "TrafficSplit", true, true, NULL },
	{ "access.smi-spec.io", "traffictargets", "TrafficTarget", true, true, NULL },
	{ "specs.smi-spec.io", "httproutegroups", "HTTPRouteGroup", true, true, NULL },
	{ "specs.smi-spec.io", "tcproutes", "TCPRoute", true, true, NULL },
	{ "specs.smi-spec.io", "udproutes", "UDPRoute", true, true, NULL },
	{ "gateway.networking.k8s.io", "httproutes", "HTTPRoute", true, true, NULL },
	{ "gateway.networking.k8s.io", "grpcroutes", "GRPCRoute", true, true, "v1,v1alpha2" },
};
#define N_RESOURCES (sizeof(resources) / sizeof(resources[0]))

/* The groups whose versions --serve sets: SMI's, and the Gateway API's. */
static const char *const policy_groups[] = { "split.smi-spec.io", "access.smi-spec.io", "specs.smi-spec.io",
					     "gateway.networking.k8s.io" };

/*
 * The versions served of a policy group: --serve GROUP=V,V (short or full
 * group name), default v1alpha1..4 for SMI's, v1, v1beta1 and v1alpha2 for
 * the Gateway API.
 */
static const char *served(const char *group)
{
	char shortname[64];

	snprintf(shortname, sizeof(shortname), "%.*s", (int)strcspn(group, "."), group);
	return kv_get(opt.serve, opt.n_serve, group) ?: kv_get(opt.serve, opt.n_serve, shortname) ?:
	       strcmp(group, "gateway.networking.k8s.io") ? "v1alpha4,v1alpha3,v1alpha2,v1alpha1" : "v1,v1beta1,v1alpha2";
}

static bool in_list(const char *list, const char *version)
{
	size_t vl = strlen(version);

	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, ",");

		if (l == vl && !strncmp(p, version, l))
			return true;
		p = p[l] ? p + l + 1 : NULL;
	}
	return false;
}

static bool version_served(const char *group, const char *version)
{
	return in_list(served(group), version);
}

/* Whether the kind is served in `version` of its group. */
static bool resource_served(const struct resource *res, const char *version)
{
	return version_served(res->group, version) && (!res->versions || in_list(res->versions, version));
}

static const struct resource *resource_of(const char *group, const char *plural)
{
	for (size_t i = 0; i < N_RESOURCES; i++)
		if (!strcmp(resources[i].group, group) && !strcmp(resources[i].plural, plural))
			return &resources[i];
	return NULL;
}

/* --- HTTP over TLS ---------------------------------------------------------------------- */

struct req {
	SSL *ssl;
	char method[16], target[4096], path[4096], query[4096];
	char ctype[128], xtoken[256], xreqid[160];
	char *body;
	size_t body_len;
};

static void ssl_all(SSL *ssl, const char *p, size_t n)
{
	while (n) {
		int w = SSL_write(ssl, p, n > 1 << 20 ? 1 << 20 : (int)n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 415: return "Unsupported Media Type";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static void respond(struct req *r, int status, const char *ctype, const char *body, size_t len)
{
	char head[512];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, reason(status), ctype, len);

	ssl_all(r->ssl, head, (size_t)n);
	ssl_all(r->ssl, body, len);
}

static void respond_json(struct req *r, int status, json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);

	respond(r, status, "application/json", text ? text : "{}", text ? strlen(text) : 2);
	free(text);
	json_decref(doc);
}

static void respond_status(struct req *r, int code, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void respond_status(struct req *r, int code, const char *why, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	respond_json(r, code, json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion", "v1",
					"metadata", "status", "Failure", "message", msg, "reason", why, "code", code));
}

/* A query parameter's value, percent-decoded, or "" when absent. */
static void query_get(const char *q, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key), n = 0;

	*out = '\0';
	for (const char *p = q; p && *p;) {
		size_t l = strcspn(p, "&");

		if (l > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			for (const char *v = p + kl + 1; v < p + l && n + 1 < len; v++) {
				unsigned x;

				if (*v == '%' && v + 2 < p + l && sscanf(v + 1, "%2x", &x) == 1) {
					out[n++] = (char)x;
					v += 2;
				} else {
					out[n++] = *v == '+' ? ' ' : *v;
				}
			}
			out[n] = '\0';
			return;
		}
		p = p[l] ? p + l + 1 : NULL;
	}
}

/* Copies header `name`'s value into out ("" when absent). */
static void header_copy(const struct http_head *h, const char *name, char *out, size_t len)
{
	const struct http_str *v = http_header_get(h, name);

	snprintf(out, len, "%.*s", v ? (int)v->len : 0, v ? v->p : "");
}

/* Reads one request (head, and a body of Content-Length bytes; answers Expect: 100-continue). Returns 0 or -1. */
static int read_req(struct req *r)
{
	struct buf in = { 0 };
	struct http_head h;
	const struct http_str *expect;
	size_t clen, have;
	int got = 0;
	char chunk[16384];

	while (!got) {
		int n = SSL_read(r->ssl, chunk, sizeof(chunk));

		if (n <= 0 || buf_append(&in, chunk, (size_t)n, MAX_HEAD + MAX_BODY))
			goto bad;
		got = http_parse_head(&h, HTTP_REQUEST, in.p, in.len, MAX_HEAD);
		if (got < 0)
			goto bad;
	}
	clen = h.content_length > 0 ? (size_t)h.content_length : 0;
	if (h.chunked || clen > MAX_BODY)
		goto bad;
	snprintf(r->method, sizeof(r->method), "%.*s", (int)h.method.len, h.method.p);
	snprintf(r->target, sizeof(r->target), "%.*s", (int)h.target.len, h.target.p);
	header_copy(&h, "Content-Type", r->ctype, sizeof(r->ctype));
	header_copy(&h, "X-Smiw-Token", r->xtoken, sizeof(r->xtoken));
	header_copy(&h, "X-Request-Id", r->xreqid, sizeof(r->xreqid));
	expect = http_header_get(&h, "Expect");
	r->body = calloc(1, clen + 1);
	if (!r->body)
		goto bad;
	have = in.len - (size_t)got;
	r->body_len = have < clen ? have : clen;
	memcpy(r->body, in.p + got, r->body_len);
	if (expect && http_list_has(*expect, "100-continue") && r->body_len < clen)
		ssl_all(r->ssl, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	while (r->body_len < clen) {
		int n = SSL_read(r->ssl, r->body + r->body_len, (int)(clen - r->body_len));

		if (n <= 0)
			goto bad;
		r->body_len += (size_t)n;
	}
	buf_free(&in);
	snprintf(r->path, sizeof(r->path), "%.*s", (int)strcspn(r->target, "?"), r->target);
	snprintf(r->query, sizeof(r->query), "%s", strchr(r->target, '?') ? strchr(r->target, '?') + 1 : "");
	return 0;
bad:
	buf_free(&in);
	return -1;
}

/* --- RBAC ------------------------------------------------------------------------------- */

/* 403 when --deny names VERB:RESOURCE. Returns true when it answered. */
static bool denied(struct req *r, const char *verb, const char *resource, const char *ns)
{
	char want[160];

	snprintf(want, sizeof(want), "%s:%s", verb, resource);
	for (size_t i = 0; i < opt.n_deny; i++)
		if (!strcmp(opt.deny[i], want)) {
			respond_status(r, 403, "Forbidden", "%s is forbidden: User \"test-user\" cannot %s resource \"%s\" "
				       "in the namespace \"%s\"", resource, verb, resource, ns ? ns : "");
			return true;
		}
	return false;
}

/* --- the lab's side: controllers ---------------------------------------------------------- */

static const struct inv_pod *lab_pod(const char *ns, const char *name)
{
	return lab_inv ? inventory_pod(lab_inv, ns, name) : NULL;
}

/* What the kubelet would say of a pod: running with the lab pod's address, or pending without one. */
static void pod_controller(json_t *pod, const char *ns, const char *name)
{
	const struct inv_pod *lp = lab_pod(ns, name);
	const char *node = kv_get(opt.nodes, opt.n_nodes, name) ?: "node-1";
	json_t *spec = json_object_get(pod, "spec"), *statuses = json_array(), *c;
	size_t i;

	if (!json_is_object(spec))
		json_object_set_new(pod, "spec", spec = json_object());
	json_object_set_new(spec, "nodeName", json_string(node));
	if (!lp) {
		json_decref(statuses);
		json_object_set_new(pod, "status", json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}]}", "phase", "Pending",
			"conditions", "type", "PodScheduled", "status", "False", "reason", "Unschedulable", "message",
			"no lab pod of that name"));
		return;
	}
	json_array_foreach(json_object_get(spec, "containers"), i, c) {
		char id[80];

		snprintf(id, sizeof(id), "containerd://%016llx%016zx", (unsigned long long)lp->cgroup_id, i);
		json_array_append_new(statuses, json_pack("{s:s, s:b, s:b, s:i, s:{s:{s:s}}, s:s, s:s}", "name",
			json_string_value(json_object_get(c, "name")) ?: "app", "ready", 1, "started", 1,
			"restartCount", 0, "state", "running", "startedAt", "2025-01-01T00:00:00Z", "containerID", id,
			"image", json_string_value(json_object_get(c, "image")) ?: ""));
	}
	json_object_set_new(pod, "status", json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}], s:o}", "phase",
		"Running", "podIP", lp->ip, "hostIP", "127.0.0.1", "conditions", "type", "Ready", "status", "True",
		"type", "ContainersReady", "status", "True", "containerStatuses", statuses));
}

static void service_controller(json_t *svc, const char *ns, const char *name)
{
	const struct inv_service *ls = lab_inv ? inventory_service(lab_inv, ns, name) : NULL;
	json_t *spec = json_object_get(svc, "spec");

	if (json_is_object(spec))
		json_object_set_new(spec, "clusterIP", json_string(ls ? ls->ip : "10.96.0.250"));
}

/* Wakes the mesh controller: the SMI objects changed. */
static void mesh_changed(void)
{
	pthread_mutex_lock(&mesh_mu);
	mesh_dirty = true;
	pthread_cond_signal(&mesh_cv);
	pthread_mutex_unlock(&mesh_mu);
}

/* Every stored SMI object and route into one file, made the lab mesh's whole policy. */
static void render_mesh(void)
{
	char path[512];
	char *files[1] = { path };
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/policy.yaml", opt.log_dir);
	f = fopen(path, "w");
	if (!f)
		return;
	for (size_t i = 0; i < N_RESOURCES; i++) {
		uint64_t rv;
		json_t *items, *o;
		size_t j;

		if (!resources[i].policy)
			continue;
		items = fstore_list(&store, resources[i].plural, NULL, NULL, NULL, &rv);
		json_array_foreach(items, j, o) {
			json_object_del(json_object_get(o, "metadata"), "managedFields");
			fputs("---\n", f);
			json_dumpf(o, f, JSON_INDENT(1));
			fputc('\n', f);
			n++;
		}
		json_decref(items);
	}
	fclose(f);
	/* The variant and access control stay as the lab has them: the harness sets them, as an operator would. */
	if (lab_apply(&(struct lab_opts){ .name = opt.lab }, &(struct lab_mesh_set){ 0 }, true, files, n ? 1 : 0))
		fprintf(stderr, "fakecluster: the lab did not take the policy (%zu objects): kept the last one\n", n);
	else
		fprintf(stderr, "fakecluster: the lab's mesh applies %zu SMI object(s) and route(s)\n", n);
}

static void *mesh_controller(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&mesh_mu);
		while (!mesh_dirty && !stopping)
			pthread_cond_wait(&mesh_cv, &mesh_mu);
		pthread_mutex_unlock(&mesh_mu);
		if (stopping)
			return NULL;
		/*
		 * A burst of changes (apply, then delete what is stale) renders once.
		 * The change stays pending meanwhile, so mesh_settled() waits for it.
		 */
		usleep(50000);
		pthread_mutex_lock(&mesh_mu);
		mesh_dirty = false;
		mesh_rendering = true;
		pthread_mutex_unlock(&mesh_mu);
		render_mesh();
		pthread_mutex_lock(&mesh_mu);
		mesh_rendering = false;
		pthread_cond_broadcast(&mesh_idle_cv);
		pthread_mutex_unlock(&mesh_mu);
	}
}

/*
 * Waits until the mesh has rendered every change stored before now. The
 * scripted mesh is a fast one: traffic sent after a write sees it. A real
 * mesh may take longer, which the run's convergence probes see for most
 * steps but not between two splits that both reach every backend (75/25
 * then 25/75): waiting here keeps the comparison with the lab, whose mesh
 * applies synchronously, independent of how loaded the machine is.
 */
static void mesh_settled(void)
{
	pthread_mutex_lock(&mesh_mu);
	while ((mesh_dirty || mesh_rendering) && !stopping)
		pthread_cond_wait(&mesh_idle_cv, &mesh_mu);
	pthread_mutex_unlock(&mesh_mu);
}

/* The mesh's pod is ready while its HAProxy runs (the seeded pod's status follows the lab). */
static void refresh_mesh_pod(void)
{
	const char *mp = lab_inv ? lab_inv->mesh_pod : "", *slash = strchr(mp, '/'), *was;
	const struct inv_pod *lp;
	char ns[64], why[160];
	json_t *pod, *cond;
	bool up;

	if (!slash)
		return;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - mp), mp);
	lp = lab_pod(ns, slash + 1);
	up = lab_mesh_running(&(struct lab_opts){ .name = opt.lab }, why, sizeof(why)) == 1;
	pod = fstore_get(&store, "pods", ns, slash + 1);
	if (!pod || !lp) {
		json_decref(pod);
		return;
	}
	cond = json_array_get(json_object_get(json_object_get(pod, "status"), "conditions"), 0);
	was = json_string_value(json_object_get(cond, "status"));
	if (!was || strcmp(was, up ? "True" : "False")) {
		json_object_set_new(pod, "status", json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "phase",
			up ? "Running" : "Failed", "podIP", lp->ip, "conditions", "type", "Ready", "status",
			up ? "True" : "False"));
		fstore_apply(&store, "pods", ns, slash + 1, pod, "kubelet", NULL);
	}
	json_decref(pod);
}

/* --- discovery ---------------------------------------------------------------------------- */

static json_t *group_doc(const char *group)
{
	json_t *versions = json_array();
	const char *list = !strcmp(group, "apps") ? "v1" : !strcmp(group, "metrics.smi-spec.io") ? "v1alpha1" :
			   served(group);

	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, ",");
		char gv[160], v[32];

		snprintf(v, sizeof(v), "%.*s", (int)l, p);
		snprintf(gv, sizeof(gv), "%s/%s", group, v);
		json_array_append_new(versions, json_pack("{s:s, s:s}", "groupVersion", gv, "version", v));
		p = p[l] ? p + l + 1 : NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:O}", "kind", "APIGroup", "apiVersion", "v1", "name", group,
			 "versions", versions, "preferredVersion", json_array_get(versions, 0));
}

static bool group_served(const char *group)
{
	for (size_t i = 0; i < sizeof(policy_groups) / sizeof(policy_groups[0]); i++)
		if (!strcmp(group, policy_groups[i]))
			return *served(group);
	return (!strcmp(group, "metrics.smi-spec.io") && opt.metrics_api) || !strcmp(group, "apps");
}

static void discovery(struct req *r, const char *group, const char *version)
{
	json_t *res;

	if (!group_served(group)) {
		respond_status(r, 404, "NotFound", "the server could not find the requested resource");
		return;
	}
	if (!version) {
		respond_json(r, 200, group_doc(group));
		return;
	}
	if (strcmp(group, "apps") && strcmp(group, "metrics.smi-spec.io") && !version_served(group, version)) {
		respond_status(r, 404, "NotFound", "the server could not find the requested resource");
		return;
	}
	res = json_array();
	for (size_t i = 0; i < N_RESOURCES; i++)
		if (!strcmp(resources[i].group, group) && (!resources[i].versions || in_list(resources[i].versions, version)))
			json_array_append_new(res, json_pack("{s:s, s:s, s:b, s:s, s:[s,s,s,s,s]}", "name",
				resources[i].plural, "singularName", "", "namespaced", resources[i].namespaced, "kind",
				resources[i].kind, "verbs", "get", "list", "watch", "patch", "delete"));
	respond_json(r, 200, json_pack("{s:s, s:s, s:s++, s:o}", "kind", "APIResourceList", "apiVersion", "v1",
				       "groupVersion", group, "/", version, "resources", res));
}

static void api_groups(struct req *r)
{
	json_t *groups = json_array();
	const char *all[] = { "apps", "split.smi-spec.io", "access.smi-spec.io", "specs.smi-spec.io",
			      "metrics.smi-spec.io", "gateway.networking.k8s.io" };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (group_served(all[i]))
			json_array_append_new(groups, group_doc(all[i]));
	respond_json(r, 200, json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups", groups));
}

/* --- objects -------------------------------------------------------------------------------- */

struct where {
	const struct resource *res;
	const char *version;	/* as the path names it */
	char ns[128], name[256];
	bool has_ns, has_name;
	char rest[4096];	/* after NAME: "proxy/..." for the proxies */
	char port[16];	/* NAME:PORT of a proxy */
};

static const char *verb_of(struct req *r, const struct where *w, char *watch)
{
	if (!strcmp(r->method, "PATCH"))
		return "patch";
	if (!strcmp(r->method, "DELETE"))
		return "delete";
	if (!strcmp(r->method, "POST"))
		return "create";
	if (w->has_name)
		return "get";
	query_get(r->query, "watch", watch, 8);
	return *watch ? "watch" : "list";
}

static void list(struct req *r, const struct where *w, const char *api_version)
{
	char labels[512], fields[512];
	uint64_t rv;
	json_t *items;
	char rvs[24], kind[80];

	query_get(r->query, "labelSelector", labels, sizeof(labels));
	query_get(r->query, "fieldSelector", fields, sizeof(fields));
	if (!strcmp(w->res->plural, "pods"))
		refresh_mesh_pod();
	items = fstore_list(&store, w->res->plural, w->has_ns ? w->ns : NULL, labels, fields, &rv);
	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	snprintf(kind, sizeof(kind), "%sList", w->res->kind);
	respond_json(r, 200, json_pack("{s:s, s:s, s:{s:s}, s:o}", "kind", kind, "apiVersion", api_version, "metadata",
				       "resourceVersion", rvs, "items", items));
}

struct watch_out {
	SSL *ssl;
};

static int send_event(void *arg, const char *type, json_t *obj)
{
	struct watch_out *wo = arg;
	json_t *ev = json_pack("{s:s, s:O}", "type", type, "object", obj);
	char *text = json_dumps(ev, JSON_COMPACT), head[32];
	int n;

	json_decref(ev);
	if (!text)
		return -1;
	n = snprintf(head, sizeof(head), "%zx\r\n", strlen(text) + 1);
	ssl_all(wo->ssl, head, (size_t)n);
	ssl_all(wo->ssl, text, strlen(text));
	ssl_all(wo->ssl, "\n\r\n", 3);
	free(text);
	return stopping ? 1 : 0;
}

static void watch(struct req *r, const struct where *w)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
				   "Connection: close\r\n\r\n";
	char labels[512], fields[512], rv[32], timeout[16];
	struct watch_out wo = { r->ssl };
	long t;

	query_get(r->query, "labelSelector", labels, sizeof(labels));
	query_get(r->query, "fieldSelector", fields, sizeof(fields));
	query_get(r->query, "resourceVersion", rv, sizeof(rv));
	query_get(r->query, "timeoutSeconds", timeout, sizeof(timeout));
	t = *timeout ? strtol(timeout, NULL, 10) : 60;
	ssl_all(r->ssl, head, sizeof(head) - 1);
	fstore_watch(&store, w->res->plural, w->has_ns ? w->ns : NULL, labels, fields, strtoull(rv, NULL, 10),
		     t > 0 && t < 600 ? t : 60, send_event, &wo);
	ssl_all(r->ssl, "0\r\n\r\n", 5);
}

static bool namespace_exists(const char *ns)
{
	json_t *o = fstore_get(&store, "namespaces", NULL, ns);

	json_decref(o);
	return o != NULL;
}

static void apply(struct req *r, const struct where *w, const char *api_version)
{
	char manager[128], err[200];
	json_error_t jerr;
	json_t *obj, *md, *out = NULL;
	const char *kind, *name, *ver;
	int status;

	query_get(r->query, "fieldManager", manager, sizeof(manager));
	if (strncmp(r->ctype, "application/apply-patch+yaml", 28)) {
		respond_status(r, 415, "UnsupportedMediaType", "only server-side apply is scripted here (got '%s')", r->ctype);
		return;
	}
	if (!*manager) {
		respond_status(r, 400, "BadRequest", "PATCH with apply requires fieldManager");
		return;
	}
	obj = json_loadb(r->body, r->body_len, 0, &jerr);
	md = json_object_get(obj, "metadata");
	kind = json_string_value(json_object_get(obj, "kind"));
	name = json_string_value(json_object_get(md, "name"));
	ver = json_string_value(json_object_get(obj, "apiVersion"));
	snprintf(err, sizeof(err), "%s", !obj ? jerr.text : !kind || strcmp(kind, w->res->kind) ? "kind does not match the path" :
		 !ver || strcmp(ver, api_version) ? "apiVersion does not match the path" :
		 !name || strcmp(name, w->name) ? "metadata.name does not match the path" : "");
	if (*err) {
		json_decref(obj);
		respond_status(r, 400, "BadRequest", "%s", err);
		return;
	}
	if (w->res->namespaced && !namespace_exists(w->ns)) {
		json_decref(obj);
		respond_status(r, 404, "NotFound", "namespaces \"%s\" not found", w->ns);
		return;
	}
	json_object_del(obj, "status");
	if (!strcmp(w->res->plural, "pods"))
		pod_controller(obj, w->ns, w->name);
	else if (!strcmp(w->res->plural, "services"))
		service_controller(obj, w->ns, w->name);
	else if (!strcmp(w->res->plural, "namespaces"))
		json_object_set_new(obj, "status", json_pack("{s:s}", "phase", "Active"));
	status = fstore_apply(&store, w->res->plural, w->res->namespaced ? w->ns : NULL, w->name, obj, manager, &out);
	json_decref(obj);
	if (w->res->policy)
		mesh_changed();
	respond_json(r, status, out);
}

static void delete(struct req *r, const struct where *w)
{
	bool policy_ns = false;

	if (!strcmp(w->res->plural, "namespaces")) {
		uint64_t rv;

		for (size_t i = 0; i < N_RESOURCES && !policy_ns; i++) {
			json_t *items = resources[i].policy ? fstore_list(&store, resources[i].plural, w->name, NULL, NULL, &rv) : NULL;

			policy_ns = json_array_size(items) > 0;
			json_decref(items);
		}
	}
	if (fstore_delete(&store, w->res->plural, w->res->namespaced ? w->ns : NULL, w->name)) {
		respond_status(r, 404, "NotFound", "%s \"%s\" not found", w->res->plural, w->name);
		return;
	}
	if (w->res->policy || policy_ns)
		mesh_changed();
	respond_json(r, 200, json_pack("{s:s, s:s, s:s}", "kind", "Status", "apiVersion", "v1", "status", "Success"));
}

/* --- proxies -------------------------------------------------------------------------------- */

struct upstream {
	struct req *r;
	char url[8192];
	struct hcurl_result res;
	int err;
};

/*
 * The request to the pod, on whatever network namespace the calling thread
 * is in. As an API server's proxy passes the caller's headers on, so does
 * this one with the two a run sends: the agents' token (X-Smiw-Token) and
 * the request id of a /call batch (X-Request-Id).
 */
static int upstream_call(void *arg)
{
	struct upstream *u = arg;
	char hdr[300];

	if (*u->r->xtoken)
		snprintf(hdr, sizeof(hdr), "X-Smiw-Token: %s", u->r->xtoken);
	else
		snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", u->r->xreqid);
	u->err = hcurl_get(NULL, &(struct hcurl_request){
		.url = u->url, .method = u->r->method, .body = u->r->body_len ? u->r->body : NULL,
		.content_type = *u->r->ctype ? u->r->ctype : NULL,
		.extra_header = *u->r->xtoken || *u->r->xreqid ? hdr : NULL, .no_proxy = true, .timeout_s = 600,
		.max_body = MAX_ANSWER,
	}, &u->res);
	return 0;
}

/* Relays the request to pod ns/name on `port`: an agent's on loopback, a lab pod's inside its network namespace. */
static void proxy_pod(struct req *r, const char *ns, const char *name, const char *port, const char *rest)
{
	json_t *pod = fstore_get(&store, "pods", ns, name);
	const char *node = json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName"));
	const char *agent_port = node && !strcmp(ns, "smi-witness") ? kv_get(opt.agents, opt.n_agents, node) : NULL;
	const struct inv_pod *lp = lab_pod(ns, name);
	struct upstream u = { .r = r };
	char netns[300];

	if (!pod || (!agent_port && !lp)) {
		json_decref(pod);
		respond_status(r, 404, "NotFound", "pods \"%s\" not found", name);
		return;
	}
	json_decref(pod);
	snprintf(u.url, sizeof(u.url), "http://%s:%s/%s%s%s", agent_port ? "127.0.0.1" : lp->ip,
		 agent_port ? agent_port : port, rest, *r->query ? "?" : "", r->query);
	if (agent_port)
		upstream_call(&u);
	else {
		mesh_settled();
		snprintf(netns, sizeof(netns), "/run/netns/%s", lp->netns);
		if (netns_run_thread(netns, upstream_call, &u) < 0)
			u.err = -EIO;
	}
	if (u.err || !u.res.status)
		respond_status(r, 503, "ServiceUnavailable", "error trying to reach pod %s/%s on port %s", ns, name, port);
	else
		respond(r, (int)u.res.status, *u.res.content_type ? u.res.content_type : "text/plain",
			u.res.body.p ? u.res.body.p : "", u.res.body.len);
	buf_free(&u.res.body);
}

/* A service proxy goes to one pod the service selects (the API server does not pass through the mesh). */
static void proxy_service(struct req *r, const char *ns, const char *name, const char *port, const char *rest)
{
	const struct inv_service *ls = lab_inv ? inventory_service(lab_inv, ns, name) : NULL;
	json_t *svc = fstore_get(&store, "services", ns, name);

	if (!svc || !ls || !ls->nendpoints) {
		json_decref(svc);
		respond_status(r, 503, "ServiceUnavailable", "no endpoints available for service \"%s\"", name);
		return;
	}
	json_decref(svc);
	proxy_pod(r, ns, strchr(ls->endpoints[0], '/') + 1, port, rest);
}

static void smi_metrics(struct req *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(opt.metrics_api, "r");

	if (f) {
		text = malloc(1 << 20);
		len = text ? fread(text, 1, 1 << 20, f) : 0;
		fclose(f);
	}
	respond(r, text ? 200 : 503, "application/json", text ? text : "{}", text ? len : 2);
	free(text);
}

/* --- routes ----------------------------------------------------------------------------------- */

static void dump_store(struct req *r)
{
	respond_json(r, 200, json_pack("{s:o}", "items", fstore_all(&store)));
}

/* NAME:PORT/proxy/REST... of a pod or service: the request relayed, as RBAC on <plural>/proxy allows. */
static void proxied(struct req *r, struct where *w, char **rest, int n)
{
	char resource[160];

	for (int k = 0; k < n; k++)
		snprintf(w->rest + strlen(w->rest), sizeof(w->rest) - strlen(w->rest), "%s%s", k ? "/" : "", rest[k]);
	snprintf(resource, sizeof(resource), "%s/proxy", w->res->plural);
	if (denied(r, !strcmp(r->method, "GET") ? "get" : "create", resource, w->ns))
		return;
	if (!strcmp(w->res->plural, "pods"))
		proxy_pod(r, w->ns, w->name, w->port, w->rest);
	else if (!strcmp(w->res->plural, "services"))
		proxy_service(r, w->ns, w->name, w->port, w->rest);
	else
		respond_status(r, 404, "NotFound", "no proxy for %s", w->res->plural);
}

static void objects(struct req *r, char **seg, int n, int i, const char *group, const char *version)
{
	struct where w = { 0 };
	char api_version[160], watch_q[8] = "";
	const char *verb;

	w.version = version;
	snprintf(api_version, sizeof(api_version), "%s%s%s", group, *group ? "/" : "", version);
	if (i + 2 < n && !strcmp(seg[i], "namespaces")) {
		snprintf(w.ns, sizeof(w.ns), "%s", seg[i + 1]);
		w.has_ns = true;
		i += 2;
	}
	if (i >= n || !(w.res = resource_of(group, seg[i]))) {
		respond_status(r, 404, "NotFound", "the server could not find the requested resource");
		return;
	}
	if (w.res->policy && !resource_served(w.res, version)) {
		respond_status(r, 404, "NotFound", "the server could not find the requested resource (%s)", api_version);
		return;
	}
	if (i + 1 < n) {
		const char *colon = strchr(seg[i + 1], ':');

		snprintf(w.name, sizeof(w.name), "%.*s", colon ? (int)(colon - seg[i + 1]) : (int)strlen(seg[i + 1]),
			 seg[i + 1]);
		snprintf(w.port, sizeof(w.port), "%s", colon ? colon + 1 : "80");
		w.has_name = true;
	}
	if (i + 2 < n && !strcmp(seg[i + 2], "proxy")) {
		proxied(r, &w, seg + i + 3, n - i - 3);
		return;
	}
	verb = verb_of(r, &w, watch_q);
	if (denied(r, verb, w.res->plural, w.ns))
		return;
	if (!strcmp(r->method, "GET") && !w.has_name) {
		if (!strcmp(verb, "watch"))
			watch(r, &w);
		else
			list(r, &w, api_version);
	} else if (!strcmp(r->method, "GET")) {
		json_t *o;

		if (!strcmp(w.res->plural, "pods"))
			refresh_mesh_pod();
		o = fstore_get(&store, w.res->plural, w.res->namespaced ? w.ns : NULL, w.name);
		if (o)
			respond_json(r, 200, o);
		else
			respond_status(r, 404, "NotFound", "%s \"%s\" not found", w.res->plural, w.name);
	} else if (!strcmp(r->method, "PATCH") && w.has_name) {
		apply(r, &w, api_version);
	} else if (!strcmp(r->method, "DELETE") && w.has_name) {
		delete(r, &w);
	} else {
		respond_status(r, 405, "MethodNotAllowed", "%s is not scripted here", r->method);
	}
}

static void route(struct req *r)
{
	char path[4096], *seg[32], *save, *s;
	int n = 0;

	snprintf(path, sizeof(path), "%s", r->path);
	for (s = strtok_r(path, "/", &save); s && n < 32; s = strtok_r(NULL, "/", &save))
		seg[n++] = s;
	if (n == 1 && !strcmp(seg[0], "_store"))
		dump_store(r);
	else if (n == 1 && !strcmp(seg[0], "api"))
		respond_json(r, 200, json_pack("{s:s, s:[s]}", "kind", "APIVersions", "versions", "v1"));
	else if (n == 1 && !strcmp(seg[0], "apis"))
		api_groups(r);
	else if (n >= 2 && !strcmp(seg[0], "api"))
		objects(r, seg, n, 2, "", seg[1]);
	else if (n == 2 && !strcmp(seg[0], "apis"))
		discovery(r, seg[1], NULL);
	else if (n == 3 && !strcmp(seg[0], "apis"))
		discovery(r, seg[1], seg[2]);
	else if (n > 3 && !strcmp(seg[0], "apis") && !strcmp(seg[1], "metrics.smi-spec.io") && opt.metrics_api)
		smi_metrics(r);
	else if (n > 3 && !strcmp(seg[0], "apis") && group_served(seg[1]))
		objects(r, seg, n, 3, seg[1], seg[2]);
	else
		respond_status(r, 404, "NotFound", "the server could not find the requested resource");
}

/* Keeps this request waiting when it is the one --hold names, until the test releases it. Returns whether it did. */
static bool maybe_hold(struct req *r)
{
	char line[4200], held[600], release[600];
	bool mine;

	if (!*opt.hold)
		return false;
	snprintf(line, sizeof(line), "%s %s", r->method, r->target);
	pthread_mutex_lock(&hold_mu);
	mine = strstr(line, opt.hold) && ++hold_seen == opt.hold_nth;
	pthread_mutex_unlock(&hold_mu);
	if (!mine)
		return false;
	snprintf(held, sizeof(held), "%s/held", opt.log_dir);
	snprintf(release, sizeof(release), "%s/release", opt.log_dir);
	fclose(fopen(held, "w"));
	fprintf(stderr, "fakecluster: holding %s\n", line);
	for (int i = 0; i < 2400 && access(release, F_OK) && !stopping; i++)
		usleep(50000);
	fprintf(stderr, "fakecluster: released %s\n", line);
	return true;
}

static void *serve_conn(void *arg)
{
	struct req r = { .ssl = arg };
	int fd = SSL_get_fd(r.ssl);

	if (SSL_accept(r.ssl) == 1 && !read_req(&r)) {
		bool held = maybe_hold(&r);

		route(&r);
		if (held) {	/* the test waits for this: the held request has had its effect */
			char done[600];

			snprintf(done, sizeof(done), "%s/answered", opt.log_dir);
			fclose(fopen(done, "w"));
		}
		SSL_shutdown(r.ssl);
	}
	free(r.body);
	SSL_free(r.ssl);
	close(fd);
	return NULL;
}

/* --- start --------------------------------------------------------------------------------------- */

static void seed_pod(const char *ns, const char *name, const char *node, const char *ip, json_t *labels)
{
	json_t *pod = json_pack("{s:s, s:s, s:{s:s, s:s, s:O}, s:{s:s, s:[{s:s}]}, s:{s:s, s:s, s:[{s:s, s:s}]}}",
		"apiVersion", "v1", "kind", "Pod", "metadata", "name", name, "namespace", ns, "labels", labels,
		"spec", "nodeName", node, "containers", "name", name, "status", "phase", "Running", "podIP", ip,
		"conditions", "type", "Ready", "status", "True");

	fstore_apply(&store, "pods", ns, name, pod, "kubelet", NULL);
	json_decref(pod);
}

static void seed_namespace(const char *name)
{
	json_t *ns = json_pack("{s:s, s:s, s:{s:s}, s:{s:s}}", "apiVersion", "v1", "kind", "Namespace", "metadata",
			       "name", name, "status", "phase", "Active");

	fstore_apply(&store, "namespaces", NULL, name, ns, "kube-apiserver", NULL);
	json_decref(ns);
}

/* What a cluster has before a run: its namespaces, the agents' DaemonSet pods, the mesh's pod. */
static void seed(void)
{
	const char *mp = lab_inv->mesh_pod, *slash = strchr(mp, '/');

	seed_namespace("default");
	seed_namespace("kube-system");
	seed_namespace("smi-witness");
	for (size_t i = 0; i < opt.n_agents; i++) {
		char name[160];
		json_t *labels = json_pack("{s:s, s:s}", "app.kubernetes.io/name", "smi-witness",
					   "app.kubernetes.io/component", "agent");

		snprintf(name, sizeof(name), "smi-witness-agent-%s", opt.agents[i].key);
		seed_pod("smi-witness", name, opt.agents[i].key, "127.0.0.1", labels);
		json_decref(labels);
	}
	if (slash) {
		char ns[64];
		const struct inv_pod *lp;

		snprintf(ns, sizeof(ns), "%.*s", (int)(slash - mp), mp);
		lp = lab_pod(ns, slash + 1);
		seed_namespace(ns);
		if (lp)
			seed_pod(ns, slash + 1, kv_get(opt.nodes, opt.n_nodes, slash + 1) ?: "node-1", lp->ip, lp->labels);
	}
}

/* A kubeconfig in JSON (YAML reads it): the server, our CA, the test user's client certificate. */
static int write_kubeconfig(int port)
{
	char server[64];
	json_t *kc;
	int r;

	snprintf(server, sizeof(server), "https://127.0.0.1:%d", port);
	kc = json_pack("{s:s, s:s, s:s, s:[{s:s, s:{s:s, s:s}}], s:[{s:s, s:{s:s, s:s}}], s:[{s:s, s:{s:s, s:s}}]}",
		       "apiVersion", "v1", "kind", "Config", "current-context", "fake",
		       "clusters", "name", "fake", "cluster", "server", server, "certificate-authority", certs.ca,
		       "contexts", "name", "fake", "context", "cluster", "fake", "user", "tester",
		       "users", "name", "tester", "user", "client-certificate", certs.client_crt, "client-key",
		       certs.client_key);
	r = kc && !json_dump_file(kc, opt.kubeconfig_out, JSON_INDENT(1)) ? 0 : -1;
	json_decref(kc);
	return r;
}

static int listen_tls(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd;

	ssl_ctx = SSL_CTX_new(TLS_server_method());
	if (!ssl_ctx || SSL_CTX_use_certificate_file(ssl_ctx, certs.server_crt, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ssl_ctx, certs.server_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ssl_ctx, certs.ca, NULL) != 1)
		return -1;
	SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_session_id_context(ssl_ctx, (const unsigned char *)"fakecluster", 11);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl))
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "lab", required_argument, NULL, 'l' }, { "lab-inventory", required_argument, NULL, 'i' },
		{ "kubeconfig-out", required_argument, NULL, 'k' }, { "work", required_argument, NULL, 'w' },
		{ "node", required_argument, NULL, 'n' }, { "agent", required_argument, NULL, 'a' },
		{ "serve", required_argument, NULL, 's' }, { "deny", required_argument, NULL, 'd' },
		{ "metrics-api", required_argument, NULL, 'm' },
		{ "hold", required_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l': opt.lab = optarg; break;
		case 'i': opt.lab_inventory = optarg; break;
		case 'k': opt.kubeconfig_out = optarg; break;
		case 'w': opt.log_dir = optarg; break;
		case 'm': opt.metrics_api = optarg; break;
		case 'h': {
			const char *colon = strrchr(optarg, ':');

			snprintf(opt.hold, sizeof(opt.hold), "%.*s", colon ? (int)(colon - optarg) : (int)strlen(optarg), optarg);
			opt.hold_nth = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 1;
			break;
		}
		case 'n': if (add_kv(opt.nodes, &opt.n_nodes, optarg)) return -1; break;
		case 'a': if (add_kv(opt.agents, &opt.n_agents, optarg)) return -1; break;
		case 's': if (opt.n_serve == 8 || add_kv(opt.serve, &opt.n_serve, optarg)) return -1; break;
		case 'd':
			if (opt.n_deny == MAX_LIST)
				return -1;
			snprintf(opt.deny[opt.n_deny++], sizeof(opt.deny[0]), "%s", optarg);
			break;
		default: return -1;
		}
	}
	return opt.lab && opt.lab_inventory && opt.kubeconfig_out && opt.log_dir ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	pthread_t mesh;
	int lfd, port;

	if (parse(argc, argv)) {
		fprintf(stderr, "usage: fakecluster --lab NAME --lab-inventory FILE --kubeconfig-out FILE --work DIR "
			"[--node POD=NODE]... [--agent NODE=PORT]... [--serve GROUP=V,V]... [--deny VERB:RESOURCE]... "
			"[--metrics-api FILE] [--hold 'METHOD PATH-PART:N']\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fstore_init(&store);
	if (inventory_load(opt.lab_inventory, &lab_inv) || fakeapi_certs(&certs) || (lfd = listen_tls(&port)) < 0 ||
	    write_kubeconfig(port)) {
		fprintf(stderr, "fakecluster: cannot start\n");
		fakeapi_certs_remove(&certs);
		return 1;
	}
	seed();
	pthread_create(&mesh, NULL, mesh_controller, NULL);
	fprintf(stderr, "fakecluster: serving on https://127.0.0.1:%d for lab %s\n", port, opt.lab);
	while (!stopping) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		pthread_t th;
		SSL *ssl;
		int fd;

		if (poll(&p, 1, 200) <= 0)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		ssl = SSL_new(ssl_ctx);
		SSL_set_fd(ssl, fd);
		if (pthread_create(&th, NULL, serve_conn, ssl)) {
			SSL_free(ssl);
			close(fd);
			continue;
		}
		pthread_detach(th);
	}
	close(lfd);
	pthread_mutex_lock(&mesh_mu);
	pthread_cond_signal(&mesh_cv);
	pthread_cond_broadcast(&mesh_idle_cv);	/* requests waiting for the mesh give up */
	pthread_mutex_unlock(&mesh_mu);
	pthread_join(mesh, NULL);
	pthread_mutex_lock(&store.mu);
	store.closing = true;
	pthread_cond_broadcast(&store.changed);
	pthread_mutex_unlock(&store.mu);
	usleep(300000);	/* watches see the store closing and end */
	fakeapi_certs_remove(&certs);
	inventory_free(lab_inv);
	fprintf(stderr, "fakecluster: stopped\n");
	return 0;
}
