/* pcre.c - compiling and matching route patterns through PCRE2 (see pcre.h). */
#include <stdio.h>

#include "util/pcre.h"

#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000

pcre2_code *pcre_compile_route(const char *pattern, uint32_t extra, char *err, size_t errlen)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY |
			PCRE2_NEVER_BACKSLASH_C | extra;
	PCRE2_SIZE off;
	int code;
	pcre2_code *pc = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);

	if (!pc) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "invalid regex: %s at offset %zu", (const char *)msg, (size_t)off);
	}
	return pc;
}

bool pcre_match_bounded(const pcre2_code *code, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	int r;

	if (!md || !mc) {
		pcre2_match_data_free(md);
		pcre2_match_context_free(mc);
		return false;
	}
	pcre2_set_match_limit(mc, MATCH_LIMIT);
	pcre2_set_depth_limit(mc, DEPTH_LIMIT);
	r = pcre2_match(code, (PCRE2_SPTR)s, len, 0, 0, md, mc);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return r >= 0;
}
