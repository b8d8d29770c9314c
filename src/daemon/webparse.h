/* SPDX-License-Identifier: GPL-2.0 */
/* vsvad's web config, key by key (webparse.c). */
#ifndef VSVA_WEBPARSE_H
#define VSVA_WEBPARSE_H

#include "webyaml.h"

#define WC_MAX_USERS	256

/* client_auth_type's names, by enum vsva_client_auth */
extern const char *const wc_client_auth_names[];

/* The whole document, from the stream's start, into @wc (its user and
 * hash arrays allocated for WC_MAX_USERS); 0, or -1 with why. */
int wc_parse_top(struct wc_parser *wp, struct vsva_webconfig *wc);

#endif /* VSVA_WEBPARSE_H */
