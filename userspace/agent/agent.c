/* agent.c - see agent.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent.h"
#include "k8s/config.h"
#include "records/relay.h"
#include "util/parse.h"

char *agent_token_read(const char *file)
{
	const char *env = getenv("SMIW_AGENT_TOKEN");

	if (file)
		return k8s_read_small_file(file);
	return env && *env ? strdup(env) : NULL;
}

static char *meta_or_end(void *arg, const char *end_reason);

int agent_init(struct agent *a, const char *node, const char *token, size_t store_records,
	       const char *spool_dir, uint64_t spool_bytes, unsigned spool_files)
{
	char prefix[300];
	int r;

	memset(a, 0, sizeof(*a));
	snprintf(a->node, sizeof(a->node), "%s", node);
	snprintf(a->token, sizeof(a->token), "%s", token);
	pthread_mutex_init(&a->mu, NULL);
	a->mono0_ns = mono_ns();
	a->real0_ns = real_ns();
	r = store_init(&a->store, store_records);
	if (r)
		return r;
	if (spool_dir) {
		snprintf(prefix, sizeof(prefix), "smiw-%s", node);
		r = spool_init(&a->spool, spool_dir, prefix, spool_bytes, spool_files, meta_or_end, a);
		if (r) {
			store_free(&a->store);
			return r;
		}
		a->spool_on = true;
	}
	return 0;
}

static json_int_t stat_of(json_t *stats, const char *key)
{
	return json_integer_value(json_object_get(stats, key));
}

/* A meta record for a new spool file or an API answer: this node, both clocks. */
static json_t *meta_record(struct agent *a)
{
	json_t *m = relay_meta(a->node, mono_ns(), real_ns());

	json_object_set_new(m, "source", json_string("agent"));

	pthread_mutex_lock(&a->mu);
	json_object_set_new(m, "snaplen",
			    json_integer(stat_of(a->source_meta, "snaplen")));
	pthread_mutex_unlock(&a->mu);
	return m;
}

/* The counters of a stats/end record: the source's own plus the agent's. */
static json_t *stats_record(struct agent *a, const char *type)
{
	json_t *s;

	pthread_mutex_lock(&a->mu);
	s = a->last_stats ? json_deep_copy(a->last_stats) : json_object();
	pthread_mutex_unlock(&a->mu);
	json_object_set_new(s, "t", json_string(type));
	if (!json_object_get(s, "kernel_drops"))
		json_object_set_new(s, "kernel_drops", json_integer(0));
	if (!json_object_get(s, "user_drops"))
		json_object_set_new(s, "user_drops", json_integer(0));
	json_object_set_new(s, "ts_ns", json_integer((json_int_t)mono_ns()));
	pthread_mutex_lock(&a->store.mu);
	json_object_set_new(s, "store_evicted", json_integer((json_int_t)a->store.evicted));
	pthread_mutex_unlock(&a->store.mu);
	return s;
}

static char *meta_or_end(void *arg, const char *end_reason)
{
	struct agent *a = arg;
	json_t *rec = end_reason ? stats_record(a, "end") : meta_record(a);
	char *s;

	if (end_reason)
		json_object_set_new(rec, "reason", json_string(end_reason));
	s = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	return s;
}

/* Keeps the counters of a stats/end record as the latest, and returns the line to store (new string). */
static char *take_counters(struct agent *a, json_t *o)
{
	/*
	 * The source's `end` only ends the source, not the agent's stream: it is
	 * kept as one more stats point so readers see one cumulative series.
	 */
	json_object_set_new(o, "t", json_string("stats"));
	pthread_mutex_lock(&a->mu);
	json_decref(a->last_stats);
	a->last_stats = json_incref(o);
	pthread_mutex_unlock(&a->mu);
	return json_dumps(o, JSON_COMPACT);
}

int agent_ingest(void *arg, const char *line, size_t len)
{
	struct agent *a = arg;
	char *owned = NULL;
	json_t *o = NULL;
	const char *t;
	int r;

	/* Cheap test first: only meta/stats/end records need parsing here. */
	if (memmem(line, len, "\"meta\"", 6) || memmem(line, len, "\"stats\"", 7) ||
	    memmem(line, len, "\"end\"", 5)) {
		o = json_loadb(line, len, 0, NULL);
		t = json_string_value(json_object_get(o, "t"));
		if (t && !strcmp(t, "meta")) {
			pthread_mutex_lock(&a->mu);
			json_decref(a->source_meta);
			a->source_meta = o;
			pthread_mutex_unlock(&a->mu);
			return 0;	/* the agent writes its own meta records */
		}
		if (t && (!strcmp(t, "stats") || !strcmp(t, "end"))) {
			owned = take_counters(a, o);
			if (owned) {
				line = owned;
				len = strlen(owned);
			}
		}
		json_decref(o);
	}
	r = store_add(&a->store, line, len);
	if (r) {
		a->records_rejected++;
	} else {
		a->records_in++;
		if (a->spool_on && spool_write(&a->spool, line, len))
			a->spool_errors++;
	}
	free(owned);
	return r;
}

void agent_tick(struct agent *a)
{
	uint64_t now = mono_ns();

	if (!a->spool_on || now - a->spool_flushed_ns < 1000000000ULL)
		return;
	if (spool_flush(&a->spool))
		a->spool_errors++;
	a->spool_flushed_ns = now;
}

void agent_set_inventory(struct agent *a, json_t *inventory, json_t *kube_status)
{
	pthread_mutex_lock(&a->mu);
	json_decref(a->inventory);
	a->inventory = inventory;
	json_decref(a->kube_status);
	a->kube_status = kube_status ? json_deep_copy(kube_status) : NULL;
	pthread_mutex_unlock(&a->mu);
}

void agent_shutdown(struct agent *a, const char *reason)
{
	if (a->spool_on)
		spool_close(&a->spool, reason);
	store_free(&a->store);
	json_decref(a->source_meta);
	json_decref(a->last_stats);
	json_decref(a->inventory);
	json_decref(a->kube_status);
	a->source_meta = a->last_stats = a->inventory = a->kube_status = NULL;
}
