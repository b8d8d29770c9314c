// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's TLS sessions: the certificate each presents (the web config's,
 * which a reload replaces), and the client certificates it asks for and
 * verifies, per client_auth_type and client_allowed_sans.
 */
#include <stdbool.h>
#include <pthread.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include "vsva/engine.h"
#include "conns.h"
#include "servtls.h"
#include "vsvad.h"

/*
 * The certificate handshakes present: the web config's, replaced by a
 * reload.  GnuTLS's retrieve callback takes no argument of ours, hence
 * the file-scope pointer.  A session takes a reference to what it
 * presents (GnuTLS keeps pointers to it for the session's life), given
 * back when its connection closes; the reload drops the config's.
 */
static pthread_mutex_t tls_cred_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vsva_tls_cred *tls_cred;		/* under tls_cred_lock */
static enum vsva_client_auth tls_client_auth;	/* fixed at start */
static struct vsvad *tls_daemon;		/* client_allowed_sans */
static unsigned long long tls_purpose_refusals;

void vsvad_tls_cred_set(struct vsva_tls_cred *c)
{
	pthread_mutex_lock(&tls_cred_lock);
	tls_cred = c;
	pthread_mutex_unlock(&tls_cred_lock);
}

void vsvad_tls_start(struct vsvad *d)
{
	vsvad_tls_cred_set(d->wc.cred);
	tls_client_auth = d->wc.client_auth;
	tls_daemon = d;
}

/* client_allowed_sans: the client's certificate names one of them (read
 * under the lock: a reload may change the list). */
static bool sans_allowed(const gnutls_datum_t *cert)
{
	bool ok;

	pthread_rwlock_rdlock(&tls_daemon->wc_lock);
	ok = !tls_daemon->wc.nsans ||
	     vsva_webconfig_san_allowed(&tls_daemon->wc, cert);
	pthread_rwlock_unlock(&tls_daemon->wc_lock);
	if (!ok)
		__atomic_add_fetch(&tls_daemon->san_refusals, 1,
				   __ATOMIC_RELAXED);
	return ok;
}

/*
 * VerifyClientCertIfGiven, RequireAndVerifyClientCert: the certificate
 * chains to client_ca_file (MHD's trust list) and may serve a TLS client,
 * as Go's crypto/tls asks: its extended key usage, if it has one, names
 * client authentication (or any purpose), and so does every CA's above it
 * that has one.  Then it names one of client_allowed_sans, if listed.
 */
static int verify_client(gnutls_session_t s)
{
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	const gnutls_datum_t *peers;
	unsigned int n = 0, status = 0;

	peers = gnutls_certificate_get_peers(s, &n);
	if (!peers || !n)
		return tls_client_auth == VSVA_VERIFY_CLIENT_CERT_IF_GIVEN ? 0 :
		       GNUTLS_E_NO_CERTIFICATE_FOUND;
	if (gnutls_certificate_verify_peers(s, &purpose, 1, &status) ||
	    status) {
		if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
			__atomic_add_fetch(&tls_purpose_refusals, 1,
					   __ATOMIC_RELAXED);
		return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
	}
	return sans_allowed(&peers[0]) ? 0 : GNUTLS_E_CERTIFICATE_ERROR;
}

/* What this session asks of the client, per client_auth_type: set while
 * the server's certificate is chosen, before it asks for the client's.
 * RequireAnyClientCert verifies nothing, as in Go (hence no SANs with
 * it: webconfig.c refuses them). */
static void ask_client_cert(gnutls_session_t s)
{
	switch (tls_client_auth) {
	case VSVA_NO_CLIENT_CERT:
		return;
	case VSVA_REQUEST_CLIENT_CERT:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
		return;
	case VSVA_REQUIRE_ANY_CLIENT_CERT:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
		return;
	case VSVA_VERIFY_CLIENT_CERT_IF_GIVEN:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
		gnutls_session_set_verify_function(s, verify_client);
		return;
	case VSVA_REQUIRE_AND_VERIFY_CLIENT_CERT:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
		gnutls_session_set_verify_function(s, verify_client);
		return;
	}
}

/* libmicrohttpd makes its connection the session's pointer: the
 * reference to the certificate is held in the connection's context. */
int vsvad_tls_retrieve_cert(gnutls_session_t s, const gnutls_datum_t *req_ca,
			    int nreqs, const gnutls_pk_algorithm_t *algos,
			    int nalgos, gnutls_pcert_st **pcert,
			    unsigned int *npcert, gnutls_privkey_t *key)
{
	struct MHD_Connection *mc = gnutls_session_get_ptr(s);
	struct vsva_tls_cred *c;

	pthread_mutex_lock(&tls_cred_lock);
	c = tls_cred;
	if (c)
		vsva_tls_cred_get(c);
	pthread_mutex_unlock(&tls_cred_lock);
	if (!c)
		return -1;
	if (!mc || !vsvad_conns_hold(mc, c)) {
		vsva_tls_cred_put(c);
		return -1;	/* nowhere to hold it: no handshake */
	}
	ask_client_cert(s);
	*pcert = c->pcert;
	*npcert = c->npcert;
	*key = c->key;
	return 0;
}

void vsvad_tls_metrics(struct vsva_snapshot *s)
{
	vsva_family_add(vsva_snap_family(s,
			"vsva_tls_client_purpose_refusals_total",
			"TLS handshakes refused because the client certificate "
			"(or a CA above it) is not for TLS clients: its extended "
			"key usage lacks client authentication.", VSVA_COUNTER),
			__atomic_load_n(&tls_purpose_refusals, __ATOMIC_RELAXED),
			NULL);
	vsva_family_add(vsva_snap_family(s, "vsva_tls_credentials",
			"Certificate and key pairs in memory: the one served, "
			"and those a reload replaced that an open connection "
			"still holds.", VSVA_GAUGE), vsva_tls_creds_live(), NULL);
}

