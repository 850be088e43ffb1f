/* outdir.h - writing every report format into one directory. */
#ifndef SMIW_REPORT_OUTDIR_H
#define SMIW_REPORT_OUTDIR_H

#include "verdict/report.h"

/*
 * Writes DIR/report.json, DIR/junit.xml, DIR/meshery.json and one
 * DIR/charts/MESH_ID.svg per split assertion (ID with '/' as '_'), creating
 * the directories. Prints errors; returns 0 or -errno.
 */
int report_write_dir(const struct report *r, const char *dir);

/* Creates dir and its parents (mode 0755). Returns 0 or -errno. */
int mkdir_p(const char *dir);

#endif
