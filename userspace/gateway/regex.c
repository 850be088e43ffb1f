/*
 * regex.c - RegularExpression matches of routes, through PCRE2.
 *
 * The spec leaves the dialect and the anchoring to implementations; meshes
 * built on Envoy (Istio, Kuma) use RE2 with a full match of the path or
 * value, so a pattern must match the whole subject here too. The pattern is
 * compiled as written and matched with PCRE2_ANCHORED | PCRE2_ENDANCHORED.
 */
#include <stdlib.h>

#include "gateway/internal.h"
#include "util/pcre.h"

struct gw_regex {
	const char *source;
	pcre2_code *code;
};

const char *gw_regex_source(const struct gw_regex *re)
{
	return re ? re->source : NULL;
}

struct gw_regex *gw_regex_compile(struct gw_set *gw, const char *pattern, char *err, size_t errlen)
{
	struct gw_regex *re;
	pcre2_code *pc = pcre_compile_route(pattern, PCRE2_ANCHORED | PCRE2_ENDANCHORED, err, errlen);

	if (!pc)
		return NULL;
	re = arena_alloc(&gw->priv->arena, sizeof(*re));
	re->source = arena_strdup(&gw->priv->arena, pattern);
	re->code = pc;
	ptrvec_push(&gw->priv->regexes, re);
	return re;
}

bool gw_regex_match(const struct gw_regex *re, const char *s, size_t len)
{
	return pcre_match_bounded(re->code, s, len);
}

void gw_regex_free_all(struct gw_set *gw)
{
	for (size_t i = 0; i < gw->priv->regexes.n; i++)
		pcre2_code_free(((struct gw_regex *)gw->priv->regexes.v[i])->code);
}
