/*
 * regex.c - RegularExpression matches of routes, through PCRE2.
 *
 * The spec leaves the dialect and the anchoring to implementations; meshes
 * built on Envoy (Istio, Kuma) use RE2 with a full match of the path or
 * value, so a pattern must match the whole subject here too. The pattern is
 * compiled as written and matched with PCRE2_ANCHORED | PCRE2_ENDANCHORED.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "gateway/internal.h"

#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000

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
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY |
			PCRE2_NEVER_BACKSLASH_C | PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	struct gw_regex *re;
	PCRE2_SIZE off;
	int code;
	pcre2_code *pc = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);

	if (!pc) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "invalid regex: %s at offset %zu", (const char *)msg, (size_t)off);
		return NULL;
	}
	re = arena_alloc(&gw->priv->arena, sizeof(*re));
	re->source = arena_strdup(&gw->priv->arena, pattern);
	re->code = pc;
	ptrvec_push(&gw->priv->regexes, re);
	return re;
}

bool gw_regex_match(const struct gw_regex *re, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	int r;

	if (!md || !mc) {
		pcre2_match_data_free(md);
		pcre2_match_context_free(mc);
		return false;
	}
	/* A hostile pattern must not stall a verdict: bounded backtracking, a miss when exceeded. */
	pcre2_set_match_limit(mc, MATCH_LIMIT);
	pcre2_set_depth_limit(mc, DEPTH_LIMIT);
	r = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, mc);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return r >= 0;
}

void gw_regex_free_all(struct gw_set *gw)
{
	for (size_t i = 0; i < gw->priv->regexes.n; i++)
		pcre2_code_free(((struct gw_regex *)gw->priv->regexes.v[i])->code);
}
