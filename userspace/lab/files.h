/* files.h - files the lab writes for others: pod name resolution and the inventory. */
#ifndef SMIW_LAB_FILES_H
#define SMIW_LAB_FILES_H

#include <jansson.h>

#include "lab/lab.h"
#include "lab/state.h"
#include "lab/topology.h"

/*
 * Writes /etc/netns/<lab>-<pod>/hosts and resolv.conf for pod i: service
 * names resolve to their mesh listener (short names within the pod's own
 * namespace, "name.ns", "name.ns.svc" and "name.ns.svc.cluster.local" for
 * all), and no name server exists. Returns 0 or -1 after printing.
 */
int lab_write_etc(const struct lab *lab, const struct topology *t, int i);

/* Removes /etc/netns/<lab>-<pod> and the files the lab put there. Returns 0 or -1. */
int lab_remove_etc(const struct lab *lab, const char *pod);

/*
 * Builds the inventory (docs/inventory.md, version 1) of the lab; cgroup
 * ids are read from the live cgroup directories. Returns a new reference.
 */
json_t *lab_inventory(const struct lab *lab, const struct topology *t, const struct lab_state *st);

/* Writes lab_inventory() to <state_dir>/inventory.json atomically. Returns 0 or -1. */
int lab_write_inventory(const struct lab *lab, const struct topology *t, const struct lab_state *st);

#endif
