/* obs.h - the exchange records of an observation file (docs/records.md), as the metrics checks use them. */
#ifndef SMIW_METRICS_OBS_H
#define SMIW_METRICS_OBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum obs_role { OBS_CLIENT, OBS_SERVER };

/* One `exchange` record; strings are never NULL ("" when absent). */
struct obs_exchange {
	char *conn;
	int64_t seq;
	enum obs_role role;
	char *node, *ns, *pod, *sa;	/* observer attribution */
	char *local, *peer, *peer_pod;
	char *method, *path, *host, *request_id;
	int status;			/* 0: no response */
	uint64_t start_ns, end_ns;	/* CLOCK_MONOTONIC */
	bool complete;
	char *incomplete;		/* "" when complete */
	int line;			/* line in the file, 0 when built in memory */
};

/* What an observation file holds that the checks need. */
struct obs_set {
	char *source;
	struct obs_exchange *ex;
	size_t n, cap;
	bool have_meta;
	uint64_t mono_ns, real_ns;	/* one instant on both clocks (from `meta`) */
	char *inventory;		/* inventory path named by `meta`, or NULL */
	bool have_end;			/* the writer closed the file cleanly */
	uint64_t kernel_drops, user_drops, gaps;	/* from the last stats/end record */
	bool torn_tail;			/* a torn last line was dropped */
	char **watched;			/* "namespace/pod" of every observer seen */
	size_t nwatched;
};

/*
 * Loads an observation file (JSON lines; .gz read transparently). Returns 0
 * and a new set in *out (free with obs_free), or a negative errno with
 * "'FILE': line N: what" in err.
 */
int obs_load(const char *path, struct obs_set **out, char *err, size_t errlen);

/* Returns a new empty set for exchanges built in memory (the agent's own), or NULL. */
struct obs_set *obs_new(const char *source);

/*
 * Decodes one `exchange` record and appends it to `set` (strings copied).
 * Returns 0, -EINVAL with the reason in err, or -ENOMEM.
 */
int obs_add_json(struct obs_set *set, json_t *rec, int line, char *err, size_t errlen);

/* Frees the set and everything in it; NULL is fine. */
void obs_free(struct obs_set *set);

/* True when "namespace/pod" was seen observing (so its absence from an edge means no traffic). */
bool obs_watched(const struct obs_set *set, const char *ns, const char *pod);

#endif
