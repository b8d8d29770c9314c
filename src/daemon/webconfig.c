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
#include <sys/stat.h>
#include "webconfig.h"
#include "webtls.h"

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

/* Remember a file read, to notice when it changes. */
static void note_file(struct vsva_webconfig *wc, const char *path)
{
	if (wc->nfiles < VSVA_WC_MAX_FILES)
		wc->file[wc->nfiles] = strdup(path);
	wc->nfiles += wc->nfiles < VSVA_WC_MAX_FILES &&
		      wc->file[wc->nfiles];
}

/* @name relative to the directory of @cfg, as exporter-toolkit does. */
static char *read_relative(struct vsva_webconfig *wc, const char *cfg,
			   const char *name, char *err, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];

	snprintf(dir, sizeof(dir), "%s", cfg);
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", dirname(dir), name);
	note_file(wc, path);
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

/* cert_file, key_file, client_ca_file (files), or cert, key, client_ca
 * (the PEM text itself); one of each pair. */
static char **pem_dst(struct vsva_webconfig *wc, const char *k, bool *file)
{
	static const char *const keys[][2] = {
		{ "cert_file", "cert" }, { "key_file", "key" },
		{ "client_ca_file", "client_ca" } };
	char **dst[] = { &wc->cert_pem, &wc->key_pem, &wc->client_ca_pem };
	size_t i;

	for (i = 0; i < 3; i++) {
		*file = !strcmp(k, keys[i][0]);
		if (*file || !strcmp(k, keys[i][1]))
			return dst[i];
	}
	return NULL;
}

static int tls_bool(struct wc_parser *wp, const char *k, const char *v,
		    bool *dst)
{
	if (!strcmp(v, "true") || !strcmp(v, "false")) {
		*dst = !strcmp(v, "true");
		return 0;
	}
	snprintf(wp->err, wp->len, "%s: tls_server_config: %s '%s': expected "
		 "true or false", wp->path, k, v);
	return -1;
}

static int tls_scalar(struct wc_parser *wp, const char *k, const char *v,
		      struct vsva_webconfig *wc)
{
	bool file, server_order;
	char **dst = pem_dst(wc, k, &file);

	if (!strcmp(k, "client_auth_type"))
		return client_auth_type(wp, v, &wc->client_auth);
	if (!strcmp(k, "min_version"))
		return tls_version(wp, k, v, &wc->min_tls);
	if (!strcmp(k, "max_version"))
		return tls_version(wp, k, v, &wc->max_tls);
	if (!strcmp(k, "prefer_server_cipher_suites")) {
		if (tls_bool(wp, k, v, &server_order))
			return -1;
		wc->client_server_order = !server_order;
		return 0;
	}
	if (!dst) {
		snprintf(wp->err, wp->len, "%s: tls_server_config: unknown "
			 "key '%s' (cert_file, key_file, cert, key, min_version, "
			 "max_version, cipher_suites, curve_preferences, "
			 "prefer_server_cipher_suites, client_auth_type, "
			 "client_ca_file, client_ca, client_allowed_sans)",
			 wp->path, k);
		return -1;
	}
	if (*dst) {
		snprintf(wp->err, wp->len, "%s: tls_server_config: %s: given "
			 "twice (a file and inline, or the same key)",
			 wp->path, k);
		return -1;
	}
	*dst = file ? read_relative(wc, wp->path, v, wp->err, wp->len) :
		      strdup(v);
	return *dst ? 0 : -1;
}

/*
 * Walk a sequence of strings; @each gets each one (the caller keeps it).
 * Its start is the next event.
 */
static int each_item(struct wc_parser *wp, const char *what,
		     int (*each)(struct wc_parser *, const char *,
				 struct vsva_webconfig *),
		     struct vsva_webconfig *wc)
{
	yaml_event_t ev;
	int rc, n = 0;

	if (expect(wp, YAML_SEQUENCE_START_EVENT, "a list"))
		return -1;
	for (;;) {
		if (!yaml_parser_parse(&wp->p, &ev))
			return expect(wp, YAML_NO_EVENT, "valid YAML");
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			snprintf(wp->err, wp->len, "%s: line %zu: %s: expected "
				 "a list of strings", wp->path,
				 ev.start_mark.line + 1, what);
			yaml_event_delete(&ev);
			return -1;
		}
		rc = each(wp, (char *)ev.data.scalar.value, wc);
		yaml_event_delete(&ev);
		if (rc)
			return -1;
		n++;
	}
	if (n)
		return 0;
	snprintf(wp->err, wp->len, "%s: tls_server_config: %s is an empty "
		 "list", wp->path, what);
	return -1;
}

/* Table index @i onto @list (@n of @max) once: 0, or -1 if listed. */
static int add_once(unsigned char *list, int *n, int max, int i)
{
	int j;

	for (j = 0; j < *n; j++)
		if (list[j] == i)
			return -1;
	if (*n == max)
		return -1;	/* cannot happen: max >= the table's size */
	list[(*n)++] = i;
	return 0;
}

static int suite_item(struct wc_parser *wp, const char *v,
		      struct vsva_webconfig *wc)
{
	int s = vsva_tls_suite_find(v);

	if (s >= 0 && !add_once(wc->suite, &wc->nsuites, VSVA_WC_MAX_SUITES, s))
		return 0;
	snprintf(wp->err, wp->len, "%s: tls_server_config: cipher_suites: "
		 "%s '%s' (crypto/tls's names, e.g. "
		 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)", wp->path,
		 s >= 0 ? "listed twice:" : "unknown cipher", v);
	return -1;
}

static int curve_item(struct wc_parser *wp, const char *v,
		      struct vsva_webconfig *wc)
{
	int g = vsva_tls_group_find(v);

	if (g >= 0 && !add_once(wc->group, &wc->ngroups, VSVA_WC_MAX_GROUPS, g))
		return 0;
	snprintf(wp->err, wp->len, "%s: tls_server_config: curve_preferences: "
		 "%s '%s' (CurveP256, CurveP384, CurveP521, X25519)",
		 wp->path, g >= 0 ? "listed twice:" : "unknown curve", v);
	return -1;
}

static int san_item(struct wc_parser *wp, const char *v,
		    struct vsva_webconfig *wc)
{
	if (wc->nsans == VSVA_WC_MAX_SANS) {
		snprintf(wp->err, wp->len, "%s: tls_server_config: more than "
			 "%d client_allowed_sans", wp->path, VSVA_WC_MAX_SANS);
		return -1;
	}
	wc->san[wc->nsans] = strdup(v);
	return wc->san[wc->nsans++] ? 0 : -1;
}

/* A key of tls_server_config: three take lists, the others a string. */
static int tls_key(struct wc_parser *wp, const char *key,
		   struct vsva_webconfig *wc)
{
	char *v;
	int rc;

	if (!strcmp(key, "cipher_suites"))
		return each_item(wp, key, suite_item, wc);
	if (!strcmp(key, "curve_preferences"))
		return each_item(wp, key, curve_item, wc);
	if (!strcmp(key, "client_allowed_sans"))
		return each_item(wp, key, san_item, wc);
	v = next_scalar(wp, key);
	if (!v)
		return -1;
	rc = tls_scalar(wp, key, v, wc);
	free(v);
	return rc;
}

static int user_pair(struct wc_parser *wp, char *k, char *v, void *arg)
{
	struct vsva_webconfig *wc = arg;

	if (strncmp(v, "$2", 2) || strlen(v) < 59 ||
	    strlen(v) >= VSVA_WC_HASH_MAX) {
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
	if (tls)
		return each_section(wp, tls_key, wc);
	return each_pair(wp, key, user_pair, wc);
}

static int parse_top(struct wc_parser *wp, struct vsva_webconfig *wc)
{
	if (expect(wp, YAML_STREAM_START_EVENT, "a YAML stream") ||
	    expect(wp, YAML_DOCUMENT_START_EVENT, "a document") ||
	    expect(wp, YAML_MAPPING_START_EVENT, "a mapping at the top"))
		return -1;
	return each_section(wp, top_key, wc);
}

/* certificate and key pairs allocated: the one in use, and those a
 * reload retired that a session still holds */
static unsigned long creds_live;

unsigned long vsva_tls_creds_live(void)
{
	return __atomic_load_n(&creds_live, __ATOMIC_RELAXED);
}

void vsva_tls_cred_get(struct vsva_tls_cred *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

/* The last reference frees the pair, the private key wiped by GnuTLS. */
void vsva_tls_cred_put(struct vsva_tls_cred *c)
{
	unsigned int i;

	if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (i = 0; c->pcert && i < c->npcert; i++)
		gnutls_pcert_deinit(&c->pcert[i]);
	free(c->pcert);
	if (c->key)
		gnutls_privkey_deinit(c->key);
	free(c);
	__atomic_sub_fetch(&creds_live, 1, __ATOMIC_RELAXED);
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
	int rc;

	if (!c) {
		snprintf(err, len, "%s: out of memory", path);
		return -1;
	}
	c->refs = 1;		/* @wc's */
	__atomic_add_fetch(&creds_live, 1, __ATOMIC_RELAXED);
	c->pcert = calloc(16, sizeof(*c->pcert));
	if (!c->pcert) {
		snprintf(err, len, "%s: out of memory", path);
		goto put_cred;
	}
	c->npcert = 16;
	rc = gnutls_pcert_list_import_x509_raw(c->pcert, &c->npcert, &cert,
					       GNUTLS_X509_FMT_PEM, 0);
	if (rc < 0) {
		c->npcert = 0;
		snprintf(err, len, "%s: cert_file: %s", path,
			 gnutls_strerror(rc));
		goto put_cred;
	}
	rc = gnutls_privkey_init(&c->key);
	if (!rc)
		rc = gnutls_privkey_import_x509_raw(c->key, &key,
						    GNUTLS_X509_FMT_PEM,
						    NULL, 0);
	if (rc < 0) {
		snprintf(err, len, "%s: key_file: %s", path,
			 gnutls_strerror(rc));
		goto put_cred;
	}
	if (!key_matches(c)) {
		snprintf(err, len, "%s: key_file is not the key of cert_file",
			 path);
		goto put_cred;
	}
	wc->cred = c;
	return 0;
put_cred:
	vsva_tls_cred_put(c);
	return -1;
}

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
			 client_auth_names[wc->client_auth]);
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
	note_file(wc, path);
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
	if (check_client_auth(wc, path, err, len) ||
	    check_tls_params(wc, path, err, len))
		goto fail;
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

bool vsva_webconfig_copy_hash(const struct vsva_webconfig *wc,
			      const char *user, struct vsva_wc_hash *h)
{
	int i;

	memset(h, 0, sizeof(*h));
	if (!user || !wc->nusers)
		return false;
	i = find_user(wc, user);
	h->known = i >= 0;
	/* the parser refused longer hashes */
	snprintf(h->hash, sizeof(h->hash), "%s",
		 wc->hash[i >= 0 ? i : wc->dearest]);
	return true;
}

bool vsva_webconfig_bcrypt(const struct vsva_wc_hash *h, const char *pass)
{
	struct crypt_data cd = { 0 };
	const char *out;
	bool ok;

	if (!pass || !h->hash[0])
		return false;
	out = crypt_r(pass, h->hash, &cd);
	ok = h->known && out && same(out, h->hash);
	gnutls_memset(&cd, 0, sizeof(cd));
	return ok;
}

bool vsva_webconfig_remember(struct vsva_webconfig *wc, const char *user,
			     const char *pass, const struct vsva_wc_hash *h)
{
	unsigned char mac[VSVA_WC_MAC_LEN];
	int i;

	if (!user || !pass || !h->known)
		return false;
	i = find_user(wc, user);
	if (i < 0 || strcmp(wc->hash[i], h->hash))
		return false;	/* a reload changed the user meanwhile */
	if (!credential_mac(wc, user, pass, mac)) {
		pthread_mutex_lock(&wc->good_lock);
		memcpy(wc->good[i], mac, sizeof(mac));
		wc->has_good[i] = true;
		pthread_mutex_unlock(&wc->good_lock);
	}
	return true;
}

bool vsva_webconfig_verify(struct vsva_webconfig *wc, const char *user,
			   const char *pass)
{
	struct vsva_wc_hash h;
	bool ok;

	ok = vsva_webconfig_copy_hash(wc, user, &h) &&
	     vsva_webconfig_bcrypt(&h, pass) &&
	     vsva_webconfig_remember(wc, user, pass, &h);
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
		      client_auth_names[wc->client_auth]);
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

/*
 * The remembered passwords of the users whose hash a reload leaves alone,
 * into @next's cache (which then goes on under @wc's key): so a reload
 * does not send every scraper back to bcrypt, where a flood of bad
 * guesses may have spent the budget.  A changed hash forgets the user's.
 * The caller holds the write lock, so no worker writes good[] meanwhile.
 */
static void keep_good(const struct vsva_webconfig *wc,
		      struct vsva_webconfig *next)
{
	int i, j;

	for (i = 0; i < next->nusers; i++) {
		j = find_user(wc, next->user[i]);
		next->has_good[i] = j >= 0 && wc->has_good[j] &&
				    !strcmp(wc->hash[j], next->hash[i]);
		if (next->has_good[i])
			memcpy(next->good[i], wc->good[j], sizeof(*next->good));
	}
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
	keep_good(wc, next);
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
