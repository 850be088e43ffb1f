/*
 * relay.h - the records of a relay: the agent and `fetch` pass on records
 * they read (as jansson documents) and put a meta record of their own
 * before them (docs/records.md).
 */
#ifndef SMIW_RECORDS_RELAY_H
#define SMIW_RECORDS_RELAY_H

#include <stdint.h>
#include <jansson.h>

/*
 * A new meta record of node `node` with a pair of clock readings: t, v,
 * tool, node, mono_ns, real_ns, in that order; members the relay adds
 * follow them. Owned by the caller; NULL when out of memory.
 */
json_t *relay_meta(const char *node, uint64_t mono_ns, uint64_t real_ns);

#endif
