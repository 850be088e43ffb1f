/* strpool.c - see strpool.h */
#include <stdlib.h>
#include <string.h>

#include "records/strpool.h"
#include "util/array.h"

/*
 * Chunks grow from CHUNK_SIZE to CHUNK_MAX, each twice the one before: a
 * few strings cost little, and the strings of a million records come in
 * blocks large enough for huge pages (array_huge).
 */
#define CHUNK_SIZE 65536
#define CHUNK_MAX (8u << 20)

struct strpool_slot {
	const char *s;		/* NULL: empty slot */
	uint32_t len, hash;
};

struct strpool_chunk {
	struct strpool_chunk *next;
	size_t used, size;
	char data[];
};

char *strpool_dup(struct strpool *a, const char *s)
{
	return strpool_dupn(a, s ? s : "", s ? strlen(s) : 0);
}

char *strpool_dupn(struct strpool *a, const char *s, size_t n)
{
	size_t len = n + 1;
	char *p;

	if (!a->head || a->head->size - a->head->used < len) {
		size_t grown = a->head ? 2 * a->head->size : CHUNK_SIZE;
		size_t size = grown > CHUNK_MAX ? CHUNK_MAX : grown;
		struct strpool_chunk *c;

		size = len > size ? len : size;
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		array_huge(c, sizeof(*c) + size);
		c->next = a->head;
		c->used = 0;
		c->size = size;
		a->head = c;
	}
	p = a->head->data + a->head->used;
	memcpy(p, s, n);
	p[n] = '\0';
	a->head->used += len;
	return p;
}

static uint32_t hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; n; s++, n--)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	h ^= h >> 29;
	return (uint32_t)(h * 0xc4ceb9fe1a85ec53ull >> 32);
}

/* Doubles the set (load stays at most one half). Returns 0 or -1. */
static int set_grow(struct strpool *a)
{
	size_t cap = a->capset ? 2 * a->capset : 1024;
	struct strpool_slot *set = calloc(cap, sizeof(*set));

	if (!set)
		return -1;
	for (size_t i = 0; i < a->capset; i++) {
		size_t j = a->set[i].hash & (cap - 1);

		if (!a->set[i].s)
			continue;
		while (set[j].s)
			j = (j + 1) & (cap - 1);
		set[j] = a->set[i];
	}
	free(a->set);
	a->set = set;
	a->capset = cap;
	return 0;
}

const char *strpool_intern(struct strpool *a, const char *s, size_t n)
{
	uint32_t h = hash(s, n);
	size_t j;

	if (2 * (a->nset + 1) > a->capset && set_grow(a))
		return NULL;
	for (j = h & (a->capset - 1); a->set[j].s; j = (j + 1) & (a->capset - 1))
		if (a->set[j].hash == h && a->set[j].len == n && !memcmp(a->set[j].s, s, n))
			return a->set[j].s;
	a->set[j].s = strpool_dupn(a, s, n);
	if (!a->set[j].s)
		return NULL;
	a->set[j].len = (uint32_t)n;
	a->set[j].hash = h;
	a->nset++;
	return a->set[j].s;
}

void strpool_free(struct strpool *a)
{
	free(a->set);
	a->set = NULL;
	a->nset = a->capset = 0;
	while (a->head) {
		struct strpool_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}
