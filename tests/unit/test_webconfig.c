// SPDX-License-Identifier: GPL-2.0
/* --web-config: parsing, errors that name the problem, bcrypt checks. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <crypt.h>
#include <cmocka.h>
#include "webconfig.h"

static char dir[] = "/tmp/vsva-wc-XXXXXX";
static char hash[128];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int load(const char *text, struct vsva_webconfig *wc, char *err)
{
	char path[256];

	put("web.yml", text);
	snprintf(path, sizeof(path), "%s/web.yml", dir);
	return vsva_webconfig_load(path, wc, err, 512);
}

static int setup(void **st)
{
	char salt[64];
	struct crypt_data cd = { 0 };

	char cmd[512];

	assert_non_null(mkdtemp(dir));
	/* a real pair: the loader parses them for GnuTLS */
	snprintf(cmd, sizeof(cmd), "cd %s && openssl req -x509 -newkey ec "
		 "-pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "
		 "server.key -out server.crt -days 1 -subj /CN=t 2>/dev/null && "
		 "openssl genpkey -algorithm ec -pkeyopt "
		 "ec_paramgen_curve:prime256v1 -out other.key 2>/dev/null",
		 dir);
	assert_int_equal(system(cmd), 0);
	put("fake.crt", "-----BEGIN CERTIFICATE-----\nx\n");
	assert_non_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt,
					 sizeof(salt)));
	snprintf(hash, sizeof(hash), "%s", crypt_r("s3cret", salt, &cd));
	return 0;
}

static int teardown(void **st)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static void test_full(void **st)
{
	struct vsva_webconfig wc;
	char err[512], text[512];

	snprintf(text, sizeof(text), "tls_server_config:\n  cert_file: "
		 "server.crt\n  key_file: server.key\nbasic_auth_users:\n"
		 "  alice: %s\n  bob: '%s'\n", hash, hash);
	assert_int_equal(load(text, &wc, err), 0);
	assert_non_null(strstr(wc.cert_pem, "BEGIN CERTIFICATE"));
	assert_non_null(strstr(wc.key_pem, "PRIVATE KEY"));
	assert_int_equal(wc.nusers, 2);
	assert_true(vsva_webconfig_check(&wc, "alice", "s3cret"));
	assert_true(vsva_webconfig_check(&wc, "alice", "s3cret")); /* cached */
	assert_false(vsva_webconfig_check(&wc, "alice", "s3cre"));
	assert_false(vsva_webconfig_check(&wc, "alice", "s3cret!"));
	assert_false(vsva_webconfig_check(&wc, "carol", "s3cret"));
	assert_false(vsva_webconfig_check(&wc, NULL, NULL));
	assert_true(vsva_webconfig_check(&wc, "bob", "s3cret"));
	/* the cache holds no plaintext, only keyed hashes */
	assert_true(wc.has_good[0] && wc.has_good[1]);
	assert_memory_not_equal(wc.good[0], wc.good[1], VSVA_WC_MAC_LEN);
	vsva_webconfig_free(&wc);
}

/* Unknown users are checked against the costliest hash, not refused at
 * once; that is the user a refusal's time is compared with. */
static void test_dearest(void **st)
{
	struct vsva_webconfig wc;
	char err[512];

	assert_int_equal(load("basic_auth_users:\n"
			      "  a: $2y$04$0123456789012345678901uVbXjJSlqjKnnAqvEdsDRTpRafKOPzu\n"
			      "  b: $2y$12$0123456789012345678901uVbXjJSlqjKnnAqvEdsDRTpRafKOPzu\n"
			      "  c: $2y$07$0123456789012345678901uVbXjJSlqjKnnAqvEdsDRTpRafKOPzu\n",
			      &wc, err), 0);
	assert_int_equal(wc.dearest, 1);
	vsva_webconfig_free(&wc);
}

/* http_server_config.headers: exporter-toolkit's five, kept in order */
static void test_headers(void **st)
{
	struct vsva_webconfig wc;
	char err[512];

	assert_int_equal(load("http_server_config:\n  http2: false\n"
			      "  headers:\n    X-Frame-Options: sameorigin\n"
			      "    Strict-Transport-Security: max-age=31536000\n",
			      &wc, err), 0);
	assert_int_equal(wc.nheaders, 2);
	assert_string_equal(wc.header[0].name, "X-Frame-Options");
	assert_string_equal(wc.header[1].value, "max-age=31536000");
	vsva_webconfig_free(&wc);
}

/* A reload swaps users, headers and the certificate; the old certificate
 * stays until the end; TLS on/off and versions need a restart. */
static void test_swap(void **st)
{
	struct vsva_webconfig wc, next;
	char err[512], text[512];
	struct vsva_tls_cred *first;

	snprintf(text, sizeof(text), "tls_server_config:\n  cert_file: "
		 "server.crt\n  key_file: server.key\nbasic_auth_users:\n"
		 "  alice: %s\n", hash);
	assert_int_equal(load(text, &wc, err), 0);
	first = wc.cred;
	snprintf(text, sizeof(text), "tls_server_config:\n  cert_file: "
		 "server.crt\n  key_file: server.key\nbasic_auth_users:\n"
		 "  bob: %s\nhttp_server_config:\n  headers:\n"
		 "    X-Frame-Options: deny\n", hash);
	assert_int_equal(load(text, &next, err), 0);
	assert_int_equal(vsva_webconfig_swap(&wc, &next, err, sizeof(err)), 0);
	assert_string_equal(wc.user[0], "bob");
	assert_string_equal(next.user[0], "alice");
	assert_int_equal(wc.nheaders, 1);
	assert_ptr_equal(wc.cred->older, first);
	assert_null(next.cred);
	assert_true(vsva_webconfig_check(&wc, "bob", "s3cret"));
	assert_false(vsva_webconfig_check(&wc, "alice", "s3cret"));
	vsva_webconfig_free(&next);
	assert_int_equal(load("tls_server_config:\n  cert_file: server.crt\n"
			      "  key_file: server.key\n  min_version: TLS13\n",
			      &next, err), 0);
	assert_int_equal(vsva_webconfig_swap(&wc, &next, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "TLS versions needs a restart"));
	vsva_webconfig_free(&next);
	assert_int_equal(load("basic_auth_users: {}\n", &next, err), 0);
	assert_int_equal(vsva_webconfig_swap(&wc, &next, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "turning TLS off needs a restart"));
	vsva_webconfig_free(&next);
	vsva_webconfig_free(&wc);
}

/* TLS versions: exporter-toolkit's names, defaults 1.2..1.3, into GnuTLS
 * priority strings */
static void test_versions(void **st)
{
	struct vsva_webconfig wc;
	char err[512], prio[128];

	assert_int_equal(load("basic_auth_users: {}\n", &wc, err), 0);
	assert_int_equal(vsva_webconfig_priorities(&wc, prio, sizeof(prio)), 0);
	assert_string_equal(prio, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
	vsva_webconfig_free(&wc);
	assert_int_equal(load("tls_server_config:\n  min_version: TLS10\n"
			      "  max_version: TLS11\n", &wc, err), 0);
	assert_int_equal(vsva_webconfig_priorities(&wc, prio, sizeof(prio)), 0);
	assert_string_equal(prio, "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0");
	vsva_webconfig_free(&wc);
	assert_int_equal(load("tls_server_config:\n  cert_file: server.crt\n"
			      "  key_file: server.key\n  client_auth_type: "
			      "RequireClientCert\n", &wc, err), 0);
	assert_int_equal(wc.client_auth, VSVA_REQUIRE_ANY_CLIENT_CERT);
	vsva_webconfig_free(&wc);
	assert_int_equal(load("tls_server_config:\n  min_version: TLS14\n",
			      &wc, err), -1);
	assert_non_null(strstr(err, "expected TLS10, TLS11, TLS12 or TLS13"));
}

static void test_errors(void **st)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "tls_server_config:\n  cert_file: server.crt\n",
		  "needs both cert_file and key_file" },
		{ "tls_server_config:\n  cert_file: nope.crt\n  key_file: "
		  "server.key\n", "cannot read" },
		{ "tls_server_config:\n  ca_file: x\n", "unknown key 'ca_file'" },
		{ "tls_server_config:\n  cert_file: fake.crt\n  key_file: "
		  "server.key\n", "cert_file: " },
		{ "tls_server_config:\n  cert_file: server.crt\n  key_file: "
		  "server.crt\n", "key_file: " },
		{ "tls_server_config:\n  cert_file: server.crt\n  key_file: "
		  "other.key\n", "key_file is not the key of cert_file" },
		{ "tls_server_config:\n  cert_file: server.crt\n  key_file: "
		  "server.key\n  client_auth_type: Always\n",
		  "client_auth_type 'Always': expected" },
		{ "tls_server_config:\n  cert_file: server.crt\n  key_file: "
		  "server.key\n  client_ca_file: server.crt\n",
		  "client_ca_file is set without a client_auth_type" },
		{ "tls_server_config:\n  cert_file: server.crt\n  key_file: "
		  "server.key\n  client_auth_type: VerifyClientCertIfGiven\n",
		  "needs client_ca_file" },
		{ "tls_server_config:\n  client_auth_type: RequireAnyClientCert\n",
		  "client certificates need TLS" },
		{ "basic_auth_users:\n  alice: plaintext\n", "bcrypt" },
		{ "rate_limit: {}\n", "unknown key 'rate_limit'" },
		{ "http_server_config:\n  headers:\n    Server: x\n",
		  "header 'Server' can not be configured" },
		{ "http_server_config:\n  headers:\n    X-Frame-Options: foo\n",
		  "X-Frame-Options 'foo': expected deny or sameorigin" },
		{ "http_server_config:\n  headers:\n    X-Content-Type-Options: "
		  "NoSniff\n", "expected nosniff" },
		{ "http_server_config:\n  gzip: true\n", "unknown key 'gzip'" },
		{ "basic_auth_users: [a, b]\n", "expected a mapping" },
		{ "basic_auth_users:\n  alice: [x]\n", "must be a string" },
		{ "basic_auth_users:\n  alice: \"unterminated\n", "line" },
		{ "- just\n- a list\n", "mapping at the top" },
	};
	struct vsva_webconfig wc;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		assert_int_equal(load(cases[i].text, &wc, err), -1);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
				 cases[i].want);
		assert_null(wc.user);	/* freed on error */
	}
}

static void test_missing_file(void **st)
{
	struct vsva_webconfig wc;
	char err[512];

	assert_int_equal(vsva_webconfig_load("/nonexistent/web.yml", &wc, err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read /nonexistent/web.yml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_dearest),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests_name("webconfig", tests, setup, teardown);
}
