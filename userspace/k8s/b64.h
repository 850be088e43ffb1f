/* b64.h - base64 decoding (standard and URL alphabets) for kubeconfig data and JWTs. */
#ifndef SMIW_K8S_B64_H
#define SMIW_K8S_B64_H

#include <stddef.h>

/*
 * Decodes base64 text (either alphabet, padding optional, whitespace
 * skipped) into a new NUL-terminated buffer the caller frees; *outlen gets
 * the decoded length. Returns NULL on invalid input or allocation failure.
 */
char *b64_decode(const char *in, size_t inlen, size_t *outlen);

#endif
