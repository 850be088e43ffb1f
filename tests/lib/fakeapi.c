/* fakeapi.c - see fakeapi.h */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "fakeapi.h"

/* --- certificates ---------------------------------------------------------- */

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -1;
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return 0;
}

/* Makes a certificate for `key` named `cn`, signed by (issuer, ikey) or self-signed when NULL. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *org, X509 *issuer,
		       EVP_PKEY *ikey, bool ca, const char *san, long serial)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();

	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400);
	X509_set_pubkey(c, key);
	if (org)
		X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	X509_NAME_free(name);
	if (add_ext(c, issuer ? issuer : c, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE") ||
	    add_ext(c, issuer ? issuer : c, NID_key_usage,
		    ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment") ||
	    (san && add_ext(c, issuer ? issuer : c, NID_subject_alt_name, san)) ||
	    !X509_sign(c, ikey ? ikey : key, EVP_sha256())) {
		X509_free(c);
		return NULL;
	}
	return c;
}

static int write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = cert ? PEM_write_X509(f, cert) : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	return ok ? 0 : -1;
}

int fakeapi_certs(struct fake_certs *k)
{
	EVP_PKEY *cakey = EVP_EC_gen("P-256"), *skey = EVP_EC_gen("P-256");
	EVP_PKEY *ckey = EVP_EC_gen("P-256"), *okey = EVP_EC_gen("P-256");
	X509 *ca = NULL, *srv = NULL, *cli = NULL, *other = NULL;
	int r = -1;

	snprintf(k->dir, sizeof(k->dir), "/tmp/smiw-fakeapi-XXXXXX");
	if (!mkdtemp(k->dir) || !cakey || !skey || !ckey || !okey)
		goto out;
	snprintf(k->ca, sizeof(k->ca), "%s/ca.crt", k->dir);
	snprintf(k->server_crt, sizeof(k->server_crt), "%s/server.crt", k->dir);
	snprintf(k->server_key, sizeof(k->server_key), "%s/server.key", k->dir);
	snprintf(k->client_crt, sizeof(k->client_crt), "%s/client.crt", k->dir);
	snprintf(k->client_key, sizeof(k->client_key), "%s/client.key", k->dir);
	snprintf(k->other_ca, sizeof(k->other_ca), "%s/other-ca.crt", k->dir);
	ca = make_cert(cakey, "smiw-test-ca", NULL, NULL, NULL, true, NULL, 1);
	other = make_cert(okey, "smiw-other-ca", NULL, NULL, NULL, true, NULL, 2);
	srv = ca ? make_cert(skey, "kube-apiserver", NULL, ca, cakey, false,
			     "IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc", 3) : NULL;
	cli = ca ? make_cert(ckey, "test-user", "system:masters", ca, cakey, false, NULL, 4) : NULL;
	if (!ca || !other || !srv || !cli ||
	    write_pem(k->ca, ca, NULL) || write_pem(k->other_ca, other, NULL) ||
	    write_pem(k->server_crt, srv, NULL) || write_pem(k->server_key, NULL, skey) ||
	    write_pem(k->client_crt, cli, NULL) || write_pem(k->client_key, NULL, ckey))
		goto out;
	r = 0;
out:
	X509_free(ca);
	X509_free(srv);
	X509_free(cli);
	X509_free(other);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(skey);
	EVP_PKEY_free(ckey);
	EVP_PKEY_free(okey);
	return r;
}

void fakeapi_certs_remove(struct fake_certs *k)
{
	const char *files[] = { k->ca, k->server_crt, k->server_key, k->client_crt, k->client_key,
				k->other_ca };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i][0])
			unlink(files[i]);
	if (k->dir[0])
		rmdir(k->dir);
}

/* --- server ---------------------------------------------------------------- */

static void ssl_printf(SSL *ssl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ssl_printf(SSL *ssl, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		SSL_write(ssl, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 410: return "Gone";
	default: return "Error";
	}
}

static struct fake_route *pick(struct fake_api *api, const char *target)
{
	for (size_t i = 0; i < api->nroutes; i++) {
		struct fake_route *r = &api->routes[i];

		if (strstr(target, r->match) && (!r->uses || r->used < r->uses)) {
			r->used++;
			return r;
		}
	}
	return NULL;
}

static void answer(struct fake_api *api, SSL *ssl, const char *target)
{
	static const char not_found[] = "{\"kind\":\"Status\",\"code\":404,\"message\":\"no route\"}";
	struct fake_route *r;

	pthread_mutex_lock(&api->mu);
	r = pick(api, target);
	pthread_mutex_unlock(&api->mu);
	if (!r || !r->chunks) {
		const char *body = r ? r->body : not_found;
		int status = r ? r->status : 404;

		ssl_printf(ssl, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
			   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			   status, reason(status), strlen(body), body);
		return;
	}
	ssl_printf(ssl, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
		   "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n", r->status, reason(r->status));
	for (const char *const *c = r->chunks; *c; c++) {
		ssl_printf(ssl, "%zx\r\n%s\r\n", strlen(*c), *c);
		usleep(20000);	/* separate reads: the client must join split objects */
	}
	if (!r->drop)
		ssl_printf(ssl, "0\r\n\r\n");
}

/* Reads the request head; returns 0 with the target, auth header and client CN recorded. */
static int read_request(struct fake_api *api, SSL *ssl)
{
	char head[8192], target[1024] = "", auth[512] = "", cn[128] = "", xtok[128] = "", *line, *save;
	size_t len = 0;
	X509 *peer;
	unsigned idx;

	while (len + 1 < sizeof(head)) {
		int n = SSL_read(ssl, head + len, (int)(sizeof(head) - 1 - len));

		if (n <= 0)
			return -1;
		len += (size_t)n;
		head[len] = '\0';
		if (strstr(head, "\r\n\r\n"))
			break;
	}
	if (sscanf(head, "GET %1023s HTTP/1.1", target) != 1)
		return -1;
	for (line = strtok_r(head, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
		if (!strncasecmp(line, "Authorization: ", 15))
			snprintf(auth, sizeof(auth), "%s", line + 15);
		else if (!strncasecmp(line, "X-Smiw-Token: ", 14))
			snprintf(xtok, sizeof(xtok), "%s", line + 14);
	peer = SSL_get1_peer_certificate(ssl);
	if (peer) {
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof(cn));
		X509_free(peer);
	}
	pthread_mutex_lock(&api->mu);
	idx = api->nreq < FAKEAPI_MAX_REQ ? api->nreq++ : FAKEAPI_MAX_REQ - 1;
	snprintf(api->target[idx], sizeof(api->target[idx]), "%s", target);
	snprintf(api->auth[idx], sizeof(api->auth[idx]), "%s", auth);
	snprintf(api->client_cn[idx], sizeof(api->client_cn[idx]), "%s", cn);
	snprintf(api->xtoken[idx], sizeof(api->xtoken[idx]), "%s", xtok);
	pthread_mutex_unlock(&api->mu);
	answer(api, ssl, target);
	return 0;
}

static void *serve(void *arg)
{
	struct fake_api *api = arg;

	while (api->running) {
		struct pollfd p = { .fd = api->lfd, .events = POLLIN };
		SSL *ssl;
		int fd;

		if (poll(&p, 1, 100) <= 0)
			continue;
		fd = accept(api->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		ssl = SSL_new(api->ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) != 1)
			ERR_print_errors_fp(stderr);
		else if (!read_request(api, ssl))
			SSL_shutdown(ssl);
		SSL_free(ssl);
		close(fd);
	}
	return NULL;
}

int fakeapi_start(struct fake_api *api, const struct fake_certs *k, struct fake_route *routes,
		  size_t nroutes)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	SSL_CTX *ctx;

	memset(api, 0, sizeof(*api));
	/* A client that hangs up mid-stream (a stopped watch) must not kill the test with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	api->routes = routes;
	api->nroutes = nroutes;
	pthread_mutex_init(&api->mu, NULL);
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_file(ctx, k->server_crt, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, k->server_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, k->ca, NULL) != 1) {
		ERR_print_errors_fp(stderr);
		SSL_CTX_free(ctx);
		return -1;
	}
	/* Like the API server: ask for a client certificate, accept requests without one. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"fakeapi", 7);
	api->ctx = ctx;
	api->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (api->lfd < 0 || bind(api->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(api->lfd, 16) || getsockname(api->lfd, (struct sockaddr *)&sa, &sl)) {
		perror("fakeapi: listen");
		return -1;
	}
	api->port = ntohs(sa.sin_port);
	api->running = true;
	if (pthread_create(&api->thread, NULL, serve, api)) {
		api->running = false;
		return -1;
	}
	return 0;
}

void fakeapi_stop(struct fake_api *api)
{
	if (api->running) {
		api->running = false;
		pthread_join(api->thread, NULL);
	}
	if (api->lfd > 0)
		close(api->lfd);
	SSL_CTX_free(api->ctx);
	api->ctx = NULL;
}

int fakeapi_find(struct fake_api *api, unsigned from, const char *needle)
{
	int found = -1;

	pthread_mutex_lock(&api->mu);
	for (unsigned i = from; i < api->nreq && found < 0; i++)
		if (strstr(api->target[i], needle))
			found = (int)i;
	pthread_mutex_unlock(&api->mu);
	return found;
}
