/* exchange.h - filling an exchange record from a parsed request head. */
#ifndef SMIW_CAPTURE_EXCHANGE_H
#define SMIW_CAPTURE_EXCHANGE_H

#include <stdbool.h>

#include "capture/capture.h"
#include "http/http.h"

/*
 * Copies method, path (origin form), host, request id and the header fields
 * of request head h into x (which must be zeroed); values of authorization,
 * proxy-authorization, cookie and set-cookie become "<redacted>" unless unredacted.
 * Fields that do not fit are cut and x->truncated is set.
 */
void exchange_fill_request(struct cap_exchange *x, const struct http_head *h, bool unredacted);

#endif
