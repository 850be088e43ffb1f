/* traffic.c - see traffic.h */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/traffic.h"
#include "util/log.h"

#define MAX_ARGS (32 + 2 * SC_MAX_HEADERS)

int with_output_to(const char *log_path, int (*fn)(void *arg), void *arg)
{
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int out, err, r;

	if (fd < 0) {
		error_errno(errno, "cannot write '%s'", log_path);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	out = dup(STDOUT_FILENO);
	err = dup(STDERR_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	r = fn(arg);
	fflush(stdout);
	fflush(stderr);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	close(out);
	close(err);
	return r;
}

struct exec_args {
	const struct lab_opts *lab;
	int argc;
	char **argv;
};

static int exec_in_pod(void *arg)
{
	struct exec_args *a = arg;

	return lab_cmd_exec(a->lab, a->argc, a->argv);
}

int traffic_send(const struct lab_opts *lab, const struct traffic_job *j)
{
	const struct sc_traffic *t = j->t;
	char pod[160], n[32], d[32], c[16], url[512], via[64];
	char *argv[MAX_ARGS], *hdr[SC_MAX_HEADERS];
	size_t nh = 0;
	int argc = 0, r;

	snprintf(pod, sizeof(pod), "%s/%s", t->from_ns, t->from);
	snprintf(url, sizeof(url), "http://%s.%s:%u%s", t->to, t->to_ns, t->port, t->path);
	snprintf(via, sizeof(via), "http://127.0.0.1:%d/call", TRAFFIC_CALL_PORT);
	snprintf(c, sizeof(c), "%u", j->concurrency ? j->concurrency : 1);
	argv[argc++] = pod;
	argv[argc++] = "--";
	argv[argc++] = "smi-witness";
	argv[argc++] = "-j";
	argv[argc++] = "drive";
	argv[argc++] = "--no-progress";
	if (j->count) {
		snprintf(n, sizeof(n), "%" PRIu64, j->count);
		argv[argc++] = "-n";
		argv[argc++] = n;
	} else {
		snprintf(d, sizeof(d), "%" PRIu64 "ms", j->duration_ns / 1000000);
		argv[argc++] = "-d";
		argv[argc++] = d;
	}
	argv[argc++] = "-c";
	argv[argc++] = c;
	argv[argc++] = "--run-id";
	argv[argc++] = (char *)j->run_id;
	argv[argc++] = "--intent";
	argv[argc++] = (char *)j->intent_path;
	argv[argc++] = "-X";
	argv[argc++] = (char *)t->method;
	if (t->body && *t->body) {
		argv[argc++] = "-b";
		argv[argc++] = (char *)t->body;
	}
	for (size_t i = 0; i < t->n_headers && nh < SC_MAX_HEADERS; i++) {
		if (asprintf(&hdr[nh], "%s: %s", t->headers[i].name, t->headers[i].value) < 0)
			break;
		argv[argc++] = "-H";
		argv[argc++] = hdr[nh++];
	}
	if (t->via == SC_VIA_CALL) {
		argv[argc++] = "--via";
		argv[argc++] = via;
	}
	argv[argc++] = url;
	argv[argc] = NULL;
	r = with_output_to(j->log_path, exec_in_pod, &(struct exec_args){ lab, argc, argv });
	for (size_t i = 0; i < nh; i++)
		free(hdr[i]);
	/* The driver exits 1 when some requests got no response: that is data, not a failure to run. */
	if (r != 0 && r != 1) {
		error("the traffic driver could not run in pod %s (exit %d): see '%s'", pod, r, j->log_path);
		return -1;
	}
	return 0;
}
