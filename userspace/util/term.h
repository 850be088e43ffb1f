/* term.h - what output may assume of the terminal: colour (--color, NO_COLOR) and line width. */
#ifndef SMIW_UTIL_TERM_H
#define SMIW_UTIL_TERM_H

#include <stdbool.h>
#include <stdio.h>

enum term_color { TERM_COLOR_AUTO, TERM_COLOR_ALWAYS, TERM_COLOR_NEVER };

/* Set by the CLI from --color; read by term_use_color(). */
extern enum term_color term_color_mode;

/* The longest line a table writes: terminals and CI logs both show 100 columns whole. */
#define TERM_MAX_COLUMNS 100
#define TERM_MIN_COLUMNS 60

/* Parses "auto", "always" or "never" into term_color_mode. Returns 0 or -EINVAL. */
int term_color_parse(const char *s);

/*
 * Whether to colour output to f: always / never as set; auto colours a
 * terminal unless NO_COLOR is set to a non-empty value (no-color.org) or
 * TERM is "dumb".
 */
bool term_use_color(FILE *f);

/*
 * Writes text to f in lines of at most `room` columns, broken at spaces (a
 * word longer than a line is cut), every line after the first indented by
 * `indent` spaces; the first continues whatever is on the current line.
 * Ends with a newline.
 */
void term_put_wrapped(FILE *f, const char *text, int indent, int room);

/* Columns a line to f may use: TERM_MAX_COLUMNS, or a narrower terminal's width (at least TERM_MIN_COLUMNS). */
int term_columns(FILE *f);

#endif
