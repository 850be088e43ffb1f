/* strpool.h - bump allocation of strings that live as long as the data set they belong to. */
#ifndef SMIW_RECORDS_STRPOOL_H
#define SMIW_RECORDS_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

struct strpool_chunk;
struct strpool_slot;

/* Zero-initialise; every string taken from it is freed by strpool_free(). */
struct strpool {
	struct strpool_chunk *head;
	struct strpool_slot *set;	/* strpool_intern's strings */
	size_t nset, capset;
};

/* Copy of s (NULL becomes ""), owned by the pool; NULL only when out of memory. */
char *strpool_dup(struct strpool *a, const char *s);

/* Copy of the n bytes at s, NUL-terminated, owned by the pool; NULL only when out of memory. */
char *strpool_dupn(struct strpool *a, const char *s, size_t n);

/*
 * The n bytes at s as a NUL-terminated string owned by the pool, shared with
 * every earlier intern of the same bytes (so never modify it): a data set of
 * a million records naming a few pods holds each name once. NULL only when
 * out of memory.
 */
const char *strpool_intern(struct strpool *a, const char *s, size_t n);

/* Frees every string of the pool; the pool can be reused afterwards. */
void strpool_free(struct strpool *a);

#endif
