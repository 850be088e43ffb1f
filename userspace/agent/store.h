/* store.h - the agent's bounded in-memory store of records, oldest evicted first. */
#ifndef SMIW_AGENT_STORE_H
#define SMIW_AGENT_STORE_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

/* One kept record: its line and the fields queries filter on. */
struct store_rec {
	char *line;		/* the JSON object as received, owned */
	uint32_t len;
	uint64_t ts_ns;		/* start_ns, open_ns or ts_ns (CLOCK_MONOTONIC), 0 when none */
	char type[12];
	char *ns, *pod, *request_id;	/* point into `fields`, "" when absent */
	char *fields;		/* one allocation holding the three strings */
};

/* A query: empty strings / zero times match everything. */
struct store_filter {
	uint64_t since_ns, until_ns;	/* on CLOCK_MONOTONIC, inclusive */
	const char *ns, *pod, *request_id_prefix, *type;
};

/*
 * A ring of at most `cap` records. Thread-safe: the capture side adds while
 * the HTTP side queries. `evicted` counts records pushed out by newer ones:
 * a query over a window older than the oldest kept record is incomplete.
 */
struct store {
	pthread_mutex_t mu;
	struct store_rec *ring;
	size_t cap, head, count;	/* head: index of the oldest */
	uint64_t added, evicted, rejected, bytes;
	uint64_t oldest_ts_ns;		/* ts of the oldest kept record */
	uint64_t last_evicted_ts_ns;	/* newest ts among evicted records */
};

/* Prepares a store for `cap` records. Returns 0 or -ENOMEM. */
int store_init(struct store *s, size_t cap);

/* Frees every record (NULL-safe). */
void store_free(struct store *s);

/*
 * Copies one record line in, evicting the oldest when full. Lines that are
 * not a JSON object with a "t" field are counted in `rejected` and refused
 * with -EINVAL. Returns 0 or -errno.
 */
int store_add(struct store *s, const char *line, size_t len);

/*
 * Writes every kept record matching `f` to `out`, one per line, oldest
 * first. Returns how many were written.
 */
uint64_t store_query(struct store *s, const struct store_filter *f, FILE *out);

/* True when `f`'s window reaches back before the newest evicted record. */
bool store_window_evicted(struct store *s, const struct store_filter *f);

#endif
