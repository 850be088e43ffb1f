/*
 * jscan.h - a fast, strict reader for flat JSON records (one object per
 * line), for the common case of machine-written observation files.
 *
 * It reads the members of the top-level object whose names the caller
 * declared and checks the rest of the line for well-formedness, without
 * allocating. It knows a strict subset of JSON: whatever it cannot read
 * exactly as a full parser would (\u escapes, non-ASCII bytes, fractions and
 * exponents, integers beyond 18 digits, nesting deeper than 32, objects of
 * more than 64 members) or that a full parser rejects (malformed text,
 * duplicate keys at any depth) makes it decline the line, and the caller
 * hands that line to a full parser: errors and rare constructs are then
 * reported and read exactly as before.
 */
#ifndef SMIW_RECORDS_JSCAN_H
#define SMIW_RECORDS_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jv_type { JV_NONE = 0, JV_STR, JV_INT, JV_TRUE, JV_FALSE, JV_NULL, JV_OTHER };

/* One member's value. Strings are not NUL-terminated. */
struct jv {
	uint8_t type;			/* enum jv_type; JV_NONE: absent */
	bool escaped;			/* private: s still holds escapes until jscan_record returns */
	uint32_t len;
	const char *s;			/* JV_STR; JV_OTHER: the object's or array's raw text */
	int64_t i;			/* JV_INT */
};

#define JSCAN_SLOTS 128
#define JSCAN_NAME_WORDS 2
#define JSCAN_FIRST (JSCAN_SLOTS / 2)
#define JSCAN_AFTER_UNKNOWN (JSCAN_SLOTS / 2 + 1)
#define JSCAN_PAD 16		/* readable bytes from line[len] on (see jscan_record) */

/* The member names a caller reads, hashed once (jscan_fields_init). */
struct jscan_fields {
	const char *const *names;
	size_t n;			/* at most JSCAN_SLOTS / 2 */
	int16_t slot[JSCAN_SLOTS];	/* open addressing: index into names, -1 empty */
	uint32_t len[JSCAN_SLOTS / 2];	/* strlen of each name */
	uint64_t w[JSCAN_SLOTS / 2][JSCAN_NAME_WORDS];	/* its first 16 bytes, zero-padded */
	/* Learnt: the member that followed member i last time (-1: one not in names). */
	int16_t next[JSCAN_SLOTS / 2 + 2];	/* [JSCAN_FIRST]: the first; [JSCAN_AFTER_UNKNOWN] */
};

/* Prepares f for the n names (the reader learns the usual member order as it goes, so f is not const) (the array must outlive f). Returns 0 or -EINVAL (too many). */
int jscan_fields_init(struct jscan_fields *f, const char *const *names, size_t n);

/*
 * Reads the JSON object in line[0..len) (surrounding whitespace allowed).
 * line[len] must be a NUL, followed by at least JSCAN_PAD - 1 more readable
 * bytes: the reader looks at eight bytes at a time.
 * vals[i] gets the value of member names[i] (JV_NONE when absent). Escaped
 * strings are decoded in place in line, so the line is modified only when
 * the call succeeds. Returns 0, or -1 when the line is not (or not only) an
 * object this reader can vouch for: leave it to a full parser then.
 */
int jscan_record(struct jscan_fields *f, char *line, size_t len, struct jv *vals);

#endif
