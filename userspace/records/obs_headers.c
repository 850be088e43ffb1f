/*
 * obs_headers.c - reading one header out of an exchange's raw `headers`
 * object. Done by hand because a name sent twice is a repeated key, which
 * JSON readers either refuse or collapse to its last value.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "records/obs.h"

/* Appends c to out[*n] while it fits (one byte kept for the NUL). */
static void put(char *out, size_t len, size_t *n, char c)
{
	if (*n + 1 < len)
		out[(*n)++] = c;
}

/* Appends code point u in UTF-8. */
static void put_utf8(char *out, size_t len, size_t *n, uint32_t u)
{
	if (u < 0x80) {
		put(out, len, n, (char)u);
	} else if (u < 0x800) {
		put(out, len, n, (char)(0xc0 | u >> 6));
		put(out, len, n, (char)(0x80 | (u & 0x3f)));
	} else {
		put(out, len, n, (char)(0xe0 | u >> 12));
		put(out, len, n, (char)(0x80 | ((u >> 6) & 0x3f)));
		put(out, len, n, (char)(0x80 | (u & 0x3f)));
	}
}

/*
 * Decodes the JSON string at *p (its opening quote) into out (NUL-terminated,
 * cut to len) and moves *p past it. Returns 0, or -1 when it is not a string.
 */
static int string(const char **p, char *out, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	if (*s++ != '"')
		return -1;
	for (; *s && *s != '"'; s++) {
		uint32_t u = 0;

		if (*s != '\\') {
			put(out, len, &n, *s);
			continue;
		}
		switch (*++s) {
		case 'b': put(out, len, &n, '\b'); break;
		case 'f': put(out, len, &n, '\f'); break;
		case 'n': put(out, len, &n, '\n'); break;
		case 'r': put(out, len, &n, '\r'); break;
		case 't': put(out, len, &n, '\t'); break;
		case 'u':
			for (int i = 1; i <= 4; i++) {
				char c = s[i];

				if (!c)
					return -1;
				u = u << 4 | (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
			}
			s += 4;
			put_utf8(out, len, &n, u);
			break;
		case '\0':
			return -1;
		default:
			put(out, len, &n, *s);
		}
	}
	if (*s != '"')
		return -1;
	if (len)
		out[n < len ? n : len - 1] = '\0';
	*p = s + 1;
	return 0;
}

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

int obs_header(const char *raw, const char *name, char *out, size_t len)
{
	const char *p = raw;
	size_t used = 0;
	int count = 0;

	if (len)
		out[0] = '\0';
	if (!p)
		return -1;
	skip_ws(&p);
	if (*p++ != '{')
		return -1;
	skip_ws(&p);
	while (*p == '"') {
		char key[256], value[4097];

		if (string(&p, key, sizeof(key)))
			return -1;
		skip_ws(&p);
		if (*p++ != ':')
			return -1;
		skip_ws(&p);
		if (string(&p, value, sizeof(value)))
			return -1;
		if (!strcasecmp(key, name)) {
			/* Field lines of one name are one list: joined with "," in order (RFC 9110 section 5.3). */
			if (count++ && used + 1 < len)
				out[used++] = ',';
			for (const char *v = value; *v && used + 1 < len; v++)
				out[used++] = *v;
			if (len)
				out[used] = '\0';
		}
		skip_ws(&p);
		if (*p == ',') {
			p++;
			skip_ws(&p);
		}
	}
	return *p == '}' ? count : -1;
}
