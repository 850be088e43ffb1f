/*
 * live.h - the capture that runs while a scenario runs. Every record goes
 * to the observation file (the same JSON lines `smi-witness observe`
 * writes, with a stats record twice a second so each step is bracketed
 * closely); the convergence probes of the run (with every exchange that
 * lacks a measured request's id, which the verifier may follow to a probe),
 * and refused connects, are also kept in memory so the runner can judge
 * them with the verifier's own rules while the mesh is still converging.
 */
#ifndef SMIW_RUN_LIVE_H
#define SMIW_RUN_LIVE_H

#include "capture/capture.h"
#include "records/inventory.h"
#include "records/obs.h"

struct live;

struct live_opts {
	const struct inventory *inv;	/* must outlive the capture */
	const char *inventory_path;	/* named in the meta record */
	const char *out_path;		/* observation file (".gz": compressed) */
	const char *run;		/* run id whose probes are kept */
	int backend;			/* enum capture_backend (0: auto) */
	const char *const *response_headers;	/* response header names kept at client exchanges */
	unsigned n_response_headers;
};

/*
 * Loads the kernel programs, watches every pod of the inventory, writes the
 * meta record and starts polling on a thread of its own. Returns 0 (*out
 * owned by the caller, see live_stop) or -errno after printing why.
 */
int live_start(struct live **out, const struct live_opts *o);

/* The probes and refused connects seen so far; hold the lock while reading. */
const struct obs_set *live_lock(struct live *l);
void live_unlock(struct live *l);

/*
 * Stops polling, hands out what is pending, writes the end record and
 * closes the file; frees l. Returns 0 or the first write error.
 */
int live_stop(struct live *l);

#endif
