/* grpc.c - see grpc.h */
#include <errno.h>
#include <stdint.h>

#include "http/grpc.h"

static size_t put_varint(unsigned char *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (unsigned char)v;
	return n;
}

/* Reads a varint at *p (< end); advances *p. Returns 0, or -EINVAL when cut or longer than 10 bytes. */
static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (*p >= end)
			return -EINVAL;
		*v |= (uint64_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80))
			return 0;
	}
	return -EINVAL;
}

int grpc_echo_encode(struct buf *b, const char *msg, size_t len, size_t limit)
{
	unsigned char head[GRPC_PREFIX_LEN + 1 + 10];
	size_t body = 1 + put_varint(head + GRPC_PREFIX_LEN + 1, len) + len;
	size_t n;
	int r;

	if (body > UINT32_MAX)
		return -E2BIG;
	head[0] = 0;	/* not compressed */
	head[1] = (unsigned char)(body >> 24);
	head[2] = (unsigned char)(body >> 16);
	head[3] = (unsigned char)(body >> 8);
	head[4] = (unsigned char)body;
	head[5] = 1 << 3 | 2;	/* field 1, length-delimited */
	n = GRPC_PREFIX_LEN + body - len;
	r = buf_append(b, head, n, limit);
	return r ? r : buf_append(b, msg, len, limit);
}

int grpc_echo_decode(const char *p, size_t n, const char **msg, size_t *mlen)
{
	const unsigned char *u = (const unsigned char *)p, *end = u + n;
	uint64_t key, v;

	*msg = "";
	*mlen = 0;
	if (n < GRPC_PREFIX_LEN || u[0] > 1)
		return -EINVAL;
	if (((uint64_t)u[1] << 24 | (uint64_t)u[2] << 16 | (uint64_t)u[3] << 8 | u[4]) != n - GRPC_PREFIX_LEN)
		return -EINVAL;
	if (u[0])
		return -ENOTSUP;
	u += GRPC_PREFIX_LEN;
	while (u < end) {
		if (get_varint(&u, end, &key) || key >> 3 == 0)
			return -EINVAL;
		switch (key & 7) {
		case 0:
			if (get_varint(&u, end, &v))
				return -EINVAL;
			break;
		case 1:
		case 5:
			v = (key & 7) == 1 ? 8 : 4;
			if ((uint64_t)(end - u) < v)
				return -EINVAL;
			u += v;
			break;
		case 2:
			if (get_varint(&u, end, &v) || (uint64_t)(end - u) < v)
				return -EINVAL;
			if (key >> 3 == 1) {
				*msg = (const char *)u;
				*mlen = (size_t)v;
			}
			u += v;
			break;
		default:	/* groups (3, 4) are not in proto3; 6 and 7 do not exist */
			return -EINVAL;
		}
	}
	return 0;
}
