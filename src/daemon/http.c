// SPDX-License-Identifier: GPL-2.0
/* vsvad's request routing, apart from the HTTP server so it can be fuzzed. */
#include <string.h>
#include "http.h"

enum vsva_route vsva_http_route(const char *method, const char *url)
{
	if (!method || !url)
		return VSVA_ROUTE_NOT_FOUND;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return VSVA_ROUTE_BAD_METHOD;
	if (!strcmp(url, "/metrics"))
		return VSVA_ROUTE_METRICS;
	if (!strcmp(url, "/"))
		return VSVA_ROUTE_LANDING;
	return VSVA_ROUTE_NOT_FOUND;
}
