/* SPDX-License-Identifier: GPL-2.0 */
/* vsvad: the daemon's state, shared by vsvad.c and server.c. */
#ifndef VSVAD_H
#define VSVAD_H

#include <pthread.h>
#include <stdbool.h>
#include "webconfig.h"

enum {
	EXIT_RUNTIME = 1,	/* BPF or HTTP failure */
	EXIT_USAGE = 2,
	EXIT_PRIVS = 3,
	EXIT_LISTEN = 4,
};

#define VSVAD_HTTP_CODES	600	/* status codes counted: 0..599 */

struct vsvad {
	struct vsva_engine *engine;
	struct vsva_webconfig wc;	/* TLS and users, from --web-config */
	/* requests answered, by status code; refused credentials */
	unsigned long long http_requests[VSVAD_HTTP_CODES];
	unsigned long long auth_failures;
	unsigned long long connections;	/* accepted */
	unsigned long long san_refusals;	/* client_allowed_sans */
	size_t last_size;		/* of the last exposition written */
	struct vsvad_auth *auth;	/* bcrypt workers */
	/* wc: a SIGHUP reload swaps it.  Writer-preferring, so a reader
	 * waits while a reload does: never take the read side twice, and
	 * never hold it across anything slow (bcrypt runs without it) */
	pthread_rwlock_t wc_lock;
	unsigned long long reloads[2];	/* web config reloads: ok, failed */
	bool last_reload_ok;
	int stats_fd;		/* BPF_ENABLE_STATS while vsvad runs, or -1 */
	pthread_mutex_t lock;	/* engine: scrapes vs. the GC tick */
};

struct MHD_Daemon;
struct vsvad_auth;

/* ADDR:PORT or [ADDR6]:PORT -> a listening socket, or -EXIT_* with a
 * message on stderr. */
int vsvad_listen(const char *spec);
/* Serve @d on @fd (TLS and auth from d->wc), at most @conns connections,
 * @per_ip of them from one client (0: vsvad_http_per_client's default);
 * NULL on failure. */
struct MHD_Daemon *vsvad_http_start(struct vsvad *d, int fd,
				    unsigned int conns, unsigned int per_ip);
/* --max-per-ip: @per_ip, or if 0 the default for @conns: 8, or @conns/256
 * if more. */
unsigned int vsvad_http_per_client(unsigned int conns, unsigned int per_ip);
void vsvad_http_stop(struct MHD_Daemon *httpd);
double vsvad_mono_s(void);
/* SIGHUP, or its files changed (@why): read @path again; keep the old
 * config if it cannot be used. */
void vsvad_reload_web_config(struct vsvad *d, const char *path,
			     const char *why);

#endif /* VSVAD_H */
