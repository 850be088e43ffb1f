/*
 * recording.h - one connection's data records as text, for tests and debugging.
 *
 * One record per line, in the order the kernel produced them:
 *   S <enter_ns> <exit_ns> "<bytes, C escapes>" [+<uncaptured bytes>]
 *   R <enter_ns> <exit_ns> "<bytes>" [+<n>]
 *   R EOF
 * S is what the process sent, R what it received; '#' starts a comment.
 */
#ifndef SMIW_CAPTURE_RECORDING_H
#define SMIW_CAPTURE_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rec_event {
	int dir;		/* enum smiw_dir */
	bool eof;
	uint64_t enter_ns, exit_ns;
	char *data;		/* captured bytes */
	size_t len;		/* captured length */
	size_t uncaptured;	/* bytes moved beyond the captured ones */
};

struct recording {
	struct rec_event *ev;
	size_t n;
};

/* Loads a recording file. Returns 0 or -errno (-EINVAL on a malformed line, logged). */
int recording_load(const char *path, struct recording *r);

/* Frees what recording_load allocated. */
void recording_free(struct recording *r);

#endif
