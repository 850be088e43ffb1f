/* converge.c - see converge.h */
#include <stdlib.h>

#include "verify/converge.h"

void converge_init(const struct sc_step *st, struct convergence *cv)
{
	*cv = (struct convergence){ .converged = true, .timeout_ns = st->converge.timeout_ns };
}

unsigned converge_min_rounds(unsigned consecutive)
{
	return 2 * consecutive;
}

void converge_merge(struct convergence *step, const struct convergence *entry)
{
	if (!entry->checked)
		return;
	step->checked = true;
	step->converged &= entry->converged;
	step->probes += entry->probes;
	if (entry->after_ns > step->after_ns)
		step->after_ns = entry->after_ns;
}

bool converge_decide(const bool *match, const uint64_t *seen, size_t n, unsigned consecutive,
		     uint64_t need)
{
	uint64_t covered = 0;
	size_t run = 0;

	for (size_t i = n; i > 0 && match[i - 1]; i--) {
		covered |= seen[i - 1];
		run++;
	}
	return run >= consecutive && (covered & need) == need;
}

void converge_add(const struct check_ctx *c, const struct sc_step *st, const struct sc_traffic *t,
		  const struct sc_expect *x, const struct vreq *r, size_t n, struct convergence *cv)
{
	bool *match;
	uint64_t *seen, need = 0, span;
	bool ok;

	if (!st->converge.enabled || !n)
		return;
	match = calloc(n, sizeof(*match));
	seen = calloc(n, sizeof(*seen));
	if (!match || !seen) {
		free(match);
		free(seen);
		cv->checked = true;
		cv->converged = false;
		return;
	}
	if (x->split != SC_SPLIT_NONE)
		for (size_t i = 0; i < x->n_shares && i < 64; i++)
			if (x->shares[i].weight > 0)
				need |= UINT64_C(1) << i;
	for (size_t i = 0; i < n; i++) {
		int b;

		match[i] = check_probe(c, t, x, &r[i], &b);
		seen[i] = b >= 0 && b < 64 ? UINT64_C(1) << b : 0;
	}
	ok = converge_decide(match, seen, n, st->converge.consecutive, need);
	span = r[n - 1].t1 > r[0].t0 ? r[n - 1].t1 - r[0].t0 : 0;
	/* Probed in more rounds than the floor and for longer than the timeout: too late. */
	if (span > st->converge.timeout_ns && n > converge_min_rounds(st->converge.consecutive))
		ok = false;
	cv->checked = true;
	cv->converged &= ok;
	cv->probes += n;
	if (span > cv->after_ns)
		cv->after_ns = span;
	free(match);
	free(seen);
}

json_t *converge_json(const struct convergence *cv)
{
	if (!cv->checked)
		return json_pack("{s:b}", "checked", 0);
	return json_pack("{s:b, s:b, s:I, s:f, s:f}", "checked", 1, "converged", cv->converged,
		"probes", (json_int_t)cv->probes, "after_s", (double)cv->after_ns / 1e9,
		"timeout_s", (double)cv->timeout_ns / 1e9);
}
