/*
 * match.h - whether recorded observations belong to the scenario they are
 * to be judged against. Judging one scenario's records by another's
 * expectations gives confident, wrong verdicts ("200 of 200 denied requests
 * reached a workload"); the inputs are refused instead.
 */
#ifndef SMIW_VERIFY_MATCH_H
#define SMIW_VERIFY_MATCH_H

#include "verify/engine.h"

/*
 * Checks in->run (when given) against the runs the records hold, and that
 * every intent record of the run (or of the only run) was sent by a
 * traffic entry of in->sc with its method, service and path. Prints the
 * first mismatch in one line. The run checked goes to run (len bytes; ""
 * when the records hold none or several and in->run is NULL). Returns 0,
 * -EINVAL or -ENOMEM.
 */
int verify_check_match(const struct verify_input *in, char *run, size_t len);

#endif
