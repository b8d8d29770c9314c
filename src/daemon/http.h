/* SPDX-License-Identifier: GPL-2.0 */
/* vsvad: request routing. */
#ifndef VSVA_HTTP_H
#define VSVA_HTTP_H


/* ---- vsvad request routing ------------------------------------------ */

enum vsva_route {
	VSVA_ROUTE_METRICS,
	VSVA_ROUTE_LANDING,
	VSVA_ROUTE_NOT_FOUND,
	VSVA_ROUTE_BAD_METHOD,
};

enum vsva_route vsva_http_route(const char *method, const char *url);

#endif /* VSVA_HTTP_H */
