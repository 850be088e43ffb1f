/*
 * grpc.h - the one gRPC service of the sample workload, unary echo, with its
 * protobuf messages encoded and decoded by hand (they are a few bytes):
 *
 *   service smiw.echo.Echo { rpc Echo(EchoMessage) returns (EchoMessage); }
 *   message EchoMessage { string message = 1; }
 *
 * A gRPC message on the wire is a 5-byte prefix (compressed flag, 32-bit
 * big-endian length) and the protobuf bytes.
 */
#ifndef SMIW_HTTP_GRPC_H
#define SMIW_HTTP_GRPC_H

#include <stddef.h>

#include "util/buf.h"

#define GRPC_ECHO_PATH "/smiw.echo.Echo/Echo"
#define GRPC_CONTENT_TYPE "application/grpc"
#define GRPC_PREFIX_LEN 5

/* gRPC status codes the workload answers with. */
enum {
	GRPC_OK = 0,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
};

/*
 * Appends one uncompressed gRPC message holding EchoMessage{message} to b
 * (growing it up to `limit` bytes). Returns 0 or the buf error.
 */
int grpc_echo_encode(struct buf *b, const char *msg, size_t len, size_t limit);

/*
 * Reads exactly one gRPC message of n bytes at p as an EchoMessage:
 * *msg / *mlen get its `message` (pointing into p; empty when absent; the
 * last occurrence wins, as protobuf has it), unknown fields are skipped.
 * Returns 0, -EINVAL for a bad prefix or protobuf, -ENOTSUP for a
 * compressed message.
 */
int grpc_echo_decode(const char *p, size_t n, const char **msg, size_t *mlen);

#endif
