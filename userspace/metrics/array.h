/* array.h - growing a malloc'd array by doubling. */
#ifndef SMIW_METRICS_ARRAY_H
#define SMIW_METRICS_ARRAY_H

#include <stddef.h>

/*
 * Makes room for element `n` in the array *arr of *cap elements of `size`
 * bytes (first allocation: `first` elements). Returns 0 or -ENOMEM, leaving
 * the array as it was.
 */
int array_reserve(void *arr, size_t *cap, size_t n, size_t size, size_t first);

#endif
