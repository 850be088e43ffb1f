/*
 * capture.h - kernel capture of HTTP/1.x and HTTP/2 (cleartext) exchanges,
 * usable in-process.
 *
 *   struct capture *c;
 *   struct capture_opts o = { .sink = { .exchange = on_x, .conn = on_c, .ctx = me } };
 *   capture_open(&o, &c);                 load + attach the BPF programs
 *   capture_watch_path(c, "/sys/fs/cgroup/unified/pod", true);
 *   while (running) capture_poll(c, 100); drains the ring, calls the sink
 *   capture_finish(c);                    pending exchanges/connections out as capture-ended
 *   capture_close(c);
 *
 * Records handed to the sink are valid only during the callback.
 */
#ifndef SMIW_CAPTURE_H
#define SMIW_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/obs_write.h"

struct inventory;
struct inv_pod;
struct inv_service;

#define CAP_METHOD_MAX 24
#define CAP_PATH_MAX 2048
#define CAP_HOST_MAX 256
#define CAP_REQID_MAX 256
#define CAP_HEADERS_MAX 32
#define CAP_HEADER_BYTES 4096
#define CAP_GRPC_MESSAGE_MAX 256
#define CAP_LOCATION_MAX 512
#define CAP_RESP_NAMES_MAX 16		/* response header names capture can be asked to keep */
#define CAP_RESP_HEADERS_MAX 16
#define CAP_RESP_HEADER_BYTES 1024

/* The protocol an exchange was carried in. */
enum cap_protocol {
	CAP_HTTP1 = 0,
	CAP_H2,				/* one HTTP/2 stream */
	CAP_GRPC,			/* an HTTP/2 stream whose request content-type is application/grpc* */
};

/* What capture knows of a connection that spoke HTTP/2 (all zero for HTTP/1.x). */
struct cap_h2 {
	const char *start;		/* NULL: never HTTP/2; "preface" (prior knowledge), "upgrade" (h2c), "late" */
	const char *lost;		/* why its header table or framing became unknown (late, gap, snaplen, error), or NULL */
	uint64_t lost_ns;
	struct {
		bool seen;
		uint32_t last_stream, error;
	} goaway[2];			/* the last GOAWAY each endpoint sent: [0] the client's, [1] the server's */
};

/* One TCP connection seen at one process. */
struct cap_conn {
	uint64_t id;
	char name[40];			/* "<capture tag>-<id>": unique for the capture and across captures */
	int role;			/* enum smiw_role */
	bool late;			/* already open when capture started: its start was not seen */
	bool open_seen;			/* the kernel's OPEN record arrived (false: it was lost) */
	uint32_t pid, tgid;
	char comm[16];
	uint64_t cgroup_id, netns;
	int family;			/* AF_INET or AF_INET6 */
	uint8_t local_addr[16], peer_addr[16];
	uint16_t local_port, peer_port;
	char local[56], peer[56];	/* "ip:port" ("[v6]:port"), "" when the OPEN record was lost */
	const struct inv_pod *pod;		/* the observing process's pod, or NULL */
	const struct inv_pod *peer_pod;		/* the peer address's pod, or NULL */
	const struct inv_service *peer_service;	/* the peer address is a service address */
	uint64_t open_ns, close_ns;	/* close_ns 0 while open */
	uint64_t bytes_sent, bytes_recv;
	bool reset;			/* RST sent or received */
	int connect_errno;		/* failed connect: ECONNREFUSED, ETIMEDOUT, ...; else 0 */
	uint64_t gaps;			/* stream gaps detected */
	uint64_t exchanges;		/* exchanges assembled */
	struct cap_h2 h2;
	uint32_t gen;			/* changes whenever a field naming the process or peer changes */
};

/* One HTTP request/response pair (for HTTP/2: one stream) seen at one process. */
struct cap_exchange {
	const struct cap_conn *conn;	/* set when handed to the sink */
	uint64_t conn_id;
	uint64_t seq;			/* 0-based position on its connection */
	int role;			/* enum smiw_role of the observing side */
	uint32_t pid, tgid;		/* the thread that moved the request's first byte */
	int protocol;			/* enum cap_protocol */
	uint32_t stream_id;		/* HTTP/2 stream identifier */
	bool has_grpc_status;
	int grpc_status;		/* grpc-status of the response (trailers, or headers of a trailers-only response) */
	bool rst;			/* a RST_STREAM closed the stream */
	uint32_t rst_code;		/* its error code */
	int rst_by;			/* enum smiw_role of the endpoint that sent it */
	char method[CAP_METHOD_MAX];
	char path[CAP_PATH_MAX];	/* request-target in origin form, query included (HTTP/2: :path) */
	char host[CAP_HOST_MAX];	/* Host (HTTP/2: :authority) */
	char request_id[CAP_REQID_MAX];	/* X-Request-Id */
	char grpc_message[CAP_GRPC_MESSAGE_MAX];	/* grpc-message as sent (percent-encoded) */
	char location[CAP_LOCATION_MAX];	/* Location of a 3xx response (a redirect is judged by it) */
	bool truncated;			/* a field above did not fit and was cut */
	int status;			/* final status; 0 when no response */
	uint64_t start_ns, end_ns;	/* first request byte, last response byte (CLOCK_MONOTONIC) */
	uint64_t req_bytes, resp_bytes;
	bool complete;
	const char *incomplete;		/* when !complete: closed, reset, gap, snaplen, unparsed, refused, capture-ended */
	/* Request header fields, names in lower case, in hdrbuf. */
	unsigned nheaders;
	struct obs_write_header headers[CAP_HEADERS_MAX];	/* offsets into hdrbuf, as records are written from */
	char hdrbuf[CAP_HEADER_BYTES];
	/*
	 * The response header fields of the names capture was asked to keep
	 * (capture_opts.response_headers), client exchanges only: what the
	 * client received. has_resp_headers: the names were asked for here.
	 */
	bool has_resp_headers;
	unsigned nresp_headers;
	struct obs_write_header resp_headers[CAP_RESP_HEADERS_MAX];	/* offsets into resp_hdrbuf */
	char resp_hdrbuf[CAP_RESP_HEADER_BYTES];

	/* Assembly state, private to the assembler. */
	struct cap_exchange *next;
	bool req_done, resp_started, resp_done, head_request, tunnel_request, h2c_request;
};

/* Which kernel programs capture with (docs/capture.md: two backends). */
enum capture_backend {
	CAPTURE_AUTO = 0,	/* cgroup where its programs load and attach, else syscalls */
	CAPTURE_CGROUP,		/* cgroup_skb + sockops on the watched cgroups only */
	CAPTURE_SYSCALLS,	/* syscall and socket tracepoints, filtered by cgroup in the kernel */
};

struct capture_stats {
	uint64_t ts_ns;
	uint64_t kernel_drops;		/* sum of the kernel counters below */
	uint64_t kernel_drops_by[4];	/* enum smiw_drop: ring data, ring conn, pending full, conns full */
	uint64_t user_drops;		/* events or exchanges the agent had to discard */
	uint64_t gaps;
	uint64_t unparsed_bytes;
	uint64_t unpaired;		/* responses with no request to pair with */
	uint64_t h2_lost_bytes;		/* bytes of HTTP/2 connections moved after their header state was lost */
	uint64_t events, exchanges, conns;
	uint64_t conns_open;
	uint64_t listeners_outside;	/* cgroup backend: listeners of watched pods in unwatched cgroups */
};

struct capture_sink {
	void (*exchange)(void *ctx, const struct cap_exchange *x);
	void (*conn)(void *ctx, const struct cap_conn *c);	/* when a connection ends */
	void *ctx;
};

struct capture_opts {
	unsigned int snaplen;		/* bytes copied per syscall; 0 = default */
	size_t ring_bytes;		/* ring buffer size; 0 = default */
	unsigned int drain_ms;		/* longest time events wait in the ring; 0 = 20 */
	const struct inventory *inv;	/* attribution; may be NULL; must outlive the capture */
	bool unredacted;		/* keep credential header values (http_header_secret) */
	int backend;			/* enum capture_backend; 0: auto */
	/*
	 * Response header names kept at client exchanges (any case; at most
	 * CAP_RESP_NAMES_MAX, the rest ignored); copied by capture_open.
	 */
	const char *const *response_headers;
	unsigned n_response_headers;
	struct capture_sink sink;
};

struct capture;

/*
 * Loads and attaches the kernel programs (no cgroup watched yet). On success
 * *out is owned by the caller (capture_close). Returns 0 or -errno, with the
 * reason logged.
 */
int capture_open(const struct capture_opts *o, struct capture **out);

/* Parses "auto", "cgroup" or "syscalls" into *out. Returns 0 or -EINVAL. */
int capture_backend_parse(const char *s, int *out);

/* The backend in use: "cgroup" or "syscalls". */
const char *capture_backend_name(const struct capture *c);

/* Why auto selection did not take the cgroup backend ("" when it did, or was not asked to choose). */
const char *capture_backend_reason(const struct capture *c);

/* Watches cgroup v2 id `id`. Returns 0 or -errno. */
int capture_watch_cgroup(struct capture *c, uint64_t id);

/*
 * Watches the cgroup v2 directory `path` (and, with descendants, every
 * cgroup below it that exists now; the cgroup backend watches those created
 * later too). Returns the number of cgroups watched or -errno.
 */
int capture_watch_path(struct capture *c, const char *path, bool descendants);

/* Watches the cgroup of every pod in the inventory the capture was opened with. Returns the count or -errno. */
int capture_watch_inventory(struct capture *c);

/*
 * Waits up to timeout_ms (capped at the drain period) and hands everything
 * the kernel produced meanwhile to the sink. Returns the number of kernel
 * records consumed, or -errno (-EINTR when a signal interrupted the wait).
 */
int capture_poll(struct capture *c, int timeout_ms);

/* Fills *st with the counters now (reads the kernel drop counters). */
void capture_stats(struct capture *c, struct capture_stats *st);

/*
 * Drains the ring a last time, then hands every pending exchange (as
 * incomplete, capture-ended) and every open connection to the sink.
 */
void capture_finish(struct capture *c);

/* The tag that prefixes connection names of this capture. */
const char *capture_tag(const struct capture *c);

/* Snaplen in effect. */
unsigned int capture_snaplen(const struct capture *c);

/* Writes the kernel ids of the capture's BPF programs (bpftool prog show id N); returns how many. */
int capture_prog_ids(const struct capture *c, uint32_t *ids, int max);

/*
 * Tries the map operations capture keeps doing once attached (reading the
 * drop counters, changing the watched set) and the cgroup backend's run of
 * its slot-release program. Returns 0, or -errno (-EPERM
 * when the calling thread lacks a capability they need).
 */
int capture_check_maps(struct capture *c);

/*
 * The capabilities capture still needs after capture_open, measured by
 * trying capture_check_maps() with none in effect: 0 where the kernel checks
 * them only when programs and maps are created (Linux 6.5 and later), else
 * CAP_BPF (CAP_SYS_ADMIN on kernels without CAP_BPF) as a CAPS_BIT mask.
 */
uint64_t capture_caps_after_attach(struct capture *c);

/*
 * The capabilities changing the watched set needs once attached, measured
 * the same way: 0 for the syscall backend (map updates, as above), CAP_NET_ADMIN
 * where attaching a cgroup program without it fails. Callers that watch
 * more cgroups later (the agent) keep these too.
 */
uint64_t capture_caps_to_watch(struct capture *c);

/*
 * Gives up, in the calling thread, every capability but those
 * capture_caps_after_attach() measured (bounding set included, so nothing
 * comes back on exec). *kept (may be NULL) gets the mask kept. Returns 0 or
 * -errno.
 */
int capture_drop_caps(struct capture *c, uint64_t *kept);

/* Detaches and frees everything; NULL-safe. */
void capture_close(struct capture *c);

#endif
