/*
 * arena.h - many small allocations freed at once: the SMI model's objects
 * and the YAML reader's node trees live in one until their owner goes.
 */
#ifndef SMIW_UTIL_ARENA_H
#define SMIW_UTIL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena {
	struct arena_block *head;
};

/*
 * Zeroed memory from the arena. Allocation failure aborts: every object of a
 * set would otherwise need a failure path for a few bytes.
 */
void *arena_alloc(struct arena *a, size_t size);
/* Copy of n bytes of s plus a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Copy of s (NULL for NULL). */
char *arena_strdup(struct arena *a, const char *s);
/* A formatted string in the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Frees every block; the arena is empty (and reusable) afterwards. */
void arena_free(struct arena *a);

/* Growable array of pointers (malloc'd through util/array: the arena cannot resize a piece). */
struct ptrvec {
	void **v;
	size_t n, cap;
};
/* Appends p; aborts when out of memory, as the arena does. */
void ptrvec_push(struct ptrvec *pv, void *p);
/* Frees the array (not what it points to); the vector is empty afterwards. */
void ptrvec_free(struct ptrvec *pv);

#endif
