/* exchange.h - filling an exchange record from a parsed request head or HTTP/2 header fields. */
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

/*
 * Adds one field of an HTTP/2 request header block to x: :method, :path and
 * :authority fill method, path and host (other pseudo-header fields are not
 * kept); the rest as exchange_fill_request does (host when there is no
 * :authority, x-request-id, the header table), a content-type of
 * application/grpc... makes the exchange gRPC. A value the sender marked
 * never-indexed (sensitive) is redacted like a credential unless
 * unredacted; a name that is not a lower-case token is left out (and x is
 * marked truncated).
 */
void exchange_h2_request_field(struct cap_exchange *x, const char *name, size_t name_len, const char *value,
			       size_t value_len, bool sensitive, bool unredacted);

/* Takes grpc-status and grpc-message from a field of an HTTP/2 response header block or its trailers. */
void exchange_h2_response_field(struct cap_exchange *x, const char *name, size_t name_len, const char *value,
				size_t value_len);

/*
 * Keeps the Location field of a 3xx response head in x (cut to fit, marking
 * x truncated): what a redirect sent the client to. Other responses keep nothing.
 */
void exchange_fill_response(struct cap_exchange *x, const struct http_head *h);

/*
 * Keeps the fields of response head h whose names are among names[0..n)
 * (case-insensitive) in x's response header table, names in lower case,
 * credentials redacted as for requests unless unredacted; fields that do
 * not fit are left out (x->truncated). Marks x as having the table.
 */
void exchange_keep_response_headers(struct cap_exchange *x, const struct http_head *h, const char *const *names,
				    unsigned n, bool unredacted);

/* The same for one field of an HTTP/2 response header block (pseudo-header fields are never kept). */
void exchange_h2_response_header(struct cap_exchange *x, const char *name, size_t name_len, const char *value,
				 size_t value_len, bool sensitive, const char *const *names, unsigned n,
				 bool unredacted);

/* The same for one field of an HTTP/2 response header block whose :status is 3xx. */
void exchange_h2_location(struct cap_exchange *x, const char *name, size_t name_len, const char *value,
			  size_t value_len);

#endif
