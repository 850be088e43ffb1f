/*
 * obs.h - reading observation records (docs/records.md, format version 1)
 * and the traffic driver's intent records into memory for the verifier.
 *
 * Files may be plain JSON lines or gzip/zlib compressed (detected from the
 * content, whatever the name). All strings are owned by the set's string pool and
 * are "" when a record lacks the field.
 */
#ifndef SMIW_RECORDS_OBS_H
#define SMIW_RECORDS_OBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/strpool.h"

enum obs_role { OBS_ROLE_UNKNOWN, OBS_ROLE_CLIENT, OBS_ROLE_SERVER };

struct obs_meta {
	int v;
	const char *tool, *node, *inventory;
	uint64_t snaplen, mono_ns, real_ns;
};

/*
 * One HTTP request/response pair seen at one process. The members the
 * verifier reads of every exchange come first, and none leaves padding:
 * its passes over a million of them touch fewer cache lines.
 */
struct obs_exchange {
	enum obs_role role;
	int status;
	const char *request_id, *comm, *ns, *pod, *local, *peer;
	uint64_t seq, start_ns, end_ns;
	uint32_t tgid;
	unsigned line;
	const char *method, *path, *incomplete, *conn;
	bool complete;
	bool truncated;		/* the writer cut path, host, request id or headers */
	bool has_headers;	/* the record has `headers` */
	bool has_response_headers;	/* the record has `response_headers` (response header names asked for) */
	uint32_t pid;
	const char *node, *sa, *peer_pod, *host;
	uint64_t cgroup_id, req_bytes, resp_bytes;
	const char *location;	/* a 3xx response's Location, or "" */
	/*
	 * The `headers` object as written (raw JSON text, repeated names kept),
	 * when the set was read with keep_headers; NULL otherwise. obs_header().
	 */
	const char *headers;
	/* `response_headers` as written, as for `headers` (keep_headers); obs_header() reads it too. */
	const char *response_headers;
};

/* One TCP connection. */
struct obs_conn {
	const char *conn, *ns, *pod, *sa, *comm, *local, *peer, *peer_pod, *connect_error;
	const char *h2_lost;		/* HTTP/2 whose header state was lost (late, gap, snaplen, error), or "" */
	enum obs_role role;
	uint64_t open_ns, close_ns, gaps, exchanges, h2_lost_ns;
	bool reset;
	unsigned line;
};

/* A `stats` or `end` record: cumulative counters at ts_ns. */
struct obs_counters {
	uint64_t ts_ns, kernel_drops, user_drops, gaps, unparsed_bytes, h2_lost_bytes, events, exchanges, conns;
	uint64_t listeners_outside;	/* cgroup backend: listeners of watched pods it cannot see into */
	bool end;
	const char *reason;	/* end records only */
	unsigned line;
};

/* What the traffic driver sent. */
struct obs_intent {
	const char *run, *request_id, *method, *url, *via, *error;
	uint64_t sent_ns, done_ns;
	int status;
	unsigned line;
};

/*
 * A note of the scenario runner (intent files): the mesh was found gone
 * before step `step` of run `run` ran; that step and the later ones were
 * not run.
 */
struct obs_mesh_event {
	const char *run, *state, *detail;
	unsigned step;
	unsigned line;
};

/* Everything read from one capture (plus any intent files). Zero-initialise. */
struct obs_set {
	struct strpool strings;
	const char *path;		/* the observation file */
	struct obs_meta meta;
	bool have_meta;
	bool have_end;			/* an `end` record was read */
	/*
	 * A capture of the set stamps an exchange's end when its last send
	 * returned (the syscall backend's meta, or one naming no backend): a
	 * sender preempted inside that call makes the end lag behind the
	 * moment its peer read the bytes. False when every meta record names
	 * the cgroup backend, whose send stamps come before the bytes arrive.
	 */
	bool ends_may_lag;
	bool torn;			/* the last line was cut short and dropped */
	unsigned torn_line;
	bool stream_cut;		/* a compressed file ends without its trailer (the writer died) */
	unsigned last_line;		/* last whole line read from the observation file */
	uint64_t records;		/* records read from the observation file */
	struct obs_exchange *ex;
	size_t n_ex, cap_ex;
	struct obs_conn *conns;
	size_t n_conns, cap_conns;
	struct obs_counters *stats;	/* stats and end records, in file order */
	size_t n_stats, cap_stats;
	struct obs_intent *intents;
	size_t n_intents, cap_intents;
	struct obs_mesh_event *mesh_events;
	size_t n_mesh_events, cap_mesh_events;
	bool keep_headers;		/* set before reading: keep each exchange's raw `headers` and `response_headers` */
};

/*
 * The value(s) of request header `name` (case-insensitive) in an exchange's
 * raw headers: every field line of that name joined with "," in the order
 * sent, into out (cut to len). Returns how many field lines there are
 * (0: absent), or -1 when the raw text is not a headers object.
 */
int obs_header(const char *raw, const char *name, char *out, size_t len);

/*
 * Reads an observation file: the first record must be `meta` (version 1).
 * A torn last line is dropped, noted in s->torn and named in a warning; a
 * compressed file that breaks off (its writer died) is read up to there
 * and noted in s->stream_cut, with a warning too. Errors are printed
 * (file, line, what) and returned as -EINVAL / -EIO / -ENOMEM.
 */
int obs_read(struct obs_set *s, const char *path);

/*
 * Reads a driver's intent file into the same set (a `meta` line is allowed
 * but not required; other record types are ignored). Returns 0 or -errno.
 */
int obs_read_intents(struct obs_set *s, const char *path);

/*
 * For a live source (records that arrive as a capture runs): a zeroed
 * exchange or conn appended to the set, strings "" until set. NULL when
 * out of memory. Pointers to earlier records may move; strings never do.
 */
struct obs_exchange *obs_new_exchange(struct obs_set *s);
struct obs_conn *obs_new_conn(struct obs_set *s);

/* A copy of str owned by the set ("" for NULL); NULL when out of memory. */
const char *obs_keep(struct obs_set *s, const char *str);

/* Wall-clock nanoseconds for a CLOCK_MONOTONIC reading, via the meta record (0 without one). */
uint64_t obs_wall_ns(const struct obs_set *s, uint64_t mono_ns);

/* Frees everything the set owns and zeroes it. */
void obs_free(struct obs_set *s);

#endif
