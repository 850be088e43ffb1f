/* run.h - running a helper program (ip, haproxy) and collecting what it printed. */
#ifndef SMIW_LAB_RUN_H
#define SMIW_LAB_RUN_H

#include <stddef.h>

/*
 * Runs argv (looked up in $PATH) with `input` on its stdin (NULL: /dev/null),
 * its stdout and stderr together into out (NUL-terminated, truncated to
 * len; out may be NULL). Returns the exit status (0..255), or a negative
 * errno when it could not run or died from a signal.
 */
int run_argv(char *const argv[], const char *input, char *out, size_t len);

/*
 * Runs `ip [-n NETNS] -batch -` with the newline-separated commands in
 * `cmds`. Returns 0, or -1 after printing "error: WHAT: <ip's message>".
 */
int run_ip_batch(const char *netns, const char *cmds, const char *what);

#endif
