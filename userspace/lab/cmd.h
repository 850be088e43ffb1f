/* cmd.h - the `smi-witness lab` subcommands and what they share. */
#ifndef SMIW_LAB_CMD_H
#define SMIW_LAB_CMD_H

#include <stdbool.h>

#include "lab/lab.h"
#include "lab/state.h"
#include "lab/topology.h"
#include "mesh/policy.h"

/* Options of every lab subcommand (each one accepts the ones it documents). */
struct lab_opts {
	const char *name;	/* --lab */
	const char *state_dir;	/* --state-dir */
	const char *topology;	/* --topology */
	const char *mesh;	/* --mesh VARIANT */
	const char *access;	/* --access-control on|off */
	bool clear;	/* apply --clear */
	const char *listen, *upstream;	/* metrics-filter */
};

/* A lab and, when it is up, its state and topology. */
struct lab_ctx {
	struct lab lab;
	struct lab_state st;
	struct topology *topo;
	bool up;	/* a state file exists */
};

/*
 * Initialises ctx for the lab the options name, reads its state and, when
 * it is up, its topology copy. `need_up` makes a lab that is down an error.
 * Returns an exit code: 0, or EXIT_FAILED / EXIT_USAGE after printing.
 */
int lab_ctx_open(struct lab_ctx *ctx, const struct lab_opts *o, bool need_up);

/* Frees what lab_ctx_open() loaded and releases the lock. */
void lab_ctx_close(struct lab_ctx *ctx);

/*
 * The mesh policy of the lab: topology, the SMI files applied (their copies
 * in the state directory) and the access-control mode in ctx->st. Returns 0
 * or -1 after printing.
 */
int lab_ctx_policy(const struct lab_ctx *ctx, struct mesh_policy *p);

/* Applies --mesh and --access-control to st. Returns 0 or EXIT_USAGE after printing. */
int lab_opts_mesh(const struct lab_opts *o, struct lab_state *st);

/*
 * Prints the status of the lab (text, or JSON with -j). Returns EXIT_OK when
 * it is up and every process runs, EXIT_FAILED otherwise.
 */
int lab_print_status(const struct lab_ctx *ctx);

/*
 * Whether the mesh of the lab the options name still runs (its HAProxy
 * master, by pid and start time). Returns 1, or 0 with `why` saying what is
 * gone, or -1 after printing why the lab cannot be read.
 */
int lab_mesh_running(const struct lab_opts *o, char *why, size_t len);

int lab_cmd_up(const struct lab_opts *o, int argc, char **argv);
int lab_cmd_down(const struct lab_opts *o, int argc, char **argv);
int lab_cmd_status(const struct lab_opts *o, int argc, char **argv);
int lab_cmd_exec(const struct lab_opts *o, int argc, char **argv);
int lab_cmd_apply(const struct lab_opts *o, int argc, char **argv);
int lab_cmd_metrics_filter(const struct lab_opts *o, int argc, char **argv);

#endif
