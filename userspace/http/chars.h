/* chars.h - character classes of HTTP/1.x (RFC 9110 5.6), private to userspace/http. */
#ifndef SMIW_HTTP_CHARS_H
#define SMIW_HTTP_CHARS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "http/http.h"
#include "util/swar.h"

/* tchar: the characters of a token (method, header name); a table, as every head byte passes here. */
static inline bool http_is_tchar(char ch)
{
	static const bool tchar[256] = {
		['0' ... '9'] = true, ['a' ... 'z'] = true, ['A' ... 'Z'] = true,
		['!'] = true, ['#'] = true, ['$'] = true, ['%'] = true, ['&'] = true, ['\''] = true,
		['*'] = true, ['+'] = true, ['-'] = true, ['.'] = true, ['^'] = true, ['_'] = true,
		['`'] = true, ['|'] = true, ['~'] = true,
	};

	return tchar[(unsigned char)ch];
}

static inline bool http_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Control characters (DEL included); HTAB is one too. */
static inline bool http_is_ctl(char ch)
{
	unsigned char c = (unsigned char)ch;

	return c < 0x20 || c == 0x7f;
}

/* Visible characters of a request-target; obs-text (>= 0x80) tolerated. */
static inline bool http_is_vchar(char ch)
{
	unsigned char c = (unsigned char)ch;

	return c > 0x20 && c != 0x7f;
}

/* Branch-free: every header name byte passes here, and upper case is neither rare nor common. */
static inline unsigned char http_lower(char ch)
{
	unsigned char c = (unsigned char)ch;

	return (unsigned char)(c | (((unsigned char)(c - 'A') < 26u) << 5));
}

/*
 * http_lower on eight bytes at once (a word read with memcpy): a byte is
 * 'A'..'Z' when adding 0x3f carries into bit 7 and adding 0x25 does not;
 * bytes of 0x80 and above are left alone, as http_lower leaves them.
 */
static inline uint64_t http_lower8(uint64_t w)
{
	uint64_t low7 = w & ~SWAR_HIGHS;
	uint64_t upper = ((low7 + SWAR_ONES * (0x80 - 'A')) ^ (low7 + SWAR_ONES * (0x80 - 'Z' - 1))) & ~w & SWAR_HIGHS;

	return w | (upper >> 2);
}

/* Returns s without leading and trailing SP / HTAB. */
static inline struct http_str http_trim(struct http_str s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

#endif
