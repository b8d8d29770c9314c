/* SPDX-License-Identifier: GPL-2.0 */
/* vsvad: TLS and basic auth configuration. */
#ifndef VSVA_WEBCONFIG_H
#define VSVA_WEBCONFIG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <gnutls/abstract.h>

/* ---- web configuration (TLS, basic auth), exporter-toolkit format ---- */

#define VSVA_WC_MAC_LEN	32	/* HMAC-SHA-256 */
#define VSVA_WC_MAX_HEADERS	5
#define VSVA_WC_MAX_SUITES	20	/* cipher_suites: Go's secure 17 */
#define VSVA_WC_MAX_GROUPS	4	/* curve_preferences */
#define VSVA_WC_MAX_SANS	64	/* client_allowed_sans */
#define VSVA_WC_MAX_FILES	4	/* the config, cert, key, client CA */

/*
 * A certificate chain and its key, parsed for GnuTLS.  Counted: the web
 * config holds a reference, and so does each TLS session that presented
 * it (server.c), so that a pair a reload retired is freed, its private
 * key with it, once the last connection that used it has closed.
 */
struct vsva_tls_cred {
	gnutls_pcert_st *pcert;
	unsigned int npcert;
	gnutls_privkey_t key;
	unsigned int refs;
};

void vsva_tls_cred_get(struct vsva_tls_cred *c);
/* The last reference frees @c; NULL is ignored. */
void vsva_tls_cred_put(struct vsva_tls_cred *c);
/* Pairs allocated now: the one in use and retired ones still in use. */
unsigned long vsva_tls_creds_live(void);
/* wc->cert_pem and wc->key_pem into wc->cred (one reference); 0, or -1
 * with why: not a chain, not a key, or not the certificate's key. */
struct vsva_webconfig;
int wc_parse_cred(struct vsva_webconfig *wc, const char *path, char *err,
		  size_t len);

/* tls_server_config.client_auth_type, exporter-toolkit's values */
enum vsva_client_auth {
	VSVA_NO_CLIENT_CERT = 0,
	VSVA_REQUEST_CLIENT_CERT,
	VSVA_REQUIRE_ANY_CLIENT_CERT,
	VSVA_VERIFY_CLIENT_CERT_IF_GIVEN,
	VSVA_REQUIRE_AND_VERIFY_CLIENT_CERT,
};

struct vsva_webconfig {
	char *cert_pem, *key_pem;	/* NULL: no TLS */
	char *client_ca_pem;		/* client_ca_file, or NULL */
	enum vsva_client_auth client_auth;
	struct vsva_tls_cred *cred;	/* the two, parsed */
	int nusers;			/* 0: no authentication */
	char **user, **hash;
	/* each user's last good password, as HMAC(key, user NUL password):
	 * never the plaintext; the key is random per load */
	unsigned char (*good)[VSVA_WC_MAC_LEN];
	bool *has_good;
	pthread_mutex_t good_lock;	/* good[]: bcrypt workers write it */
	unsigned char key[VSVA_WC_MAC_LEN];
	int dearest;			/* the user whose hash costs most */
	int min_tls, max_tls;		/* 10..13: TLS 1.0..1.3 */
	/* cipher_suites (indices into webconfig.c's table of crypto/tls's
	 * names; none: vsvad's default), curve_preferences likewise */
	unsigned char suite[VSVA_WC_MAX_SUITES];
	int nsuites;
	unsigned char group[VSVA_WC_MAX_GROUPS];
	int ngroups;
	bool client_server_order;	/* !prefer_server_cipher_suites */
	int ntls13;			/* TLS 1.3 suites offered */
	/* client_allowed_sans: a client certificate must name one */
	char *san[VSVA_WC_MAX_SANS];
	int nsans;
	/* the files read, to notice when they change */
	char *file[VSVA_WC_MAX_FILES];
	int nfiles;
	/* http_server_config.headers: the ones exporter-toolkit allows */
	struct { char *name, *value; } header[VSVA_WC_MAX_HEADERS];
	int nheaders;
};

int vsva_webconfig_load(const char *path, struct vsva_webconfig *wc,
			char *err, size_t len);
/* The user's last good password: true without bcrypt. */
bool vsva_webconfig_cached(struct vsva_webconfig *wc, const char *user,
			   const char *pass);
/* One bcrypt (an unknown user's too); remembers a good password. */
bool vsva_webconfig_verify(struct vsva_webconfig *wc, const char *user,
			   const char *pass);
/*
 * verify() in three steps, so that bcrypt runs without the config's lock:
 * copy_hash() (under the read lock) copies what @user's password is checked
 * against (the costliest user's hash for an unknown user: it is refused,
 * but as slowly); bcrypt() needs no lock; remember() (under the read lock
 * again) takes a good password into the cache, and is false when the
 * user's hash is no longer @hash (a reload changed or removed the user
 * meanwhile): the password was checked against a config gone.
 */
#define VSVA_WC_HASH_MAX	128	/* a bcrypt hash is 60 */
struct vsva_wc_hash {
	char hash[VSVA_WC_HASH_MAX];
	bool known;			/* the user exists */
};
bool vsva_webconfig_copy_hash(const struct vsva_webconfig *wc,
			      const char *user, struct vsva_wc_hash *h);
bool vsva_webconfig_bcrypt(const struct vsva_wc_hash *h, const char *pass);
bool vsva_webconfig_remember(struct vsva_webconfig *wc, const char *user,
			     const char *pass, const struct vsva_wc_hash *h);
/* Either of the two. */
bool vsva_webconfig_check(struct vsva_webconfig *wc, const char *user,
			  const char *pass);
void vsva_webconfig_free(struct vsva_webconfig *wc);
/* A reload: move what may change at run time (users, headers, the
 * certificate, client_allowed_sans) from @next into @wc, and @wc's old
 * into @next for the caller to free; -1 with the reason if @next changes
 * what needs a restart (TLS on or off, TLS versions, ciphers, curves,
 * client auth).  The old certificate goes to @next like the rest: its
 * reference is dropped when @next is freed, and the sessions that
 * presented it hold their own.  A user whose hash did not change
 * keeps its remembered password (and @wc its cache key). */
int vsva_webconfig_swap(struct vsva_webconfig *wc,
			struct vsva_webconfig *next, char *err, size_t len);
/* For load and swap (webusers.c): the user whose hash costs most (an
 * unknown user is checked against it); the remembered passwords of @wc's
 * users whose hash @next keeps, into @next (under the write lock). */
int wc_dearest_user(const struct vsva_webconfig *wc);
void wc_keep_good(const struct vsva_webconfig *wc,
		  struct vsva_webconfig *next);
/* The GnuTLS priority string: versions, ciphers, groups; 0, or -1. */
int vsva_webconfig_priorities(const struct vsva_webconfig *wc, char *buf,
			      size_t len);
/* A client certificate (DER) names one of client_allowed_sans, or there
 * is no such list. */
bool vsva_webconfig_san_allowed(const struct vsva_webconfig *wc,
				const gnutls_datum_t *der);
/* A digest of the files' identity, size and times: a change means the
 * config or a certificate was replaced (unreadable files count too). */
unsigned long long vsva_webconfig_stamp(const struct vsva_webconfig *wc);
void vsva_webconfig_describe(const struct vsva_webconfig *wc, char *buf,
			     size_t len);

#endif /* VSVA_WEBCONFIG_H */
