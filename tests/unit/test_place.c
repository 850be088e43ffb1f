/*
 * test_place - the placer (verify/place.h) against the rule it implements,
 * written here the plain way (every request looked at for every exchange),
 * on random steps: flights from a client exchange, from the driver's intent
 * or none; flights and exchanges that never ended; exchanges that no flight
 * holds; copies given one after another so that requests stop being free;
 * ends that may lag or not; now and then a request whose flight changes
 * after a placement (a client exchange found late), and exchanges out of
 * start order. Every pick must be the very request the rule names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "verify/place.h"

/* The rule, as place.h states it. */
static struct vreq *oracle(struct vreq *r, size_t n, const struct obs_exchange *e, bool lag)
{
	struct vreq *free_holds = NULL, *holds = NULL, *near = NULL;
	uint64_t best = UINT64_MAX, free_end = UINT64_MAX;

	for (size_t i = 0; i < n; i++) {
		uint64_t t0, t1, d;

		vreq_flight(&r[i], &t0, &t1);
		if (!t0)
			continue;
		if (t0 <= e->start_ns && (!e->end_ns || e->end_ns <= t1 || (lag && e->start_ns <= t1))) {
			if (!r[i].n_copies && (!free_holds || t1 < free_end)) {
				free_holds = &r[i];
				free_end = t1;
			}
			if (!holds)
				holds = &r[i];
		}
		d = t0 > e->start_ns ? t0 - e->start_ns : e->start_ns - t0;
		if (d < best) {
			best = d;
			near = &r[i];
		}
	}
	return free_holds ? free_holds : holds ? holds : near ? near : n ? &r[0] : NULL;
}

static uint64_t rnd(uint64_t *s, uint64_t n)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return n ? *s % n : 0;
}

static int start_cmp(const void *a, const void *b)
{
	const struct obs_exchange *x = a, *y = b;

	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

/* One random step of n requests and m exchanges; times on a small grid so that ties are common. */
static void one_step(uint64_t *seed, size_t n, size_t m, bool lag, bool shuffled)
{
	struct vreq *r = calloc(n + 1, sizeof(*r));
	struct obs_exchange *client = calloc(n + 1, sizeof(*client)), *late = calloc(n + 1, sizeof(*late));
	struct obs_intent *intent = calloc(n + 1, sizeof(*intent));
	struct obs_exchange *ex = calloc(m + 1, sizeof(*ex));
	uint64_t span = 20 + n * 4;
	struct placer *p;

	assert_non_null(r);
	assert_non_null(client);
	assert_non_null(late);
	assert_non_null(intent);
	assert_non_null(ex);
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = 1 + rnd(seed, span), len = rnd(seed, 40);

		switch (rnd(seed, 8)) {
		case 0:		/* no flight known */
			break;
		case 1:		/* the driver's record only */
			intent[i] = (struct obs_intent){ .sent_ns = t0, .done_ns = rnd(seed, 4) ? t0 + len : 0 };
			r[i].intent = &intent[i];
			break;
		default:
			client[i] = (struct obs_exchange){ .start_ns = t0, .end_ns = rnd(seed, 6) ? t0 + len : 0 };
			r[i].client = &client[i];
			break;
		}
		late[i] = (struct obs_exchange){ .start_ns = 1 + rnd(seed, span), .end_ns = 0 };
		late[i].end_ns = rnd(seed, 3) ? late[i].start_ns + rnd(seed, 40) : 0;
		r[i].n_copies = rnd(seed, 10) == 0;	/* a copy by its id already */
	}
	for (size_t k = 0; k < m; k++) {
		ex[k].start_ns = 1 + rnd(seed, span + 40);
		ex[k].end_ns = rnd(seed, 5) ? ex[k].start_ns + rnd(seed, 30) : 0;
	}
	if (!shuffled)
		qsort(ex, m, sizeof(*ex), start_cmp);
	p = placer_new(r, n, lag);
	assert_non_null(p);
	for (size_t k = 0; k < m; k++) {
		struct vreq *want = oracle(r, n, &ex[k], lag), *got = placer_pick(p, &ex[k]);

		if (want != got)
			fail_msg("n %zu lag %d exchange %zu [%llu, %llu]: rule picks %td, placer %td", n, lag, k,
				 (unsigned long long)ex[k].start_ns, (unsigned long long)ex[k].end_ns,
				 want ? want - r : -1, got ? got - r : -1);
		if (!got)
			continue;
		got->n_copies++;
		/* Rarely the placement also gives the request its flight (a client exchange of its own). */
		if (!got->client && rnd(seed, 16) == 0)
			got->client = &late[got - r];
		placer_placed(p, got);
	}
	placer_free(p);
	free(r);
	free(client);
	free(late);
	free(intent);
	free(ex);
}

static void test_random_steps(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int round = 0; round < 400; round++) {
		size_t n = rnd(&seed, 3) == 0 ? rnd(&seed, 4) : 1 + rnd(&seed, 200);

		one_step(&seed, n, rnd(&seed, 2 * n + 3), round & 1, round % 7 == 0);
	}
}

/* A step larger than the tree's first levels, in order, with every request free at first. */
static void test_large_step(void **state)
{
	uint64_t seed = 12345;

	(void)state;
	one_step(&seed, 5000, 6000, false, false);
	one_step(&seed, 5000, 6000, true, false);
}

static void test_empty(void **state)
{
	struct obs_exchange e = { .start_ns = 5, .end_ns = 6 };
	struct placer *p = placer_new(NULL, 0, false);

	(void)state;
	assert_non_null(p);
	assert_null(placer_pick(p, &e));
	placer_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_steps),
		cmocka_unit_test(test_large_step),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
