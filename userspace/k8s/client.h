/* client.h - requests to the Kubernetes API server (http/curl + jansson). */
#ifndef SMIW_K8S_CLIENT_H
#define SMIW_K8S_CLIENT_H

#include <signal.h>
#include <stddef.h>
#include <jansson.h>

#include "http/curl.h"
#include "k8s/config.h"

/* Largest single response (a list page, one watch event) the client accepts. */
#define K8S_MAX_OBJECT (32u << 20)

/*
 * One connection to the API server. Not thread-safe: one thread per client.
 * Every call returns 0 or a negative errno and leaves a one-line reason in
 * `err`: -EACCES (401/403: names the request and the identity), -ENOENT
 * (404), -EEXIST (409 Conflict), -ESTALE (410 Gone: the resourceVersion is
 * too old), -ETIMEDOUT,
 * -ECONNRESET (transport failure or a stream cut short), -EPROTO (not the
 * JSON expected), -EINTR (the stop flag was raised), -EIO (other statuses).
 */
struct k8s_client {
	const struct k8s_config *cfg;	/* borrowed */
	struct hcurl http;	/* one connection, reused from call to call */
	long connect_timeout_s;	/* default 10 */
	long request_timeout_s;	/* whole request for non-streaming calls; default 60 */
	volatile sig_atomic_t *stop;	/* optional: raised -> calls return -EINTR */
	const char *extra_header;	/* optional "Name: value" sent with every request */
	long last_status;	/* HTTP status of the last response, 0 when none */
	char err[1024];
};

/* Prepares a client for `cfg` (which must outlive it). Returns 0 or -ENOMEM. */
int k8s_client_init(struct k8s_client *c, const struct k8s_config *cfg);

/* Releases the client (NULL-safe). */
void k8s_client_free(struct k8s_client *c);

/*
 * GETs `path` (with its query) and parses the JSON answer into *out (new
 * reference). `what` names the request in errors ("list pods").
 */
int k8s_get_json(struct k8s_client *c, const char *what, const char *path, json_t **out);

/*
 * Sends `method` ("PATCH", "DELETE", "POST", ...) to `path` with `body`
 * (NULL: none) of type `content_type`. With `out`, a JSON answer is parsed
 * into *out (new reference; NULL when the answer is empty). Any 2xx status
 * is success. `what` names the request in errors ("apply pod ns/app-a").
 */
int k8s_request(struct k8s_client *c, const char *what, const char *method, const char *path,
		const char *content_type, const char *body, json_t **out);

/*
 * As k8s_request(), keeping the answer as it came: *out (caller frees, NUL
 * terminated; NULL when empty) of *len bytes. For documents that are not
 * JSON, such as a Prometheus exposition read through a proxy.
 */
int k8s_request_raw(struct k8s_client *c, const char *what, const char *method, const char *path,
		    const char *content_type, const char *body, char **out, size_t *len);

/* Called for each object of a stream; a non-zero return ends the stream and is returned. */
typedef int (*k8s_object_fn)(void *arg, json_t *obj);

/*
 * GETs a streaming `path` (a watch) and calls `fn` for each JSON object as it
 * arrives, never holding more than one. Returns 0 when the server ended the
 * stream cleanly, fn's non-zero result, or an error as above; `timeout_s`
 * bounds the whole stream.
 */
int k8s_stream(struct k8s_client *c, const char *what, const char *path, long timeout_s,
	       k8s_object_fn fn, void *arg);

/* Percent-encodes `s` for a query value into a new string (caller frees); NULL on ENOMEM. */
char *k8s_query_escape(const char *s);

#endif
