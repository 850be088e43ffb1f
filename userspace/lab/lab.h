/* lab.h - one single-node lab: its name, where its state lives, how its parts are named. */
#ifndef SMIW_LAB_LAB_H
#define SMIW_LAB_LAB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "lab/topology.h"

#define LAB_NAME_MAX 13	/* 12 characters: a prefix of every netns name */
#define LAB_DEFAULT_NAME "smiw"
#define LAB_RUN_DIR "/run/smi-witness"
#define LAB_DEFAULT_STATE_DIR LAB_RUN_DIR "/lab"
/* The one default topology of `lab up` and `run`, among the files shipped (file_data_path). */
#define LAB_DEFAULT_TOPOLOGY "sample-app/topology/default.yaml"
#define LAB_NETNS_DIR "/run/netns"
#define LAB_ETC_NETNS_DIR "/etc/netns"
#define LAB_ROUTER "router"	/* the switch namespace: <lab>-router */
#define LAB_BRIDGE "br0"
#define LAB_NETNS_MAX 96	/* "<lab>-<pod>": 12 + 1 + 63 characters */

/*
 * Paths and names of one lab. Everything the lab creates is named from
 * `name`: network namespaces <name>-<pod>, the cgroup tree
 * <cgroup v2>/smi-witness/<name>/<namespace>/<pod>, /etc/netns/<name>-<pod>.
 */
struct lab {
	char name[LAB_NAME_MAX];
	char state_dir[PATH_MAX];
	char cgroup_base[PATH_MAX];	/* <cgroup v2>/smi-witness */
	char cgroup_root[PATH_MAX];	/* <cgroup_base>/<name> */
	char exe_dir[PATH_MAX];	/* where this binary lives: sample-app is looked up there */
	int lock_fd;
};

/* Creates directory `path` (mode 0755) and its missing parents. Returns 0 or -errno. */
int lab_mkdir_p(const char *path);

/*
 * Fills `lab` for lab `name` (NULL: $SMIW_LAB or "smiw"); `state_dir` NULL
 * means /run/smi-witness/lab for the default lab, /run/smi-witness/lab-NAME
 * otherwise. Returns 0, or -1 after printing the error (bad name, no cgroup v2).
 */
int lab_init(struct lab *lab, const char *name, const char *state_dir);

/* Takes the lab-wide lock (one lab command changes the machine at a time). Returns 0 or -1. */
int lab_lock(struct lab *lab);

/* Releases the lock taken by lab_lock(); safe when not held. */
void lab_unlock(struct lab *lab);

/* Writes "<lab>-<pod>", the pod's network namespace name, into buf. */
void lab_netns_name(const struct lab *lab, const char *pod, char *buf, size_t len);

/* Writes the pod's cgroup v2 directory into buf. */
void lab_cgroup_path(const struct lab *lab, const struct topo_pod *pod, char *buf, size_t len);

/* Writes /etc/netns/<lab>-<pod> into buf. */
void lab_etc_dir(const struct lab *lab, const char *pod, char *buf, size_t len);

/* Writes <state_dir>/<file> into buf. */
void lab_state_file(const struct lab *lab, const char *file, char *buf, size_t len);

/*
 * Resolves a command word: a word with '/' is used as is; otherwise the
 * helper of that name shipped with smi-witness (file_helper_path: beside
 * the binary, or its libexec directory), else the first match in $PATH.
 * Returns 0 or -ENOENT.
 */
int lab_resolve_command(const char *word, char *buf, size_t len);

#endif
