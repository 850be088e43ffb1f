/* pod.h - starting processes in a lab pod: the workload, the mesh, `lab exec`. */
#ifndef SMIW_LAB_POD_H
#define SMIW_LAB_POD_H

#include "lab/lab.h"
#include "lab/state.h"
#include "lab/topology.h"

/*
 * Starts argv (argv[0] a path) in pod i as a daemon: new session, stdout
 * and stderr appended to <state_dir>/logs/<log>.log, environment envp
 * (NULL: inherited). Records pid and start time in *proc. Returns 0 or -1
 * after printing.
 */
int lab_pod_start(const struct lab *lab, const struct topology *t, int i, char *const argv[],
		  char *const envp[], const char *log, struct lab_proc *proc);

/*
 * Starts argv in pod i, not as a daemon (argv[0] resolved like pod
 * commands; it shares the caller's stdin, stdout and stderr). Returns its
 * pid, or -1 after printing why it could not start.
 */
pid_t lab_pod_spawn(const struct lab *lab, const struct topology *t, int i, char *const argv[]);

/* Waits for a child of lab_pod_spawn(). Returns its exit status (128 + signal when killed) or -1. */
int lab_pod_wait(pid_t pid, const char *what);

/*
 * Runs argv in pod i in the foreground (lab_pod_spawn(), the terminal's
 * signals left to it) and waits for it. Returns its exit status, or -1
 * after printing why it could not start.
 */
int lab_pod_exec(const struct lab *lab, const struct topology *t, int i, char *const argv[]);

/*
 * Starts the workload of pod i: its topology command and environment, plus
 * FAIL_EVERY=fail_every when that is not 0 (a flaky backend, lab/flaky.h).
 * Returns 0 or -1.
 */
int lab_pod_start_workload(const struct lab *lab, const struct topology *t, int i, unsigned fail_every,
			   struct lab_proc *proc);

/*
 * Waits until every port of pod i accepts connections (5 s), giving up as
 * soon as process `proc` is gone. Returns 0 or -1 after printing.
 */
int lab_pod_wait_ready(const struct lab *lab, const struct topology *t, int i, const struct lab_proc *proc);

#endif
