/* exec_cred.c - see exec_cred.h */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "k8s/exec_cred.h"

/* An ExecCredential is a few kilobytes; more means the plugin is not one. */
#define EXEC_OUT_MAX (1u << 20)
#define EXEC_ARGS_MAX 64

static void child(const char *cmd, char **argv, json_t *env, const char *info, int out_fd)
{
	json_t *e;
	size_t i;

	dup2(out_fd, STDOUT_FILENO);
	close(out_fd);
	setenv("KUBERNETES_EXEC_INFO", info, 1);
	json_array_foreach(env, i, e) {
		const char *k = json_string_value(json_object_get(e, "name"));
		const char *v = json_string_value(json_object_get(e, "value"));

		if (k && v)
			setenv(k, v, 1);
	}
	execvp(cmd, argv);
	_exit(127);
}

/*
 * The ExecCredential a plugin finds in KUBERNETES_EXEC_INFO (a new string,
 * NULL with errno set when it cannot be built).
 */
static char *exec_info(const char *api)
{
	json_t *doc = json_pack("{s:s, s:s, s:{s:b}}", "apiVersion", api ? api : "client.authentication.k8s.io/v1",
				"kind", "ExecCredential", "spec", "interactive", 0);
	char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

	if (!s)
		errno = doc ? ENOMEM : EINVAL;
	json_decref(doc);
	return s;
}

/* Reads fd to its end, at most EXEC_OUT_MAX bytes, as a string (caller frees); NULL if out of memory. */
static char *read_capped(int fd)
{
	char *out = malloc(EXEC_OUT_MAX + 1);
	size_t len = 0;

	while (out && len < EXEC_OUT_MAX) {
		ssize_t r = read(fd, out + len, EXEC_OUT_MAX - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (out)
		out[len] = '\0';
	return out;
}

/* Runs the plugin and returns its stdout (caller frees), or NULL with err set. */
static char *run_plugin(json_t *exec, const char *dir, char *err, size_t errlen)
{
	const char *cmd = json_string_value(json_object_get(exec, "command"));
	const char *api = json_string_value(json_object_get(exec, "apiVersion"));
	json_t *args = json_object_get(exec, "args"), *a;
	char *argv[EXEC_ARGS_MAX + 2], *info = NULL, *path = NULL, *out = NULL;
	size_t i, n = 0;
	int fds[2], status;
	pid_t pid;

	if (!cmd || !*cmd) {
		snprintf(err, errlen, "exec plugin has no command");
		return NULL;
	}
	if (json_array_size(args) > EXEC_ARGS_MAX) {
		snprintf(err, errlen, "exec plugin '%s': more than %d arguments", cmd, EXEC_ARGS_MAX);
		return NULL;
	}
	/* A command with a slash but not absolute is relative to the kubeconfig. */
	if (strchr(cmd, '/') && cmd[0] != '/' && dir && asprintf(&path, "%s/%s", dir, cmd) > 0)
		cmd = path;
	argv[n++] = (char *)cmd;
	json_array_foreach(args, i, a)
		if (json_is_string(a))
			argv[n++] = (char *)json_string_value(a);
	argv[n] = NULL;
	info = exec_info(api);
	if (!info || pipe2(fds, O_CLOEXEC)) {
		snprintf(err, errlen, "exec plugin '%s': %s", cmd, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid == 0)
		child(cmd, argv, json_object_get(exec, "env"), info, fds[1]);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		snprintf(err, errlen, "exec plugin '%s': %s", cmd, strerror(errno));
		goto out;
	}
	out = read_capped(fds[0]);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!out || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "exec plugin '%s' failed (exit %d)", cmd,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		free(out);
		out = NULL;
	}
out:
	free(info);
	free(path);
	return out;
}

int exec_credential(struct k8s_config *c, json_t *exec, const char *dir, char *err, size_t errlen)
{
	const char *token, *cert, *key;
	json_t *doc, *status;
	json_error_t jerr;
	char *out;

	out = run_plugin(exec, dir, err, errlen);
	if (!out)
		return -EIO;
	doc = json_loads(out, 0, &jerr);
	free(out);
	status = json_object_get(doc, "status");
	token = json_string_value(json_object_get(status, "token"));
	cert = json_string_value(json_object_get(status, "clientCertificateData"));
	key = json_string_value(json_object_get(status, "clientKeyData"));
	if (!token && !(cert && key)) {
		snprintf(err, errlen, "exec plugin answered no ExecCredential status with a token or certificate");
		json_decref(doc);
		return -EPROTO;
	}
	if (token) {
		free(c->token);
		c->token = strdup(token);
	} else {
		free(c->cert_pem);
		free(c->key_pem);
		c->cert_pem = strdup(cert);
		c->key_pem = strdup(key);
	}
	json_decref(doc);
	return 0;
}
