/* test_k8s_kubeconfig - kubeconfig resolution: contexts, data vs files, tokens, exec plugins, merging, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "k8s/config.h"

#define FIX "tests/fixtures/k8s/"

static const char *nz(const char *s)
{
	return s ? s : "(null)";
}

static void test_resolve(void **state)
{
	static const struct {
		const char *desc, *paths, *context;
		int ret;
		const char *server, *ca_file, *ca_pem, *cert_file, *cert_pem, *key_file, *key_pem;
		const char *token, *token_file, *sni, *ns, *identity;
		bool insecure;
	} cases[] = {
		{ "kind: current context, embedded data", FIX "kubeconfig-kind.yaml", NULL, 0,
		  "https://127.0.0.1:40123", NULL, "test CA bundle\n", NULL, "client cert\n", NULL,
		  "client key\n", NULL, NULL, NULL, "default", "user 'kind-smiw' of context 'kind-smiw'", false },
		{ "named context, token, insecure, trailing slash cut", FIX "kubeconfig-kind.yaml", "staging", 0,
		  "https://staging.example.test:6443", NULL, NULL, NULL, NULL, NULL, NULL, "t0ken-abc.def",
		  NULL, "api.staging.internal", "mesh-tests", "user 'deployer' of context 'staging'", true },
		{ "relative files resolve against the kubeconfig", FIX "kubeconfig-files.yaml", NULL, 0,
		  "https://[fd00::1]:6443", FIX "certs/ca.crt", NULL, "/etc/abs/client.crt", NULL,
		  FIX "certs/client.key", NULL, NULL, FIX "tokens/t", NULL, "smi",
		  "user 'files-user' of context 'files'", false },
		{ "exec plugin token", FIX "kubeconfig-exec.yaml", NULL, 0, "https://cloud.example.test", NULL,
		  "test CA\n", NULL, NULL, NULL, NULL, "exec-token-42", NULL, NULL, "default",
		  "user 'iam' of context 'cloud'", false },
		{ "merged list: first file wins, names found across files",
		  FIX "kubeconfig-merge-a.yaml:" FIX "missing.yaml:" FIX "kubeconfig-merge-b.yaml", NULL, 0,
		  "https://a.test:6443", NULL, NULL, NULL, NULL, NULL, NULL, "b-token", NULL, NULL, "default",
		  "user 'from-b' of context 'merged'", false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct k8s_config c;
		char err[256] = "";
		int r = k8s_config_kubeconfig(&c, cases[i].paths, cases[i].context, err, sizeof(err));

		print_message("%s: %s\n", cases[i].desc, err);
		assert_int_equal(r, cases[i].ret);
		assert_string_equal(nz(c.server), nz(cases[i].server));
		assert_string_equal(nz(c.ca_file), nz(cases[i].ca_file));
		assert_string_equal(nz(c.ca_pem), nz(cases[i].ca_pem));
		assert_string_equal(nz(c.cert_file), nz(cases[i].cert_file));
		assert_string_equal(nz(c.cert_pem), nz(cases[i].cert_pem));
		assert_string_equal(nz(c.key_file), nz(cases[i].key_file));
		assert_string_equal(nz(c.key_pem), nz(cases[i].key_pem));
		assert_string_equal(nz(c.token), nz(cases[i].token));
		assert_string_equal(nz(c.token_file), nz(cases[i].token_file));
		assert_string_equal(nz(c.tls_server_name), nz(cases[i].sni));
		assert_string_equal(nz(c.namespace), nz(cases[i].ns));
		assert_string_equal(nz(c.identity), nz(cases[i].identity));
		assert_int_equal(c.insecure, cases[i].insecure);
		k8s_config_free(&c);
	}
}

static void test_errors(void **state)
{
	static const struct {
		const char *paths, *context;
		int ret;
		const char *msg;
	} cases[] = {
		{ FIX "kubeconfig-kind.yaml", "nope", -ENOENT,
		  "kubeconfig '" FIX "kubeconfig-kind.yaml': no context named 'nope'" },
		{ FIX "kubeconfig-no-context.yaml", NULL, -EINVAL,
		  "kubeconfig '" FIX "kubeconfig-no-context.yaml': no current-context (pass --context)" },
		{ FIX "kubeconfig-bad-data.yaml", NULL, -EINVAL,
		  "kubeconfig '" FIX "kubeconfig-bad-data.yaml': certificate-authority-data is not base64" },
		{ FIX "kubeconfig-exec-fails.yaml", NULL, -EIO, "exec plugin 'sh' failed (exit 3)" },
		{ FIX "missing.yaml", NULL, -EINVAL,
		  "cannot load kubeconfig '" FIX "missing.yaml': No such file or directory" },
		{ FIX "pods-page1.json:" FIX "missing.yaml", NULL, -EINVAL,
		  "kubeconfig '" FIX "pods-page1.json:" FIX "missing.yaml': no current-context (pass --context)" },
		{ FIX "watch-events.jsonl", NULL, -EINVAL, NULL },	/* several documents: a YAML error */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct k8s_config c;
		char err[256] = "";

		assert_int_equal(k8s_config_kubeconfig(&c, cases[i].paths, cases[i].context, err, sizeof(err)),
				 cases[i].ret);
		if (cases[i].msg)
			assert_string_equal(err, cases[i].msg);
		else
			assert_non_null(strstr(err, "line "));
		assert_null(c.server);
	}
}

static void test_token_subject(void **state)
{
	char *s;

	(void)state;
	/* payload {"sub":"system:serviceaccount:ns:sa","iss":"x"} in base64url without padding */
	s = k8s_token_subject("e30.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bnM6c2EiLCJpc3MiOiJ4In0.sig");
	assert_string_equal(nz(s), "system:serviceaccount:ns:sa");
	free(s);
	assert_null(k8s_token_subject("opaque-token"));
	assert_null(k8s_token_subject("a.!!!.c"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_token_subject),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
