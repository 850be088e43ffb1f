/* format.h - what every meta record says about the format and its writer (docs/records.md). */
#ifndef SMIW_RECORDS_FORMAT_H
#define SMIW_RECORDS_FORMAT_H

/* The format version (`v`): bumped when a field is removed or redefined. */
#define RECORDS_VERSION 1

/* The writer (`tool`). */
#define RECORDS_TOOL "smi-witness " SMIW_VERSION

#endif
