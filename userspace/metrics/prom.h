/* prom.h - Prometheus text exposition: parsed samples, families, and the parser. */
#ifndef SMIW_PROM_H
#define SMIW_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum prom_type {
	PROM_UNTYPED,
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
	PROM_SUMMARY,
	PROM_INFO,		/* OpenMetrics types, accepted and kept apart */
	PROM_STATESET,
	PROM_GAUGEHISTOGRAM,
};

struct prom_label {
	char *name;
	char *value;
};

/* One sample line: `name{labels} value [timestamp]`. */
struct prom_sample {
	char *name;			/* as written, e.g. "x_bucket" */
	struct prom_label *labels;	/* sorted by name */
	int nlabels;
	double value;			/* NaN and ±Inf allowed */
	bool has_ts;
	int64_t ts_ms;
	int family;			/* index in prom_scrape.families, -1 when none */
	int line;			/* 1-based line in the source */
	char *key;			/* name + sorted labels: identifies the series */
};

/* A `# TYPE` / `# HELP` family. */
struct prom_family {
	char *name;
	enum prom_type type;
	char *help;			/* NULL when no HELP line */
	int line;			/* line of its first HELP or TYPE */
	bool typed;			/* a TYPE line was seen */
	size_t nsamples;
};

/* One parsed exposition (a file or a scrape of a URL). */
struct prom_scrape {
	char *source;			/* file path or URL, for messages */
	uint64_t mono_ns;		/* CLOCK_MONOTONIC when fetched; 0 when unknown */
	struct prom_sample *samples;
	size_t nsamples;
	struct prom_family *families;
	size_t nfamilies;
	bool eof_marker;		/* an OpenMetrics `# EOF` line was seen */
	uint32_t *index;		/* open-addressing table of sample indexes + 1, by key */
	size_t index_size;		/* power of two */
};

/*
 * Parses `len` bytes of text exposition. On success returns 0 and a new
 * scrape in *out (free with prom_scrape_free). On malformed input returns
 * -EINVAL and writes "'SOURCE': line N: what is wrong" into err.
 */
int prom_parse(const char *text, size_t len, const char *source, struct prom_scrape **out,
	       char *err, size_t errlen);

/* Frees a scrape and everything it owns; NULL is fine. */
void prom_scrape_free(struct prom_scrape *s);

/* Returns the value of label `name` in `s`, or NULL when it has none. */
const char *prom_label(const struct prom_sample *s, const char *name);

/* Returns the type of the family `s` belongs to (PROM_UNTYPED when none). */
enum prom_type prom_sample_type(const struct prom_scrape *sc, const struct prom_sample *s);

/* Finds the sample in `sc` of the same series (name and label set) as `like`, or NULL. */
const struct prom_sample *prom_find_series(const struct prom_scrape *sc,
					   const struct prom_sample *like);

/* Returns the value of the first sample called `name` (any labels), or NaN when absent. */
double prom_first_value(const struct prom_scrape *sc, const char *name);

/* Parses a number as exposition writes it (decimal, NaN, +Inf, -Inf). Returns 0 or -EINVAL. */
int prom_parse_float(const char *s, size_t n, double *out);

/*
 * Appends v to b escaped as a label value of the text format (backslash,
 * double quote and newline escaped); failures are left in b->failed.
 */
void prom_escape_label(struct buf *b, const char *v);

/* Name of a type as written in `# TYPE` ("counter", ...). */
const char *prom_type_name(enum prom_type t);

#endif
