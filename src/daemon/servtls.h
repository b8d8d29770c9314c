/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsvad: its TLS sessions (servtls.c), for the server (httpd.c) and the
 * metrics (server.c).
 */
#ifndef VSVAD_SERVTLS_H
#define VSVAD_SERVTLS_H

#include <gnutls/abstract.h>
#include "webconfig.h"

struct vsvad;
struct vsva_snapshot;

/* The sessions from now on are @d's: its certificate, client_auth_type
 * (fixed until a restart) and client_allowed_sans. */
void vsvad_tls_start(struct vsvad *d);
/* The certificate handshakes present from now on (a reload's). */
void vsvad_tls_cred_set(struct vsva_tls_cred *c);
/* MHD_OPTION_HTTPS_CERT_CALLBACK: the certificate, held by the connection
 * until it closes; what to ask of the client set on the session. */
int vsvad_tls_retrieve_cert(gnutls_session_t s, const gnutls_datum_t *req_ca,
			    int nreqs, const gnutls_pk_algorithm_t *algos,
			    int nalgos, gnutls_pcert_st **pcert,
			    unsigned int *npcert, gnutls_privkey_t *key);
/* vsva_tls_client_purpose_refusals_total, vsva_tls_credentials */
void vsvad_tls_metrics(struct vsva_snapshot *s);

#endif /* VSVAD_SERVTLS_H */
