/* b64.c - see b64.h */
#include <stdint.h>
#include <stdlib.h>

#include "util/b64.h"

static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

char *b64_decode(const char *in, size_t inlen, size_t *outlen)
{
	char *out = malloc(inlen / 4 * 3 + 4);
	uint32_t acc = 0;
	size_t n = 0;
	int bits = 0, pad = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < inlen; i++) {
		unsigned char c = (unsigned char)in[i];
		int v;

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = sextet(c);
		if (v < 0 || pad)	/* data after padding is not base64 */
			goto bad;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)(acc >> bits & 0xff);
		}
	}
	/* A lone trailing sextet carries no whole byte; padding never exceeds two. */
	if (bits >= 6 || pad > 2)
		goto bad;
	out[n] = '\0';
	*outlen = n;
	return out;
bad:
	free(out);
	return NULL;
}

size_t b64url_encode(const void *in, size_t inlen, char *out, size_t outlen)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *p = in;
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (outlen == 0 || (inlen * 4 + 2) / 3 + 1 > outlen) {
		if (outlen)
			out[0] = '\0';
		return 0;
	}
	for (size_t i = 0; i < inlen; i++) {
		acc = acc << 8 | p[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[n++] = abc[acc >> bits & 63];
		}
	}
	if (bits)
		out[n++] = abc[acc << (6 - bits) & 63];
	out[n] = '\0';
	return n;
}
