/* outdir.c - see outdir.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/gamma.h"
#include "report/outdir.h"
#include "report/writers.h"
#include "util/file.h"
#include "util/log.h"

int mkdir_p(const char *dir)
{
	char *p = strdup(dir);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) && errno != EEXIST) {
				int err = -errno;

				free(p);
				return err;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

enum fmt { FMT_JSON, FMT_JUNIT, FMT_MESHERY, FMT_SVG, FMT_GAMMA };

static int write_file(const char *path, enum fmt fmt, const struct report *r, const struct assertion *a)
{
	FILE *f = fopen(path, "w");
	struct gamma_impl impl;
	int rc = 0;

	if (!f) {
		error_errno(errno, "cannot write '%s'", path);
		return -EIO;
	}
	switch (fmt) {
	case FMT_JSON:
		rc = report_write_json(f, r);
		break;
	case FMT_JUNIT:
		report_write_junit(f, r);
		break;
	case FMT_MESHERY:
		rc = report_write_meshery(f, r);
		break;
	case FMT_SVG:
		report_write_split_svg(f, r->mesh, a);
		break;
	case FMT_GAMMA:
		gamma_impl_of(r, &impl);
		rc = report_write_gamma_conformance(f, r, &impl, r->generated ? r->generated : "");
		break;
	}
	if (fclose(f) || rc) {
		error("cannot write '%s'", path);
		return -EIO;
	}
	return 0;
}

/* "MESH_ID.svg" with every '/' as '_' (just "ID.svg" without a mesh), cut to fit len. */
static void chart_name(char *buf, size_t len, const char *mesh, const char *id)
{
	snprintf(buf, len, "%s%s%s", mesh, *mesh ? "_" : "", id);
	for (char *s = buf; *s; s++)
		if (*s == '/')
			*s = '_';
	if (strlen(buf) + 5 > len)
		buf[len - 5] = '\0';
	strcat(buf, ".svg");
}

int report_write_dir(const struct report *r, const char *dir)
{
	static const struct { const char *name; enum fmt fmt; } files[] = {
		{ "report.json", FMT_JSON }, { "junit.xml", FMT_JUNIT }, { "meshery.json", FMT_MESHERY },
	};
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/charts", dir);
	if ((rc = mkdir_p(path))) {
		error_errno(rc, "cannot create '%s'", path);
		return rc;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if ((rc = write_file(path, files[i].fmt, r, NULL)))
			return rc;
	}
	/* The Gateway API mesh tests also as the upstream ConformanceReport. */
	if (report_has_gamma(r)) {
		snprintf(path, sizeof(path), "%s/conformance-report.yaml", dir);
		if ((rc = write_file(path, FMT_GAMMA, r, NULL)))
			return rc;
	}
	for (size_t k = 0; k < r->n; k++) {
		char name[1024];

		if (!report_has_chart(&r->a[k]))
			continue;
		chart_name(name, sizeof(name), r->mesh, r->a[k].id);
		if (path_fmt(path, sizeof(path), "%s/charts/%s", dir, name)) {
			error("chart path too long: '%s/charts/%s'", dir, name);
			return -ENAMETOOLONG;
		}
		if ((rc = write_file(path, FMT_SVG, r, &r->a[k])))
			return rc;
	}
	return 0;
}
