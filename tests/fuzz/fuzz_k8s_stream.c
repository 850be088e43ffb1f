/*
 * fuzz_k8s_stream - the watch stream splitter, the cgroup path parser and the
 * agent's query decoder never crash, and the splitter finds the same objects
 * however the bytes are cut into reads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/url.h"
#include "k8s/cgpath.h"
#include "k8s/jsplit.h"

struct seen {
	uint64_t hash;
	unsigned n;
};

static int emit(void *arg, const char *obj, size_t len)
{
	struct seen *s = arg;

	if (!len || obj[0] != '{' || (obj[len - 1] != '}' && obj[len - 1] != ']'))
		abort();
	for (size_t i = 0; i < len; i++)
		s->hash = s->hash * 1099511628211ULL ^ (uint8_t)obj[i];
	s->n++;
	return 0;
}

static int split(const uint8_t *data, size_t size, size_t step, struct seen *s)
{
	struct jsplit js;
	int r = 0;

	jsplit_init(&js, 4096, emit, s);
	for (size_t off = 0; off < size && !r; off += step)
		r = jsplit_feed(&js, (const char *)data + off, size - off < step ? size - off : step);
	jsplit_free(&js);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen whole = { 0 }, pieces = { 0 };
	char buf[1024], val[64];
	struct cg_ref ref;
	int r1, r2;

	if (size < 1)
		return 0;
	r1 = split(data + 1, size - 1, size, &whole);
	r2 = split(data + 1, size - 1, 1 + data[0] % 7, &pieces);
	if (r1 != r2 || whole.n != pieces.n || whole.hash != pieces.hash)
		abort();
	if (size < sizeof(buf)) {
		memcpy(buf, data, size);
		buf[size] = '\0';
		if (!cgpath_parse(buf, &ref) && strlen(ref.pod_uid) != 36 && strlen(ref.pod_uid) != 32)
			abort();
		if (!http_query_get(buf, "pod", val, sizeof(val)) && strlen(val) >= sizeof(val))
			abort();
	}
	return 0;
}
