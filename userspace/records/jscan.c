/* jscan.c - see jscan.h */
#include <errno.h>
#include <string.h>

#include "records/jscan.h"
#include "util/swar.h"

#define MAX_DEPTH 32
#define MAX_MEMBERS 64

struct scan {
	const char *p, *end;
};

/* The first eight bytes of a name as a word, zero beyond its length (names are padded). */
static inline uint64_t word(const char *p, size_t n)
{
	uint64_t w = swar_load8(p);

	return n >= 8 ? w : w & ((1ull << (8 * n)) - 1);
}

static inline uint32_t hash(uint64_t w0, size_t n)
{
	return (uint32_t)((w0 * 0x9e3779b97f4a7c15ull + n) >> 57);
}

int jscan_fields_init(struct jscan_fields *f, const char *const *names, size_t n)
{
	if (n > JSCAN_SLOTS / 2)
		return -EINVAL;
	f->names = names;
	f->n = n;
	memset(f->slot, 0xff, sizeof(f->slot));
	memset(f->next, 0xff, sizeof(f->next));
	for (size_t i = 0; i < n; i++) {
		char pad[JSCAN_NAME_WORDS * 8 + 8] = { 0 };
		size_t len = strlen(names[i]);
		uint32_t h;

		memcpy(pad, names[i], len < JSCAN_NAME_WORDS * 8 ? len : JSCAN_NAME_WORDS * 8);
		f->len[i] = (uint32_t)len;
		for (int j = 0; j < JSCAN_NAME_WORDS; j++)
			f->w[i][j] = swar_load8(pad + 8 * j);
		h = hash(f->w[i][0], len);
		while (f->slot[h & (JSCAN_SLOTS - 1)] >= 0)
			h++;
		f->slot[h & (JSCAN_SLOTS - 1)] = (int16_t)i;
	}
	return 0;
}

/*
 * Index of the member name p[0..n), or -1 when the caller does not read it.
 * Names of up to 16 bytes are compared as two words; p is followed by at
 * least 16 readable bytes (the rest of the line and its padding).
 */
static int lookup(const struct jscan_fields *f, const char *p, size_t n)
{
	uint64_t w0 = word(p, n), w1 = n > 8 ? word(p + 8, n - 8) : 0;
	uint32_t h = hash(w0, n);
	int i;

	while ((i = f->slot[h & (JSCAN_SLOTS - 1)]) >= 0) {
		if (f->len[i] == n && f->w[i][0] == w0 && f->w[i][1] == w1 &&
		    (n <= 16 || !memcmp(f->names[i] + 16, p + 16, n - 16)))
			return i;
		h++;
	}
	return -1;
}

/*
 * From here on the line is known to end in a NUL followed by padding: no
 * structural test matches a NUL, so scanning stops at the end without
 * bounds checks, and the final position is compared with the end once.
 */
static const uint8_t is_ws[256] = { [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1 };

static inline __attribute__((always_inline)) void skip_ws(struct scan *s)
{
	while (is_ws[(uint8_t)*s->p])
		s->p++;
}

/* The string at s->p (its opening quote): raw bytes between the quotes. */
static inline __attribute__((always_inline)) int string(struct scan *s, struct jv *v)
{
	const char *p = s->p + 1;

	v->escaped = false;
	for (;;) {
		uint64_t m;

		while (!(m = swar_json_stops(swar_load8(p))))
			p += 8;
		p += __builtin_ctzll(m) >> 3;
		if (*p == '"')
			break;
		/* Control bytes (the final NUL too), non-ASCII and \u escapes: not here. */
		if (*p != '\\' || !p[1] || !memchr("\"\\/bfnrt", p[1], 8))
			return -1;
		v->escaped = true;
		p += 2;
	}
	v->type = JV_STR;
	v->s = s->p + 1;
	v->len = (uint32_t)(p - v->s);
	s->p = p + 1;
	return 0;
}

/* An integer of at most 18 digits; fractions and exponents are declined. */
static inline __attribute__((always_inline)) int number(struct scan *s, struct jv *v)
{
	const char *p = s->p + (*s->p == '-');
	uint64_t x = 0;
	int digits = 0;

	if (*p == '0') {
		p++;
	} else {
		while ((uint8_t)(*p - '0') < 10) {
			if (++digits > 18)
				return -1;
			x = x * 10 + (uint64_t)(*p++ - '0');
		}
		if (!digits)
			return -1;
	}
	if (*p == '.' || *p == 'e' || *p == 'E' || (uint8_t)(*p - '0') < 10)
		return -1;
	v->type = JV_INT;
	v->i = *s->p == '-' ? -(int64_t)x : (int64_t)x;
	s->p = p;
	return 0;
}

static int literal(struct scan *s, struct jv *v, const char *text, enum jv_type type)
{
	size_t n = strlen(text);

	if (memcmp(s->p, text, n))
		return -1;
	s->p += n;
	v->type = type;
	return 0;
}

static int object(struct scan *s, int depth, struct jscan_fields *f, struct jv *vals);
static int value(struct scan *s, int depth, struct jv *v);

/* After a member or element: ',' (then whitespace) returns 1, `close` returns 0, else -1. */
static inline __attribute__((always_inline)) int next_or_close(struct scan *s, char close)
{
	if (is_ws[(uint8_t)*s->p])
		skip_ws(s);
	if (*s->p == ',') {
		s->p++;
		skip_ws(s);
		return 1;
	}
	if (*s->p != close)
		return -1;
	s->p++;
	return 0;
}

static int array(struct scan *s, int depth)
{
	struct jv v;
	int r;

	if (depth > MAX_DEPTH)
		return -1;
	s->p++;
	skip_ws(s);
	if (*s->p == ']') {
		s->p++;
		return 0;
	}
	do {
		if (value(s, depth, &v))
			return -1;
	} while ((r = next_or_close(s, ']')) > 0);
	return r;
}

/* Any value at s->p; nested objects and arrays are checked and reported as JV_OTHER. */
static int value(struct scan *s, int depth, struct jv *v)
{
	const char *start = s->p;
	int r;

	switch (*s->p) {
	case '"':
		return string(s, v);
	case '{':
	case '[':
		/* The raw text of a nested value, for callers that read it themselves. */
		r = *s->p == '{' ? object(s, depth + 1, NULL, NULL) : array(s, depth + 1);
		v->type = JV_OTHER;
		v->s = start;
		v->len = (uint32_t)(s->p - start);
		return r;
	case 't':
		return literal(s, v, "true", JV_TRUE);
	case 'f':
		return literal(s, v, "false", JV_FALSE);
	case 'n':
		return literal(s, v, "null", JV_NULL);
	default:
		return number(s, v);
	}
}

/*
 * The key at s->p when it is `"<name of field i>"`: writers put members in
 * the same order record after record, so the field that followed last time
 * is tried first, with two word compares instead of a scan and a lookup.
 */
static inline __attribute__((always_inline)) bool key_is(struct scan *s, const struct jscan_fields *f, int i)
{
	uint32_t n;

	if (i < 0)
		return false;
	n = f->len[i];
	if (n > 16 || *s->p != '"' || word(s->p + 1, n) != f->w[i][0] ||
	    (n > 8 && word(s->p + 9, n - 8) != f->w[i][1]) || s->p[n + 1] != '"')
		return false;
	s->p += n + 2;
	return true;
}

/*
 * An object at s->p. With f, members named in f go to vals (a repeated one
 * is a duplicate); every other key is compared with the others of the same
 * object, as a full parser rejecting duplicates would.
 */
static int object(struct scan *s, int depth, struct jscan_fields *f, struct jv *vals)
{
	struct jv keys[MAX_MEMBERS], v;
	int nkeys = 0, prev = JSCAN_FIRST, r;

	if (depth > MAX_DEPTH)
		return -1;
	s->p++;
	skip_ws(s);
	if (*s->p == '}') {
		s->p++;
		return 0;
	}
	do {
		struct jv *k = &keys[nkeys], *dst = &v;
		int i = f ? f->next[prev] : -1;

		if (!f || !key_is(s, f, i)) {
			if (*s->p != '"' || string(s, k) || k->escaped)
				return -1;
			i = f ? lookup(f, k->s, k->len) : -1;
			if (f)
				f->next[prev] = (int16_t)i;
		}
		if (i >= 0) {
			if (vals[i].type != JV_NONE)
				return -1;
			dst = &vals[i];
			prev = i;
		} else {
			for (int j = 0; j < nkeys; j++)
				if (keys[j].len == k->len && !memcmp(keys[j].s, k->s, k->len))
					return -1;
			if (++nkeys == MAX_MEMBERS)
				return -1;
			prev = JSCAN_AFTER_UNKNOWN;
		}
		/* Machine-written records have no blanks: test for them before skipping. */
		if (is_ws[(uint8_t)*s->p])
			skip_ws(s);
		if (*s->p != ':')
			return -1;
		s->p++;
		if (is_ws[(uint8_t)*s->p])
			skip_ws(s);
		/* Strings and numbers, nearly every member, without the general dispatch. */
		if (*s->p == '"' ? string(s, dst) :
		    (uint8_t)(*s->p - '0') < 10 || *s->p == '-' ? number(s, dst) : value(s, depth, dst))
			return -1;
	} while ((r = next_or_close(s, '}')) > 0);
	return r;
}

/* Decodes the simple escapes of v in place (the bytes are the caller's line). */
static void unescape(struct jv *v)
{
	static const char plain[256] = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
					 ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t' };
	char *out = (char *)v->s;
	const char *p = v->s, *end = v->s + v->len;

	while (p < end) {
		if (*p == '\\') {
			*out++ = plain[(uint8_t)p[1]];
			p += 2;
		} else {
			*out++ = *p++;
		}
	}
	v->len = (uint32_t)(out - v->s);
	v->escaped = false;
}

int jscan_record(struct jscan_fields *f, char *line, size_t len, struct jv *vals)
{
	struct scan s = { line, line + len };

	memset(vals, 0, f->n * sizeof(*vals));
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{' || object(&s, 1, f, vals))
		return -1;
	skip_ws(&s);
	if (s.p != s.end)
		return -1;
	for (size_t i = 0; i < f->n; i++)
		if (vals[i].escaped)
			unescape(&vals[i]);
	return 0;
}
