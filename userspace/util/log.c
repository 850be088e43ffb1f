/* log.c - see log.h */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "util/log.h"

int log_verbose;
bool log_json;
bool log_quiet;

static void vprint(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(stderr, "warning: ", fmt, ap);
	va_end(ap);
}

void pr_info(const char *fmt, ...)
{
	va_list ap;

	if (log_json || log_quiet)
		return;
	va_start(ap, fmt);
	vprint(stderr, "", fmt, ap);
	va_end(ap);
}

void pr_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vprint(stderr, "debug: ", fmt, ap);
	va_end(ap);
}

/* Errors in JSON mode go to stdout as one object so a reader parses one stream. */
static void emit_error(const char *msg)
{
	if (log_json) {
		json_t *o = json_pack("{s:s}", "error", msg);

		json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		fflush(stdout);
		json_decref(o);
		return;
	}
	fprintf(stderr, "error: %s\n", msg);
}

int error(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emit_error(buf);
	return -1;
}

int error_errno(int err, const char *fmt, ...)
{
	char buf[4096];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(err < 0 ? -err : err));
	emit_error(buf);
	return -1;
}

int pr_json(const char *fmt, ...)
{
	va_list ap;
	json_t *o;

	va_start(ap, fmt);
	o = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	if (!o)
		return -1;
	json_dumpf(o, stdout, 0);
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(o);
	return 0;
}
