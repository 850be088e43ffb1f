/* swar.h - text eight bytes at a time in one 64-bit word: loading the word, and the byte test JSON strings need. */
#ifndef SMIW_UTIL_SWAR_H
#define SMIW_UTIL_SWAR_H

#include <stdint.h>
#include <string.h>

#define SWAR_ONES 0x0101010101010101ull		/* 1 in every byte */
#define SWAR_HIGHS 0x8080808080808080ull	/* bit 7 of every byte */

/* The eight bytes at p (any alignment) as a word. */
static inline uint64_t swar_load8(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* The four bytes at p (any alignment) as a word, zero above them. */
static inline uint64_t swar_load4(const void *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}

/*
 * Bit 7 of each byte of w that cannot go into a JSON string as it is: a
 * quote, a backslash, below 0x20 or above 0x7f. Only the lowest flag is
 * exact (a borrow can flag a byte above a flagged one), which is all the
 * scanners that use it look at.
 */
static inline __attribute__((always_inline)) uint64_t swar_json_stops(uint64_t w)
{
	uint64_t q = w ^ (SWAR_ONES * '"'), b = w ^ (SWAR_ONES * '\\');

	return (((q - SWAR_ONES) & ~q) | ((b - SWAR_ONES) & ~b) | ((w - SWAR_ONES * 0x20) & ~w) | w) & SWAR_HIGHS;
}

#endif
