/* utest.c - see utest.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utest.h"

int utest_tmpdir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/tmp/smiw-%s.XXXXXX", name);
	return mkdtemp(buf) ? 0 : -1;
}

int utest_rmtree(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

int utest_write(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	n = fwrite(text, 1, len, f);
	return fclose(f) || n != len ? -1 : 0;
}

int utest_stderr(char *buf, size_t len, int (*fn)(void *arg), void *arg)
{
	int saved = dup(STDERR_FILENO), r;
	FILE *tmp = tmpfile();
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	r = fn(arg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	fclose(tmp);
	return r;
}
