// SPDX-License-Identifier: GPL-2.0
/*
 * The web configuration file of Prometheus exporters (exporter-toolkit):
 *
 *   tls_server_config:
 *     cert_file: server.crt        # relative to this file
 *     key_file: server.key
 *     min_version: TLS12           # TLS10..TLS13; default TLS12
 *     max_version: TLS13           # default TLS13
 *   basic_auth_users:
 *     alice: $2y$10$...            # bcrypt, e.g. htpasswd -nbB alice pw
 *   http_server_config:
 *     headers:                     # the five exporter-toolkit allows
 *       X-Frame-Options: deny
 *
 * Parsed with libyaml; passwords checked with libcrypt's bcrypt.
 */
#define _GNU_SOURCE
#include <crypt.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "webconfig.h"

#define WC_MAX_FILE	(1 << 20)
#define WC_MAX_USERS	256

static char *read_file(const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    n > WC_MAX_FILE || fseek(f, 0, SEEK_SET))
		goto fail;
	buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		goto fail;
	buf[n] = 0;
	fclose(f);
	return buf;
fail:
	snprintf(err, len, "cannot read %s: %m", path);
	free(buf);
	if (f)
		fclose(f);
	return NULL;
}

/* @name relative to the directory of @cfg, as exporter-toolkit does. */
static char *read_relative(const char *cfg, const char *name, char *err,
			   size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];

	snprintf(dir, sizeof(dir), "%s", cfg);
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", dirname(dir), name);
	return read_file(path, err, len);
}

struct wc_parser {
	yaml_parser_t p;
	const char *path;
	char *err;
	size_t len;
};

/* Next scalar value, or NULL with an error naming @what. */
static char *next_scalar(struct wc_parser *wp, const char *what)
{
	yaml_event_t ev;
	char *s = NULL;

	if (!yaml_parser_parse(&wp->p, &ev)) {
		snprintf(wp->err, wp->len, "%s: line %zu: %s", wp->path,
			 wp->p.problem_mark.line + 1,
			 wp->p.problem ? wp->p.problem : "YAML error");
		return NULL;
	}
	if (ev.type == YAML_SCALAR_EVENT)
		s = strdup((char *)ev.data.scalar.value);
	else
		snprintf(wp->err, wp->len, "%s: line %zu: %s must be a "
			 "string", wp->path, ev.start_mark.line + 1, what);
	yaml_event_delete(&ev);
	return s;
}

static int expect(struct wc_parser *wp, yaml_event_type_t type,
		  const char *what)
{
	yaml_event_t ev;
	int ok;

	if (!yaml_parser_parse(&wp->p, &ev)) {
		snprintf(wp->err, wp->len, "%s: line %zu: %s", wp->path,
			 wp->p.problem_mark.line + 1,
			 wp->p.problem ? wp->p.problem : "YAML error");
		return -1;
	}
	ok = ev.type == type;
	if (!ok)
		snprintf(wp->err, wp->len, "%s: line %zu: expected %s",
			 wp->path, ev.start_mark.line + 1, what);
	yaml_event_delete(&ev);
	return ok ? 0 : -1;
}

/*
 * Walk a mapping of string keys to string values; @each gets each pair
 * and owns it when it returns 0.  The mapping's start has been consumed.
 */
static int each_pair(struct wc_parser *wp, const char *section,
		     int (*each)(struct wc_parser *, char *, char *, void *),
		     void *arg)
{
	yaml_event_t ev;
	char *k, *v;

	for (;;) {
		if (!yaml_parser_parse(&wp->p, &ev))
			return expect(wp, YAML_NO_EVENT, "valid YAML");
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			snprintf(wp->err, wp->len, "%s: line %zu: %s: expected "
				 "key: value", wp->path, ev.start_mark.line + 1,
				 section);
			yaml_event_delete(&ev);
			return -1;
		}
		k = strdup((char *)ev.data.scalar.value);
		yaml_event_delete(&ev);
		v = next_scalar(wp, k ? k : section);
		if (!k || !v || each(wp, k, v, arg)) {
			free(k);
			free(v);
			return -1;
		}
	}
}

/* min_version/max_version: exporter-toolkit's TLS10..TLS13 */
static int tls_version(struct wc_parser *wp, const char *k, const char *v,
		       int *dst)
{
	if (strlen(v) == 5 && !strncmp(v, "TLS1", 4) && v[4] >= '0' &&
	    v[4] <= '3') {
		*dst = 10 + v[4] - '0';
		return 0;
	}
	snprintf(wp->err, wp->len, "%s: tls_server_config: %s '%s': expected "
		 "TLS10, TLS11, TLS12 or TLS13", wp->path, k, v);
	return -1;
}

static const char *const client_auth_names[] = {
	[VSVA_NO_CLIENT_CERT] = "NoClientCert",
	[VSVA_REQUEST_CLIENT_CERT] = "RequestClientCert",
	[VSVA_REQUIRE_ANY_CLIENT_CERT] = "RequireAnyClientCert",
	[VSVA_VERIFY_CLIENT_CERT_IF_GIVEN] = "VerifyClientCertIfGiven",
	[VSVA_REQUIRE_AND_VERIFY_CLIENT_CERT] = "RequireAndVerifyClientCert",
};

static int client_auth_type(struct wc_parser *wp, const char *v,
			    enum vsva_client_auth *dst)
{
	size_t i;

	if (!strcmp(v, "RequireClientCert")) {	/* the toolkit's old name */
		*dst = VSVA_REQUIRE_ANY_CLIENT_CERT;
		return 0;
	}
	for (i = 0; i < sizeof(client_auth_names) / sizeof(*client_auth_names); i++)
		if (!strcmp(v, client_auth_names[i])) {
			*dst = i;
			return 0;
		}
	snprintf(wp->err, wp->len, "%s: tls_server_config: client_auth_type "
		 "'%s': expected NoClientCert, RequestClientCert, "
		 "RequireAnyClientCert, VerifyClientCertIfGiven or "
		 "RequireAndVerifyClientCert", wp->path, v);
	return -1;
}

static int tls_pair(struct wc_parser *wp, char *k, char *v, void *arg)
{
	struct vsva_webconfig *wc = arg;
	char **dst = !strcmp(k, "cert_file") ? &wc->cert_pem :
		     !strcmp(k, "key_file") ? &wc->key_pem :
		     !strcmp(k, "client_ca_file") ? &wc->client_ca_pem : NULL;

	if (!strcmp(k, "client_auth_type")) {
		if (client_auth_type(wp, v, &wc->client_auth))
			return -1;
		free(k);
		free(v);
		return 0;
	}
	int *ver = !strcmp(k, "min_version") ? &wc->min_tls :
		   !strcmp(k, "max_version") ? &wc->max_tls : NULL;

	if (ver) {
		if (tls_version(wp, k, v, ver))
			return -1;
		free(k);
		free(v);
		return 0;
	}
	if (!dst) {
		snprintf(wp->err, wp->len, "%s: tls_server_config: unknown "
			 "key '%s' (cert_file, key_file, min_version, "
			 "max_version, client_auth_type, client_ca_file)",
			 wp->path, k);
		return -1;
	}
	free(*dst);
	*dst = read_relative(wp->path, v, wp->err, wp->len);
	if (!*dst)
		return -1;	/* the caller frees k and v */
	free(k);
	free(v);
	return 0;
}

static int user_pair(struct wc_parser *wp, char *k, char *v, void *arg)
{
	struct vsva_webconfig *wc = arg;

	if (strncmp(v, "$2", 2) || strlen(v) < 59) {
		snprintf(wp->err, wp->len, "%s: basic_auth_users: the password "
			 "of '%s' must be a bcrypt hash (htpasswd -nbB USER PW)",
			 wp->path, k);
		return -1;
	}
	if (wc->nusers == WC_MAX_USERS) {
		snprintf(wp->err, wp->len, "%s: more than %d users", wp->path,
			 WC_MAX_USERS);
		return -1;
	}
	wc->user[wc->nusers] = k;
	wc->hash[wc->nusers++] = v;
	return 0;
}

/* The headers exporter-toolkit lets a web config set, and the values it
 * allows where the header is an enumeration (NULL: any). */
static const struct { const char *name, *values[3]; } allowed_headers[] = {
	{ "Strict-Transport-Security", { NULL } },
	{ "X-Content-Type-Options", { "nosniff", NULL } },
	{ "X-Frame-Options", { "deny", "sameorigin", NULL } },
	{ "X-XSS-Protection", { NULL } },
	{ "Content-Security-Policy", { NULL } },
};

static int header_pair(struct wc_parser *wp, char *k, char *v, void *arg)
{
	struct vsva_webconfig *wc = arg;
	size_t i, j;

	for (i = 0; i < sizeof(allowed_headers) / sizeof(allowed_headers[0]); i++)
		if (!strcmp(k, allowed_headers[i].name))
			break;
	if (i == sizeof(allowed_headers) / sizeof(allowed_headers[0])) {
		snprintf(wp->err, wp->len, "%s: http_server_config: header "
			 "'%s' can not be configured (Strict-Transport-Security, "
			 "X-Content-Type-Options, X-Frame-Options, "
			 "X-XSS-Protection, Content-Security-Policy)", wp->path, k);
		return -1;
	}
	for (j = 0; allowed_headers[i].values[j]; j++)
		if (!strcmp(v, allowed_headers[i].values[j]))
			break;
	if (allowed_headers[i].values[0] && !allowed_headers[i].values[j]) {
		snprintf(wp->err, wp->len, "%s: http_server_config: %s '%s': "
			 "expected %s%s%s", wp->path, k, v,
			 allowed_headers[i].values[0],
			 allowed_headers[i].values[1] ? " or " : "",
			 allowed_headers[i].values[1] ?
			 allowed_headers[i].values[1] : "");
		return -1;
	}
	if (strpbrk(v, "\r\n") || wc->nheaders == VSVA_WC_MAX_HEADERS) {
		snprintf(wp->err, wp->len, "%s: http_server_config: header "
			 "'%s': a line break, or given twice", wp->path, k);
		return -1;
	}
	wc->header[wc->nheaders].name = k;
	wc->header[wc->nheaders++].value = v;
	return 0;
}

/*
 * Walk a mapping whose values are sections: @each parses the value of each
 * key ("?" for a key that is not a string).  The mapping's start has been
 * consumed.
 */
static int each_section(struct wc_parser *wp,
			int (*each)(struct wc_parser *, const char *,
				    struct vsva_webconfig *),
			struct vsva_webconfig *wc)
{
	yaml_event_t ev;
	char *key;
	int rc;

	for (;;) {
		if (!yaml_parser_parse(&wp->p, &ev))
			return expect(wp, YAML_NO_EVENT, "valid YAML");
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		key = ev.type == YAML_SCALAR_EVENT ?
		      strdup((char *)ev.data.scalar.value) : NULL;
		yaml_event_delete(&ev);
		rc = each(wp, key ? key : "?", wc);
		free(key);
		if (rc)
			return -1;
	}
}

/* http_server_config: headers (a mapping); http2 is accepted and has no
 * effect: vsvad speaks HTTP/1.1. */
static int http_key(struct wc_parser *wp, const char *key,
		    struct vsva_webconfig *wc)
{
	char *v;

	if (!strcmp(key, "headers"))
		return expect(wp, YAML_MAPPING_START_EVENT, "a mapping") ||
		       each_pair(wp, "headers", header_pair, wc) ? -1 : 0;
	if (!strcmp(key, "http2")) {
		v = next_scalar(wp, "http2");
		free(v);
		return v ? 0 : -1;
	}
	snprintf(wp->err, wp->len, "%s: http_server_config: unknown key '%s' "
		 "(headers, http2)", wp->path, key);
	return -1;
}

static int top_key(struct wc_parser *wp, const char *key,
		   struct vsva_webconfig *wc)
{
	bool tls = !strcmp(key, "tls_server_config");

	if (!tls && strcmp(key, "basic_auth_users") &&
	    strcmp(key, "http_server_config")) {
		snprintf(wp->err, wp->len, "%s: unknown key '%s' "
			 "(tls_server_config, basic_auth_users, "
			 "http_server_config)", wp->path, key);
		return -1;
	}
	if (expect(wp, YAML_MAPPING_START_EVENT, "a mapping"))
		return -1;
	if (!strcmp(key, "http_server_config"))
		return each_section(wp, http_key, wc);
	return each_pair(wp, key, tls ? tls_pair : user_pair, wc);
}

static int parse_top(struct wc_parser *wp, struct vsva_webconfig *wc)
{
	if (expect(wp, YAML_STREAM_START_EVENT, "a YAML stream") ||
	    expect(wp, YAML_DOCUMENT_START_EVENT, "a document") ||
	    expect(wp, YAML_MAPPING_START_EVENT, "a mapping at the top"))
		return -1;
	return each_section(wp, top_key, wc);
}

static void cred_free(struct vsva_tls_cred *c)
{
	struct vsva_tls_cred *older;
	unsigned int i;

	for (; c; c = older) {
		older = c->older;
		for (i = 0; c->pcert && i < c->npcert; i++)
			gnutls_pcert_deinit(&c->pcert[i]);
		free(c->pcert);
		if (c->key)
			gnutls_privkey_deinit(c->key);
		free(c);
	}
}

/* The key is the certificate's: their public halves are the same. */
static bool key_matches(struct vsva_tls_cred *c)
{
	gnutls_datum_t a = { 0 }, b = { 0 };
	gnutls_pubkey_t pub = NULL;
	bool same_key = false;

	if (gnutls_pubkey_init(&pub) ||
	    gnutls_pubkey_import_privkey(pub, c->key, 0, 0) ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a) ||
	    gnutls_pubkey_export2(c->pcert[0].pubkey, GNUTLS_X509_FMT_DER, &b))
		goto out;
	same_key = a.size == b.size && !memcmp(a.data, b.data, a.size);
out:
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (pub)
		gnutls_pubkey_deinit(pub);
	return same_key;
}

/* cert_pem and key_pem for GnuTLS: a file that is not a certificate
 * chain or a key, or a key of another certificate, is refused here, not
 * at the first handshake. */
static int parse_cred(struct vsva_webconfig *wc, const char *path,
		      char *err, size_t len)
{
	gnutls_datum_t cert = { (unsigned char *)wc->cert_pem,
				strlen(wc->cert_pem) };
	gnutls_datum_t key = { (unsigned char *)wc->key_pem,
			       strlen(wc->key_pem) };
	struct vsva_tls_cred *c = calloc(1, sizeof(*c));
	int rc = GNUTLS_E_MEMORY_ERROR;

	if (!c || !(c->pcert = calloc(16, sizeof(*c->pcert))))
		goto fail;
	c->npcert = 16;
	rc = gnutls_pcert_list_import_x509_raw(c->pcert, &c->npcert, &cert,
					       GNUTLS_X509_FMT_PEM, 0);
	if (rc < 0) {
		c->npcert = 0;
		snprintf(err, len, "%s: cert_file: %s", path,
			 gnutls_strerror(rc));
		goto free_cred;
	}
	rc = gnutls_privkey_init(&c->key);
	if (!rc)
		rc = gnutls_privkey_import_x509_raw(c->key, &key,
						    GNUTLS_X509_FMT_PEM,
						    NULL, 0);
	if (rc < 0) {
		snprintf(err, len, "%s: key_file: %s", path,
			 gnutls_strerror(rc));
		goto free_cred;
	}
	if (!key_matches(c)) {
		snprintf(err, len, "%s: key_file is not the key of cert_file",
			 path);
		goto free_cred;
	}
	wc->cred = c;
	return 0;
fail:
	snprintf(err, len, "%s: out of memory", path);
free_cred:
	cred_free(c);
	return -1;
}

/* The toolkit's rules: a client CA needs a policy that asks for client
 * certificates, a policy that verifies needs a CA, and both need TLS. */
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
			 client_auth_names[wc->client_auth]);
	else
		return 0;
	return -1;
}

/* A bcrypt hash's cost ("$2y$10$..."), or 0 for anything else. */
static int hash_cost(const char *h)
{
	if (strlen(h) < 7 || h[0] != '$' || h[1] != '2' || h[3] != '$' ||
	    h[6] != '$' || h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9')
		return 0;
	return (h[4] - '0') * 10 + (h[5] - '0');
}

static int dearest_user(const struct vsva_webconfig *wc)
{
	int i, best = 0;

	for (i = 1; i < wc->nusers; i++)
		if (hash_cost(wc->hash[i]) > hash_cost(wc->hash[best]))
			best = i;
	return best;
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
	text = read_file(path, err, len);
	if (!wc->user || !wc->hash || !wc->good || !wc->has_good || !text)
		goto fail;
	yaml_parser_initialize(&wp.p);
	yaml_parser_set_input_string(&wp.p, (unsigned char *)text,
				     strlen(text));
	rc = parse_top(&wp, wc);
	yaml_parser_delete(&wp.p);
	free(text);
	if (rc)
		goto fail;
	wc->dearest = dearest_user(wc);
	if (!wc->cert_pem != !wc->key_pem) {
		snprintf(err, len, "%s: tls_server_config needs both cert_file "
			 "and key_file", path);
		goto fail;
	}
	if (wc->cert_pem && parse_cred(wc, path, err, len))
		goto fail;
	if (check_client_auth(wc, path, err, len))
		goto fail;
	if (wc->min_tls > wc->max_tls) {
		snprintf(err, len, "%s: tls_server_config: min_version TLS%d "
			 "is above max_version TLS%d", path, wc->min_tls,
			 wc->max_tls);
		goto fail;
	}
	return 0;
fail:
	vsva_webconfig_free(wc);
	return -1;
}

static bool same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= a[i] ^ b[i];
	return !d;
}

/* HMAC(key, user NUL password) into @mac; 0, or -1. */
static int credential_mac(const struct vsva_webconfig *wc, const char *user,
			  const char *pass, unsigned char *mac)
{
	size_t lu = strlen(user) + 1, lp = strlen(pass);
	char *buf = malloc(lu + lp);
	int rc;

	if (!buf)
		return -1;
	memcpy(buf, user, lu);
	memcpy(buf + lu, pass, lp);
	rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, wc->key, sizeof(wc->key),
			      buf, lu + lp, mac);
	gnutls_memset(buf, 0, lu + lp);
	free(buf);
	return rc ? -1 : 0;
}

static int find_user(const struct vsva_webconfig *wc, const char *user)
{
	int i;

	for (i = 0; i < wc->nusers; i++)
		if (!strcmp(wc->user[i], user))
			return i;
	return -1;
}

/*
 * A user's last good password is remembered as a keyed hash, so a scrape
 * with it costs no bcrypt.  Anything else costs one bcrypt, an unknown user
 * too (against the costliest user's hash, and refused): how long a refusal
 * takes does not tell which users exist.
 */
bool vsva_webconfig_cached(struct vsva_webconfig *wc, const char *user,
			   const char *pass)
{
	unsigned char mac[VSVA_WC_MAC_LEN];
	bool ok;
	int i;

	if (!user || !pass || !wc->nusers)
		return false;
	i = find_user(wc, user);
	if (i < 0 || credential_mac(wc, user, pass, mac))
		return false;
	pthread_mutex_lock(&wc->good_lock);
	ok = wc->has_good[i] && !gnutls_memcmp(mac, wc->good[i], sizeof(mac));
	pthread_mutex_unlock(&wc->good_lock);
	return ok;
}

bool vsva_webconfig_verify(struct vsva_webconfig *wc, const char *user,
			   const char *pass)
{
	unsigned char mac[VSVA_WC_MAC_LEN];
	struct crypt_data cd = { 0 };
	const char *h, *target;
	bool ok;
	int i;

	if (!user || !pass || !wc->nusers)
		return false;
	i = find_user(wc, user);
	target = wc->hash[i >= 0 ? i : wc->dearest];
	h = crypt_r(pass, target, &cd);
	ok = i >= 0 && h && same(h, target);
	if (ok && !credential_mac(wc, user, pass, mac)) {
		pthread_mutex_lock(&wc->good_lock);
		memcpy(wc->good[i], mac, sizeof(mac));
		wc->has_good[i] = true;
		pthread_mutex_unlock(&wc->good_lock);
	}
	return ok;
}

bool vsva_webconfig_check(struct vsva_webconfig *wc, const char *user,
			  const char *pass)
{
	return vsva_webconfig_cached(wc, user, pass) ||
	       vsva_webconfig_verify(wc, user, pass);
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
	free(wc->user);
	free(wc->hash);
	free(wc->good);
	free(wc->has_good);
	free(wc->cert_pem);
	free(wc->key_pem);
	free(wc->client_ca_pem);
	cred_free(wc->cred);
	memset(wc, 0, sizeof(*wc));
}

/* The GnuTLS priority string of the configured versions; 0, or -1. */
int vsva_webconfig_priorities(const struct vsva_webconfig *wc, char *buf,
			      size_t len)
{
	size_t n = snprintf(buf, len, "NORMAL:-VERS-ALL");
	int v;

	for (v = wc->max_tls; v >= wc->min_tls && n < len; v--)
		n += snprintf(buf + n, len - n, ":+VERS-TLS1.%d", v - 10);
	return n < len ? 0 : -1;
}

/* What is enforced, in one line: TLS versions, users. */
void vsva_webconfig_describe(const struct vsva_webconfig *wc, char *buf,
			     size_t len)
{
	int n;

	if (wc->cert_pem)
		n = snprintf(buf, len, "TLS 1.%d to 1.%d, client certificates: "
			     "%s", wc->min_tls - 10, wc->max_tls - 10,
			     client_auth_names[wc->client_auth]);
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
	SWAP(wc->cert_pem, next->cert_pem);
	SWAP(wc->key_pem, next->key_pem);
	if (next->cred) {
		next->cred->older = wc->cred;
		wc->cred = next->cred;
		next->cred = NULL;
	}
	SWAP(wc->nusers, next->nusers);
	SWAP(wc->user, next->user);
	SWAP(wc->hash, next->hash);
	SWAP(wc->good, next->good);
	SWAP(wc->has_good, next->has_good);
	SWAP(wc->dearest, next->dearest);
	memcpy(wc->key, next->key, sizeof(wc->key));
	SWAP(wc->nheaders, next->nheaders);
	for (int i = 0; i < VSVA_WC_MAX_HEADERS; i++) {
		SWAP(wc->header[i].name, next->header[i].name);
		SWAP(wc->header[i].value, next->header[i].value);
	}
	return 0;
}
