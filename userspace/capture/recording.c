/* recording.c - see recording.h */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture/recording.h"
#include "smiw_abi.h"
#include "util/array.h"
#include "util/log.h"
#include "util/parse.h"

/* Decodes the quoted string at *p into a new buffer; advances *p past the closing quote. */
static int unquote(const char **p, char **out, size_t *len)
{
	const char *s = *p;
	char *buf = malloc(strlen(s) + 1);
	size_t n = 0;

	if (!buf)
		return -ENOMEM;
	if (*s++ != '"')
		goto bad;
	while (*s && *s != '"') {
		int c = (unsigned char)*s++;

		if (c == '\\') {
			switch (*s++) {
			case 'r': c = '\r'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '\\': c = '\\'; break;
			case '"': c = '"'; break;
			case 'x':
				if (parse_hex_digit(s[0]) < 0 || parse_hex_digit(s[1]) < 0)
					goto bad;
				c = parse_hex_digit(s[0]) << 4 | parse_hex_digit(s[1]);
				s += 2;
				break;
			default:
				goto bad;
			}
		}
		buf[n++] = (char)c;
	}
	if (*s != '"')
		goto bad;
	*p = s + 1;
	*out = buf;
	*len = n;
	return 0;
bad:
	free(buf);
	return -EINVAL;
}

static int parse_line(const char *line, struct rec_event *e)
{
	char d;
	int used = 0;

	memset(e, 0, sizeof(*e));
	if (sscanf(line, " %c EOF %n", &d, &used) == 1 && used) {
		e->eof = true;
	} else if (sscanf(line, " %c %" SCNu64 " %" SCNu64 " %n", &d, &e->enter_ns, &e->exit_ns, &used) != 3) {
		return -EINVAL;
	} else {
		const char *p = line + used;

		if (unquote(&p, &e->data, &e->len))
			return -EINVAL;
		if (sscanf(p, " +%zu", &e->uncaptured) != 1)
			e->uncaptured = 0;
	}
	if (d != 'S' && d != 'R') {
		free(e->data);
		return -EINVAL;
	}
	e->dir = d == 'S' ? SMIW_DIR_SEND : SMIW_DIR_RECV;
	return 0;
}

int recording_load(const char *path, struct recording *r)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0, room = 0;
	FILE *f = fopen(path, "re");
	int err = 0;

	memset(r, 0, sizeof(*r));
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		if (array_reserve(&r->ev, &room, r->n, sizeof(*r->ev), 16)) {
			err = -ENOMEM;
			break;
		}
		if (parse_line(line, &r->ev[r->n])) {
			error("cannot load '%s': line %zu: malformed record", path, lineno);
			err = -EINVAL;
			break;
		}
		r->n++;
	}
	free(line);
	fclose(f);
	if (err)
		recording_free(r);
	return err;
}

void recording_free(struct recording *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->ev[i].data);
	free(r->ev);
	memset(r, 0, sizeof(*r));
}
