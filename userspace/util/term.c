/* term.c - see term.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/term.h"

enum term_color term_color_mode = TERM_COLOR_AUTO;

int term_color_parse(const char *s)
{
	static const char *const names[] = { "auto", "always", "never" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			term_color_mode = (enum term_color)i;
			return 0;
		}
	return -EINVAL;
}

bool term_use_color(FILE *f)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

	if (term_color_mode != TERM_COLOR_AUTO)
		return term_color_mode == TERM_COLOR_ALWAYS;
	if (no_color && *no_color)
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(fileno(f));
}

int term_columns(FILE *f)
{
	struct winsize ws;

	if (!isatty(fileno(f)) || ioctl(fileno(f), TIOCGWINSZ, &ws) || !ws.ws_col || ws.ws_col >= TERM_MAX_COLUMNS)
		return TERM_MAX_COLUMNS;
	return ws.ws_col < TERM_MIN_COLUMNS ? TERM_MIN_COLUMNS : ws.ws_col;
}

void term_put_wrapped(FILE *f, const char *text, int indent, int room)
{
	const char *p = text;
	bool first = true;

	if (room < 1)
		room = 1;
	while (*p || first) {
		int len = (int)strlen(p), cut = len;

		if (len > room) {
			cut = room;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = room;
		}
		if (!first)
			fprintf(f, "%*s", indent, "");
		fprintf(f, "%.*s\n", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		first = false;
	}
}
