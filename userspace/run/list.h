/* list.h - `run --list`: the suites a run would take, and their scenarios, without running anything. */
#ifndef SMIW_RUN_LIST_H
#define SMIW_RUN_LIST_H

#include <stddef.h>
#include <stdio.h>

/*
 * Prints one line per scenario of the suites (none given: the shipped
 * specs/ directory): file, SMI spec, steps, checks (traffic entries that
 * assert, metrics steps), description; JSON (with the scenario's name) under -j. Returns 0, or EXIT_USAGE when a
 * suite or scenario is invalid (after printing it, the others listed).
 */
int run_list_suites(char *const *suites, size_t n_suites);

/* The shipped suites as `run --help` lists them: a heading, then the --list table, indented, to f. */
void run_help_suites(FILE *f);

#endif
