/* utest.h - helpers for unit tests: a private directory of files, and what a call prints on stderr. */
#ifndef SMIW_UTEST_H
#define SMIW_UTEST_H

#include <stddef.h>

/* Creates /tmp/smiw-NAME.XXXXXX and writes its path into buf. Returns 0 or -1. */
int utest_tmpdir(char *buf, size_t len, const char *name);

/* Removes the directory and everything in it. Returns 0 or -1. */
int utest_rmtree(const char *dir);

/* Writes len bytes of text to DIR/NAME. Returns 0 or -1. */
int utest_write(const char *dir, const char *name, const char *text, size_t len);

/*
 * Runs fn(arg) with stderr going to buf (NUL-terminated, a final newline
 * dropped): the messages a function prints, for exact comparison. Returns
 * what fn returned.
 */
int utest_stderr(char *buf, size_t len, int (*fn)(void *arg), void *arg);

#endif
