/* arena.c - see arena.h */
#include <stdlib.h>
#include <string.h>

#include "verify/arena.h"

#define CHUNK_SIZE 65536

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

char *arena_strdup(struct arena *a, const char *s)
{
	size_t len;
	char *p;

	if (!s)
		s = "";
	len = strlen(s) + 1;
	if (!a->head || a->head->size - a->head->used < len) {
		size_t size = len > CHUNK_SIZE ? len : CHUNK_SIZE;
		struct arena_chunk *c = malloc(sizeof(*c) + size);

		if (!c)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->size = size;
		a->head = c;
	}
	p = a->head->data + a->head->used;
	memcpy(p, s, len);
	a->head->used += len;
	return p;
}

void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}
