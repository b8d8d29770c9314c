/* SPDX-License-Identifier: GPL-2.0 */
/* vsvad: answering a request (server.c), for the server (httpd.c). */
#ifndef VSVAD_SERVER_H
#define VSVAD_SERVER_H

#include <stddef.h>
#include <microhttpd.h>

/* libmicrohttpd's access handler; @cls is the struct vsvad. */
enum MHD_Result vsvad_handle(void *cls, struct MHD_Connection *c,
			     const char *url, const char *method,
			     const char *version, const char *upload,
			     size_t *upload_size, void **state);

#endif /* VSVAD_SERVER_H */
