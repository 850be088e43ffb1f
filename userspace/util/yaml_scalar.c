/*
 * yaml_scalar.c - what a scalar is, the way kubectl decides: go-yaml v2's
 * resolve() (its word table, then Go's strconv on the text without '_'),
 * the tags it honours, and the conversions sigs.k8s.io/yaml makes on the
 * way to JSON (key names, numbers and booleans read by string fields).
 * docs/yaml.md has the rule with its sources; the tests hold a table of it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"
#include "util/yaml_scalar.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

static const struct {
	const char *word;
	enum yscalar kind;
	bool b;
	double f;
} words[] = {
	{ "y", YSCALAR_BOOL, true, 0 }, { "Y", YSCALAR_BOOL, true, 0 },
	{ "yes", YSCALAR_BOOL, true, 0 }, { "Yes", YSCALAR_BOOL, true, 0 },
	{ "YES", YSCALAR_BOOL, true, 0 }, { "true", YSCALAR_BOOL, true, 0 },
	{ "True", YSCALAR_BOOL, true, 0 }, { "TRUE", YSCALAR_BOOL, true, 0 },
	{ "on", YSCALAR_BOOL, true, 0 }, { "On", YSCALAR_BOOL, true, 0 },
	{ "ON", YSCALAR_BOOL, true, 0 },
	{ "n", YSCALAR_BOOL, false, 0 }, { "N", YSCALAR_BOOL, false, 0 },
	{ "no", YSCALAR_BOOL, false, 0 }, { "No", YSCALAR_BOOL, false, 0 },
	{ "NO", YSCALAR_BOOL, false, 0 }, { "false", YSCALAR_BOOL, false, 0 },
	{ "False", YSCALAR_BOOL, false, 0 }, { "FALSE", YSCALAR_BOOL, false, 0 },
	{ "off", YSCALAR_BOOL, false, 0 }, { "Off", YSCALAR_BOOL, false, 0 },
	{ "OFF", YSCALAR_BOOL, false, 0 },
	{ "", YSCALAR_NULL, false, 0 }, { "~", YSCALAR_NULL, false, 0 },
	{ "null", YSCALAR_NULL, false, 0 }, { "Null", YSCALAR_NULL, false, 0 },
	{ "NULL", YSCALAR_NULL, false, 0 },
	{ ".nan", YSCALAR_FLOAT, false, NAN }, { ".NaN", YSCALAR_FLOAT, false, NAN },
	{ ".NAN", YSCALAR_FLOAT, false, NAN },
	{ ".inf", YSCALAR_FLOAT, false, INFINITY }, { ".Inf", YSCALAR_FLOAT, false, INFINITY },
	{ ".INF", YSCALAR_FLOAT, false, INFINITY }, { "+.inf", YSCALAR_FLOAT, false, INFINITY },
	{ "+.Inf", YSCALAR_FLOAT, false, INFINITY }, { "+.INF", YSCALAR_FLOAT, false, INFINITY },
	{ "-.inf", YSCALAR_FLOAT, false, -INFINITY }, { "-.Inf", YSCALAR_FLOAT, false, -INFINITY },
	{ "-.INF", YSCALAR_FLOAT, false, -INFINITY },
};

/* A resolved value, before it lands in a node. */
struct val {
	enum yscalar kind;
	bool b, big;
	int64_t i;
	uint64_t u;
	double f;
};

/*
 * Go's strconv.ParseUint(s, 0, 64): "0x"/"0o"/"0b" (either case, a digit
 * after) or a leading "0" (octal) picks the base. 0, -EINVAL or -ERANGE.
 */
static int go_parse_uint(const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	unsigned base = 10;
	uint64_t v = 0;

	if (!n)
		return -EINVAL;
	if (s[0] == '0') {
		char c = (char)(s[1] | 0x20);

		if (n >= 3 && (c == 'b' || c == 'o' || c == 'x')) {
			base = c == 'b' ? 2 : c == 'o' ? 8 : 16;
			s += 2;
		} else {
			base = 8;
			s++;
		}
	}
	for (; *s; s++) {
		int d = parse_hex_digit(*s);

		if (d < 0 || (unsigned)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return -ERANGE;
		v = v * base + (unsigned)d;
	}
	*out = v;
	return 0;
}

/* Go's strconv.ParseInt(s, 0, 64): an optional sign, then as go_parse_uint(). */
static int go_parse_int(const char *s, int64_t *out)
{
	bool neg = s[0] == '-';
	uint64_t u;
	int r;

	if (s[0] == '-' || s[0] == '+')
		s++;
	r = go_parse_uint(s, &u);
	if (r)
		return r;
	if (u > (uint64_t)INT64_MAX + neg)
		return -ERANGE;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

static const char *digits(const char *s, bool *any)
{
	*any = false;
	while (*s >= '0' && *s <= '9')
		s++, *any = true;
	return s;
}

/* go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s)
{
	bool any;

	if (*s == '-' || *s == '+')
		s++;
	if (*s == '.') {
		s = digits(s + 1, &any);
		if (!any)
			return false;
	} else {
		s = digits(s, &any);
		if (!any)
			return false;
		if (*s == '.')
			s = digits(s + 1, &any);
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		s = digits(s, &any);
		if (!any)
			return false;
	}
	return *s == '\0';
}

/* Go's ParseFloat on a text already known to be decimal: an overflow is an error (it gives ±Inf). */
static bool go_parse_float(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || isinf(v))
		return false;
	*out = v;
	return true;
}

/* go-yaml v2 resolve() for a plain scalar: the word table, then the first character decides. */
static void resolve_text(const char *s, size_t len, struct val *v)
{
	char small[64], *plain;
	size_t o = 0;

	memset(v, 0, sizeof(*v));
	v->kind = YSCALAR_STRING;
	if (strlen(s) != len)
		return;		/* a NUL inside: no number or word has one */
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(s, words[i].word)) {
			v->kind = words[i].kind;
			v->b = words[i].b;
			v->f = words[i].f;
			return;
		}
	if (s[0] == '.') {
		/* Only a float can start with '.' (the specials were in the table). */
		if (yaml_style_float(s) && go_parse_float(s, &v->f))
			v->kind = YSCALAR_FLOAT;
		return;
	}
	if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+'))
		return;
	/* Digits or a sign: integer, unsigned, float, in that order, '_' ignored anywhere. */
	plain = len < sizeof(small) ? small : malloc(len + 1);
	if (!plain)
		return;	/* out of memory: left a string */
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			plain[o++] = s[i];
	plain[o] = '\0';
	if (!go_parse_int(plain, &v->i)) {
		v->kind = YSCALAR_INT;
		v->f = (double)v->i;
	} else if (plain[0] != '-' && plain[0] != '+' && !go_parse_uint(plain, &v->u)) {
		v->kind = YSCALAR_INT;
		v->big = true;
		v->f = (double)v->u;
	} else if (yaml_style_float(plain) && go_parse_float(plain, &v->f)) {
		v->kind = YSCALAR_FLOAT;
	}
	if (plain != small)
		free(plain);
}

enum yscalar yaml_plain_kind(const char *s, size_t len)
{
	struct val v;

	resolve_text(s, len, &v);
	return v.kind;
}

/* ---- Go's float formatting ---------------------------------------------- */

/*
 * The shortest decimal digits that read back as v (as a float32 when f32),
 * Go's "shortest" mode: digits without sign or point into d, their count,
 * and dp, the position of the decimal point (0.0123 is "123" with dp -1).
 */
static int shortest(double v, bool f32, char d[24], int *dp)
{
	double x = f32 ? (double)(float)fabs(v) : fabs(v);
	char buf[40], *e;
	int nd = 0;

	for (int p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
		if (f32 ? strtof(buf, NULL) == (float)x : strtod(buf, NULL) == x)
			break;
	}
	for (const char *c = buf; *c && *c != 'e'; c++)
		if (*c >= '0' && *c <= '9')
			d[nd++] = *c;
	e = strchr(buf, 'e');
	*dp = (int)strtol(e + 1, NULL, 10) + 1;
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	d[nd] = '\0';
	return nd;
}

/* Go's fmtE for shortest digits: d.ddde±XX. */
static void fmt_e(char *buf, size_t len, bool neg, const char *d, int nd, int dp)
{
	int exp = dp - 1;

	snprintf(buf, len, "%s%c%s%.*se%c%02d", neg ? "-" : "", d[0], nd > 1 ? "." : "", nd - 1, d + 1,
		 exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/* Go's fmtF for shortest digits: no exponent, only the digits there are. */
static void fmt_f(char *buf, size_t len, bool neg, const char *d, int nd, int dp)
{
	size_t o = 0;

	if (neg && o + 1 < len)
		buf[o++] = '-';
	if (dp <= 0 && o + 1 < len)
		buf[o++] = '0';
	for (int i = 0; i < dp && o + 1 < len; i++)
		buf[o++] = i < nd ? d[i] : '0';
	if (nd > dp && o + 1 < len)
		buf[o++] = '.';
	for (int i = dp < 0 ? dp : (dp > nd ? nd : dp); i < nd && o + 1 < len; i++)
		buf[o++] = i < 0 ? '0' : d[i];
	buf[o] = '\0';
}

void yscalar_format_g32(double v, char *buf, size_t len)
{
	char d[24];
	int nd, dp;

	if (isnan(v) || isinf((float)v)) {
		/* Beyond float32 is infinite too: 1e300 is "+Inf". */
		snprintf(buf, len, "%s", isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if ((float)v == 0) {
		snprintf(buf, len, "%s", signbit(v) ? "-0" : "0");
		return;
	}
	nd = shortest(v, true, d, &dp);
	/* %e when the exponent is below -4 or at least 6 (Go's shortest %g). */
	if (dp - 1 < -4 || dp - 1 >= 6)
		fmt_e(buf, len, signbit(v), d, nd, dp);
	else
		fmt_f(buf, len, signbit(v), d, nd, dp);
}

/* Go's encoding/json for a float64: %f between 1e-6 and 1e21, else %e with "e-07" written "e-7". */
static void format_json(double v, char *buf, size_t len)
{
	char d[24];
	int nd, dp;

	if (v == 0) {
		snprintf(buf, len, "%s", signbit(v) ? "-0" : "0");
		return;
	}
	nd = shortest(v, false, d, &dp);
	if (fabs(v) < 1e-6 || fabs(v) >= 1e21) {
		size_t n;

		fmt_e(buf, len, signbit(v), d, nd, dp);
		n = strlen(buf);
		if (n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
			buf[n - 2] = buf[n - 1];
			buf[n - 1] = '\0';
		}
	} else {
		fmt_f(buf, len, signbit(v), d, nd, dp);
	}
}

/* ---- tags --------------------------------------------------------------- */

/* Go's base64.StdEncoding.DecodeString (newlines ignored, padding required): length or -1. */
static long base64_decode(const char *s, size_t len, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0, pad = 0, nq = 0;
	long o = 0;

	for (size_t i = 0; i < len; i++) {
		const char *p;

		if (s[i] == '\n' || s[i] == '\r')
			continue;
		if (s[i] == '=') {
			pad++;
			acc <<= 6;
		} else {
			p = s[i] ? strchr(alphabet, s[i]) : NULL;
			if (!p || pad)
				return -1;
			acc = acc << 6 | (unsigned)(p - alphabet);
		}
		if (++nq == 4) {
			if (pad > 2)
				return -1;
			out[o++] = (char)(acc >> 16);
			if (pad < 2)
				out[o++] = (char)(acc >> 8);
			if (pad < 1)
				out[o++] = (char)acc;
			acc = nq = 0;
			if (pad)
				pad = 3;	/* nothing may follow the padding */
		}
	}
	return nq ? -1 : o;
}

static bool digits_in(const char **s, int min, int max, int lo, int hi, int *out)
{
	int v = 0, n = 0;

	while (**s >= '0' && **s <= '9' && n < max)
		v = v * 10 + (*(*s)++ - '0'), n++;
	*out = v;
	return n >= min && v >= lo && v <= hi;
}

/* The four layouts go-yaml v2 tries for a timestamp (time.Parse with "2006-1-2..."). */
static bool is_timestamp(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, x;
	char sep;

	if (!digits_in(&s, 4, 4, 0, 9999, &y) || *s++ != '-' || !digits_in(&s, 1, 2, 1, 12, &m) ||
	    *s++ != '-' || !digits_in(&s, 1, 2, 1, mdays[m - 1], &d))
		return false;
	if (m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return false;
	if (!*s)
		return true;
	sep = *s++;
	if ((sep != 'T' && sep != 't' && sep != ' ') || !digits_in(&s, 1, 2, 0, 23, &x) || *s++ != ':' ||
	    !digits_in(&s, 1, 2, 0, 59, &x) || *s++ != ':' || !digits_in(&s, 1, 2, 0, 59, &x))
		return false;
	if (*s == '.' && s[1] >= '0' && s[1] <= '9')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (sep == ' ')
		return !*s;
	if (*s == 'Z')
		return !s[1];
	return (*s == '+' || *s == '-') && (s++, digits_in(&s, 2, 2, 0, 99, &x)) && *s++ == ':' &&
	       digits_in(&s, 2, 2, 0, 99, &x) && !*s;
}

static const char *kind_tag(enum yscalar k)
{
	static const char *const names[] = { "!!null", "!!bool", "!!int", "!!float", "!!str" };

	return names[k];
}

/*
 * An explicit tag: !!str and unknown tags keep the text, !!binary decodes
 * it, and !!null/!!bool/!!int/!!float/!!timestamp resolve it as if plain,
 * which must give that type (an integer may stand for a float).
 */
static int resolve_tagged(struct arena *a, struct ynode *n, const char *tag, struct val *v, char *err,
			  size_t errlen)
{
	const char *t = !strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) ? tag + strlen(TAG_PREFIX) : NULL;
	static const char *const want[] = { "null", "bool", "int", "float" };

	memset(v, 0, sizeof(*v));
	v->kind = YSCALAR_STRING;
	if (!t || !strcmp(t, "str"))
		return 0;
	if (!strcmp(t, "binary")) {
		char *out = arena_alloc(a, n->len + 1);
		long m = base64_decode(n->str, n->len, out);

		if (m < 0) {
			snprintf(err, errlen, "!!binary value contains invalid base64 data");
			return -EINVAL;
		}
		n->str = out;
		n->len = (size_t)m;
		return 0;
	}
	if (!strcmp(t, "timestamp")) {
		if (strlen(n->str) == n->len && is_timestamp(n->str))
			return 0;	/* a time read into an untyped value stays its text */
		snprintf(err, errlen, "'%s' is not a !!timestamp", n->str);
		return -EINVAL;
	}
	for (int k = YSCALAR_NULL; k <= YSCALAR_FLOAT; k++) {
		if (strcmp(t, want[k]))
			continue;
		resolve_text(n->str, n->len, v);
		if (k == YSCALAR_FLOAT && v->kind == YSCALAR_INT) {
			v->kind = YSCALAR_FLOAT;
			v->big = false;
			return 0;
		}
		if (v->kind == (enum yscalar)k)
			return 0;
		snprintf(err, errlen, "cannot read %s '%s' as a !!%s", kind_tag(v->kind), n->str, want[k]);
		return -EINVAL;
	}
	return 0;	/* any other tag: the text, as go-yaml leaves it */
}

/* The text a string field reads: sigs.k8s.io/yaml writes numbers and booleans out for it. */
static const char *field_text(struct arena *a, const struct ynode *n)
{
	char buf[40];

	switch (n->kind) {
	case YSCALAR_NULL:
		return NULL;
	case YSCALAR_BOOL:
		return n->b ? "true" : "false";
	case YSCALAR_INT:
		if (n->big)
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n->u);
		else
			snprintf(buf, sizeof(buf), "%lld", (long long)n->i);
		return arena_strdup(a, buf);
	case YSCALAR_FLOAT:
		yscalar_format_g32(n->f, buf, sizeof(buf));
		return arena_strdup(a, buf);
	default:
		return n->str;
	}
}

int yscalar_resolve(struct arena *a, struct ynode *n, const char *tag, bool plain, char *err,
		    size_t errlen)
{
	struct val v = { .kind = YSCALAR_STRING };

	if (tag && *tag) {
		if (resolve_tagged(a, n, tag, &v, err, errlen))
			return -EINVAL;
	} else if (plain) {
		resolve_text(n->str, n->len, &v);
	}
	n->kind = v.kind;
	n->b = v.b;
	n->big = v.big;
	n->i = v.i;
	n->u = v.u;
	n->f = v.f;
	n->text = field_text(a, n);
	return 0;
}

struct ynode *yscalar_key(struct arena *a, struct ynode *k, char *err, size_t errlen)
{
	struct ynode *named;

	if (k->kind == YSCALAR_STRING)
		return k;
	if (k->kind == YSCALAR_NULL) {
		snprintf(err, errlen, "a mapping key is null (JSON has no name for it)");
		return NULL;
	}
	if (k->kind == YSCALAR_INT && k->big) {
		snprintf(err, errlen, "the mapping key %s is beyond int64 (JSON conversion refuses it)", k->str);
		return NULL;
	}
	/* A copy: the key node may also be an anchor some value refers to. */
	named = arena_alloc(a, sizeof(*named));
	*named = *k;
	named->kind = YSCALAR_STRING;
	/* sigs.k8s.io/yaml names infinite and NaN keys as YAML writes them. */
	named->str = !strcmp(k->text, "+Inf") ? ".inf" : !strcmp(k->text, "-Inf") ? "-.inf" :
		     !strcmp(k->text, "NaN") ? ".nan" : k->text;
	named->text = named->str;
	named->len = strlen(named->str);
	return named;
}

/* ---- reading values ------------------------------------------------------ */

bool ynode_is_null(const struct ynode *n)
{
	return n && n->type == YNODE_SCALAR && n->kind == YSCALAR_NULL;
}

bool ynode_int(const struct ynode *n, int64_t *out)
{
	if (!n || n->type != YNODE_SCALAR)
		return false;
	if (n->kind == YSCALAR_INT && !n->big) {
		*out = n->i;
		return true;
	}
	/* JSON writes an integral float without a point; Kubernetes then reads an integer. */
	if (n->kind == YSCALAR_FLOAT && isfinite(n->f) && n->f == floor(n->f) && n->f >= -0x1p63 &&
	    n->f < 0x1p63) {
		*out = (int64_t)n->f;
		return true;
	}
	return false;
}

bool ynode_number(const struct ynode *n, double *out)
{
	if (!n || n->type != YNODE_SCALAR || (n->kind != YSCALAR_INT && n->kind != YSCALAR_FLOAT))
		return false;
	*out = n->f;
	return true;
}

const char *ynode_json_number(const struct ynode *n, char *buf, size_t len)
{
	if (!n || n->type != YNODE_SCALAR)
		return NULL;
	if (n->kind == YSCALAR_INT && n->big)
		snprintf(buf, len, "%llu", (unsigned long long)n->u);
	else if (n->kind == YSCALAR_INT)
		snprintf(buf, len, "%lld", (long long)n->i);
	else if (n->kind == YSCALAR_FLOAT && isfinite(n->f))
		format_json(n->f, buf, len);
	else
		return NULL;
	return buf;
}

const char *ynode_kind_name(const struct ynode *n)
{
	static const char *const names[] = { "null", "a boolean", "an integer", "a number", "a string" };

	if (n->type == YNODE_MAP)
		return "a mapping";
	if (n->type == YNODE_SEQ)
		return "a list";
	return names[n->kind];
}
