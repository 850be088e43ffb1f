/*
 * obs_write.h - writing observation records (docs/records.md, format
 * version 1): meta, exchange, conn, stats and end, as JSON lines into a
 * file, a gzip stream or standard output.
 *
 * The writer knows the record format and nothing of where the values come
 * from: capture fills the structures below from what the kernel saw.
 * Strings are read during the call only; NULL strings are written as "".
 */
#ifndef SMIW_RECORDS_OBS_WRITE_H
#define SMIW_RECORDS_OBS_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "records/obs.h"
#include "util/jsonw.h"

#define OBS_WRITE_WHO_CACHE 1024	/* connections whose naming members are kept formatted */

struct obs_write_who_entry;

struct obs_writer {
	struct jsonw w;
	char node[256];
	struct obs_write_who_entry *who;	/* OBS_WRITE_WHO_CACHE entries, or NULL */
};

/* What the meta record says about the capture. */
struct obs_write_meta {
	const char *inventory;		/* path, or NULL: no member */
	unsigned int snaplen;
	const char *capture_tag;
	const char *backend;		/* "cgroup" or "syscalls", or NULL: no member */
	unsigned int watched_cgroups;
	const uint32_t *prog_ids;	/* the capture's BPF programs */
	int nprogs;
};

/*
 * The members naming the observing process and its peer, the same in every
 * record of one connection: records with equal key and gen are formatted
 * from a cache, so a change of any member must change gen.
 */
struct obs_write_who {
	uint64_t key;			/* the connection's id */
	uint32_t gen;
	const char *ns, *pod, *sa, *comm;	/* "" when not attributed */
	uint64_t cgroup_id;
	const char *local, *peer;	/* "ip:port" */
	const char *peer_pod;		/* "" when the inventory does not know the peer */
	const char *peer_service;	/* NULL: no member */
};

/*
 * One request header field, as offsets into the exchange's header buffer
 * (capture keeps them so). Names are tokens: written without escaping, cut
 * at 63 bytes.
 */
struct obs_write_header {
	uint16_t name, name_len, value, value_len;
};

/* What an HTTP/2 stream adds to its exchange record. */
struct obs_write_h2_stream {
	const char *protocol;		/* "h2" or "grpc" */
	uint64_t stream_id;
	bool has_grpc_status;
	int64_t grpc_status;
	const char *grpc_message;	/* "": no member */
	const char *rst;		/* RST_STREAM error code name, or NULL: no reset */
	enum obs_role rst_by;
};

/* What an HTTP/2 connection adds to its conn record. */
struct obs_write_h2_conn {
	const char *start;		/* how HTTP/2 was recognised */
	const char *lost;		/* why the header table was lost, or NULL */
	uint64_t lost_ns;
	const char *goaway[2];		/* client's and server's last GOAWAY error name, or NULL */
	uint64_t goaway_last_stream[2];
};

struct obs_write_exchange {
	const char *conn;
	uint64_t seq;
	enum obs_role role;
	uint32_t pid, tgid;
	const struct obs_write_who *who;
	const char *method, *path, *host, *request_id;
	int status;
	const char *location;		/* a 3xx response's Location; written when not empty */
	uint64_t start_ns, end_ns, req_bytes, resp_bytes;
	bool complete;
	const char *incomplete;		/* written when !complete */
	bool truncated;			/* written only when true */
	const char *hdrbuf;
	const struct obs_write_header *headers;
	unsigned int nheaders;
	/* Response header fields kept (client exchanges); written when has_resp_headers, even empty. */
	bool has_resp_headers;
	const char *resp_hdrbuf;
	const struct obs_write_header *resp_headers;
	unsigned int nresp_headers;
	const struct obs_write_h2_stream *h2;	/* HTTP/2 streams only, else NULL */
};

struct obs_write_conn {
	const char *conn;
	enum obs_role role;
	uint32_t pid, tgid;
	const struct obs_write_who *who;
	uint64_t netns, open_ns, close_ns, bytes_sent, bytes_recv;
	bool reset;
	const char *connect_error;	/* errno name, or NULL: no member */
	uint64_t gaps, exchanges;
	bool late, open_lost;		/* written only when true */
	const struct obs_write_h2_conn *h2;	/* HTTP/2 connections only, else NULL */
};

/* The counters of a stats or end record. */
struct obs_write_counters {
	uint64_t ts_ns, kernel_drops;
	uint64_t drops_ring_data, drops_ring_conn, drops_pending_full, drops_conns_full;
	uint64_t user_drops, gaps, unparsed_bytes, unpaired, h2_lost_bytes, events, exchanges, conns, conns_open;
	uint64_t listeners_outside;	/* 0: no member */
};

/*
 * Opens `path` ("-" or NULL: standard output; a name ending in ".gz": gzip)
 * for records of node `node`. Returns 0 or -errno.
 */
int obs_writer_open(struct obs_writer *o, const char *path, const char *node);

/* Writes the meta record (the first line of a file), stamped with both clocks now. */
void obs_write_meta(struct obs_writer *o, const struct obs_write_meta *m);

/* Writes one exchange record. */
void obs_write_exchange(struct obs_writer *o, const struct obs_write_exchange *x);

/* Writes one conn record. */
void obs_write_conn(struct obs_writer *o, const struct obs_write_conn *c);

/* Writes a stats record, or the end record when end_reason is not NULL. */
void obs_write_stats(struct obs_writer *o, const struct obs_write_counters *k, const char *end_reason);

/* Writes out whole records (sync: also through stdio or zlib). Returns 0 or -errno. */
int obs_writer_flush(struct obs_writer *o, bool sync);

/* Flushes and closes. Returns 0 or the first write error. */
int obs_writer_close(struct obs_writer *o);

#endif
