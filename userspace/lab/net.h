/* net.h - the lab network: a switch namespace with a bridge, one veth per pod. */
#ifndef SMIW_LAB_NET_H
#define SMIW_LAB_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "lab/lab.h"
#include "lab/state.h"
#include "lab/topology.h"

/*
 * Makes sure the switch namespace <lab>-router exists with bridge br0 up
 * and no address: the root namespace never sees a lab route or address.
 * Returns 0 or -1 after printing the error.
 */
int lab_net_router(const struct lab *lab);

/*
 * Makes sure pod i has its namespace <lab>-<pod>, loopback up, eth0 with
 * exactly its addresses (the mesh pod: its own and every service address)
 * and the peer veth on the bridge; rebuilds the pod's network when any of
 * that is wrong. *created says whether it was (re)built. Returns 0 or -1.
 */
int lab_net_pod(const struct lab *lab, const struct topology *t, int i, bool *created);

/* True when network namespace `name` exists under /run/netns. */
bool lab_netns_exists(const char *name);

/* Deletes network namespace `name` when it exists. Returns 0 or -1 after printing the error. */
int lab_netns_delete(const char *name);

/*
 * Waits until a TCP connection to ip:port (host order) succeeds from inside
 * network namespace `netns`, trying every 20 ms for up to timeout_ms, and
 * gives up early when process `watch` (may be NULL) is gone.
 * Returns 0, or -ETIMEDOUT, -ESRCH (watch died) or -errno.
 */
int lab_wait_tcp(const char *netns, uint32_t ip, uint16_t port, int timeout_ms, const struct lab_proc *watch);

#endif
