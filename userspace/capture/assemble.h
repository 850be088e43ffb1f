/*
 * assemble.h - HTTP exchanges from the two byte streams of one connection.
 *
 * Fed with the kernel's data records in order, the assembler follows each
 * direction with the shared parser (userspace/http), pairs responses with
 * requests first-in first-out (pipelining included) and hands every exchange
 * to cfg->emit once, complete or marked incomplete with the reason. A
 * connection that starts HTTP/2 (the client preface, the server's SETTINGS,
 * or an accepted h2c upgrade) is handed to h2.h from there on.
 */
#ifndef SMIW_CAPTURE_ASSEMBLE_H
#define SMIW_CAPTURE_ASSEMBLE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "http/http.h"
#include "util/buf.h"
#include "smiw_abi.h"

/* Longest head followed across syscalls; a longer one is not HTTP we can follow. */
#define ASM_MAX_HEAD 16384
/* Requests waiting for responses on one connection before assembly gives up on it. */
#define ASM_MAX_QUEUE 1024

/* Counters shared by every connection of a capture. */
struct asm_counters {
	uint64_t gaps;
	uint64_t unparsed_bytes;
	uint64_t unpaired;
	uint64_t user_drops;
	uint64_t exchanges;
	uint64_t h2_lost_bytes;		/* bytes of HTTP/2 connections after their state was lost */
};

/* Recycled exchange records: assembly allocates nothing per exchange once warm. */
struct asm_pool {
	struct cap_exchange *free;
	unsigned nfree;
};

struct assembler;

struct asm_cfg {
	/* Called once per exchange of connection a; x is recycled when it returns. */
	void (*emit)(void *ctx, const struct assembler *a, struct cap_exchange *x);
	void *ctx;
	struct asm_pool *pool;
	struct asm_counters *counters;
	bool unredacted;		/* keep credential header values (http_header_secret) */
	const char *const *resp_names;	/* response header names kept at client exchanges */
	unsigned n_resp_names;
};

/* When and by whom the bytes of one data record were moved. */
struct asm_ev {
	uint64_t first_ns;	/* its first byte was at the process */
	uint64_t last_ns;	/* its last byte was */
	uint32_t pid, tgid;
};

struct asm_stream {
	uint64_t next_off;		/* stream offset expected next */
	int state;			/* private: head, body, lost, tunnel, h2 */
	bool sniffing;			/* at the start: may still turn out to be HTTP/2 */
	uint8_t nheld;			/* first bytes held until HTTP/2 or not is decided */
	uint8_t held[24];
	struct asm_ev held_ev;
	bool in_msg;			/* part of the current message has been consumed */
	bool interim;			/* the current response is a 1xx */
	bool eof;
	uint64_t msg_bytes;
	uint64_t msg_start_ns;
	uint32_t msg_pid, msg_tgid;
	uint64_t last_ns;		/* time of the last byte seen in this direction */
	struct buf head;		/* a head spread over several syscalls (freed after it) */
	struct http_body body;
	struct cap_exchange *cur;	/* exchange of the message in progress, or NULL */
};

struct assembler {
	int role;			/* enum smiw_role; UNKNOWN until the traffic tells */
	struct asm_stream st[2];	/* indexed by enum smiw_dir */
	struct cap_exchange *head, *tail;	/* waiting for (the rest of) a response */
	unsigned queued;
	uint64_t next_seq;
	uint64_t gaps;
	bool reset;
	bool tunnel;			/* switched protocols (101, CONNECT): no more HTTP */
	uint32_t h2c_table_size;	/* of the pending h2c upgrade request's HTTP2-Settings (UINT32_MAX: none) */
	struct h2conn *h2;		/* HTTP/2 state once the connection speaks it (h2.c) */
	struct cap_h2 h2info;
	const struct asm_cfg *cfg;
};

/* Prepares a for a new connection; a role of UNKNOWN is learnt from the first message seen. */
void asm_init(struct assembler *a, int role, const struct asm_cfg *cfg);

/* Sets the role once known (only while no exchange is in progress). */
void asm_set_role(struct assembler *a, int role);

/* Consumes one data record: e's header and its cap_len payload bytes. */
void asm_data(struct assembler *a, const struct smiw_data_event *e, const void *payload);

/* The connection was reset: exchanges still open end as "reset". */
void asm_reset(struct assembler *a);

/*
 * The connection is over. final_bytes (per direction, may be NULL) is the
 * kernel's count, which reveals records lost at the very end. Pending
 * exchanges are emitted, incomplete with `reason` unless a reset explains them.
 */
void asm_end(struct assembler *a, const char *reason, const uint64_t *final_bytes);

/* Frees what a holds (pending exchanges are dropped silently: call asm_end first). */
void asm_free(struct assembler *a);

/* Frees the recycled records of a pool. */
void asm_pool_free(struct asm_pool *p);

/* ---- for the HTTP/2 half (h2.c) ---- */

/*
 * A new exchange queued on a, its request begun by record ev (next seq,
 * role, thread, start time set). NULL when the queue is full or memory ran
 * out, counted as a user drop.
 */
struct cap_exchange *asm_x_new(struct assembler *a, const struct asm_ev *ev);

/* Hands x to the sink, incomplete for `reason` unless already marked (NULL: as it is), and recycles it. */
void asm_emit(struct assembler *a, struct cap_exchange *x, const char *reason);

/* The direction that carries requests (enum smiw_dir), or -1 while the role is unknown. */
int asm_req_dir(const struct assembler *a);

#endif
