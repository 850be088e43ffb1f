/* clock.h - the clocks records are stamped with, and sleeping on them. */
#ifndef SMIW_UTIL_CLOCK_H
#define SMIW_UTIL_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds (the clock of every *_ns field in records). */
uint64_t mono_ns(void);

/* CLOCK_REALTIME in nanoseconds since the epoch. */
uint64_t real_ns(void);

/* Sleeps for ns nanoseconds (a signal may end it early). */
void sleep_ns(uint64_t ns);

#endif
