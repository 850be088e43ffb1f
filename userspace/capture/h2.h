/*
 * h2.h - the HTTP/2 half of exchange assembly (RFC 9113, cleartext): once a
 * connection is known to speak HTTP/2, each direction is framed
 * (h2frame.h), its header blocks decoded with the receiving endpoint's
 * HPACK table (hpack.h), and every stream handed to the assembler's sink as
 * one exchange. A direction whose framing or header table state is lost is
 * never guessed at again: its streams are reported incomplete or not at
 * all, the loss is counted and named in the connection's record.
 */
#ifndef SMIW_CAPTURE_H2_H
#define SMIW_CAPTURE_H2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/assemble.h"

/* How the first bytes of a direction read as the start of HTTP/2. */
enum h2_sniff {
	H2_SNIFF_NO,
	H2_SNIFF_MAYBE,		/* every byte so far fits: more are needed to decide */
	H2_SNIFF_YES,
};

/* The client connection preface, or the start of it. */
enum h2_sniff h2_sniff_preface(const uint8_t *p, size_t n);

/* A SETTINGS frame opening a server's stream (its connection preface), or the start of one. */
enum h2_sniff h2_sniff_settings(const uint8_t *p, size_t n);

/*
 * Whether the n bytes read as a run of plausible HTTP/2 frames from their
 * first byte on (at least one whole frame header): how a connection joined
 * mid-stream is recognised as HTTP/2.
 */
bool h2_looks_like_frames(const uint8_t *p, size_t n);

/*
 * Starts HTTP/2 on a (a->h2); `how` is "preface", "upgrade" or "late" (a
 * connection joined mid-stream: nothing on it can be decoded). The request
 * direction must then start with the client connection preface. Returns 0
 * or -ENOMEM (counted as a user drop; the connection is then lost).
 */
int h2_begin(struct assembler *a, const char *how);

/*
 * An h2c upgrade was accepted (101): the HTTP/1.1 request x becomes stream
 * 1, whose response follows in HTTP/2. table_size is the
 * SETTINGS_HEADER_TABLE_SIZE of the request's HTTP2-Settings (UINT32_MAX:
 * none), in effect for the server's header blocks at once.
 */
void h2_upgraded(struct assembler *a, struct cap_exchange *x, uint32_t table_size);

/* Consumes n bytes of direction dir (p NULL: counted but not captured) moved by record ev. */
void h2_feed(struct assembler *a, int dir, const uint8_t *p, size_t n, const struct asm_ev *ev);

/* n bytes of direction dir were never seen. */
void h2_gap(struct assembler *a, int dir, uint64_t n, const struct asm_ev *ev);

/*
 * Gives up on direction dir (-1: both) of a from now on, at time ns (why:
 * "late", "gap", "snaplen", "error"): nothing more there is decoded.
 */
void h2_lose(struct assembler *a, int dir, const char *why, uint64_t ns);

/* Frees a's HTTP/2 state; NULL-safe on a->h2. */
void h2_free(struct assembler *a);

#endif
