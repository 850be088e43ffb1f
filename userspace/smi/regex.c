/*
 * regex.c - the regular expressions of HTTPRouteGroups, through PCRE2.
 *
 * The SMI documents write Go RE2 patterns, e.g. ^(.*?;)?(type=insider)(;.*)?$
 * with a non-greedy quantifier that POSIX regex.h lacks. PCRE2 reads every
 * RE2 construct the same way once `$` means only the end of the subject, as
 * in RE2 (PCRE2_DOLLAR_ENDONLY). PCRE2 also accepts what RE2 refuses
 * (backreferences, lookaround): regex_re2_note() says so, since a mesh written
 * in Go would reject such a route.
 */
#include <string.h>

#include "smi/internal.h"
#include "util/pcre.h"

struct smi_regex {
	const char *source;
	pcre2_code *code;
	bool anchored;
};

const char *smi_regex_source(const struct smi_regex *re)
{
	return re ? re->source : NULL;
}

struct smi_regex *regex_compile(struct smi_set *set, const char *pattern, enum regex_anchor anchor,
				char *err, size_t errlen)
{
	struct smi_regex *re;
	/*
	 * pathRegex "is anchored (^) to the beginning of the URI" (traffic-specs,
	 * every version): anchored at the start only, so /metrics matches
	 * /metrics/x but not /api/metrics. Header values are searched.
	 */
	pcre2_code *pc = pcre_compile_route(pattern, anchor == REGEX_ANCHOR_START ? PCRE2_ANCHORED : 0,
					    err, errlen);

	if (!pc)
		return NULL;
	re = arena_alloc(&set->priv->arena, sizeof(*re));
	re->source = arena_strdup(&set->priv->arena, pattern);
	re->code = pc;
	re->anchored = anchor == REGEX_ANCHOR_START;
	ptrvec_push(&set->priv->regexes, re);
	return re;
}

bool regex_match(const struct smi_regex *re, const char *s, size_t len)
{
	return pcre_match_bounded(re->code, s, len);
}

void regex_free_all(struct smi_set *set)
{
	for (size_t i = 0; i < set->priv->regexes.n; i++) {
		struct smi_regex *re = set->priv->regexes.v[i];

		pcre2_code_free(re->code);
	}
}

const char *regex_re2_note(const char *pattern)
{
	bool in_class = false;

	for (const char *p = pattern; *p; p++) {
		if (*p == '\\') {
			if (!in_class && p[1] >= '1' && p[1] <= '9')
				return "uses a backreference, which RE2 (Go) refuses";
			if (p[1])
				p++;
			continue;
		}
		if (in_class) {
			in_class = *p != ']';
			continue;
		}
		if (*p == '[') {
			in_class = true;
			if (p[1] == ']' || (p[1] == '^' && p[2] == ']'))
				p += p[1] == ']' ? 1 : 2;
			continue;
		}
		if (*p == '(' && p[1] == '?' && (p[2] == '=' || p[2] == '!' ||
						 (p[2] == '<' && (p[3] == '=' || p[3] == '!'))))
			return "uses lookaround, which RE2 (Go) refuses";
	}
	return NULL;
}
