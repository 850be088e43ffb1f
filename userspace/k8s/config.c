/* config.c - see config.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "util/b64.h"
#include "k8s/config.h"
#include "k8s/exec_cred.h"
#include "util/file.h"
#include "util/yaml_json.h"

/* Refuse anything larger: a token, a CA bundle or a kubeconfig is far smaller. */
#define SMALL_FILE_MAX (4u << 20)

char *k8s_read_small_file(const char *path)
{
	char *buf;
	size_t n;
	int r = file_read_all(path, SMALL_FILE_MAX, &buf, &n);

	if (r) {
		errno = -r;
		return NULL;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return buf;
}

void k8s_config_free(struct k8s_config *c)
{
	if (!c)
		return;
	free(c->server);
	free(c->ca_file);
	free(c->ca_pem);
	free(c->cert_file);
	free(c->cert_pem);
	free(c->key_file);
	free(c->key_pem);
	free(c->token);
	free(c->token_file);
	free(c->tls_server_name);
	free(c->namespace);
	free(c->identity);
	memset(c, 0, sizeof(*c));
}

char *k8s_token_subject(const char *token)
{
	const char *dot1, *dot2;
	char *payload, *sub = NULL;
	json_t *claims;
	size_t len;

	if (!token || !(dot1 = strchr(token, '.')) || !(dot2 = strchr(dot1 + 1, '.')))
		return NULL;
	payload = b64_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &len);
	if (!payload)
		return NULL;
	claims = json_loadb(payload, len, 0, NULL);
	free(payload);
	if (json_is_string(json_object_get(claims, "sub")))
		sub = strdup(json_string_value(json_object_get(claims, "sub")));
	json_decref(claims);
	return sub;
}

static int set_err(char *err, size_t errlen, int r, const char *fmt, const char *a, const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return r;
}

int k8s_config_in_cluster(struct k8s_config *c, const char *sa_dir, char *err, size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	char path[4096];
	char *token, *sub;

	memset(c, 0, sizeof(*c));
	if (!sa_dir)
		sa_dir = K8S_SA_DIR;
	if (!host || !*host || !port || !*port)
		return set_err(err, errlen, -ENOENT,
			       "not in a pod: KUBERNETES_SERVICE_HOST/PORT are not set%s%s", "", "");
	snprintf(path, sizeof(path), "%s/token", sa_dir);
	token = k8s_read_small_file(path);
	if (!token)
		return set_err(err, errlen, -errno ? -errno : -EIO, "cannot read '%s': %s", path,
			       strerror(errno));
	/* An IPv6 service address needs brackets in a URL. */
	if (asprintf(&c->server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s",
		     host, port) < 0)
		c->server = NULL;
	c->token_file = strdup(path);
	snprintf(path, sizeof(path), "%s/ca.crt", sa_dir);
	c->ca_file = strdup(path);
	snprintf(path, sizeof(path), "%s/namespace", sa_dir);
	c->namespace = k8s_read_small_file(path);
	sub = k8s_token_subject(token);
	if (asprintf(&c->identity, "%s", sub ? sub : "the pod's service account") < 0)
		c->identity = NULL;
	free(sub);
	c->token = token;
	if (!c->server || !c->token_file || !c->ca_file || !c->identity) {
		k8s_config_free(c);
		return set_err(err, errlen, -ENOMEM, "out of memory%s%s", "", "");
	}
	return 0;
}

/* --- kubeconfig ------------------------------------------------------------ */

struct kfile {
	char *path;
	char *dir;	/* relative references resolve here */
	json_t *doc;
};

/* Returns entry[key] of the named element of list `kind` ("clusters"...) in the first file that has it. */
static json_t *find_named(struct kfile *files, int n, const char *kind, const char *name,
			  const char *key, struct kfile **from)
{
	for (int i = 0; i < n; i++) {
		json_t *list = json_object_get(files[i].doc, kind), *e;
		size_t j;

		json_array_foreach(list, j, e) {
			if (json_is_string(json_object_get(e, "name")) &&
			    !strcmp(json_string_value(json_object_get(e, "name")), name)) {
				*from = &files[i];
				return json_object_get(e, key);
			}
		}
	}
	return NULL;
}

static const char *str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static char *resolve_path(const struct kfile *f, const char *p)
{
	char *out;

	if (!p)
		return NULL;
	if (p[0] == '/' || !f->dir)
		return strdup(p);
	if (asprintf(&out, "%s/%s", f->dir, p) < 0)
		return NULL;
	return out;
}

/* Sets *pem from `key`-data (base64) or *file from `key` (a path); -EINVAL on bad base64. */
static int pem_field(const struct kfile *f, json_t *o, const char *key, char **file, char **pem)
{
	char datakey[64];
	const char *data, *path;
	size_t len;

	snprintf(datakey, sizeof(datakey), "%s-data", key);
	data = str_of(o, datakey);
	path = str_of(o, key);
	if (data && *data) {
		*pem = b64_decode(data, strlen(data), &len);
		return *pem ? 0 : -EINVAL;
	}
	if (path && *path)
		*file = resolve_path(f, path);
	return 0;
}

/* Frees the n files of a list that load_files() built. */
static void free_files(struct kfile *files, int n)
{
	for (int i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].dir);
		json_decref(files[i].doc);
	}
	free(files);
}

/* Fills f for the document doc read from path (f owns doc); dir is NULL for a bare name. */
static void kfile_init(struct kfile *f, const char *path, json_t *doc)
{
	char *slash;

	f->path = strdup(path);
	f->doc = doc;
	f->dir = strdup(path);
	slash = f->dir ? strrchr(f->dir, '/') : NULL;
	if (slash) {
		*slash = '\0';
	} else {
		free(f->dir);
		f->dir = NULL;
	}
}

static int load_files(const char *paths, struct kfile **out, int *n, char *err, size_t errlen)
{
	char *list = strdup(paths), *save = NULL, *p;
	struct kfile *files = NULL;
	char yerr[400];
	int cnt = 0;

	if (!list)
		return -ENOMEM;
	for (p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		struct kfile *grown;
		json_t *doc;

		/* kubectl skips missing files of a list, but not broken ones. */
		if (strchr(paths, ':') && access(p, F_OK) && errno == ENOENT)
			continue;
		doc = yaml_json_load_first(p, yerr, sizeof(yerr));
		if (!doc) {
			snprintf(err, errlen, "cannot load kubeconfig '%s': %s", p, yerr);
			goto fail;
		}
		grown = realloc(files, sizeof(*files) * (size_t)(cnt + 1));
		if (!grown) {
			json_decref(doc);
			goto fail;
		}
		files = grown;
		kfile_init(&files[cnt], p, doc);
		if (!json_is_object(doc)) {
			snprintf(err, errlen, "cannot load kubeconfig '%s': not a mapping", p);
			cnt++;
			goto fail;
		}
		cnt++;
	}
	free(list);
	if (!cnt) {
		snprintf(err, errlen, "no kubeconfig file found in '%s'", paths);
		free(files);
		return -ENOENT;
	}
	*out = files;
	*n = cnt;
	return 0;
fail:
	free(list);
	free_files(files, cnt);
	return -EINVAL;
}

static int fill_cluster(struct k8s_config *c, struct kfile *f, json_t *cl, char *err, size_t errlen)
{
	const char *server = str_of(cl, "server"), *sni = str_of(cl, "tls-server-name");
	size_t len;

	if (!server || !*server)
		return set_err(err, errlen, -EINVAL, "kubeconfig '%s': cluster has no server%s",
			       f->path, "");
	len = strlen(server);
	while (len && server[len - 1] == '/')
		len--;
	c->server = strndup(server, len);
	c->insecure = json_is_true(json_object_get(cl, "insecure-skip-tls-verify"));
	if (sni)
		c->tls_server_name = strdup(sni);
	if (pem_field(f, cl, "certificate-authority", &c->ca_file, &c->ca_pem))
		return set_err(err, errlen, -EINVAL,
			       "kubeconfig '%s': certificate-authority-data is not base64%s", f->path, "");
	return 0;
}

static int fill_user(struct k8s_config *c, struct kfile *f, json_t *u, const char *uname,
		     char *err, size_t errlen)
{
	const char *tok = str_of(u, "token"), *tokfile = str_of(u, "tokenFile");
	json_t *exec = json_object_get(u, "exec");

	if (pem_field(f, u, "client-certificate", &c->cert_file, &c->cert_pem) ||
	    pem_field(f, u, "client-key", &c->key_file, &c->key_pem))
		return set_err(err, errlen, -EINVAL,
			       "kubeconfig '%s': user '%s': client certificate/key data is not base64",
			       f->path, uname);
	if (tok && *tok)
		c->token = strdup(tok);
	else if (tokfile && *tokfile)
		c->token_file = resolve_path(f, tokfile);
	if (json_object_get(u, "auth-provider"))
		return set_err(err, errlen, -ENOTSUP,
			       "kubeconfig '%s': user '%s': legacy auth-provider is not supported (use an exec plugin)",
			       f->path, uname);
	if (json_is_object(exec))
		return exec_credential(c, exec, f->dir, err, errlen);
	return 0;
}

int k8s_config_kubeconfig(struct k8s_config *c, const char *paths, const char *context,
			  char *err, size_t errlen)
{
	struct kfile *files = NULL, *from = NULL;
	json_t *ctx, *cl, *u;
	const char *cname, *uname, *ns;
	int n = 0, r;

	memset(c, 0, sizeof(*c));
	r = load_files(paths, &files, &n, err, errlen);
	if (r)
		return r;
	if (!context)
		for (int i = 0; i < n && !context; i++)
			context = str_of(files[i].doc, "current-context");
	if (!context || !*context) {
		r = set_err(err, errlen, -EINVAL, "kubeconfig '%s': no current-context (pass --context)%s",
			    paths, "");
		goto out;
	}
	ctx = find_named(files, n, "contexts", context, "context", &from);
	if (!json_is_object(ctx)) {
		r = set_err(err, errlen, -ENOENT, "kubeconfig '%s': no context named '%s'", paths, context);
		goto out;
	}
	cname = str_of(ctx, "cluster");
	uname = str_of(ctx, "user");
	ns = str_of(ctx, "namespace");
	cl = cname ? find_named(files, n, "clusters", cname, "cluster", &from) : NULL;
	if (!json_is_object(cl)) {
		r = set_err(err, errlen, -ENOENT, "kubeconfig: context '%s' names no known cluster '%s'",
			    context, cname ? cname : "");
		goto out;
	}
	r = fill_cluster(c, from, cl, err, errlen);
	if (r)
		goto out;
	if (uname) {
		u = find_named(files, n, "users", uname, "user", &from);
		if (!json_is_object(u)) {
			r = set_err(err, errlen, -ENOENT, "kubeconfig: context '%s' names no known user '%s'",
				    context, uname);
			goto out;
		}
		r = fill_user(c, from, u, uname, err, errlen);
		if (r)
			goto out;
	}
	c->namespace = strdup(ns && *ns ? ns : "default");
	if (asprintf(&c->identity, "user '%s' of context '%s'", uname ? uname : "(none)", context) < 0)
		c->identity = NULL;
out:
	free_files(files, n);
	if (r)
		k8s_config_free(c);
	return r;
}

int k8s_config_auto(struct k8s_config *c, const char *kubeconfig, const char *context,
		    char *err, size_t errlen)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
	char path[4096];
	struct stat st;

	if (kubeconfig && *kubeconfig)
		return k8s_config_kubeconfig(c, kubeconfig, context, err, errlen);
	if (env && *env)
		return k8s_config_kubeconfig(c, env, context, err, errlen);
	if (home) {
		snprintf(path, sizeof(path), "%s/.kube/config", home);
		if (!stat(path, &st))
			return k8s_config_kubeconfig(c, path, context, err, errlen);
	}
	return k8s_config_in_cluster(c, NULL, err, errlen);
}
