// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's certificate and key pairs, parsed for GnuTLS when the web config
 * is read (a key that is not the certificate's is refused then), and
 * counted: each lives until the config and every session that presented
 * it have let it go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include "webconfig.h"

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
int wc_parse_cred(struct vsva_webconfig *wc, const char *path,
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

