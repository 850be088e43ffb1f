/* state.h - what a lab that is up consists of: the state file in its state directory. */
#ifndef SMIW_LAB_STATE_H
#define SMIW_LAB_STATE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lab/lab.h"
#include "lab/topology.h"
#include "mesh/policy.h"

#define LAB_STATE_FILE "state.json"
#define LAB_TOPOLOGY_COPY "topology.yaml"
#define LAB_INVENTORY_FILE "inventory.json"
#define LAB_POLICY_DIR "policy"
#define LAB_MAX_POLICY_FILES 64

/* A process the lab started: pid plus start time, so a reused pid is never mistaken for it. */
struct lab_proc {
	pid_t pid;
	uint64_t start_time;
};

struct lab_state {
	char topology_source[PATH_MAX];	/* the file `up` read (a copy lives in the state dir) */
	enum mesh_variant variant;
	bool access_control;
	bool h2;		/* the mesh's HTTP hops to pods speak HTTP/2 */
	unsigned generation;	/* of the HAProxy configuration, +1 per render */
	char data_plane[96];	/* "HAProxy 2.6.12-1+deb12u4" as `haproxy -v` says, "" when unknown */
	bool created_etc_netns;	/* /etc/netns did not exist before: down removes it when empty */
	struct lab_proc pods[TOPO_MAX_PODS];	/* by topology index; the mesh pod's is HAProxy's master */
	unsigned fail_every[TOPO_MAX_PODS];	/* the FAIL_EVERY its workload was started with (lab/flaky.h) */
	struct lab_proc filter;	/* the metrics filter of a rewriting variant */
	char applied[LAB_MAX_POLICY_FILES][PATH_MAX];	/* SMI files of the last apply, as given */
	int n_applied;
};

/*
 * Reads <state_dir>/state.json. Returns 1 when read, 0 when there is none
 * (the lab is down), -1 after printing why it cannot be read.
 */
int lab_state_read(const struct lab *lab, struct lab_state *st);

/* Writes the state file atomically (temporary file + rename). Returns 0 or -1. */
int lab_state_write(const struct lab *lab, const struct topology *t, const struct lab_state *st);

/* Writes `doc` (indented) to <state_dir>/<file> atomically and drops the reference. Returns 0 or -1. */
int lab_write_json(const struct lab *lab, const char *file, json_t *doc);

/* Writes `text` to `path` atomically, creating it with mode 0644. Returns 0 or -1 after printing. */
int lab_write_file(const char *path, const char *text, size_t len);

/* Reads a whole file (at most 16 MiB) into a malloc'd NUL-terminated buffer; NULL after printing. */
char *lab_read_file(const char *path, size_t *len);

#endif
