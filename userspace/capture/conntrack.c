/* conntrack.c - see conntrack.h */
#include <errno.h>
#include <stdlib.h>

#include "capture/conntrack.h"

static size_t slot(const struct conntable *t, uint64_t id)
{
	/* Ids are consecutive: a multiplicative hash spreads them over the buckets. */
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & (t->nbuckets - 1);
}

int ct_init(struct conntable *t, size_t max)
{
	t->nbuckets = 1024;
	t->n = 0;
	t->max = max;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -ENOMEM;
}

struct ct_conn *ct_find(const struct conntable *t, uint64_t id)
{
	struct ct_conn *c = t->buckets[slot(t, id)];

	while (c && c->info.id != id)
		c = c->next;
	return c;
}

/* Doubles the bucket array when the chains get long; keeps the old one on failure. */
static void grow(struct conntable *t)
{
	struct conntable bigger = { .nbuckets = t->nbuckets * 2 };

	bigger.buckets = calloc(bigger.nbuckets, sizeof(*bigger.buckets));
	if (!bigger.buckets)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		while (t->buckets[i]) {
			struct ct_conn *c = t->buckets[i];
			size_t s = slot(&bigger, c->info.id);

			t->buckets[i] = c->next;
			c->next = bigger.buckets[s];
			bigger.buckets[s] = c;
		}
	}
	free(t->buckets);
	t->buckets = bigger.buckets;
	t->nbuckets = bigger.nbuckets;
}

struct ct_conn *ct_insert(struct conntable *t, uint64_t id)
{
	struct ct_conn *c;
	size_t s;

	if (t->n >= t->max)
		return NULL;
	if (t->n >= t->nbuckets)
		grow(t);
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->info.id = id;
	s = slot(t, id);
	c->next = t->buckets[s];
	t->buckets[s] = c;
	t->n++;
	return c;
}

void ct_remove(struct conntable *t, struct ct_conn *c)
{
	struct ct_conn **pp = &t->buckets[slot(t, c->info.id)];

	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = c->next;
		t->n--;
	}
}

struct ct_conn *ct_any(const struct conntable *t)
{
	for (size_t i = 0; t->n && i < t->nbuckets; i++)
		if (t->buckets[i])
			return t->buckets[i];
	return NULL;
}

void ct_fini(struct conntable *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = t->n = 0;
}
