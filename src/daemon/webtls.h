/* SPDX-License-Identifier: GPL-2.0 */
/* vsvad: a web config's TLS parameters for GnuTLS (webtls.c). */
#ifndef VSVA_WEBTLS_H
#define VSVA_WEBTLS_H

#include "webconfig.h"

/* Indices into the tables of crypto/tls's names, or -1. */
int vsva_tls_suite_find(const char *name);
int vsva_tls_group_find(const char *name);
const char *vsva_tls_group_name(int group);
/* How many listed suites are TLS 1.0 to 1.2 ones. */
int vsva_tls_listed12(const struct vsva_webconfig *wc);
/* The suites GnuTLS will offer with @wc's certificate are the listed
 * ones, and TLS 1.3 has one; sets wc->ntls13.  0, or -1 with why. */
int vsva_tls_check_suites(struct vsva_webconfig *wc, const char *path,
			  char *err, size_t len);

#endif /* VSVA_WEBTLS_H */
