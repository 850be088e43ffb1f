/* fuzz_parse - number and duration parsing never crash, and agree with their contract. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[64];
	uint64_t u;
	double d;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (parse_u64(buf, 5, 1000, &u) == 0 && (u < 5 || u > 1000))
		abort();
	if (parse_double(buf, -1, 1, &d) == 0 && (d < -1 || d > 1))
		abort();
	if (parse_duration_ns(buf, 1000000000ULL, &u) == 0 && u > 1000000000ULL)
		abort();
	return 0;
}
