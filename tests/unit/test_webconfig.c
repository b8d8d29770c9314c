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
#include <gnutls/gnutls.h>
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

	char cmd[1024];

	assert_non_null(mkdtemp(dir));
	/* a real pair: the loader parses them for GnuTLS */
	snprintf(cmd, sizeof(cmd), "cd %s && openssl req -x509 -newkey ec "
		 "-pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "
		 "server.key -out server.crt -days 1 -subj /CN=t 2>/dev/null && "
		 "openssl genpkey -algorithm ec -pkeyopt "
		 "ec_paramgen_curve:prime256v1 -out other.key 2>/dev/null && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:"
		 "prime256v1 -nodes -keyout client.key -outform DER -out "
		 "client.der -days 1 -subj /CN=c -addext subjectAltName="
		 "DNS:a.example,IP:10.0.0.1,email:ops@example.org,"
		 "URI:spiffe://t/prom,IP:2001:db8:0:0:0:0:0:1 2>/dev/null",
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
 * is freed with its last reference; TLS on/off and versions need a
 * restart. */
static void test_swap(void **st)
{
	struct vsva_webconfig wc, next;
	char err[512], text[512];
	unsigned long live0 = vsva_tls_creds_live();
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
	/* the old pair goes with @next; a session's reference keeps it
	 * after that, and the last reference frees it */
	assert_ptr_equal(next.cred, first);
	assert_ptr_not_equal(wc.cred, first);
	assert_int_equal(vsva_tls_creds_live(), live0 + 2);
	assert_true(vsva_webconfig_check(&wc, "bob", "s3cret"));
	assert_false(vsva_webconfig_check(&wc, "alice", "s3cret"));
	vsva_tls_cred_get(first);
	vsva_webconfig_free(&next);
	assert_int_equal(vsva_tls_creds_live(), live0 + 2);
	vsva_tls_cred_put(first);
	assert_int_equal(vsva_tls_creds_live(), live0 + 1);
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
	assert_int_equal(vsva_tls_creds_live(), live0);
}

/* TLS versions: exporter-toolkit's names, defaults 1.2..1.3, into GnuTLS
 * priority strings */
static void test_versions(void **st)
{
	struct vsva_webconfig wc;
	char err[512], prio[512];

	/* the default ciphers: ECDHE with AEAD ciphers, server's order */
	assert_int_equal(load("basic_auth_users: {}\n", &wc, err), 0);
	assert_int_equal(vsva_webconfig_priorities(&wc, prio, sizeof(prio)), 0);
	assert_string_equal(prio, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
		":-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-CIPHER-ALL:+AES-256-GCM"
		":+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD"
		":%SERVER_PRECEDENCE");
	vsva_webconfig_free(&wc);
	/* ... and AES-CBC with SHA-1 where TLS 1.0 or 1.1 may be used */
	assert_int_equal(load("tls_server_config:\n  min_version: TLS10\n"
			      "  max_version: TLS11\n", &wc, err), 0);
	assert_int_equal(vsva_webconfig_priorities(&wc, prio, sizeof(prio)), 0);
	assert_string_equal(prio, "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0"
		":-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-CIPHER-ALL:+AES-256-GCM"
		":+AES-128-GCM:+CHACHA20-POLY1305:+AES-256-CBC:+AES-128-CBC"
		":-MAC-ALL:+AEAD:+SHA1:%SERVER_PRECEDENCE");
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

static const char tls[] = "tls_server_config:\n  cert_file: server.crt\n"
			  "  key_file: server.key\n";

/* Load tls + @extra; 0 or -1, and the error in @err. */
static int load_tls(const char *extra, struct vsva_webconfig *wc, char *err)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", tls, extra);
	return load(text, wc, err);
}

static void refused(const char *extra, const char *why)
{
	struct vsva_webconfig wc;
	char err[512] = "";

	assert_int_equal(load_tls(extra, &wc, err), -1);
	if (!strstr(err, why))
		fail_msg("'%s': expected '%s', got '%s'", extra, why, err);
}

/* cipher_suites (the certificate here is ECDSA P-256) into GnuTLS
 * priorities, and lists GnuTLS cannot offer exactly */
static void test_suites(void **st)
{
	struct vsva_webconfig wc;
	char err[512], prio[512];

	assert_int_equal(load_tls("  cipher_suites:\n"
		"    - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n"
		"    - TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\n",
		&wc, err), 0);
	assert_int_equal(vsva_webconfig_priorities(&wc, prio, sizeof(prio)), 0);
	assert_string_equal(prio, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
		":-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-GCM"
		":+CHACHA20-POLY1305:-MAC-ALL:+AEAD:%SERVER_PRECEDENCE");
	assert_int_equal(wc.ntls13, 2);
	vsva_webconfig_free(&wc);
	/* GnuTLS pairs CBC with SHA-1 and GCM with AEAD: exact */
	assert_int_equal(load_tls("  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_"
		"128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA]\n",
		&wc, err), 0);
	assert_int_equal(wc.nsuites, 2);
	vsva_webconfig_free(&wc);
	refused("  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "
		"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n", "would also offer "
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: list them too");
	refused("  cipher_suites: [TLS_RSA_WITH_AES_128_GCM_SHA256]\n",
		"none of cipher_suites can be used with an ECDSA certificate");
	refused("  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]\n",
		"TLS 1.3 would have none");
	refused("  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "
		"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]\n", "listed twice: "
		"'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'");
	refused("  cipher_suites: [TLS_ECDHE_ECDSA_WITH_RC4_128_SHA]\n",
		"unknown cipher 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA'");
	refused("  cipher_suites: []\n", "cipher_suites is an empty list");
	refused("  cipher_suites: TLS_AES_128_GCM_SHA256\n",
		"expected a list");
	refused("  cipher_suites: [[x]]\n", "expected a list of strings");
	assert_int_equal(load("tls_server_config:\n  cipher_suites: "
			      "[TLS_AES_128_GCM_SHA256]\n", &wc, err), -1);
	assert_non_null(strstr(err, "need TLS (cert_file, key_file)"));
}

/* curve_preferences, prefer_server_cipher_suites, inline PEM */
static void test_curves(void **st)
{
	struct vsva_webconfig wc;
	char err[512], prio[512], text[4096], *pem;

	assert_int_equal(load_tls("  curve_preferences: [X25519, CurveP256]\n"
		"  prefer_server_cipher_suites: false\n", &wc, err), 0);
	assert_int_equal(vsva_webconfig_priorities(&wc, prio, sizeof(prio)), 0);
	assert_non_null(strstr(prio, ":-GROUP-ALL:+GROUP-X25519:"
				     "+GROUP-SECP256R1"));
	assert_null(strstr(prio, "SERVER_PRECEDENCE"));
	vsva_webconfig_describe(&wc, text, sizeof(text));
	assert_non_null(strstr(text, "curves: X25519 CurveP256"));
	vsva_webconfig_free(&wc);
	refused("  curve_preferences: [CurveP224]\n", "unknown curve "
		"'CurveP224' (CurveP256, CurveP384, CurveP521, X25519)");
	refused("  prefer_server_cipher_suites: maybe\n",
		"expected true or false");
	refused("  cert: x\n", "cert: given twice");
	/* the PEM inline, as the toolkit's cert and key keys take it */
	assert_int_equal(load_tls("", &wc, err), 0);
	pem = strdup(wc.key_pem);
	snprintf(text, sizeof(text), "tls_server_config:\n  cert_file: "
		 "server.crt\n  key: |\n    ");
	for (char *p = pem; *p; p++) {
		size_t n = strlen(text);

		snprintf(text + n, sizeof(text) - n, p[0] == '\n' && p[1] ?
			 "\n    " : "%c", *p);
	}
	vsva_webconfig_free(&wc);
	assert_int_equal(load(text, &wc, err), 0);
	assert_string_equal(wc.key_pem, pem);
	assert_int_equal(wc.nfiles, 2);	/* the config and cert_file */
	vsva_webconfig_free(&wc);
	free(pem);
}

static gnutls_datum_t read_der(const char *name)
{
	gnutls_datum_t d = { 0 };
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(gnutls_load_file(path, &d), 0);
	return d;
}

static const char verify[] = "  client_auth_type: RequireAndVerifyClientCert"
			     "\n  client_ca_file: server.crt\n";

/* client_allowed_sans: each SAN kind as crypto/tls prints it */
static void test_sans(void **st)
{
	static const char *const allowed[] = { "a.example", "10.0.0.1",
		"ops@example.org", "spiffe://t/prom", "2001:db8::1" };
	struct vsva_webconfig wc;
	gnutls_datum_t der = read_der("client.der");
	char err[512], text[512];
	size_t i;

	for (i = 0; i < sizeof(allowed) / sizeof(*allowed); i++) {
		snprintf(text, sizeof(text), "%s  client_allowed_sans: ['%s', "
			 "b.example]\n", verify, allowed[i]);
		assert_int_equal(load_tls(text, &wc, err), 0);
		assert_true(vsva_webconfig_san_allowed(&wc, &der));
		vsva_webconfig_free(&wc);
	}
	snprintf(text, sizeof(text), "%s  client_allowed_sans: [b.example, "
		 "A.example, 10.0.0.2]\n", verify);
	assert_int_equal(load_tls(text, &wc, err), 0);
	assert_false(vsva_webconfig_san_allowed(&wc, &der));
	wc.nsans = 0;		/* no list: any certificate */
	assert_true(vsva_webconfig_san_allowed(&wc, &der));
	wc.nsans = 3;
	vsva_webconfig_free(&wc);
	gnutls_free(der.data);
}

/* client_allowed_sans only where the certificate is verified, and always
 * asked for: RequireAnyClientCert (exporter-toolkit takes it) would match
 * the SANs of a self-signed certificate */
static void test_sans_need_verify(void **st)
{
	static const char *const types[] = { "NoClientCert",
		"RequestClientCert", "RequireAnyClientCert",
		"RequireClientCert", "VerifyClientCertIfGiven" };
	static const char *const why[] = { "a client may send no certificate",
		"a client may send no certificate", "self-signed",
		"self-signed", "a client may send no certificate" };
	struct vsva_webconfig wc;
	char text[512], err[512];
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(*types); i++) {
		snprintf(text, sizeof(text), "  client_auth_type: %s\n%s"
			 "  client_allowed_sans: [a.example]\n", types[i],
			 i ? "  client_ca_file: server.crt\n" : "");
		refused(text, "client_allowed_sans needs client_auth_type "
			"RequireAndVerifyClientCert");
		refused(text, why[i]);
	}
	refused("  client_allowed_sans: [a.example]\n",
		"client_allowed_sans needs client_auth_type");
	/* the same types without a list are fine */
	assert_int_equal(load_tls("  client_auth_type: RequireAnyClientCert\n",
				  &wc, err), 0);
	vsva_webconfig_free(&wc);
	snprintf(text, sizeof(text), "%s  client_allowed_sans: [a.example]\n",
		 verify);
	assert_int_equal(load_tls(text, &wc, err), 0);
	vsva_webconfig_free(&wc);
}

/* The stamp follows the files; a reload keeps SAN lists, not ciphers */
static void test_stamp_swap(void **st)
{
	struct vsva_webconfig wc, next;
	unsigned long long s0;
	char err[512], text[512];

	snprintf(text, sizeof(text), "%s  client_allowed_sans: [a.example]\n",
		 verify);
	assert_int_equal(load_tls(text, &wc, err), 0);
	s0 = vsva_webconfig_stamp(&wc);
	assert_true(s0 == vsva_webconfig_stamp(&wc));
	assert_int_equal(system("cd /tmp && touch -d '2001-01-01' "
				"$(ls -d /tmp/vsva-wc-*)/server.crt"), 0);
	assert_true(s0 != vsva_webconfig_stamp(&wc));
	snprintf(text, sizeof(text), "%s  client_allowed_sans: [b.example, "
		 "c.example]\n", verify);
	assert_int_equal(load_tls(text, &next, err), 0);
	assert_int_equal(vsva_webconfig_swap(&wc, &next, err, sizeof(err)), 0);
	assert_int_equal(wc.nsans, 2);
	assert_string_equal(wc.san[1], "c.example");
	vsva_webconfig_free(&next);
	snprintf(text, sizeof(text), "%s  curve_preferences: [X25519]\n",
		 verify);
	assert_int_equal(load_tls(text, &next, err), 0);
	assert_int_equal(vsva_webconfig_swap(&wc, &next, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "curve_preferences or "
				    "prefer_server_cipher_suites needs a restart"));
	vsva_webconfig_free(&next);
	vsva_webconfig_free(&wc);
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
		cmocka_unit_test(test_suites),
		cmocka_unit_test(test_curves),
		cmocka_unit_test(test_sans),
		cmocka_unit_test(test_sans_need_verify),
		cmocka_unit_test(test_stamp_swap),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests_name("webconfig", tests, setup, teardown);
}
