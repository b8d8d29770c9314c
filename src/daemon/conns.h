/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsvad: its connections' deadlines and per-client limit, and the TLS
 * certificate each holds (conns.c).  The callbacks are libmicrohttpd's:
 * its accept policy, the start and end of a connection
 * (MHD_OPTION_NOTIFY_CONNECTION), and the request's phases.
 */
#ifndef VSVAD_CONNS_H
#define VSVAD_CONNS_H

#include <stdbool.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "webconfig.h"

#define HTTP_HEADER_S		5	/* accept or last answer -> headers */
#define HTTP_ANSWER_S		30	/* headers -> the answer taken */

struct vsva_snapshot;

/* The sweeper; @per_client connections at most from one client. */
int vsvad_conns_start(unsigned int per_client);
void vsvad_conns_stop(void);
/* MHD's accept policy: no to a client at its limit. */
enum MHD_Result vsvad_conns_admit(void *cls, const struct sockaddr *sa,
				  socklen_t len);
/* A connection accepted (its deadline for headers starts), and closed
 * (its TLS session gone); @state is its socket context. */
void vsvad_conns_open(struct MHD_Connection *c, void **state);
void vsvad_conns_close(void **state);
/* Its headers are in (@answering), or its answer is taken. */
void vsvad_conns_phase(struct MHD_Connection *c, bool answering);
/* Keep a reference to the certificate @c's session presents until @c
 * closes; false (keeping none) if @c is not tracked. */
bool vsvad_conns_hold(struct MHD_Connection *c, struct vsva_tls_cred *cred);
/* vsva_http_deadline_closes_total, vsva_http_client_limit_refusals_total */
void vsvad_conns_metrics(struct vsva_snapshot *s);

#endif /* VSVAD_CONNS_H */
