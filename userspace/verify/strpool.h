/* strpool.h - bump allocation of strings that live as long as the data set they belong to. */
#ifndef SMIW_VERIFY_STRPOOL_H
#define SMIW_VERIFY_STRPOOL_H

#include <stddef.h>

struct strpool_chunk;

/* Zero-initialise; every string taken from it is freed by strpool_free(). */
struct strpool {
	struct strpool_chunk *head;
};

/* Copy of s (NULL becomes ""), owned by the pool; NULL only when out of memory. */
char *strpool_dup(struct strpool *a, const char *s);

/* Frees every string of the pool; the pool can be reused afterwards. */
void strpool_free(struct strpool *a);

#endif
