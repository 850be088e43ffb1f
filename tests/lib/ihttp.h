/* ihttp.h - integration-test helpers for HTTP: start the sample app, talk raw HTTP/1.1. */
#ifndef SMIW_IHTTP_H
#define SMIW_IHTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"

/* The build directory of the running test binary (DIR/tests/integration/NAME -> DIR). */
const char *itest_build_dir(void);

/* Starts DIR/sample-app with SERVICE_NAME and PORT; returns its pid once 127.0.0.1:port accepts, or -1. */
pid_t ihttp_start_app(const char *service_name, int port);

/* As ihttp_start_app, the app placed in cgroup v2 directory `cgroup` (NULL: this one) before it starts. */
pid_t ihttp_start_app_in(const char *cgroup, const char *service_name, int port);

/* Sends SIGTERM and waits up to timeout_ms. Returns the exit status, 128+signal, or -1 on timeout (then kills it). */
int ihttp_stop(pid_t pid, int timeout_ms);

/* Resident set size of pid in KiB (VmRSS in /proc/PID/status), or -1. */
long ihttp_rss_kib(pid_t pid);

/* A blocking connection to 127.0.0.1:port with a 5 s receive timeout, or -1. */
int ihttp_connect(int port);

/* Writes all of s. Returns 0 or -1. */
int ihttp_send(int fd, const char *s, size_t len);

/* Responses read from one connection; bytes past one response stay for the next. */
struct ihttp_reader {
	int fd;
	struct buf in;
	bool eof;
	bool head_request;	/* the next response answers a HEAD: no body */
};

struct ihttp_resp {
	int status;
	char head[8192];	/* the response head, NUL-terminated */
	struct buf body;	/* owned: ihttp_resp_free */
};

/*
 * Reads the next response. Returns 0, -ECONNRESET
 * when the connection ended first, -EAGAIN on the 5 s timeout, -EBADMSG.
 */
int ihttp_read(struct ihttp_reader *r, struct ihttp_resp *out);

/* Returns true when the connection is closed by the peer within timeout_ms (nothing else arrives). */
bool ihttp_closed(struct ihttp_reader *r, int timeout_ms);

/* Connects, sends raw, reads one response, closes. Returns 0 or a negative error. */
int ihttp_exchange(int port, const char *raw, struct ihttp_resp *out);

/* Returns the value of header `name` in resp (a static copy), or NULL. */
const char *ihttp_header(const struct ihttp_resp *resp, const char *name);

void ihttp_resp_free(struct ihttp_resp *resp);

/*
 * A server child on 127.0.0.1:port that answers every request 200 and keeps
 * every connection open, whatever the request says (Connection: close
 * included). It listens before this returns; once the caller closes *stop,
 * it exits with the number of connections it accepted as its status.
 * Returns its pid, or -1.
 */
pid_t ihttp_keepalive_server(int port, int *stop);

/* Runs argv (argv[0] a path) with stdout captured into out; returns the exit status or -1. */
int ihttp_run(char *const argv[], struct buf *out);

#endif
