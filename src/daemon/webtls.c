// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS parameters of a web config for GnuTLS: exporter-toolkit's
 * cipher_suites (crypto/tls's names) and curve_preferences turned into a
 * priority string, a check that the suites GnuTLS will offer are exactly
 * the ones listed, and client_allowed_sans.
 *
 * A GnuTLS priority string cannot list suites: it enables key exchanges,
 * ciphers and MACs, and offers every suite that combines three of them.
 * A list that is not such a product (for the certificate's key type) is
 * refused with the suites GnuTLS would add, never widened in silence.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "webtls.h"

#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* crypto/tls.CipherSuites(), the ones exporter-toolkit accepts */
static const struct tls_suite {
	const char *name;
	unsigned char id[2];
	const char *kx, *cipher, *mac;	/* priority keywords; kx NULL: 1.3 */
} suites[] = {
	{ "TLS_RSA_WITH_AES_128_CBC_SHA", { 0x00, 0x2f }, "RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA", { 0x00, 0x35 }, "RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_RSA_WITH_AES_128_GCM_SHA256", { 0x00, 0x9c }, "RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_RSA_WITH_AES_256_GCM_SHA384", { 0x00, 0x9d }, "RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", { 0xc0, 0x09 }, "ECDHE-ECDSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", { 0xc0, 0x0a }, "ECDHE-ECDSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", { 0xc0, 0x13 }, "ECDHE-RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", { 0xc0, 0x14 }, "ECDHE-RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", { 0xc0, 0x2b }, "ECDHE-ECDSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", { 0xc0, 0x2c }, "ECDHE-ECDSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", { 0xc0, 0x2f }, "ECDHE-RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", { 0xc0, 0x30 }, "ECDHE-RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", { 0xcc, 0xa8 }, "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", { 0xcc, 0xa9 }, "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD" },
	/* TLS 1.3: accepted, as the toolkit does; Go ignores them and so
	 * does vsvad (see vsva_tls_check_suites) */
	{ "TLS_AES_128_GCM_SHA256", { 0x13, 0x01 }, NULL, NULL, NULL },
	{ "TLS_AES_256_GCM_SHA384", { 0x13, 0x02 }, NULL, NULL, NULL },
	{ "TLS_CHACHA20_POLY1305_SHA256", { 0x13, 0x03 }, NULL, NULL, NULL },
};

/* crypto/tls's older names of the two ChaCha20 suites */
static const struct { const char *alias; int suite; } suite_aliases[] = {
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", 12 },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", 13 },
};

static const struct { const char *name, *group; } groups[] = {
	{ "CurveP256", "GROUP-SECP256R1" },
	{ "CurveP384", "GROUP-SECP384R1" },
	{ "CurveP521", "GROUP-SECP521R1" },
	{ "X25519", "GROUP-X25519" },
};

/* Without cipher_suites: ECDHE with AEAD ciphers (Mozilla's
 * "intermediate"; what testssl.sh rates as neither weak nor obsolete),
 * and Go's ECDHE CBC suites only where min_version lets TLS 1.0 or 1.1
 * in, which have no AEAD suite. */
static const char default_suites[] = ":-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA"
	":-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305";
static const char default_old_ciphers[] = ":+AES-256-CBC:+AES-128-CBC";

int vsva_tls_suite_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suites); i++)
		if (!strcmp(name, suites[i].name))
			return i;
	for (i = 0; i < ARRAY_SIZE(suite_aliases); i++)
		if (!strcmp(name, suite_aliases[i].alias))
			return suite_aliases[i].suite;
	return -1;
}

int vsva_tls_group_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(groups); i++)
		if (!strcmp(name, groups[i].name))
			return i;
	return -1;
}

const char *vsva_tls_group_name(int g)
{
	return groups[g].name;
}

/* The keyword of part 0 (kx), 1 (cipher) or 2 (MAC) of a suite. */
static const char *suite_word(const struct tls_suite *s, int part)
{
	return part == 0 ? s->kx : part == 1 ? s->cipher : s->mac;
}

/* Whether an earlier listed suite has @w already. */
static bool said_before(const struct vsva_webconfig *wc, int i, int part,
			const char *w)
{
	const char *o;

	while (i--) {
		o = suite_word(&suites[wc->suite[i]], part);
		if (o && !strcmp(o, w))
			return true;
	}
	return false;
}

/* Only the key exchanges, ciphers and MACs of the listed suites. */
static void add_listed(const struct vsva_webconfig *wc, char *buf,
		       size_t len, size_t *n)
{
	static const char *const none[] = { ":-KX-ALL", ":-CIPHER-ALL",
					    ":-MAC-ALL" };
	const char *w;
	int part, i;

	for (part = 0; part < 3; part++) {
		if (*n < len)
			*n += snprintf(buf + *n, len - *n, "%s", none[part]);
		for (i = 0; i < wc->nsuites && *n < len; i++) {
			w = suite_word(&suites[wc->suite[i]], part);
			if (w && !said_before(wc, i, part, w))
				*n += snprintf(buf + *n, len - *n, ":+%s", w);
		}
	}
}

int vsva_webconfig_priorities(const struct vsva_webconfig *wc, char *buf,
			      size_t len)
{
	size_t n = snprintf(buf, len, "NORMAL:-VERS-ALL");
	int v, i;

	for (v = wc->max_tls; v >= wc->min_tls && n < len; v--)
		n += snprintf(buf + n, len - n, ":+VERS-TLS1.%d", v - 10);
	if (vsva_tls_listed12(wc)) {
		add_listed(wc, buf, len, &n);
	} else if (n < len) {
		n += snprintf(buf + n, len - n, "%s%s:-MAC-ALL:+AEAD%s",
			      default_suites, wc->min_tls < 12 ?
			      default_old_ciphers : "",
			      wc->min_tls < 12 ? ":+SHA1" : "");
	}
	if (wc->ngroups && n < len)
		n += snprintf(buf + n, len - n, ":-GROUP-ALL");
	for (i = 0; i < wc->ngroups && n < len; i++)
		n += snprintf(buf + n, len - n, ":+%s", groups[wc->group[i]].group);
	if (!wc->client_server_order && n < len)
		n += snprintf(buf + n, len - n, ":%%SERVER_PRECEDENCE");
	return n < len ? 0 : -1;
}

/* The listed suites of TLS 1.0 to 1.2 (the 1.3 names add nothing). */
int vsva_tls_listed12(const struct vsva_webconfig *wc)
{
	int i, n = 0;

	for (i = 0; i < wc->nsuites; i++)
		n += suites[wc->suite[i]].kx != NULL;
	return n;
}

/* Whether a key exchange can be used with the certificate's key. */
static bool kx_fits(gnutls_kx_algorithm_t kx, bool rsa)
{
	switch (kx) {
	case GNUTLS_KX_RSA:
	case GNUTLS_KX_DHE_RSA:
	case GNUTLS_KX_ECDHE_RSA:
		return rsa;
	case GNUTLS_KX_ECDHE_ECDSA:
		return !rsa;
	default:
		return false;
	}
}

/* A listed suite a client could be offered: its key exchange fits the
 * key, and its MAC the versions (AEAD suites need TLS 1.2). */
static bool suite_fits(const struct vsva_webconfig *wc,
		       const struct tls_suite *s, bool rsa)
{
	return s->kx && !strcmp(s->kx, "ECDHE-ECDSA") == !rsa &&
	       (wc->max_tls >= 12 || strcmp(s->mac, "AEAD"));
}

/* The table index of a suite id, or -1. */
static int suite_of(const unsigned char *id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suites); i++)
		if (!memcmp(id, suites[i].id, 2))
			return i;
	return -1;
}

static bool listed(const struct vsva_webconfig *wc, int t)
{
	int i;

	for (i = 0; i < wc->nsuites; i++)
		if (wc->suite[i] == t)
			return true;
	return false;
}

static void append(char *buf, size_t len, const char *name)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
}

/* Walk the suites @prio offers: count TLS 1.3 ones in wc->ntls13, name
 * the others that fit the key and are not listed in @extra, and set the
 * table bit of each listed one in *@found. */
static void walk_offered(struct vsva_webconfig *wc, gnutls_priority_t prio,
			 bool rsa, char *extra, size_t len,
			 unsigned int *found)
{
	gnutls_protocol_t minv;
	gnutls_kx_algorithm_t kx;
	unsigned char id[2];
	const char *name;
	unsigned int i, idx;
	int rc, t;

	for (i = 0; ; i++) {
		rc = gnutls_priority_get_cipher_suite_index(prio, i, &idx);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		name = rc ? NULL : gnutls_cipher_suite_info(idx, id, &kx, NULL,
							   NULL, &minv);
		if (!name)
			continue;
		if (minv == GNUTLS_TLS1_3) {
			wc->ntls13 += wc->max_tls == 13;
			continue;
		}
		if (!kx_fits(kx, rsa) ||
		    (minv == GNUTLS_TLS1_2 && wc->max_tls < 12))
			continue;
		t = suite_of(id);
		if (t >= 0 && listed(wc, t))
			*found |= 1u << t;
		else
			append(extra, len, t >= 0 ? suites[t].name : name);
	}
}

/* The listed suites GnuTLS did not offer, named in @missing; how many
 * listed ones a client could be offered at all. */
static int missing_listed(const struct vsva_webconfig *wc, bool rsa,
			  unsigned int found, char *missing, size_t len)
{
	int i, n = 0;

	for (i = 0; i < wc->nsuites; i++) {
		if (!suite_fits(wc, &suites[wc->suite[i]], rsa))
			continue;
		n++;
		if (!(found & 1u << wc->suite[i]))
			append(missing, len, suites[wc->suite[i]].name);
	}
	return n;
}

static bool rsa_key(const struct vsva_webconfig *wc)
{
	int pk = gnutls_pubkey_get_pk_algorithm(wc->cred->pcert[0].pubkey,
						NULL);

	return pk == GNUTLS_PK_RSA || pk == GNUTLS_PK_RSA_PSS;
}

int vsva_tls_check_suites(struct vsva_webconfig *wc, const char *path,
			  char *err, size_t len)
{
	char prio_str[512], extra[1024] = "", missing[1024] = "";
	gnutls_priority_t prio;
	unsigned int found = 0;
	const char *where;
	bool rsa = rsa_key(wc);
	int rc, usable;

	if (vsva_webconfig_priorities(wc, prio_str, sizeof(prio_str))) {
		snprintf(err, len, "%s: tls_server_config: too many TLS "
			 "parameters", path);
		return -1;
	}
	rc = gnutls_priority_init(&prio, prio_str, &where);
	if (rc) {
		snprintf(err, len, "%s: tls_server_config: GnuTLS refuses the "
			 "priority '%s' at '%s': %s", path, prio_str,
			 where ? where : "?", gnutls_strerror(rc));
		return -1;
	}
	wc->ntls13 = 0;
	walk_offered(wc, prio, rsa, extra, sizeof(extra), &found);
	gnutls_priority_deinit(prio);
	if (!vsva_tls_listed12(wc))
		goto tls13;
	usable = missing_listed(wc, rsa, found, missing, sizeof(missing));
	if (!usable)
		snprintf(err, len, "%s: tls_server_config: none of cipher_suites "
			 "can be used with %s certificate up to TLS 1.%d", path,
			 rsa ? "an RSA" : "an ECDSA", wc->max_tls - 10);
	else if (extra[0])
		snprintf(err, len, "%s: tls_server_config: cipher_suites: GnuTLS "
			 "offers every key exchange x cipher x MAC of a list, "
			 "so it would also offer %s: list them too, or fewer "
			 "kinds", path, extra);
	else if (missing[0])
		snprintf(err, len, "%s: tls_server_config: cipher_suites: this "
			 "GnuTLS does not offer %s", path, missing);
	else
		goto tls13;
	return -1;
tls13:
	if (wc->max_tls == 13 && !wc->ntls13) {
		snprintf(err, len, "%s: tls_server_config: cipher_suites has no "
			 "AES-GCM or ChaCha20 suite, so TLS 1.3 would have none "
			 "(GnuTLS shares one cipher list between versions); "
			 "add one, or set max_version: TLS12", path);
		return -1;
	}
	return 0;
}

/* A SAN as crypto/tls prints it: DNS names, e-mail addresses and URIs as
 * they are, IP addresses in their text form. */
static bool san_text(int type, const char *raw, size_t size, char *out,
		     size_t len)
{
	switch (type) {
	case GNUTLS_SAN_DNSNAME:
	case GNUTLS_SAN_RFC822NAME:
	case GNUTLS_SAN_URI:
		if (size >= len || memchr(raw, 0, size))
			return false;
		memcpy(out, raw, size);
		out[size] = 0;
		return true;
	case GNUTLS_SAN_IPADDRESS:
		return (size == 4 && inet_ntop(AF_INET, raw, out, len)) ||
		       (size == 16 && inet_ntop(AF_INET6, raw, out, len));
	default:
		return false;
	}
}

bool vsva_webconfig_san_allowed(const struct vsva_webconfig *wc,
				const gnutls_datum_t *der)
{
	char raw[512], text[512];
	gnutls_x509_crt_t crt;
	unsigned int seq, critical;
	bool allowed = false;
	size_t size;
	int type, i;

	if (!wc->nsans)
		return true;
	if (gnutls_x509_crt_init(&crt))
		return false;
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER))
		goto out;
	for (seq = 0; !allowed; seq++) {
		size = sizeof(raw);
		type = gnutls_x509_crt_get_subject_alt_name(crt, seq, raw,
							    &size, &critical);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type < 0 || !san_text(type, raw, size, text, sizeof(text)))
			continue;
		for (i = 0; i < wc->nsans && !allowed; i++)
			allowed = !strcmp(text, wc->san[i]);
	}
out:
	gnutls_x509_crt_deinit(crt);
	return allowed;
}
