// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's web config, key by key (the format: webconfig.c): the sections
 * tls_server_config, basic_auth_users and http_server_config into
 * struct vsva_webconfig, each value checked as exporter-toolkit does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "webparse.h"
#include "webtls.h"

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

const char *const wc_client_auth_names[] = {
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
	for (i = 0; i < sizeof(wc_client_auth_names) / sizeof(*wc_client_auth_names); i++)
		if (!strcmp(v, wc_client_auth_names[i])) {
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
	*dst = file ? wc_read_relative(wc, wp->path, v, wp->err, wp->len) :
		      strdup(v);
	return *dst ? 0 : -1;
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
		return wc_each_item(wp, key, suite_item, wc);
	if (!strcmp(key, "curve_preferences"))
		return wc_each_item(wp, key, curve_item, wc);
	if (!strcmp(key, "client_allowed_sans"))
		return wc_each_item(wp, key, san_item, wc);
	v = wc_next_scalar(wp, key);
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

/* http_server_config: headers (a mapping); http2 is accepted and has no
 * effect: vsvad speaks HTTP/1.1. */
static int http_key(struct wc_parser *wp, const char *key,
		    struct vsva_webconfig *wc)
{
	char *v;

	if (!strcmp(key, "headers"))
		return wc_expect(wp, YAML_MAPPING_START_EVENT, "a mapping") ||
		       wc_each_pair(wp, "headers", header_pair, wc) ? -1 : 0;
	if (!strcmp(key, "http2")) {
		v = wc_next_scalar(wp, "http2");
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
	if (wc_expect(wp, YAML_MAPPING_START_EVENT, "a mapping"))
		return -1;
	if (!strcmp(key, "http_server_config"))
		return wc_each_section(wp, http_key, wc);
	if (tls)
		return wc_each_section(wp, tls_key, wc);
	return wc_each_pair(wp, key, user_pair, wc);
}

int wc_parse_top(struct wc_parser *wp, struct vsva_webconfig *wc)
{
	if (wc_expect(wp, YAML_STREAM_START_EVENT, "a YAML stream") ||
	    wc_expect(wp, YAML_DOCUMENT_START_EVENT, "a document") ||
	    wc_expect(wp, YAML_MAPPING_START_EVENT, "a mapping at the top"))
		return -1;
	return wc_each_section(wp, top_key, wc);
}

