/* itest.h - tiny harness for integration tests: checks, skips, cgroups. */
#ifndef SMIW_ITEST_H
#define SMIW_ITEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Exit status the runner reads as "skipped" (the automake convention). */
#define ITEST_SKIP 77

extern int itest_failures;

/* Prints "skip: REASON" and exits with ITEST_SKIP. */
#define itest_skip(...) do { printf("skip: " __VA_ARGS__); putchar('\n'); exit(ITEST_SKIP); } while (0)

/* Records and prints one check; never aborts, so one run reports every failure. */
#define itest_check(cond, ...) do { \
	bool ok_ = (cond); \
	printf("%s - ", ok_ ? "ok" : "not ok"); printf(__VA_ARGS__); putchar('\n'); \
	if (!ok_) itest_failures++; \
} while (0)

/* Skips the test unless running as root with a working bpf() syscall and tracefs. */
void itest_require_bpf(void);

/*
 * Creates a fresh cgroup v2 directory for this test (removed by
 * itest_cgroup_remove); writes its path to buf and returns its id (0 on failure).
 */
uint64_t itest_cgroup_create(const char *name, char *buf, size_t len);

/* Moves any processes left back to the root cgroup and removes the directory. */
void itest_cgroup_remove(const char *path);

/* Exit status for main(): 0 when every check passed. */
int itest_done(void);

#endif
