/*
 * target_cluster.c - a Kubernetes cluster as a run's target (cluster.h):
 * what the API server serves, the operations of target.h, and leaving the
 * cluster as it was found.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "gateway/gateway.h"
#include "k8s/apply.h"
#include "k8s/routes.h"
#include "k8s/smi.h"
#include "run/cluster_int.h"
#include "scenario/policy.h"
#include "util/clock.h"
#include "util/exitcode.h"
#include "util/log.h"
#include "util/yaml_json.h"

void clog_line(struct target_cluster *tc, const char *fmt, ...)
{
	FILE *f = *tc->log ? fopen(tc->log, "a") : NULL;
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

int cluster_fail(struct target_cluster *tc, struct k8s_client *c, int r)
{
	(void)tc;
	switch (r) {
	case -EINTR:
		break;	/* stopped by a signal: the run says so */
	case -EACCES:
		error("%s (deploy/run-rbac.yaml grants what a run needs)", c->err);
		break;
	case -ECONNRESET:
	case -ETIMEDOUT:
		error("%s (is the cluster up, and the kubeconfig's server reachable from here?)", c->err);
		break;
	default:
		error("%s", *c->err ? c->err : strerror(-r));
	}
	return -1;
}

bool cluster_wait(struct target_cluster *tc, uint64_t ns)
{
	uint64_t end = mono_ns() + ns;

	while (!*tc->o.stop) {
		uint64_t now = mono_ns();

		if (now >= end)
			return true;
		sleep_ns(end - now < 50000000ULL ? end - now : 50000000ULL);
	}
	return false;
}

/* --- what the API server serves -------------------------------------------------- */

static int version_number(const char *v)
{
	return v && !strncmp(v, "v1alpha", 7) && v[7] >= '1' && v[7] <= '4' && !v[8] ? v[7] - '0' : 0;
}

/* The discovered kind entry of `group` (any kind: they share the group's versions), or NULL. */
static json_t *group_entry(json_t *kinds, const char *group)
{
	json_t *k;
	size_t i;

	json_array_foreach(kinds, i, k)
		if (!strcmp(json_string_value(json_object_get(k, "group")) ?: "", group))
			return k;
	return NULL;
}

static void served_text(json_t *entry, char *buf, size_t len)
{
	json_t *v;
	size_t i;

	*buf = '\0';
	json_array_foreach(json_object_get(entry, "served_versions"), i, v)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "", json_string_value(v));
}

/*
 * The versions to render in: --api checked against what is served, or the
 * newest served version of each group. Returns 0 or EXIT_ERROR after
 * printing.
 */
static int choose_versions(struct target_cluster *tc, int api[SMI_GROUP_COUNT], bool have_api)
{
	for (int g = 0; g < SMI_GROUP_COUNT; g++) {
		json_t *e = group_entry(tc->smi_kinds, smi_group_name(g)), *v;
		char served[200];
		int best = 0;
		bool ok = false;
		size_t i;

		json_array_foreach(json_object_get(e, "served_versions"), i, v) {
			int n = version_number(json_string_value(v));

			best = n > best ? n : best;
			ok |= have_api && n == api[g];
		}
		served_text(e, served, sizeof(served));
		if (have_api && api[g] && !ok)
			return error("--api %s=%s: the API server serves %s %s: pick one of those, or install CRDs "
				     "that serve %s", smi_group_short(g), smi_version_name(api[g]), smi_group_name(g),
				     e ? served : "in no version (not installed)", smi_version_name(api[g])),
			       EXIT_ERROR;
		if (!have_api)
			api[g] = best;
	}
	return 0;
}

/* The versions the API server serves of a group that is not SMI's (discovery only). */
static void group_versions(struct target_cluster *tc, const char *group, char *buf, size_t len)
{
	char path[200], what[200];
	json_t *doc = NULL, *v;
	size_t i;

	snprintf(path, sizeof(path), "/apis/%s", group);
	snprintf(what, sizeof(what), "discover API group %s", group);
	*buf = '\0';
	if (k8s_get_json(&tc->api, what, path, &doc))
		return;
	json_array_foreach(json_object_get(doc, "versions"), i, v)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
			 json_string_value(json_object_get(v, "version")) ?: "?");
	json_decref(doc);
}

/* The discovered entry of route kind k, or NULL when it is not served. */
static json_t *route_entry(struct target_cluster *tc, enum gw_kind k)
{
	json_t *e;
	size_t i;

	json_array_foreach(tc->route_kinds, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "kind")) ?: "", gw_kind_name(k)))
			return e;
	return NULL;
}

/*
 * The version each route kind is rendered in: --api's, checked against
 * what is served, else the newest served; 0 for a kind not served (a
 * scenario that applies one is refused by check()). The entries' version
 * becomes the chosen one: objects of ours are listed in it. Returns 0 or
 * EXIT_ERROR after printing.
 */
static int choose_route_versions(struct target_cluster *tc, int gw_api[GW_KIND_COUNT])
{
	for (int k = 0; k < GW_KIND_COUNT; k++) {
		json_t *e = route_entry(tc, k), *v;
		char served[200] = "";
		bool ok = false;
		size_t i;

		json_array_foreach(json_object_get(e, "served_versions"), i, v)
			ok |= gw_api[k] && !strcmp(json_string_value(v), gw_version_name(gw_api[k]));
		served_text(e, served, sizeof(served));
		if (gw_api[k] && !ok)
			return error("--api %s=%s: the API server serves %s %s: pick one of those, or install the Gateway "
				     "API CRD %s.%s in a release that serves %s", k == GW_GRPC_ROUTE ? "grpcroute" :
				     "httproute", gw_version_name(gw_api[k]), gw_kind_name(k), e ? served :
				     "in no version (not installed)", k == GW_GRPC_ROUTE ? "grpcroutes" : "httproutes",
				     GW_GROUP, gw_version_name(gw_api[k])), EXIT_ERROR;
		if (!gw_api[k] && e)
			gw_api[k] = gw_version_parse(json_string_value(json_object_get(e, "version")));
		if (e) {
			json_object_set_new(e, "version", json_string(gw_version_name(gw_api[k])));
			pr_info("cluster: %s %s served in %s (applied as %s)", gw_kind_name(k), GW_GROUP, served,
				gw_version_name(gw_api[k]));
		}
		tc->gw_api[k] = gw_api[k];
	}
	if (!json_array_size(tc->route_kinds))
		pr_warn("the API server serves no Gateway API route (no Gateway API CRDs installed): scenarios that "
			"apply HTTPRoutes or GRPCRoutes cannot run");
	json_array_extend(tc->policy_kinds, tc->route_kinds);
	return 0;
}

static int discover(struct target_cluster *tc)
{
	char metrics[200], line[200];
	json_t *k;
	size_t i;
	int r;

	if ((r = k8s_smi_discover(&tc->api, &tc->smi_kinds))) {
		cluster_fail(tc, &tc->api, r);
		return EXIT_ERROR;
	}
	json_array_foreach(tc->smi_kinds, i, k) {
		served_text(k, line, sizeof(line));
		pr_info("cluster: %s %s served in %s (applied as %s)", json_string_value(json_object_get(k, "kind")),
			json_string_value(json_object_get(k, "group")), line,
			json_string_value(json_object_get(k, "version")));
	}
	if (!json_array_size(tc->smi_kinds))
		pr_warn("the API server serves no SMI API (no SMI CRDs installed): scenarios that apply SMI objects "
			"cannot run");
	if ((r = k8s_routes_discover(&tc->api, &tc->route_kinds))) {
		cluster_fail(tc, &tc->api, r);
		return EXIT_ERROR;
	}
	tc->policy_kinds = json_deep_copy(tc->smi_kinds);
	group_versions(tc, "metrics.smi-spec.io", metrics, sizeof(metrics));
	tc->smi_metrics_api = *metrics;
	pr_info("cluster: SMI metrics API (metrics.smi-spec.io) %s%s", *metrics ? "served in " : "not served",
		metrics);
	return 0;
}

/* --- the operations ------------------------------------------------------------------- */

/*
 * Each route the scenario's policy applies: in the namespace the run was
 * given (else EXIT_USAGE: nothing outside it is touched), and of a kind the
 * API server serves (else EXIT_ERROR naming the CRD to install).
 */
static int check_routes(struct target_cluster *tc, const struct policy *pol)
{
	for (size_t i = 0; pol->routes && i < pol->n; i++)
		for (size_t j = 0; pol->routes[i] && j < pol->routes[i]->n_routes; j++) {
			const struct gw_route *g = pol->routes[i]->routes[j];

			if (strcmp(g->namespace, tc->ns)) {
				error("'%s': line %d: %s %s/%s: a run --cluster applies objects in namespace %s only (the "
				      "scenario's own, or one it names, is placed there)", g->file, g->line,
				      gw_kind_name(g->kind), g->namespace, g->name, tc->ns);
				return EXIT_USAGE;
			}
			if (tc->gw_api[g->kind])
				continue;
			error("'%s': line %d: %s %s/%s: the API server does not serve %s %s (not installed): install the "
			      "Gateway API CRD %s.%s (standard channel), or leave this suite out", g->file, g->line,
			      gw_kind_name(g->kind), g->namespace, g->name, GW_GROUP, gw_kind_name(g->kind),
			      g->kind == GW_GRPC_ROUTE ? "grpcroutes" : "httproutes", GW_GROUP);
			return EXIT_ERROR;
		}
	return 0;
}

/*
 * Before anything is made: the sample app carries the scenario's traffic,
 * and the API server serves every SMI group and route kind its policy
 * applies (else none of its steps could be applied: the cluster lacks it,
 * exit 4).
 */
static int check(struct target *t, const struct scenario *sc, const struct policy *pol)
{
	struct target_cluster *tc = cluster_of(t);
	int r = cluster_app_check(tc, sc);

	if (!r)
		r = check_routes(tc, pol);

	for (size_t i = 0; i < pol->n && !r; i++)
		for (size_t k = 0; pol->sets[i] && k < pol->sets[i]->n_objects; k++) {
			const struct smi_meta *m = pol->sets[i]->objects[k];
			enum smi_group g = smi_kind_group(m->kind);

			if (g == SMI_GROUP_METRICS || group_entry(tc->smi_kinds, smi_group_name(g)))
				continue;
			error("'%s': line %d: %s %s/%s: the API server does not serve %s/%s (not installed): install "
			      "the mesh's SMI support for it, or leave this suite out", m->file, m->line,
			      smi_kind_name(m->kind), m->namespace, m->name, smi_group_name(g),
			      smi_version_name(m->version));
			return EXIT_ERROR;
		}
	return r;
}

static int prepare(struct target *t, const struct target_scenario *ts, struct inventory **inv)
{
	struct target_cluster *tc = cluster_of(t);
	unsigned before;
	int r;

	snprintf(tc->log, sizeof(tc->log), "%s", ts->log);
	tc->access_control = ts->access_control;
	if ((r = cluster_app_up(tc)))
		return r;
	before = tc->n_deleted;
	if ((r = cluster_delete_ours(tc, &tc->api, false, false)) ||
	    (r = cluster_check_mode(tc, tc->n_deleted > before)) || (r = cluster_inventory(tc, ts->inventory)))
		return r;
	return inventory_load(ts->inventory, inv) ? -1 : 0;
}

/* Says which object the API server does not serve, and how it could. */
static int not_served(struct target_cluster *tc, json_t *obj)
{
	const char *api = json_string_value(json_object_get(obj, "apiVersion")) ?: "";
	const char *slash = strchr(api, '/');
	char group[128], served[200] = "", name[300];
	json_t *e;

	snprintf(group, sizeof(group), "%.*s", slash ? (int)(slash - api) : 0, api);
	e = group_entry(tc->policy_kinds, group);
	served_text(e, served, sizeof(served));
	k8s_object_name(obj, name, sizeof(name));
	return error("cannot apply %s: the API server does not serve %s (%s%s): install %s for it, or render in "
		     "a served version with --api", name, api, e ? "served: " : "not installed", e ? served : "",
		     strcmp(group, GW_GROUP) ? "the mesh's SMI support" : "the Gateway API CRDs");
}

/* The objects of a rendered policy file, labelled ours. Returns a new array or NULL after printing. */
static json_t *rendered_objects(struct target_cluster *tc, const char *policy)
{
	char err[300];
	json_t *docs = policy ? yaml_json_load_file(policy, err, sizeof(err)) : json_array(), *out = json_array(), *d;
	size_t i;

	if (!docs) {
		json_decref(out);
		error("cannot load '%s': %s", policy, err);
		return NULL;
	}
	json_array_foreach(docs, i, d) {
		json_t *md = json_object_get(d, "metadata"), *labels;

		if (!json_is_object(md))
			continue;
		if (!json_object_get(md, "namespace"))
			json_object_set_new(md, "namespace", json_string(tc->ns));
		labels = json_object_get(md, "labels");
		if (!json_is_object(labels))
			json_object_set_new(md, "labels", labels = json_object());
		json_object_set_new(labels, CLUSTER_LABEL_KEY, json_string(CLUSTER_LABEL_VALUE));
		json_array_append(out, d);
	}
	json_decref(docs);
	return out;
}

static bool in_force(json_t *objs, const char *kind, const char *name)
{
	json_t *o;
	size_t i;

	json_array_foreach(objs, i, o)
		if (!strcmp(json_string_value(json_object_get(o, "kind")) ?: "", kind) &&
		    !strcmp(json_string_value(json_object_get(json_object_get(o, "metadata"), "name")) ?: "", name))
			return true;
	return false;
}

/* Deletes the SMI objects and routes of ours that `objs` no longer holds. */
static int delete_stale(struct target_cluster *tc, json_t *objs)
{
	json_t *k, *doc, *o;
	size_t i, j;
	int r;

	json_array_foreach(tc->policy_kinds, i, k) {
		const char *kind = json_string_value(json_object_get(k, "kind"));
		char path[512], what[200], api[128];

		snprintf(api, sizeof(api), "%s/%s", json_string_value(json_object_get(k, "group")),
			 json_string_value(json_object_get(k, "version")));
		if (k8s_object_path(api, kind, tc->ns, NULL, path, sizeof(path)))
			continue;
		strcat(path, "?labelSelector=app.kubernetes.io%2Fmanaged-by%3D" CLUSTER_LABEL_VALUE);
		snprintf(what, sizeof(what), "list %s objects in namespace %s", kind, tc->ns);
		doc = NULL;
		if ((r = k8s_get_json(&tc->api, what, path, &doc)))
			return cluster_fail(tc, &tc->api, r);
		json_array_foreach(json_object_get(doc, "items"), j, o) {
			const char *name = json_string_value(json_object_get(json_object_get(o, "metadata"), "name"));

			if (!name || in_force(objs, kind, name))
				continue;
			k8s_object_path(api, kind, tc->ns, name, path, sizeof(path));
			snprintf(what, sizeof(what), "delete %s %s/%s", kind, tc->ns, name);
			if ((r = k8s_delete(&tc->api, what, path))) {
				json_decref(doc);
				return cluster_fail(tc, &tc->api, r);
			}
			clog_line(tc, "deleted %s %s/%s (no longer in force)", kind, tc->ns, name);
		}
		json_decref(doc);
	}
	return 0;
}

/*
 * The policy in force becomes exactly the file's objects: each applied
 * (server-side, our field manager), then every object of ours it does not
 * hold deleted. The mesh takes its time to act on them: the runner's
 * convergence probes measure when it has.
 */
static int apply(struct target *t, const char *policy)
{
	struct target_cluster *tc = cluster_of(t);
	json_t *objs = rendered_objects(tc, policy), *o;
	size_t i;
	int r = 0;

	if (!objs)
		return -1;
	json_array_foreach(objs, i, o) {
		char name[300];

		r = k8s_apply(&tc->api, o, CLUSTER_FIELD_MANAGER, NULL);
		if (r == -ENOENT) {
			r = not_served(tc, o);
			break;
		}
		if (r) {
			r = cluster_fail(tc, &tc->api, r);
			break;
		}
		k8s_object_name(o, name, sizeof(name));
		clog_line(tc, "applied %s", name);
	}
	if (!r)
		r = delete_stale(tc, objs);
	json_decref(objs);
	return r;
}

static int mesh_running(struct target *t, char *why, size_t len)
{
	return cluster_app_running(cluster_of(t), why, len);
}

/*
 * Everything of ours goes, with a client signals do not stop: the
 * namespace when a run of ours made it (that takes what is in it along),
 * else each object of ours in it. Nothing outside the namespace is touched.
 */
static int teardown(struct target *t, const char *log)
{
	struct target_cluster *tc = cluster_of(t);
	char path[200], what[200];
	int r;

	snprintf(tc->log, sizeof(tc->log), "%s", log);
	if (!*tc->ns)
		return 0;
	r = cluster_delete_ours(tc, &tc->calm, true, false);
	if (!r && tc->ns_ours) {
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s", tc->ns);
		snprintf(what, sizeof(what), "delete namespace %s", tc->ns);
		if ((r = k8s_delete(&tc->calm, what, path)))
			r = cluster_fail(tc, &tc->calm, r);
		else
			clog_line(tc, "deleted Namespace %s", tc->ns);
	}
	if (r) {
		pr_warn("objects of smi-witness may be left in namespace %s (label %s=%s): the next run removes them "
			"first", tc->ns, CLUSTER_LABEL_KEY, CLUSTER_LABEL_VALUE);
		return -1;
	}
	pr_info("cluster: every object of smi-witness in namespace %s deleted%s", tc->ns,
		tc->ns_ours ? ", and the namespace" : "");
	return 0;
}

static void cluster_free(struct target *t)
{
	struct target_cluster *tc = cluster_of(t);

	obs_free(&tc->probes);
	json_decref(tc->app);
	json_decref(tc->smi_kinds);
	json_decref(tc->route_kinds);
	json_decref(tc->policy_kinds);
	json_decref(tc->pod_ips);
	k8s_client_free(&tc->api);
	k8s_client_free(&tc->calm);
	k8s_config_free(&tc->cfg);
	free(tc->agents);
	free(tc->token);
	free(tc);
}

static const struct target_ops cluster_ops = {
	.check = check,
	.prepare = prepare,
	.apply = apply,
	.drive = cluster_drive,
	.observe_start = cluster_observe_start,
	.observed_lock = cluster_observed_lock,
	.observed_unlock = cluster_observed_unlock,
	.observe_stop = cluster_observe_stop,
	.scrape = cluster_scrape,
	.mesh_running = mesh_running,
	.teardown = teardown,
	.free = cluster_free,
};

int target_cluster_new(const struct cluster_opts *o, int api[SMI_GROUP_COUNT], bool have_api,
		       int gw_api[GW_KIND_COUNT], struct target **out, const char **ns)
{
	struct target_cluster *tc = calloc(1, sizeof(*tc));
	char err[1024];
	int r;

	if (!tc)
		return EXIT_ERROR;
	tc->base = (struct target){ .ops = &cluster_ops, .log_name = "cluster.log" };
	tc->o = *o;
	tc->token = agent_token_read(o->token_file);
	if (!tc->token) {
		cluster_free(&tc->base);
		return error("the agents' token is needed: --token-file FILE or $SMIW_AGENT_TOKEN"), EXIT_USAGE;
	}
	if ((r = cluster_app_load(tc))) {
		cluster_free(&tc->base);
		return r;
	}
	if (k8s_config_auto(&tc->cfg, o->kubeconfig, o->context, err, sizeof(err))) {
		cluster_free(&tc->base);
		return error("cannot reach a cluster: %s", err), EXIT_ERROR;
	}
	if (k8s_client_init(&tc->api, &tc->cfg) || k8s_client_init(&tc->calm, &tc->cfg)) {
		cluster_free(&tc->base);
		return EXIT_ERROR;
	}
	tc->api.stop = o->stop;
	if ((r = discover(tc)) || (r = choose_versions(tc, api, have_api)) ||
	    (r = choose_route_versions(tc, gw_api))) {
		cluster_free(&tc->base);
		return r;
	}
	pr_info("cluster: %s, mesh %s, sample app from %s into namespace %s", tc->cfg.server, o->mesh, tc->sample_dir,
		tc->ns);
	*out = &tc->base;
	*ns = tc->ns;
	return 0;
}
