// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's basic_auth_users: a password checked against the user's bcrypt
 * hash (libcrypt), outside the config's lock when auth.c's workers ask,
 * and the user's last good one remembered as a keyed hash, across reloads
 * too while the user's hash stays.
 */
#define _GNU_SOURCE
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include "webconfig.h"

/* A bcrypt hash's cost ("$2y$10$..."), or 0 for anything else. */
static int hash_cost(const char *h)
{
	if (strlen(h) < 7 || h[0] != '$' || h[1] != '2' || h[3] != '$' ||
	    h[6] != '$' || h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9')
		return 0;
	return (h[4] - '0') * 10 + (h[5] - '0');
}

int wc_dearest_user(const struct vsva_webconfig *wc)
{
	int i, best = 0;

	for (i = 1; i < wc->nusers; i++)
		if (hash_cost(wc->hash[i]) > hash_cost(wc->hash[best]))
			best = i;
	return best;
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

/*
 * The remembered passwords of the users whose hash a reload leaves alone,
 * into @next's cache (which then goes on under @wc's key): so a reload
 * does not send every scraper back to bcrypt, where a flood of bad
 * guesses may have spent the budget.  A changed hash forgets the user's.
 * The caller holds the write lock, so no worker writes good[] meanwhile.
 */
void wc_keep_good(const struct vsva_webconfig *wc,
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

