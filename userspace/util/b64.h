/*
 * b64.h - base64: decoding (standard and URL alphabets) for kubeconfig data,
 * JWTs and HTTP2-Settings; encoding in the URL alphabet for HTTP2-Settings.
 */
#ifndef SMIW_UTIL_B64_H
#define SMIW_UTIL_B64_H

#include <stddef.h>

/*
 * Decodes base64 text (either alphabet, padding optional, whitespace
 * skipped) into a new NUL-terminated buffer the caller frees; *outlen gets
 * the decoded length. Returns NULL on invalid input or allocation failure.
 */
char *b64_decode(const char *in, size_t inlen, size_t *outlen);

/*
 * Encodes in[0..inlen) in the URL alphabet without padding (RFC 4648 §5, as
 * HTTP2-Settings carries it) into out, NUL-terminated. Returns the length
 * written, or 0 when out (outlen bytes) is too small (then out is "").
 */
size_t b64url_encode(const void *in, size_t inlen, char *out, size_t outlen);

#endif
