// SPDX-License-Identifier: GPL-2.0
/*
 * The web configuration file of Prometheus exporters (exporter-toolkit):
 *
 *   tls_server_config:
 *     cert_file: server.crt        # relative to this file
 *     key_file: server.key
 *     min_version: TLS12           # TLS10..TLS13; default TLS12
 *     max_version: TLS13           # default TLS13
 *     cipher_suites: [...]         # crypto/tls's names (webtls.c)
 *     curve_preferences: [X25519]
 *     client_auth_type: RequireAndVerifyClientCert
 *     client_ca_file: ca.crt
 *     client_allowed_sans: [prometheus.example]
 *   basic_auth_users:
 *     alice: $2y$10$...            # bcrypt, e.g. htpasswd -nbB alice pw
 *   http_server_config:
 *     headers:                     # the five exporter-toolkit allows
 *       X-Frame-Options: deny
 *
 * Here: a config loaded and checked as a whole, described, compared and
 * swapped in by a reload, freed.  Its files read and its YAML walked
 * (libyaml): webyaml.c; its keys: webparse.c; the certificate and key:
 * webcred.c; the users' passwords (libcrypt's bcrypt): webusers.c; the
 * ciphers, curves and SANs for GnuTLS: webtls.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <gnutls/crypto.h>
#include "webparse.h"
#include "webtls.h"

/* The toolkit's rules: a client CA needs a policy that asks for client
 * certificates, a policy that verifies needs a CA, and both need TLS.
 * client_allowed_sans needs RequireAndVerifyClientCert: the toolkit also
 * takes RequireAnyClientCert, whose certificates nobody verifies, so
 * that the SANs of a self-signed one would let it in. */
static int check_client_auth(const struct vsva_webconfig *wc,
			     const char *path, char *err, size_t len)
{
	bool verify = wc->client_auth == VSVA_VERIFY_CLIENT_CERT_IF_GIVEN ||
		      wc->client_auth == VSVA_REQUIRE_AND_VERIFY_CLIENT_CERT;

	if ((wc->client_ca_pem || wc->client_auth) && !wc->cert_pem)
		snprintf(err, len, "%s: client certificates need TLS "
			 "(cert_file, key_file)", path);
	else if (wc->client_ca_pem && !wc->client_auth)
		snprintf(err, len, "%s: client_ca_file is set without a "
			 "client_auth_type that asks for certificates", path);
	else if (verify && !wc->client_ca_pem)
		snprintf(err, len, "%s: client_auth_type %s needs "
			 "client_ca_file", path,
			 wc_client_auth_names[wc->client_auth]);
	else if (wc->nsans &&
		 wc->client_auth != VSVA_REQUIRE_AND_VERIFY_CLIENT_CERT)
		snprintf(err, len, "%s: client_allowed_sans needs "
			 "client_auth_type RequireAndVerifyClientCert (and "
			 "client_ca_file): %s", path,
			 wc->client_auth == VSVA_REQUIRE_ANY_CLIENT_CERT ?
			 "RequireAnyClientCert verifies no certificate, so a "
			 "self-signed one could name an allowed SAN" :
			 "with this client_auth_type a client may send no "
			 "certificate at all");
	else
		return 0;
	return -1;
}

/* Ciphers and curves: only with TLS, and only what GnuTLS will do. */
static int check_tls_params(struct vsva_webconfig *wc, const char *path,
			    char *err, size_t len)
{
	if (!wc->cert_pem && (wc->nsuites || wc->ngroups)) {
		snprintf(err, len, "%s: cipher_suites and curve_preferences "
			 "need TLS (cert_file, key_file)", path);
		return -1;
	}
	if (wc->min_tls > wc->max_tls) {
		snprintf(err, len, "%s: tls_server_config: min_version TLS%d "
			 "is above max_version TLS%d", path, wc->min_tls,
			 wc->max_tls);
		return -1;
	}
	return wc->cert_pem ? vsva_tls_check_suites(wc, path, err, len) : 0;
}

int vsva_webconfig_load(const char *path, struct vsva_webconfig *wc,
			char *err, size_t len)
{
	struct wc_parser wp = { .path = path, .err = err, .len = len };
	char *text;
	int rc;

	memset(wc, 0, sizeof(*wc));
	pthread_mutex_init(&wc->good_lock, NULL);
	wc->min_tls = 12;	/* exporter-toolkit's defaults; RFC 8996 */
	wc->max_tls = 13;
	wc->user = calloc(WC_MAX_USERS, sizeof(*wc->user));
	wc->hash = calloc(WC_MAX_USERS, sizeof(*wc->hash));
	wc->good = calloc(WC_MAX_USERS, sizeof(*wc->good));
	wc->has_good = calloc(WC_MAX_USERS, sizeof(*wc->has_good));
	if (gnutls_rnd(GNUTLS_RND_KEY, wc->key, sizeof(wc->key))) {
		snprintf(err, len, "%s: no random key for the credential cache",
			 path);
		goto fail;
	}
	wc_note_file(wc, path);
	text = wc_read_file(path, err, len);
	if (!wc->user || !wc->hash || !wc->good || !wc->has_good || !text)
		goto fail;
	yaml_parser_initialize(&wp.p);
	yaml_parser_set_input_string(&wp.p, (unsigned char *)text,
				     strlen(text));
	rc = wc_parse_top(&wp, wc);
	yaml_parser_delete(&wp.p);
	free(text);
	if (rc)
		goto fail;
	wc->dearest = wc_dearest_user(wc);
	if (!wc->cert_pem != !wc->key_pem) {
		snprintf(err, len, "%s: tls_server_config needs both cert_file "
			 "and key_file", path);
		goto fail;
	}
	if (wc->cert_pem && wc_parse_cred(wc, path, err, len))
		goto fail;
	if (check_client_auth(wc, path, err, len) ||
	    check_tls_params(wc, path, err, len))
		goto fail;
	return 0;
fail:
	vsva_webconfig_free(wc);
	return -1;
}

void vsva_webconfig_free(struct vsva_webconfig *wc)
{
	int i;

	for (i = 0; i < wc->nusers; i++) {
		free(wc->user[i]);
		free(wc->hash[i]);
	}
	for (i = 0; i < wc->nheaders; i++) {
		free(wc->header[i].name);
		free(wc->header[i].value);
	}
	for (i = 0; i < wc->nsans; i++)
		free(wc->san[i]);
	for (i = 0; i < wc->nfiles; i++)
		free(wc->file[i]);
	free(wc->user);
	free(wc->hash);
	free(wc->good);
	free(wc->has_good);
	free(wc->cert_pem);
	free(wc->key_pem);
	free(wc->client_ca_pem);
	vsva_tls_cred_put(wc->cred);
	memset(wc, 0, sizeof(*wc));
}

/* The ciphers and curves, for the start-up line. */
static int describe_tls(const struct vsva_webconfig *wc, char *buf,
			size_t len)
{
	int n, i;

	n = snprintf(buf, len, "TLS 1.%d to 1.%d, ciphers: ", wc->min_tls - 10,
		     wc->max_tls - 10);
	if (vsva_tls_listed12(wc))
		n += snprintf(buf + n, len - n, "%d listed", vsva_tls_listed12(wc));
	else
		n += snprintf(buf + n, len - n, "ECDHE with AES-GCM, ChaCha20%s",
			      wc->min_tls < 12 ? ", AES-CBC" : "");
	if (wc->max_tls == 13)
		n += snprintf(buf + n, len - n, " (TLS 1.3: %d)", wc->ntls13);
	if (wc->ngroups)
		n += snprintf(buf + n, len - n, ", curves:");
	for (i = 0; i < wc->ngroups && n > 0 && (size_t)n < len; i++)
		n += snprintf(buf + n, len - n, " %s",
			      vsva_tls_group_name(wc->group[i]));
	n += snprintf(buf + n, len - n, ", client certificates: %s",
		      wc_client_auth_names[wc->client_auth]);
	if (wc->nsans)
		n += snprintf(buf + n, len - n, " naming one of %d SAN%s",
			      wc->nsans, wc->nsans == 1 ? "" : "s");
	return n;
}

/* What is enforced, in one line: TLS versions, ciphers, client
 * certificates, users. */
void vsva_webconfig_describe(const struct vsva_webconfig *wc, char *buf,
			     size_t len)
{
	int n;

	if (wc->cert_pem)
		n = describe_tls(wc, buf, len);
	else
		n = snprintf(buf, len, "no TLS (plain HTTP)");
	if (n < 0 || (size_t)n >= len)
		return;
	if (wc->nusers)
		snprintf(buf + n, len - n, "; basic auth, %d user%s",
			 wc->nusers, wc->nusers == 1 ? "" : "s");
	else
		snprintf(buf + n, len - n, "; no authentication");
}

/* FNV-1a over the identity, size and times of each file read. */
unsigned long long vsva_webconfig_stamp(const struct vsva_webconfig *wc)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	struct stat st;
	size_t j;
	int i;

	for (i = 0; i < wc->nfiles; i++) {
		if (stat(wc->file[i], &st))
			memset(&st, 0, sizeof(st));
		unsigned long long f[] = { st.st_dev, st.st_ino, st.st_size,
			st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			st.st_ctim.tv_sec, st.st_ctim.tv_nsec };

		for (j = 0; j < sizeof(f); j++)
			h = (h ^ ((unsigned char *)f)[j]) * 0x100000001b3ULL;
	}
	return h;
}

#define SWAP(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)

int vsva_webconfig_swap(struct vsva_webconfig *wc,
			struct vsva_webconfig *next, char *err, size_t len)
{
	if (!wc->cert_pem != !next->cert_pem) {
		snprintf(err, len, "turning TLS %s needs a restart",
			 next->cert_pem ? "on" : "off");
		return -1;
	}
	if (wc->min_tls != next->min_tls || wc->max_tls != next->max_tls) {
		snprintf(err, len, "changing the TLS versions needs a restart");
		return -1;
	}
	if (wc->client_auth != next->client_auth ||
	    !wc->client_ca_pem != !next->client_ca_pem ||
	    (wc->client_ca_pem && strcmp(wc->client_ca_pem,
					 next->client_ca_pem))) {
		snprintf(err, len, "changing client_auth_type or the client CA "
			 "needs a restart");
		return -1;
	}
	if (wc->nsuites != next->nsuites || wc->ngroups != next->ngroups ||
	    memcmp(wc->suite, next->suite, wc->nsuites) ||
	    memcmp(wc->group, next->group, wc->ngroups) ||
	    wc->client_server_order != next->client_server_order) {
		snprintf(err, len, "changing cipher_suites, curve_preferences "
			 "or prefer_server_cipher_suites needs a restart");
		return -1;
	}
	SWAP(wc->cert_pem, next->cert_pem);
	SWAP(wc->key_pem, next->key_pem);
	/* the old pair goes with @next: freed with it, or with the last
	 * session that presented it */
	SWAP(wc->cred, next->cred);
	wc_keep_good(wc, next);
	SWAP(wc->nusers, next->nusers);
	SWAP(wc->user, next->user);
	SWAP(wc->hash, next->hash);
	SWAP(wc->good, next->good);
	SWAP(wc->has_good, next->has_good);
	SWAP(wc->dearest, next->dearest);
	SWAP(wc->nheaders, next->nheaders);
	for (int i = 0; i < VSVA_WC_MAX_HEADERS; i++) {
		SWAP(wc->header[i].name, next->header[i].name);
		SWAP(wc->header[i].value, next->header[i].value);
	}
	SWAP(wc->nsans, next->nsans);
	for (int i = 0; i < VSVA_WC_MAX_SANS; i++)
		SWAP(wc->san[i], next->san[i]);
	SWAP(wc->nfiles, next->nfiles);
	for (int i = 0; i < VSVA_WC_MAX_FILES; i++)
		SWAP(wc->file[i], next->file[i]);
	return 0;
}
