/* strpool.c - see strpool.h */
#include <stdlib.h>
#include <string.h>

#include "verify/strpool.h"

#define CHUNK_SIZE 65536

struct strpool_chunk {
	struct strpool_chunk *next;
	size_t used, size;
	char data[];
};

char *strpool_dup(struct strpool *a, const char *s)
{
	size_t len;
	char *p;

	if (!s)
		s = "";
	len = strlen(s) + 1;
	if (!a->head || a->head->size - a->head->used < len) {
		size_t size = len > CHUNK_SIZE ? len : CHUNK_SIZE;
		struct strpool_chunk *c = malloc(sizeof(*c) + size);

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

void strpool_free(struct strpool *a)
{
	while (a->head) {
		struct strpool_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}
