/* diag.c - the list of problems found while loading a set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smi/internal.h"

void diag_add(struct smi_set *set, enum smi_severity sev, const char *file, int line,
	      int column, const char *path, const char *fmt, ...)
{
	struct smi_diags *ds = &set->diags;
	struct smi_diag *d;
	va_list ap;

	/* Grows one by one: problems are few, and the array stays plain for readers. */
	d = realloc(ds->v, (ds->n + 1) * sizeof(*d));
	if (!d) {
		fputs("error: out of memory\n", stderr);
		abort();
	}
	ds->v = d;
	d = &ds->v[ds->n++];
	d->severity = sev;
	d->file = file;
	d->line = line;
	d->column = column;
	d->path = path ? path : "";
	va_start(ap, fmt);
	d->message = arena_vprintf(&set->priv->arena, fmt, ap);
	va_end(ap);
	if (sev == SMI_ERROR)
		ds->n_errors++;
	else
		ds->n_warnings++;
}

char *smi_diag_format(const struct smi_diag *d, char *buf, size_t len)
{
	size_t o = 0;

#define PUT(...) do { int w_ = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__); \
		      if (w_ > 0) o += (size_t)w_; } while (0)
	if (!len)
		return buf;
	buf[0] = '\0';
	if (d->file && *d->file)
		PUT("'%s': ", d->file);
	if (d->line > 0)
		PUT("line %d: ", d->line);
	if (d->path && *d->path)
		PUT("%s: ", d->path);
	PUT("%s", d->message);
#undef PUT
	return buf;
}

void smi_set_report(struct smi_set *set, enum smi_severity sev, const char *file,
		    const struct ynode *at, const char *path, const char *fmt, ...)
{
	struct arena *a = &set->priv->arena;
	int line = at ? at->line : 0, column = at ? at->column : 0;
	char msg[512];
	va_list ap;

	/* As the SMI decoders do: a mapping or list is reported where its key is. */
	if (at && at->type != YNODE_SCALAR && at->key_line) {
		line = at->key_line;
		column = at->key_column;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(set, sev, arena_strdup(a, file ? file : "-"), line, column,
		 arena_strdup(a, path ? path : ""), "%s", msg);
}
