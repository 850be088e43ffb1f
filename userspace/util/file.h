/* file.h - reading a whole file into memory; paths; where this program's files are. */
#ifndef SMIW_UTIL_FILE_H
#define SMIW_UTIL_FILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Reads f to its end into a new NUL-terminated buffer *out (caller frees)
 * of *len bytes. Returns 0, -EFBIG when it holds more than `max` bytes, or
 * another negative errno; prints nothing (callers say what it was for).
 */
int file_read_stream(FILE *f, size_t max, char **out, size_t *len);

/* As file_read_stream() for the file at `path` (-errno when it cannot be opened). */
int file_read_all(const char *path, size_t max, char **out, size_t *len);

/*
 * Appends the bytes of the file `from` to out. Returns 0, or a negative
 * errno (-ENOENT ...) when `from` cannot be opened, -EIO when a write
 * failed; prints nothing.
 */
int file_append(FILE *out, const char *from);

/* Copies the file `from` to `to` (created or truncated first). Returns 0 or -errno as file_append(). */
int file_copy(const char *from, const char *to);

/*
 * snprintf() for paths: returns 0, or -ENAMETOOLONG when the result did not
 * fit (buf then holds the truncated text).
 */
int path_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Writes the directory of the running binary (the build directory, or the
 * installed bin/) into buf: files shipped beside it are found from there.
 * Returns 0 or a negative errno.
 */
int file_exe_dir(char *buf, size_t len);

/*
 * Whether directory `dir` can hold new files without creating anything
 * yet: it is a directory this process may write, or the nearest part of
 * its path that exists is one. Returns 0, or -ENOTDIR / -EACCES / ... with
 * the part that decided it in `where` (of `len` bytes).
 */
int file_dir_writable(const char *dir, char *where, size_t len);

/*
 * Where a file shipped with smi-witness (`rel`, e.g. "specs" or
 * "sample-app/topology/default.yaml") is: $SMIW_DATA_DIR/rel, else
 * <bin>/../rel (a build directory in the source tree), else
 * <bin>/../share/smi-witness/rel (`make install`). Writes the first that
 * exists into buf. Returns 0, or -ENOENT with buf holding the path of the
 * last candidate (for the message).
 */
int file_data_path(const char *rel, char *buf, size_t len);

/*
 * Where a helper program shipped with smi-witness (`name`) is: beside the
 * binary, else <bin>/../libexec/smi-witness/name. Returns 0 or -ENOENT.
 */
int file_helper_path(const char *name, char *buf, size_t len);

#endif
