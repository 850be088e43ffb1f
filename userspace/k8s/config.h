/* config.h - where the API server is and how to authenticate to it. */
#ifndef SMIW_K8S_CONFIG_H
#define SMIW_K8S_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define K8S_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/*
 * A resolved connection: every string is owned by the struct (freed by
 * k8s_config_free) and NULL when unset. PEM material is either a path
 * (*_file) or the data itself (*_pem), never both.
 */
struct k8s_config {
	char *server;		/* "https://host:port", no trailing slash */
	char *ca_file, *ca_pem;
	char *cert_file, *cert_pem;	/* client certificate */
	char *key_file, *key_pem;	/* client key */
	char *token;		/* bearer token */
	char *token_file;	/* re-read before each request: bound tokens rotate */
	char *tls_server_name;	/* name to verify instead of the server's host */
	bool insecure;		/* insecure-skip-tls-verify */
	char *namespace;	/* the context's or the pod's namespace */
	char *identity;		/* who we are, for 401/403 messages */
};

/*
 * Fills `c` for a process running in a pod: KUBERNETES_SERVICE_HOST/PORT and
 * the service-account token, CA and namespace under `sa_dir` (NULL for the
 * standard mount). Returns 0, or -errno with the reason in err.
 */
int k8s_config_in_cluster(struct k8s_config *c, const char *sa_dir, char *err, size_t errlen);

/*
 * Fills `c` from a kubeconfig: `paths` is one file or a colon-separated
 * list (the first file defining a name wins, as kubectl merges them),
 * `context` NULL means current-context. Relative file references resolve
 * against the file that names them; exec credential plugins are run.
 * Returns 0, or -errno with "file: what is wrong" in err.
 */
int k8s_config_kubeconfig(struct k8s_config *c, const char *paths, const char *context,
			  char *err, size_t errlen);

/*
 * Picks a configuration the way kubectl does: `kubeconfig` when given, else
 * $KUBECONFIG, else ~/.kube/config when it exists, else in-cluster.
 * Returns 0 or -errno with the reason in err.
 */
int k8s_config_auto(struct k8s_config *c, const char *kubeconfig, const char *context,
		    char *err, size_t errlen);

/* Releases every string of `c` (NULL-safe) and zeroes it. */
void k8s_config_free(struct k8s_config *c);

/*
 * Returns the `sub` claim of a JWT bearer token ("system:serviceaccount:
 * ns:name") as a new string, or NULL when the token is not a JWT.
 */
char *k8s_token_subject(const char *token);

/* Reads a whole small file into a new NUL-terminated string, trailing newlines cut; NULL + errno on failure. */
char *k8s_read_small_file(const char *path);

#endif
