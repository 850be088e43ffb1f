/* relay.c - see relay.h */
#include "records/format.h"
#include "records/relay.h"

json_t *relay_meta(const char *node, uint64_t mono_ns, uint64_t real_ns)
{
	return json_pack("{s:s, s:i, s:s, s:s, s:I, s:I}", "t", "meta", "v", RECORDS_VERSION, "tool", RECORDS_TOOL,
			 "node", node, "mono_ns", (json_int_t)mono_ns, "real_ns", (json_int_t)real_ns);
}
