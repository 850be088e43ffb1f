/* exec_cred.h - kubeconfig exec credential plugins (client.authentication.k8s.io). */
#ifndef SMIW_K8S_EXEC_CRED_H
#define SMIW_K8S_EXEC_CRED_H

#include <stddef.h>
#include <jansson.h>

#include "k8s/config.h"

/*
 * Runs the plugin described by the kubeconfig `exec` object (command, args,
 * env, apiVersion) with `dir` as the base of a relative command, and puts the
 * token or client certificate/key of its ExecCredential answer into `c`.
 * Returns 0, or -errno with the reason in err.
 */
int exec_credential(struct k8s_config *c, json_t *exec, const char *dir, char *err, size_t errlen);

#endif
