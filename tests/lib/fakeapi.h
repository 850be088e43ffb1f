/* fakeapi.h - a scripted HTTPS server standing in for the Kubernetes API server in tests. */
#ifndef SMIW_FAKEAPI_H
#define SMIW_FAKEAPI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define FAKEAPI_MAX_REQ 64

/*
 * One scripted answer. The first route whose `match` is a substring of the
 * request target ("/path?query") and whose uses are not spent answers.
 * `body` is sent whole with Content-Length; `chunks` (NULL-terminated) are
 * sent with chunked encoding, a pause between them, and without the final
 * zero chunk when `drop` is set (a stream cut short).
 */
struct fake_route {
	const char *match;
	int status;
	const char *body;
	const char *const *chunks;
	bool drop;
	unsigned uses;		/* 0: unlimited */
	unsigned used;
};

/* Certificates and keys written by fakeapi_certs() into `dir`. */
struct fake_certs {
	char dir[256];
	char ca[300], server_crt[300], server_key[300], client_crt[300], client_key[300];
	char other_ca[300];	/* a CA that signed nothing: verification must fail with it */
};

struct fake_api {
	int lfd, port;
	void *ctx;		/* SSL_CTX */
	pthread_t thread;
	bool running;
	struct fake_route *routes;
	size_t nroutes;
	pthread_mutex_t mu;
	unsigned nreq;
	char target[FAKEAPI_MAX_REQ][1024];	/* request targets in order */
	char auth[FAKEAPI_MAX_REQ][512];	/* their Authorization headers */
	char xtoken[FAKEAPI_MAX_REQ][128];	/* their X-Smiw-Token headers */
	char client_cn[FAKEAPI_MAX_REQ][128];	/* CN of the client certificate, when one */
};

/*
 * Creates a throw-away CA, a server certificate for 127.0.0.1/localhost and a
 * client certificate (CN "test-user", O "system:masters") under a new
 * directory in /tmp. Returns 0 or -1.
 */
int fakeapi_certs(struct fake_certs *certs);

/* Removes the files and directory of fakeapi_certs(). */
void fakeapi_certs_remove(struct fake_certs *certs);

/*
 * Starts serving `routes` on 127.0.0.1 (an ephemeral port, in api->port) in
 * a thread; client certificates are verified against the CA when given.
 * Returns 0 or -1.
 */
int fakeapi_start(struct fake_api *api, const struct fake_certs *certs, struct fake_route *routes,
		  size_t nroutes);

/* Stops the thread and frees the server. */
void fakeapi_stop(struct fake_api *api);

/* Index of the first request (from `from`) whose target contains `needle`, or -1. */
int fakeapi_find(struct fake_api *api, unsigned from, const char *needle);

#endif
