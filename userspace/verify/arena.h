/* arena.h - bump allocation of strings that live as long as the data set they belong to. */
#ifndef SMIW_VERIFY_ARENA_H
#define SMIW_VERIFY_ARENA_H

#include <stddef.h>

struct arena_chunk;

/* Zero-initialise; everything allocated from it is freed by arena_free(). */
struct arena {
	struct arena_chunk *head;
};

/* Copy of s (NULL becomes ""), owned by the arena; NULL only when out of memory. */
char *arena_strdup(struct arena *a, const char *s);

/* Frees every string of the arena; the arena can be reused afterwards. */
void arena_free(struct arena *a);

#endif
