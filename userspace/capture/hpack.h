/*
 * hpack.h - HPACK header block decoding (RFC 7541) for one direction of an
 * HTTP/2 connection, on libnghttp2's inflater: the field-standard decoder,
 * so the dynamic table is kept exactly as the receiving endpoint keeps it.
 * This file is the only one that knows libnghttp2.
 */
#ifndef SMIW_CAPTURE_HPACK_H
#define SMIW_CAPTURE_HPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The largest SETTINGS_HEADER_TABLE_SIZE followed. Peers rarely announce
 * more than the default 4096; a table larger than this is not kept (the
 * connection's header state is then reported unknown, never guessed).
 */
#define HPACK_TABLE_MAX 65536

struct hpack;

/* One decoded header field; the bytes live until the callback returns. */
struct hpack_field {
	const char *name, *value;
	size_t name_len, value_len;
	bool sensitive;		/* sent as never-indexed: the sender marked the value sensitive */
};

typedef void (*hpack_field_fn)(void *ctx, const struct hpack_field *f);

/* A new decoder with the protocol's initial table size (4096); NULL when out of memory. Free with hpack_free. */
struct hpack *hpack_new(void);

/* Frees h; NULL-safe. */
void hpack_free(struct hpack *h);

/*
 * Decodes n more bytes of the current header block (any split is fine;
 * p may be NULL when n is 0); final says they end it. Calls field for every field completed. Returns 0,
 * or -EBADMSG when the block is not valid HPACK for this table (the decoder
 * is then unusable: its table no longer matches the sender's), -ENOMEM.
 */
int hpack_block(struct hpack *h, const uint8_t *p, size_t n, bool final, hpack_field_fn field, void *ctx);

/*
 * The receiver's SETTINGS_HEADER_TABLE_SIZE took effect (the sender
 * acknowledged it); values above HPACK_TABLE_MAX count as that maximum.
 * Must be called between blocks. Returns 0, -EBADMSG or -ENOMEM.
 */
int hpack_set_limit(struct hpack *h, uint32_t max);

#endif
