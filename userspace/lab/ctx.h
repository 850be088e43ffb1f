/* ctx.h - what the lab's operations share: the lab they work on, locked, with its state and topology. */
#ifndef SMIW_LAB_CTX_H
#define SMIW_LAB_CTX_H

#include <stdbool.h>

#include "lab/api.h"
#include "lab/lab.h"
#include "lab/state.h"
#include "lab/topology.h"
#include "mesh/policy.h"

/* A lab and, when it is up, its state and topology. */
struct lab_ctx {
	struct lab lab;
	struct lab_state st;
	struct topology *topo;
	bool up;	/* a state file exists */
};

/*
 * Initialises ctx for the lab the options name, takes its lock, reads its
 * state and, when it is up, its topology copy. `need_up` makes a lab that
 * is down an error. Returns an exit code: 0, or EXIT_ERROR / EXIT_USAGE
 * after printing; lab_ctx_close() is due either way.
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

/* Applies the settings of m to st. */
void lab_mesh_set_apply(const struct lab_mesh_set *m, struct lab_state *st);

/*
 * Prints the status of the lab (text, or JSON with -j). Returns EXIT_OK when
 * it is up and every process runs, EXIT_FAILED otherwise.
 */
int lab_print_status(const struct lab_ctx *ctx);

#endif
