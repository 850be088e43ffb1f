/*
 * cluster_obs.c - a scenario's observations on a cluster: what the agents
 * captured since the scenario began (fetch.h, through the API server's pod
 * proxy), on one timeline (the first agent's monotonic clock as read when
 * the scenario began); the convergence probes read as they arrive; the
 * mesh's metrics through the pod proxy; the SMI metrics API where served.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "agent/fetch.h"
#include "http/url.h"
#include "metrics/fetch.h"
#include "run/cluster_int.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/log.h"

#define SKEW_NS 2000000000ULL		/* clocks of this machine and the nodes may disagree this much */
#define COUNTERS_TIMEOUT_NS (30ULL * 1000000000ULL)	/* an agent writes counters every few seconds */
#define COUNTERS_POLL_NS 200000000ULL

uint64_t cluster_timeline(const struct target_cluster *tc, uint64_t real)
{
	return real - (tc->ref_real_ns - tc->ref_mono_ns);
}

void cluster_note_traffic(struct target_cluster *tc, const char *run_id)
{
	const char *dot = strchr(run_id, '.'), *dot2 = dot ? strchr(dot + 1, '.') : NULL;
	char prefix[sizeof(tc->step_prefix)];

	if (!dot2)
		return;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(dot2 - run_id + 1), run_id);
	if (strcmp(prefix, tc->step_prefix)) {
		snprintf(tc->step_prefix, sizeof(tc->step_prefix), "%s", prefix);
		tc->step_real_ns = real_ns();
	}
}

/* Every agent's records matching q, on the scenario's timeline. Returns 0 or -1 after printing. */
static int fetch(struct target_cluster *tc, struct fetch_query *q, struct fetch_result *res)
{
	int r;

	q->ref_mono_ns = tc->ref_mono_ns;
	q->ref_real_ns = tc->ref_real_ns;
	r = fetch_merge(tc->agents, tc->n_agents, &tc->cfg, tc->token, q, res);
	if (r)
		return error("no smi-witness agent could be read");
	return 0;
}

/* Keeps the records of the sample app's namespace, the mesh pod's and those of no pod (counters, unattributed). */
static void narrow(struct target_cluster *tc, json_t *records)
{
	char mesh_ns[64] = "";
	const char *slash = strchr(tc->mesh_pod, '/');

	if (slash)
		snprintf(mesh_ns, sizeof(mesh_ns), "%.*s", (int)(slash - tc->mesh_pod), tc->mesh_pod);
	for (size_t i = 0; i < json_array_size(records);) {
		const char *ns = json_string_value(json_object_get(json_array_get(records, i), "namespace")) ?: "";

		if (!*ns || !strcmp(ns, tc->ns) || !strcmp(ns, mesh_ns))
			i++;
		else
			json_array_remove(records, i);
	}
}

static ssize_t gz_write(void *gz, const char *buf, size_t n)
{
	int w = n ? gzwrite(gz, buf, (unsigned)n) : 0;

	return w > 0 || !n ? w : -1;
}

static int gz_close(void *gz)
{
	return gzclose(gz) == Z_OK ? 0 : -1;
}

/* Writes the merged records to `path`, gzip when it ends in ".gz". Returns 0 or -1 after printing. */
static int write_records(const struct fetch_result *res, const char *path)
{
	size_t l = strlen(path);
	bool gz = l > 3 && !strcmp(path + l - 3, ".gz");
	gzFile z = gz ? gzopen(path, "wb1") : NULL;
	FILE *f = gz ? (z ? fopencookie(z, "w", (cookie_io_functions_t){ .write = gz_write, .close = gz_close }) : NULL)
		     : fopen(path, "w");

	if (!f) {
		if (z)
			gzclose(z);
		return error_errno(errno, "cannot write '%s'", path);
	}
	fetch_write(res, f);
	if (fclose(f))
		return error_errno(errno, "cannot write '%s'", path);
	return 0;
}

int cluster_observe_start(struct target *t, const struct target_observe *o)
{
	struct target_cluster *tc = cluster_of(t);
	struct fetch_query q = { .type = "stats" };
	struct fetch_result res;

	tc->inv = o->inv;
	snprintf(tc->out_path, sizeof(tc->out_path), "%s", o->out_path);
	snprintf(tc->inv_path, sizeof(tc->inv_path), "%s", o->inventory_path);
	snprintf(tc->run, sizeof(tc->run), "%s", o->run);
	tc->step_prefix[0] = '\0';
	/* The timeline: the first agent's clock as it answers now. */
	tc->ref_mono_ns = tc->ref_real_ns = 0;
	q.since_ns = real_ns();
	if (fetch_merge(tc->agents, tc->n_agents, &tc->cfg, tc->token, &q, &res))
		return error("no smi-witness agent could be read");
	tc->ref_mono_ns = res.ref_mono_ns;
	tc->ref_real_ns = res.ref_real_ns;
	fetch_result_free(&res);
	tc->t0_real_ns = real_ns() - SKEW_NS;
	obs_free(&tc->probes);
	tc->observing = true;
	clog_line(tc, "capture of run %s: the agents' records from %llu (Unix ns), on the clock of agent %s",
		  tc->run, (unsigned long long)tc->t0_real_ns, tc->agents[0].name);
	return 0;
}

/* A file beside the observations for the probes' records (read, then removed). */
static void probes_path(const struct target_cluster *tc, char *buf, size_t len)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", tc->out_path);
	path_fmt(buf, len, "%s/.probes.jsonl", dirname(dir));
}

/*
 * The current step's requests (only probes are sent before its traffic)
 * and the connections of the step, where refused connects show: read anew
 * each time, so the runner judges what the agents hold now.
 */
const struct obs_set *cluster_observed_lock(struct target *t)
{
	struct target_cluster *tc = cluster_of(t);
	struct fetch_query qp = { .request_id = tc->step_prefix, .since_ns = tc->t0_real_ns };
	struct fetch_query qc = { .type = "conn", .since_ns = tc->step_real_ns - SKEW_NS };
	struct fetch_result probes, conns;
	char path[PATH_MAX];

	if (!tc->observing || !*tc->step_prefix || fetch(tc, &qp, &probes))
		return &tc->probes;
	if (fetch(tc, &qc, &conns)) {
		fetch_result_free(&probes);
		return &tc->probes;
	}
	json_array_extend(probes.records, conns.records);
	narrow(tc, probes.records);
	probes_path(tc, path, sizeof(path));
	obs_free(&tc->probes);
	if (!write_records(&probes, path) && obs_read(&tc->probes, path))
		obs_free(&tc->probes);
	unlink(path);
	fetch_result_free(&probes);
	fetch_result_free(&conns);
	return &tc->probes;
}

void cluster_observed_unlock(struct target *t)
{
	(void)t;	/* one thread reads and judges: nothing to release */
}

/*
 * Whether every agent has written counters after `since` (Unix ns): its
 * capture then handed over everything it saw before that moment, since
 * counters go down the same pipe as the records.
 */
static bool counters_after(struct target_cluster *tc, uint64_t since, char *late, size_t len)
{
	struct fetch_query q = { .type = "stats", .since_ns = since };
	struct fetch_result res;
	json_t *src;
	bool all;
	size_t i;

	if (fetch(tc, &q, &res))
		return false;
	all = !res.failed;
	json_array_foreach(res.sources, i, src)
		if (json_integer_value(json_object_get(src, "records")) < 2) {	/* the closing counters are always there */
			snprintf(late, len, "%s", json_string_value(json_object_get(src, "target")) ?: "?");
			all = false;
		}
	fetch_result_free(&res);
	return all;
}

/* The SMI metrics API's view of the sample pods, beside the observations (docs/kubernetes.md). */
static void smi_metrics(struct target_cluster *tc)
{
	char path[300], file[PATH_MAX], dir[PATH_MAX], what[200], *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "/apis/metrics.smi-spec.io/v1alpha1/namespaces/%s/pods", tc->ns);
	snprintf(what, sizeof(what), "read the SMI metrics of the pods in namespace %s", tc->ns);
	r = k8s_request_raw(&tc->api, what, "GET", path, NULL, NULL, &text, &len);
	snprintf(dir, sizeof(dir), "%s", tc->out_path);
	if (r || path_fmt(file, sizeof(file), "%s/smi-metrics.json", dirname(dir)) || !(f = fopen(file, "w"))) {
		pr_warn("the SMI metrics API: %s", r ? tc->api.err : "cannot write smi-metrics.json");
		free(text);
		return;
	}
	fwrite(text ? text : "", 1, len, f);
	fclose(f);
	free(text);
	clog_line(tc, "SMI metrics API: %s written (%zu bytes)", file, len);
}

int cluster_observe_stop(struct target *t)
{
	struct target_cluster *tc = cluster_of(t);
	uint64_t stop = real_ns(), deadline = mono_ns() + COUNTERS_TIMEOUT_NS;
	struct fetch_query q = { .since_ns = tc->t0_real_ns };
	struct fetch_result res;
	char late[256] = "";
	int r;

	if (!tc->observing)
		return 0;
	tc->observing = false;
	obs_free(&tc->probes);
	while (!counters_after(tc, stop, late, sizeof(late))) {
		if (mono_ns() >= deadline) {
			pr_warn("agent %s wrote no counters in the %llu s after the traffic: what it saw last may be "
				"missing, and the verdicts say so", late, COUNTERS_TIMEOUT_NS / 1000000000ULL);
			break;
		}
		sleep_ns(COUNTERS_POLL_NS);	/* bounded above; a stopped run still collects what it sent */
	}
	if (fetch(tc, &q, &res))
		return -EIO;
	narrow(tc, res.records);
	r = write_records(&res, tc->out_path) ? -EIO : 0;
	clog_line(tc, "observations: %zu records from %u agent(s)%s into %s", json_array_size(res.records),
		  tc->n_agents - res.failed, res.complete ? "" : " (NOT complete)", tc->out_path);
	fetch_result_free(&res);
	if (tc->smi_metrics_api)
		smi_metrics(tc);
	return r;
}

int cluster_scrape(struct target *t, const char *url, char **text, size_t *len, uint64_t *mono_ns, char *err,
		   size_t errlen)
{
	struct target_cluster *tc = cluster_of(t);
	const struct inv_service *svc = NULL;
	const char *pod, *slash;
	struct http_url u;
	char path[URL_MAX_PATH + 300], what[200];
	int r;

	if (http_url_parse(url, &u)) {
		snprintf(err, errlen, "'%s' is not an http:// URL", url);
		return -EINVAL;
	}
	pod = json_string_value(json_object_get(tc->pod_ips, u.host));
	for (size_t i = 0; !pod && tc->inv && i < tc->inv->nservices; i++)
		if (!strcmp(tc->inv->services[i].ip, u.host))
			svc = &tc->inv->services[i];
	if (!pod && !svc) {
		/* Not the cluster's: reachable from here, or not at all. */
		r = fetch_document(url, text, len, mono_ns, err, errlen);
		if (!r)
			*mono_ns = cluster_timeline(tc, real_ns());
		return r;
	}
	slash = pod ? strchr(pod, '/') : NULL;
	if (pod)
		snprintf(path, sizeof(path), "/api/v1/namespaces/%.*s/pods/%s:%u/proxy%s", (int)(slash - pod), pod,
			 slash + 1, u.port, u.path);
	else
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s/services/%s:%u/proxy%s", svc->namespace, svc->name,
			 u.port, u.path);
	snprintf(what, sizeof(what), "read the mesh's metrics %s", url);
	r = k8s_request_raw(&tc->api, what, "GET", path, NULL, NULL, text, len);
	if (r) {
		snprintf(err, errlen, "%s", tc->api.err);
		return r;
	}
	if (!*text && !(*text = calloc(1, 1)))
		return -ENOMEM;
	*mono_ns = cluster_timeline(tc, real_ns());
	return 0;
}
