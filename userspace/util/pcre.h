/*
 * pcre.h - regular expressions as route matching needs them, through PCRE2:
 * patterns read the way Go's RE2 reads them where the two agree, and matching
 * that a hostile pattern cannot stall. The SMI model and the Gateway API
 * model both compile through here; each keeps its own anchoring rule.
 */
#ifndef SMIW_UTIL_PCRE_H
#define SMIW_UTIL_PCRE_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Compiles a NUL-terminated pattern with the options every route pattern
 * takes (UTF, invalid UTF matched as bytes, `$` only at the very end as in
 * RE2, no \C) plus `extra` (e.g. PCRE2_ANCHORED). Returns the code, which the
 * caller frees with pcre2_code_free(), or NULL with "invalid regex: MESSAGE
 * at offset N" in err.
 */
pcre2_code *pcre_compile_route(const char *pattern, uint32_t extra, char *err, size_t errlen);

/*
 * True when code matches s[0..len). Backtracking is bounded (a million
 * steps, depth 10,000), and hitting the bound, like running out of memory,
 * is a miss: a verdict never waits on a pathological pattern.
 */
bool pcre_match_bounded(const pcre2_code *code, const char *s, size_t len);

#endif
