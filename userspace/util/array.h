/* array.h - the growable array: a malloc'd array of fixed-size elements, grown by doubling. */
#ifndef SMIW_ARRAY_H
#define SMIW_ARRAY_H

#include <stddef.h>

/*
 * Makes room for element `n` in the array *arr of *cap elements of `size`
 * bytes (first allocation: `first` elements, at least one). Returns 0, or
 * -ENOMEM (also when the size would overflow) leaving the array as it was.
 */
int array_reserve(void *arr, size_t *cap, size_t n, size_t size, size_t first);

#endif
