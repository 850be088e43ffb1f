/* array.h - the growable array: a malloc'd array of fixed-size elements, grown by doubling. */
#ifndef SMIW_ARRAY_H
#define SMIW_ARRAY_H

#include <stddef.h>

/*
 * Advises the kernel to back a block of len bytes at p (4 MiB or more) with
 * transparent huge pages; nothing for smaller blocks, nor where the kernel
 * has them off. Why: the verifier's arrays hold a value per record of a
 * capture (a million and more), and faulting such an array in 4 KiB at a
 * time costs more than filling it, notably on a virtual machine. Advise
 * before the block is first written: pages already touched stay small.
 */
void array_huge(void *p, size_t len);

/* calloc(n, size) advised as by array_huge(); free() it. NULL when out of memory. */
void *array_calloc(size_t n, size_t size);

/*
 * Makes room for element `n` in the array *arr of *cap elements of `size`
 * bytes (first allocation: `first` elements, at least one). Returns 0, or
 * -ENOMEM (also when the size would overflow) leaving the array as it was.
 * Large arrays are advised as by array_huge().
 */
int array_reserve(void *arr, size_t *cap, size_t n, size_t size, size_t first);

#endif
