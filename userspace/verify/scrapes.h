/*
 * scrapes.h - the mesh's metrics as a run recorded them for one step with a
 * metrics assertion: the exposition scraped before the step's traffic and
 * the one scraped after it, beside a small JSON record of where they came
 * from and when (CLOCK_MONOTONIC, the clock of the observation records)
 * each was complete. The runner writes them; the verifier reads them, so a
 * replay judges the same numbers:
 *
 *   DIR/step-N.json  DIR/step-N-before.prom  DIR/step-N-after.prom
 */
#ifndef SMIW_VERIFY_SCRAPES_H
#define SMIW_VERIFY_SCRAPES_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* One scrape: its file, or why there is none. */
struct step_scrape {
	char file[PATH_MAX];	/* DIR/step-N-WHEN.prom */
	uint64_t mono_ns;	/* when the exposition was complete */
	char error[256];	/* "" when it was scraped */
};

struct step_scrapes {
	unsigned step;
	char url[512];		/* what was scraped */
	char pod[160];		/* the pod whose network it was scraped from ("ns/name") */
	struct step_scrape before, after;
};

/* Writes DIR/step-N-WHEN.prom (WHEN: "before" or "after") into buf. Returns 0 or -ENAMETOOLONG. */
int scrapes_file(char *buf, size_t len, const char *dir, unsigned step, const char *when);

/* Writes DIR/step-N.json for s (file names relative to DIR). Returns 0 or -errno (printed). */
int scrapes_write(const char *dir, const struct step_scrapes *s);

/*
 * Reads DIR/step-N.json into *s, file names resolved against DIR. Returns 0,
 * or a negative errno with a one-line reason in err (a missing record, a
 * malformed one).
 */
int scrapes_read(const char *dir, unsigned step, struct step_scrapes *s, char *err, size_t len);

#endif
