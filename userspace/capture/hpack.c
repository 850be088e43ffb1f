/* hpack.c - see hpack.h */
#include <errno.h>
#include <stdlib.h>
#include <nghttp2/nghttp2.h>

#include "capture/hpack.h"

struct hpack {
	nghttp2_hd_inflater *inf;
};

struct hpack *hpack_new(void)
{
	struct hpack *h = calloc(1, sizeof(*h));

	if (h && nghttp2_hd_inflate_new(&h->inf)) {
		free(h);
		return NULL;
	}
	return h;
}

void hpack_free(struct hpack *h)
{
	if (!h)
		return;
	nghttp2_hd_inflate_del(h->inf);
	free(h);
}

int hpack_block(struct hpack *h, const uint8_t *p, size_t n, bool final, hpack_field_fn field, void *ctx)
{
	static const uint8_t none[1];

	if (!p)
		p = none;	/* the end of a block with no more bytes */
	for (;;) {
		int flags = 0;
		nghttp2_nv nv;
		ssize_t r = nghttp2_hd_inflate_hd2(h->inf, &nv, &flags, p, n, final);

		if (r < 0)
			return r == NGHTTP2_ERR_NOMEM ? -ENOMEM : -EBADMSG;
		p += r;
		n -= (size_t)r;
		if (flags & NGHTTP2_HD_INFLATE_EMIT) {
			struct hpack_field f = {
				.name = (const char *)nv.name, .name_len = nv.namelen,
				.value = (const char *)nv.value, .value_len = nv.valuelen,
				.sensitive = nv.flags & NGHTTP2_NV_FLAG_NO_INDEX,
			};

			field(ctx, &f);
		}
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(h->inf);
			return 0;
		}
		if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && !n)
			return 0;
	}
}

int hpack_set_limit(struct hpack *h, uint32_t max)
{
	int r = nghttp2_hd_inflate_change_table_size(h->inf, max < HPACK_TABLE_MAX ? max : HPACK_TABLE_MAX);

	if (r)
		return r == NGHTTP2_ERR_NOMEM ? -ENOMEM : -EBADMSG;
	return 0;
}
