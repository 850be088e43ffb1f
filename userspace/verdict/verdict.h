/*
 * verdict.h - the one verdict type: what an assertion, a metrics check or a
 * whole run comes to, its printed names, and how several combine.
 */
#ifndef SMIW_VERDICT_VERDICT_H
#define SMIW_VERDICT_VERDICT_H

/*
 * Ordered by severity, so that combining verdicts is taking the largest:
 * one FAIL decides, else one INCONCLUSIVE does.
 */
enum verdict { VERDICT_PASS, VERDICT_INCONCLUSIVE, VERDICT_FAIL };

/* "PASS", "INCONCLUSIVE" or "FAIL" (static storage). */
const char *verdict_name(enum verdict v);

/* Parses a verdict name (exact, upper case); returns 0 or -EINVAL. */
int verdict_parse(const char *s, enum verdict *v);

/* The worse of two verdicts: how verdicts combine everywhere. */
enum verdict verdict_worst(enum verdict a, enum verdict b);

/* The process exit code a verdict gives (util/exitcode.h): 0 PASS, 1 FAIL, 3 INCONCLUSIVE. */
int verdict_exit_code(enum verdict v);

#endif
