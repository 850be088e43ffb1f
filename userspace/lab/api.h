/*
 * api.h - the lab as a library: bring a lab up, tear it down, apply SMI
 * objects to its mesh, run a command in a pod, report its status. The
 * `smi-witness lab` command line (cli/cmd_lab.c) and the runner's lab
 * target (run/target_lab.c) both call these. Each operation locks the lab,
 * prints what it did (text, or JSON under -j) or why it failed, and
 * returns an exit status (util/exitcode.h).
 */
#ifndef SMIW_LAB_API_H
#define SMIW_LAB_API_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "mesh/policy.h"

struct smi_set;
struct gw_set;

/* Which lab an operation is about. */
struct lab_opts {
	const char *name;	/* NULL: $SMIW_LAB or "smiw" */
	const char *state_dir;	/* NULL: /run/smi-witness/lab, or /run/smi-witness/lab-NAME */
	const char *topology;	/* up and down: the topology file (NULL: the default one) */
};

/* Mesh settings an operation switches to; what is not set stays as the lab has it. */
struct lab_mesh_set {
	bool set_variant, set_access;
	enum mesh_variant variant;
	bool access_control;	/* deny what no TrafficTarget allows */
	bool set_protocol;
	bool h2;		/* the mesh's HTTP hops to pods speak HTTP/2 (h2c) */
};

/*
 * Fills m from a variant name and "on" / "off" (either NULL: not set).
 * Returns 0, or EXIT_USAGE after printing which value is wrong.
 */
int lab_mesh_set_parse(struct lab_mesh_set *m, const char *variant, const char *access);

/*
 * Sets m's protocol from "h1" or "h2" (NULL: not set). Returns 0, or
 * EXIT_USAGE after printing that the value is wrong.
 */
int lab_mesh_set_protocol(struct lab_mesh_set *m, const char *protocol);

/*
 * Creates what is missing of the lab and starts what is not running, with
 * the mesh settings m; writes the inventory and prints the status. A lab
 * that is up keeps its topology (naming another one is an error). Returns
 * EXIT_OK, EXIT_ERROR, or EXIT_USAGE for an invalid name or topology.
 */
int lab_up(const struct lab_opts *o, const struct lab_mesh_set *m);

/*
 * Removes every process, network namespace, cgroup, /etc/netns entry and
 * state file of the lab, also after a crash. Returns EXIT_OK, EXIT_ERROR
 * (something could not be removed) or EXIT_USAGE (invalid name).
 */
int lab_down(const struct lab_opts *o);

/*
 * Prints the status of the lab (text, or JSON under -j). Returns EXIT_OK
 * when it is up and every process runs, EXIT_FAILED otherwise.
 */
int lab_status(const struct lab_opts *o);

/*
 * Runs argv (NULL-terminated; argv[0] found like a pod command) inside
 * `pod` ("name" or "namespace/name") and waits for it, with the lab
 * unlocked meanwhile. Returns the command's exit status, EXIT_USAGE for an
 * unknown pod or EXIT_ERROR when it could not start.
 */
int lab_exec(const struct lab_opts *o, const char *pod, char *const argv[]);

/*
 * As lab_exec(), without waiting: several commands can run at once in the
 * lab's pods. Returns the command's pid, or minus an exit code (-EXIT_USAGE
 * for an unknown pod, -EXIT_ERROR when it could not start) after printing.
 */
pid_t lab_exec_start(const struct lab_opts *o, const char *pod, char *const argv[]);

/* Waits for a command of lab_exec_start(); returns its exit status as lab_exec() does. */
int lab_exec_wait(pid_t pid, const char *what);

/*
 * Switches the mesh to settings m and, with `replace`, makes the SMI
 * objects in files[0..n) the whole applied policy (n may be 0: none is
 * applied); without it the applied files stay and are rendered again.
 * Nothing changes unless HAProxy accepts the new configuration; returns
 * once every new connection gets it. Returns EXIT_OK, EXIT_USAGE (invalid
 * objects, more than LAB_MAX_POLICY_FILES of lab/state.h) or EXIT_ERROR.
 */
int lab_apply(const struct lab_opts *o, const struct lab_mesh_set *m, bool replace, char *const files[], int n);

/*
 * Whether the mesh of the lab still runs (its HAProxy master, by pid and
 * start time). Returns 1, or 0 with `why` saying what is gone, or -1 after
 * printing why the lab cannot be read.
 */
int lab_mesh_running(const struct lab_opts *o, char *why, size_t len);

/*
 * Path of the default topology file of `lab up` and `run`: $SMIW_TOPOLOGY,
 * else LAB_DEFAULT_TOPOLOGY of lab/lab.h where the shipped files are
 * (util/file.h: file_data_path). Writes into buf.
 */
void lab_default_topology(char *buf, size_t len);

/* What a lab is, as lab_inspect() reads it. */
struct lab_info {
	char name[16];
	bool up;
	enum mesh_variant variant;	/* when up */
	bool access_control;	/* when up */
	bool h2;	/* when up: the mesh's HTTP hops to pods speak HTTP/2 */
	int n_applied;	/* SMI files applied, when up */
	char topology_source[PATH_MAX];	/* when up: the file `up` read */
	/* The topology the lab has (its copy, when up) or that `up` would read. */
	char topology[PATH_MAX];
	bool topology_differs;	/* up, and o->topology names other text */
};

/*
 * Reads what lab o is without changing anything (no lock, nothing
 * created). Returns 0, EXIT_USAGE for an invalid name or EXIT_ERROR when
 * its state file cannot be read, after printing why.
 */
int lab_inspect(const struct lab_opts *o, struct lab_info *info);

/*
 * Checks that the SMI objects of `set` and the Gateway API routes of `gw`
 * (may be NULL) can be applied to a lab of topology file `topology`: every
 * service they name is in it and the mesh can render them. Prints each
 * problem with the manifest's file, line and field. Returns 0, EXIT_USAGE,
 * or EXIT_ERROR (out of memory).
 */
int lab_check_objects(const char *topology, const struct smi_set *set, const struct gw_set *gw);

/* Prints the mesh variants the lab offers, one line each (JSON under -j). Returns an exit code. */
int lab_meshes(void);

/* The mesh variants as a table to f, each line after `indent` spaces (lab_meshes' text form). */
void lab_meshes_table(FILE *f, int indent);

/* Where the metrics filter of a rewriting mesh variant answers and what it asks. */
struct lab_filter_opts {
	const char *mesh;	/* the variant whose falsification it serves */
	const char *listen, *upstream;	/* IP:PORT each */
};

/*
 * Serves the mesh's metrics as variant o->mesh falsifies them: answers on
 * o->listen with what HAProxy's exporter on o->upstream says, rewritten.
 * Runs until killed; returns EXIT_USAGE for invalid options or EXIT_ERROR
 * when it cannot listen.
 */
int lab_metrics_filter(const struct lab_filter_opts *o);

#endif
