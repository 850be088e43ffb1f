/* fetch.c - see fetch.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/fetch.h"
#include "k8s/client.h"
#include "records/relay.h"
#include "util/exitcode.h"
#include "util/log.h"

#define AGENT_PORT 9469

struct one {
	json_t *meta, *stats, *records;
};

static int collect(void *arg, json_t *obj)
{
	struct one *o = arg;
	const char *t = json_string_value(json_object_get(obj, "t"));

	if (t && !strcmp(t, "meta")) {
		if (!o->meta)
			o->meta = json_incref(obj);
		return 0;
	}
	if (t && (!strcmp(t, "stats") || !strcmp(t, "end"))) {
		/* The last one has the totals and the window's completeness. */
		json_decref(o->stats);
		o->stats = json_incref(obj);
	}
	json_array_append(o->records, obj);
	return 0;
}

static void add_param(char *q, size_t len, const char *key, const char *val)
{
	char *esc;

	if (!val || !*val || !(esc = k8s_query_escape(val)))
		return;
	snprintf(q + strlen(q), len - strlen(q), "%s%s=%s", *q ? "&" : "", key, esc);
	free(esc);
}

static void query_string(const struct fetch_query *fq, char *q, size_t len)
{
	char since[24], until[24];

	*q = '\0';
	snprintf(since, sizeof(since), "%llu", (unsigned long long)fq->since_ns);
	snprintf(until, sizeof(until), "%llu", (unsigned long long)fq->until_ns);
	add_param(q, len, "since", fq->since);
	add_param(q, len, "until", fq->until);
	add_param(q, len, "since_ns", fq->since_ns ? since : NULL);
	add_param(q, len, "until_ns", fq->until_ns ? until : NULL);
	add_param(q, len, "namespace", fq->ns);
	add_param(q, len, "pod", fq->pod);
	add_param(q, len, "request_id", fq->request_id);
	add_param(q, len, "type", fq->type);
}

/* Sets up a client for `t`: the API server with the token in X-Smiw-Token, or the agent itself. */
static int client_for(const struct fetch_target *t, const struct k8s_config *api, const char *token,
		      struct k8s_config *direct, struct k8s_client *c, char *hdr, size_t hlen)
{
	memset(direct, 0, sizeof(*direct));
	if (t->via_api) {
		if (!api)
			return -EINVAL;
		if (k8s_client_init(c, api))
			return -ENOMEM;
		snprintf(hdr, hlen, "X-Smiw-Token: %s", token);
		c->extra_header = hdr;
		return 0;
	}
	direct->server = strdup(t->base);
	direct->token = strdup(token);
	direct->identity = strdup("the agent token");
	if (!direct->server || !direct->token || !direct->identity || k8s_client_init(c, direct))
		return -ENOMEM;
	return 0;
}

void fetch_inventory_add(json_t *merged, json_t *inv)
{
	json_t *svcs = json_object_get(merged, "services"), *s, *m, *e;
	size_t i, j, k;

	json_array_extend(json_object_get(merged, "pods"), json_object_get(inv, "pods"));
	if (!json_object_get(merged, "mesh") && json_object_get(inv, "mesh"))
		json_object_set(merged, "mesh", json_object_get(inv, "mesh"));
	json_array_foreach(json_object_get(inv, "services"), i, s) {
		json_t *found = NULL;

		json_array_foreach(svcs, j, m)
			if (json_equal(json_object_get(m, "namespace"), json_object_get(s, "namespace")) &&
			    json_equal(json_object_get(m, "name"), json_object_get(s, "name")))
				found = m;
		if (!found) {
			json_array_append_new(svcs, json_deep_copy(s));
			continue;
		}
		json_array_foreach(json_object_get(s, "endpoints"), k, e) {
			json_t *eps = json_object_get(found, "endpoints"), *x;
			bool dup = false;
			size_t l;

			json_array_foreach(eps, l, x)
				dup |= json_equal(x, e);
			if (!dup)
				json_array_append(eps, e);
		}
	}
}

/* Reads one agent's observations into `o` and its inventory's pod IPs into `by_ip`. */
static int fetch_one(const struct fetch_target *t, const struct k8s_config *api, const char *token,
		     const char *query, struct one *o, json_t *by_ip, json_t *merged_inv)
{
	char path[4096], hdr[600], what[300];
	struct k8s_config direct;
	struct k8s_client c;
	json_t *inv = NULL, *e;
	size_t i;
	int r;

	r = client_for(t, api, token, &direct, &c, hdr, sizeof(hdr));
	if (r) {
		k8s_config_free(&direct);
		return r;
	}
	c.request_timeout_s = 120;
	snprintf(path, sizeof(path), "%s/v1/observations%s%s", t->via_api ? t->base : "",
		 *query ? "?" : "", query);
	snprintf(what, sizeof(what), "read observations of agent %s", t->name);
	r = k8s_stream(&c, what, path, 300, collect, o);
	if (!r && !o->meta) {
		snprintf(c.err, sizeof(c.err), "cannot %s: answer has no meta line", what);
		r = -EPROTO;
	}
	if (r) {
		error("%s", c.err);
	} else {
		snprintf(path, sizeof(path), "%s/v1/inventory", t->via_api ? t->base : "");
		snprintf(what, sizeof(what), "read inventory of agent %s", t->name);
		if (!k8s_get_json(&c, what, path, &inv))
			fetch_inventory_add(merged_inv, inv);
		json_array_foreach(json_object_get(inv, "pods"), i, e) {
				const char *ip = json_string_value(json_object_get(e, "ip"));
				char name[300];

				if (!ip || !*ip)
					continue;
				snprintf(name, sizeof(name), "%s/%s",
					 json_string_value(json_object_get(e, "namespace")) ?: "",
					 json_string_value(json_object_get(e, "name")) ?: "");
				json_object_set_new(by_ip, ip, json_string(name));
		}
		json_decref(inv);
	}
	k8s_client_free(&c);
	k8s_config_free(&direct);
	return r;
}

int fetch_inventories(const struct fetch_target *targets, unsigned n, const struct k8s_config *api,
		      const char *token, json_t **out)
{
	json_t *all = json_array();
	unsigned failed = 0;

	for (unsigned i = 0; i < n; i++) {
		char path[700], hdr[600], what[300];
		struct k8s_config direct;
		struct k8s_client c;
		json_t *inv = NULL;

		if (client_for(&targets[i], api, token, &direct, &c, hdr, sizeof(hdr))) {
			k8s_config_free(&direct);
			json_decref(all);
			return -ENOMEM;
		}
		snprintf(path, sizeof(path), "%s/v1/inventory", targets[i].via_api ? targets[i].base : "");
		snprintf(what, sizeof(what), "read inventory of agent %s", targets[i].name);
		if (k8s_get_json(&c, what, path, &inv)) {
			error("%s", c.err);
			failed++;
		}
		json_array_append_new(all, inv ? inv : json_null());
		k8s_client_free(&c);
		k8s_config_free(&direct);
	}
	if (failed == n && n) {
		json_decref(all);
		return -EIO;
	}
	*out = all;
	return 0;
}

static uint64_t u64_of(json_t *o, const char *k)
{
	json_int_t v = json_integer_value(json_object_get(o, k));

	return v > 0 ? (uint64_t)v : 0;
}

/* Moves every *_ns time of `rec` by `shift` (two's complement: a negative shift wraps back). */
static void shift_times(json_t *rec, uint64_t shift)
{
	const char *k;
	json_t *v;

	json_object_foreach(rec, k, v) {
		size_t l = strlen(k);

		if (l > 3 && !strcmp(k + l - 3, "_ns") && json_is_integer(v) && json_integer_value(v) > 0)
			json_integer_set(v, (json_int_t)((uint64_t)json_integer_value(v) + shift));
	}
}

static uint64_t time_key(json_t *rec)
{
	static const char *const keys[] = { "start_ns", "open_ns", "sent_ns", "ts_ns" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (u64_of(rec, keys[i]))
			return u64_of(rec, keys[i]);
	return 0;
}

struct keyed {
	uint64_t key;
	size_t idx;
	json_t *rec;
};

static int by_time(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void sort_records(json_t *records)
{
	size_t n = json_array_size(records);
	struct keyed *k = calloc(n ? n : 1, sizeof(*k));

	if (!k)
		return;	/* unsorted but complete */
	for (size_t i = 0; i < n; i++) {
		k[i].rec = json_incref(json_array_get(records, i));
		k[i].key = time_key(k[i].rec);
		k[i].idx = i;
	}
	qsort(k, n, sizeof(*k), by_time);
	json_array_clear(records);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(records, k[i].rec);
	free(k);
}

/*
 * Each agent's stats records are its own cumulative series. Merged in time
 * order they would go up and down; instead each one becomes a point of the
 * sum series: every counter is the sum of each agent's latest value, so a
 * reader measuring drops across a window sees the drops of every node.
 */
static void combine_counters(json_t *records, unsigned nsrc, uint64_t *newest_ts)
{
	static const char *const keys[] = { "kernel_drops", "user_drops", "gaps", "unparsed_bytes",
					    "events", "exchanges", "conns" };
	enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
	uint64_t (*latest)[NKEYS] = calloc(nsrc ? nsrc : 1, sizeof(*latest));
	json_t *rec;
	size_t i;

	if (!latest)
		return;
	json_array_foreach(records, i, rec) {
		json_t *src = json_object_get(rec, "__src");

		if (!src)
			continue;
		if (u64_of(rec, "ts_ns") > *newest_ts)
			*newest_ts = u64_of(rec, "ts_ns");
		for (unsigned k = 0; k < NKEYS; k++) {
			uint64_t sum = 0;

			latest[json_integer_value(src)][k] = u64_of(rec, keys[k]);
			for (unsigned a = 0; a < nsrc; a++)
				sum += latest[a][k];
			json_object_set_new(rec, keys[k], json_integer((json_int_t)sum));
		}
		json_object_del(rec, "__src");
	}
	free(latest);
}

/* Adds one agent's answer to the merged result. */
static void merge_one(struct fetch_result *r, const struct fetch_target *t, struct one *o, bool first,
		      unsigned src)
{
	const char *node = json_string_value(json_object_get(o->meta, "node")) ?: t->name;
	uint64_t mono = u64_of(o->meta, "mono_ns"), real = u64_of(o->meta, "real_ns"), shift;
	json_t *rec;
	size_t i;

	if (first) {
		r->ref_mono_ns = mono;
		r->ref_real_ns = real;
	}
	/* This agent's monotonic time m is wall time m + (real - mono); on the reference clock that is m + shift. */
	shift = (real - mono) - (r->ref_real_ns - r->ref_mono_ns);
	json_array_foreach(o->records, i, rec) {
		const char *peer = json_string_value(json_object_get(rec, "peer"));
		const char *pp = json_string_value(json_object_get(rec, "peer_pod"));

		shift_times(rec, shift);
		if (!strcmp(json_string_value(json_object_get(rec, "t")) ?: "", "stats"))
			json_object_set_new(rec, "__src", json_integer(src));
		if (!json_string_value(json_object_get(rec, "node")) ||
		    !*json_string_value(json_object_get(rec, "node")))
			json_object_set_new(rec, "node", json_string(node));
		if (peer && (!pp || !*pp)) {
			char ip[128];
			const char *colon = strrchr(peer, ':');
			json_t *name;

			snprintf(ip, sizeof(ip), "%.*s", colon ? (int)(colon - peer) : (int)strlen(peer), peer);
			if ((name = json_object_get(r->pods_by_ip, ip)))
				json_object_set(rec, "peer_pod", name);
		}
		json_array_append(r->records, rec);
	}
	r->kernel_drops += u64_of(o->stats, "kernel_drops");
	r->user_drops += u64_of(o->stats, "user_drops");
	r->gaps += u64_of(o->stats, "gaps");
	r->store_evicted += u64_of(o->stats, "store_evicted");
	if (!o->stats || !json_is_true(json_object_get(o->stats, "window_complete")))
		r->complete = false;
	json_array_append_new(r->sources, json_pack("{s:s, s:s, s:I, s:I, s:I, s:b}",
		"node", node, "target", t->name, "records", (json_int_t)json_array_size(o->records),
		"kernel_drops", (json_int_t)u64_of(o->stats, "kernel_drops"),
		"user_drops", (json_int_t)u64_of(o->stats, "user_drops"),
		"window_complete", json_is_true(json_object_get(o->stats, "window_complete"))));
}

int fetch_merge(const struct fetch_target *targets, unsigned n, const struct k8s_config *api,
		const char *token, const struct fetch_query *q, struct fetch_result *out)
{
	struct one *ones = calloc(n ? n : 1, sizeof(*ones));
	bool first = true;
	char query[2048];

	memset(out, 0, sizeof(*out));
	if (!ones)
		return -ENOMEM;
	out->records = json_array();
	out->sources = json_array();
	out->pods_by_ip = json_object();
	out->inventory = json_pack("{s:i, s:s, s:s, s:[], s:[]}", "version", 1, "node", "merged",
				   "source", "agents", "pods", "services");
	out->complete = true;
	if (q->ref_real_ns) {
		out->ref_mono_ns = q->ref_mono_ns;
		out->ref_real_ns = q->ref_real_ns;
		first = false;
	}
	query_string(q, query, sizeof(query));
	/* Every inventory first: peers on other nodes are named from them. */
	for (unsigned i = 0; i < n; i++) {
		ones[i].records = json_array();
		if (fetch_one(&targets[i], api, token, query, &ones[i], out->pods_by_ip, out->inventory)) {
			out->failed++;
			out->complete = false;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (ones[i].meta) {
			merge_one(out, &targets[i], &ones[i], first, i);
			first = false;
		}
		json_decref(ones[i].meta);
		json_decref(ones[i].stats);
		json_decref(ones[i].records);
	}
	free(ones);
	sort_records(out->records);
	combine_counters(out->records, n, &out->counters_ts_ns);
	if (out->failed == n && n) {
		fetch_result_free(out);
		return -EIO;
	}
	return 0;
}

int fetch_discover(const struct k8s_config *api, const char *ns, bool direct,
		   struct fetch_target **targets)
{
	char path[512], what[256];
	struct fetch_target *t;
	struct k8s_client c;
	json_t *list = NULL, *pod;
	size_t i, n = 0;
	int r;

	if (k8s_client_init(&c, api))
		return -ENOMEM;
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods?labelSelector="
		 "app.kubernetes.io%%2Fname%%3Dsmi-witness%%2Capp.kubernetes.io%%2Fcomponent%%3Dagent", ns);
	snprintf(what, sizeof(what), "list agent pods in namespace %s", ns);
	r = k8s_get_json(&c, what, path, &list);
	if (r) {
		error("%s", c.err);
		k8s_client_free(&c);
		return r;
	}
	k8s_client_free(&c);
	t = calloc(json_array_size(json_object_get(list, "items")) + 1, sizeof(*t));
	if (!t) {
		json_decref(list);
		return -ENOMEM;
	}
	json_array_foreach(json_object_get(list, "items"), i, pod) {
		const char *name = json_string_value(json_object_get(json_object_get(pod, "metadata"), "name"));
		const char *node = json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName"));
		const char *ip = json_string_value(json_object_get(json_object_get(pod, "status"), "podIP"));
		const char *phase = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));

		if (!name || !phase || strcmp(phase, "Running")) {
			pr_warn("agent pod '%s' is not running: skipped", name ?: "?");
			continue;
		}
		snprintf(t[n].name, sizeof(t[n].name), "%s (node %s)", name, node ?: "?");
		snprintf(t[n].node, sizeof(t[n].node), "%s", node ?: "");
		if (direct && ip) {
			snprintf(t[n].base, sizeof(t[n].base), strchr(ip, ':') ? "http://[%s]:%d" : "http://%s:%d",
				 ip, AGENT_PORT);
		} else {
			snprintf(t[n].base, sizeof(t[n].base), "/api/v1/namespaces/%s/pods/%s:%d/proxy", ns, name,
				 AGENT_PORT);
			t[n].via_api = true;
		}
		n++;
	}
	json_decref(list);
	*targets = t;
	return (int)n;
}

void fetch_write(const struct fetch_result *r, FILE *out)
{
	json_t *meta, *end, *rec;
	size_t i;

	meta = relay_meta("merged", r->ref_mono_ns, r->ref_real_ns);
	json_object_set(meta, "sources", r->sources);
	json_dumpf(meta, out, JSON_COMPACT);
	fputc('\n', out);
	json_array_foreach(r->records, i, rec) {
		json_dumpf(rec, out, JSON_COMPACT);
		fputc('\n', out);
	}
	/* The end holds only as far as the newest counters: no step after them looks covered. */
	end = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:i}", "t", "end", "reason", "merged",
			"ts_ns", (json_int_t)r->counters_ts_ns, "kernel_drops", (json_int_t)r->kernel_drops,
			"user_drops", (json_int_t)r->user_drops, "gaps", (json_int_t)r->gaps,
			"store_evicted", (json_int_t)r->store_evicted, "complete", r->complete,
			"agents_failed", (int)r->failed);
	json_dumpf(end, out, JSON_COMPACT);
	fputc('\n', out);
	json_decref(meta);
	json_decref(end);
}

void fetch_result_free(struct fetch_result *r)
{
	json_decref(r->records);
	json_decref(r->sources);
	json_decref(r->pods_by_ip);
	json_decref(r->inventory);
	r->records = r->sources = r->pods_by_ip = r->inventory = NULL;
}

bool fetch_spec_active(const struct fetch_spec *spec)
{
	return spec->nagents || spec->cluster;
}

/* The targets a spec names; returns their number or a negative errno (reason printed). */
static int spec_targets(const struct fetch_spec *spec, const struct k8s_config *api,
			struct fetch_target **targets)
{
	int n;

	if (spec->cluster) {
		n = fetch_discover(api, spec->agent_ns ? spec->agent_ns : "smi-witness", spec->direct, targets);
		if (n == 0)
			error("no running agent pods in namespace '%s'", spec->agent_ns ? spec->agent_ns : "smi-witness");
		return n ? n : -ENOENT;
	}
	*targets = calloc(spec->nagents, sizeof(**targets));
	if (!*targets)
		return -ENOMEM;
	for (unsigned i = 0; i < spec->nagents; i++) {
		snprintf((*targets)[i].name, sizeof((*targets)[i].name), "%s", spec->agents[i]);
		snprintf((*targets)[i].base, sizeof((*targets)[i].base), "%s", spec->agents[i]);
	}
	return (int)spec->nagents;
}

static int write_outputs(const struct fetch_result *res, const char *obs_path, const char *inv_path)
{
	FILE *out = obs_path ? fopen(obs_path, "we") : stdout;

	if (!out)
		return error_errno(errno, "cannot write '%s'", obs_path);
	fetch_write(res, out);
	if (out != stdout ? fclose(out) : fflush(out))
		return error_errno(errno, "cannot write '%s'", obs_path ? obs_path : "stdout");
	if (inv_path && json_dump_file(res->inventory, inv_path, JSON_INDENT(1)))
		return error("cannot write '%s'", inv_path);
	return 0;
}

int fetch_to_files(const struct fetch_spec *spec, const char *obs_path, const char *inv_path)
{
	struct fetch_target *targets = NULL;
	struct k8s_config api = { 0 };
	struct fetch_result res;
	char err[512], *token;
	int n, r;

	if (spec->nagents && spec->cluster)
		return error("give --agent URL (one or more) or --cluster, not both"), EXIT_USAGE;
	token = agent_token_read(spec->token_file);
	if (!token)
		return error("the agents' token is needed: --token-file FILE or $SMIW_AGENT_TOKEN"), EXIT_USAGE;
	if (spec->cluster && k8s_config_auto(&api, spec->kubeconfig, spec->context, err, sizeof(err))) {
		free(token);
		return error("%s", err), EXIT_ERROR;
	}
	n = spec_targets(spec, &api, &targets);
	r = n > 0 ? fetch_merge(targets, (unsigned)n, spec->cluster ? &api : NULL, token, &spec->q, &res) : -1;
	if (n > 0 && r)
		error("no agent could be read");
	if (!r) {
		r = write_outputs(&res, obs_path, inv_path) ? EXIT_ERROR : res.failed ? EXIT_ERROR : EXIT_OK;
		pr_info("%zu records from %d agent(s)%s; kernel drops %llu, user drops %llu, evicted %llu%s",
			json_array_size(res.records), n - (int)res.failed, res.failed ? " (some failed)" : "",
			(unsigned long long)res.kernel_drops, (unsigned long long)res.user_drops,
			(unsigned long long)res.store_evicted, res.complete ? "" : "; the window is NOT complete");
		fetch_result_free(&res);
	} else {
		r = EXIT_ERROR;
	}
	free(targets);
	free(token);
	k8s_config_free(&api);
	return r;
}
