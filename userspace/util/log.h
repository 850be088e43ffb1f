/* log.h - diagnostics: warnings, info, debug and errors, text or JSON. */
#ifndef SMIW_LOG_H
#define SMIW_LOG_H

#include <stdbool.h>

/* Set by the CLI from -v, -j and -q; read by every printer below. */
extern int log_verbose;
extern bool log_json;
extern bool log_quiet;	/* -q: no progress, only what did not pass */

/* "warning: ..." on stderr (in JSON mode too: stdout stays parseable). */
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and notes on stderr; suppressed in JSON mode and by -q. */
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v. */
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report an error: "error: ..." on stderr, or {"error": "..."} on stdout in
 * JSON mode. Returns -1 so call sites can `return error(...)`.
 */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* As error(), with ": strerror(err)" appended; err may be negative. Returns -1. */
int error_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A command's one-line result in JSON mode: the object a json_pack format
 * builds (`{"key": value, ...}`, jansson's spacing), a newline, flushed to
 * stdout. Returns 0, or -1 when the format or a value is invalid.
 */
int pr_json(const char *fmt, ...);

#endif
