/*
 * health.h - whether the capture saw everything during a step: kernel and
 * user-space drops, stream gaps, HTTP/2 connections it could no longer
 * decode, and whether the file covers the step at
 * all (an `end` record, no torn last line); and whether the mesh was there
 * at all. Any of these makes a step's verdicts INCONCLUSIVE
 * (docs/verdicts.md).
 */
#ifndef SMIW_VERIFY_HEALTH_H
#define SMIW_VERIFY_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "records/inventory.h"
#include "records/obs.h"

struct step_health {
	bool covered;		/* a counters record at or after the step's end exists */
	uint64_t kernel_drops, user_drops, gaps;	/* increase across the step */
	uint64_t h2_lost_bytes;	/* bytes moved during the step on HTTP/2 connections capture could no longer decode */
	size_t request_problems;	/* requests whose exchanges were cut by a capture problem */
	char causes[400];	/* "" when the capture is complete for the step */
	size_t mesh_refused;	/* connects refused at a service address and port during the step */
	char mesh_gone[300];	/* "" unless the mesh went away: when, and what showed it */
};

/*
 * Checks the counters around the monotonic window [t0, t1]: the last
 * counters at or before t0 (zero when none) against the first at or after
 * t1. request_problems comes from the requests themselves. With an
 * inventory, also whether the mesh went away: a connect refused at a
 * service's address and port (where the mesh listens; a refusal means
 * nothing did) during the window.
 */
void health_check(const struct obs_set *obs, const struct inventory *inv, uint64_t t0, uint64_t t1,
		  size_t request_problems, struct step_health *h);

/* The health as a JSON object (new reference). */
json_t *health_json(const struct step_health *h);

#endif
