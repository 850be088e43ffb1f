/* parse.h - range-checked parsing of numbers from the command line and files. */
#ifndef SMIW_PARSE_H
#define SMIW_PARSE_H

#include <stdint.h>

/* Parses a whole decimal integer in [min, max]. Returns 0 or -EINVAL / -ERANGE. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Parses a whole finite number in [min, max]. Returns 0 or -EINVAL / -ERANGE. */
int parse_double(const char *s, double min, double max, double *out);

/*
 * Parses a duration such as "250ms", "10s", "2m" or a bare number of seconds
 * into nanoseconds, in [0, max_ns]. Returns 0 or -EINVAL / -ERANGE.
 */
int parse_duration_ns(const char *s, uint64_t max_ns, uint64_t *out);

/* The value of one hexadecimal digit of either case, or -1 for any other character. */
static inline int parse_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;	/* ASCII upper case to lower; no other character becomes a-f */
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

#endif
