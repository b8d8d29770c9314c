// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's HTTP side: libmicrohttpd on one listening socket, TLS and basic
 * auth from the web config (reloaded here), requests answered by
 * server.c, TLS sessions set up by servtls.c.
 *
 * Slow clients: a pool of threads serves the connections (a TLS handshake
 * on one does not hold up the others), and conns.c gives them deadlines
 * and a limit per client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "auth.h"
#include "conns.h"
#include "server.h"
#include "servtls.h"
#include "vsvad.h"

#define HTTP_TIMEOUT_S		10		/* idle: nothing in or out */
#ifndef HTTP_THREADS_MAX	/* -DHTTP_THREADS_MAX=1: one, to compare */
#define HTTP_THREADS_MAX	4		/* the pool: CPUs, 2 to this */
#endif
#define HTTP_PER_CLIENT_MIN	8		/* --max-per-ip's default: this */
#define HTTP_PER_CLIENT_DIV	256		/* or --max-connections / this */
#define HTTP_CONN_MEMORY	(32 * 1024)	/* request line + headers */

/* MHD_OPTION_NOTIFY_COMPLETED: count the request by the status sent; the
 * connection's next request has HTTP_HEADER_MS from now. */
static void on_completed(void *cls, struct MHD_Connection *c, void **state,
			 enum MHD_RequestTerminationCode toe)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
	struct vsvad *d = cls;

	vsvad_conns_phase(c, false);
	if (*state) {		/* resumed, but the client went away */
		vsvad_auth_forget(*state);
		*state = NULL;
	}
	if (ci && ci->http_status >= 100 && ci->http_status < VSVAD_HTTP_CODES)
		__atomic_add_fetch(&d->http_requests[ci->http_status], 1,
				   __ATOMIC_RELAXED);
}

/* MHD_OPTION_NOTIFY_CONNECTION: count accepted connections, and track
 * them from their accept (before any TLS handshake) to their close
 * (after their session is gone). */
static void on_connection(void *cls, struct MHD_Connection *c, void **state,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct vsvad *d = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		__atomic_add_fetch(&d->connections, 1, __ATOMIC_RELAXED);
		vsvad_conns_open(c, state);
	} else {
		vsvad_conns_close(state);
	}
}

/* ADDR:PORT or [ADDR6]:PORT -> a listening socket, or -1 with a message. */
int vsvad_listen(const char *spec)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE };
	char host[256], *port;
	struct addrinfo *ai;
	int fd, one = 1, rc;

	snprintf(host, sizeof(host), "%s", spec);
	port = strrchr(host, ':');
	if (!port || port == host || !port[1]) {
		fprintf(stderr, "vsvad: --listen '%s': expected ADDR:PORT\n", spec);
		return -EXIT_USAGE;
	}
	*port++ = 0;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "vsvad: --listen '%s': %s\n", spec,
			gai_strerror(rc));
		return -EXIT_USAGE;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1024))
		goto close_fd;
	freeaddrinfo(ai);
	return fd;
close_fd:
	rc = errno;
	close(fd);
	errno = rc;
fail:
	fprintf(stderr, "vsvad: cannot listen on %s: %s\n", spec,
		strerror(errno));
	freeaddrinfo(ai);
	return -EXIT_LISTEN;
}

/* The pool's threads: one a CPU, at least two (a handshake or a scrape
 * on one leaves the other free), at most HTTP_THREADS_MAX. */
static unsigned int http_threads(unsigned int conns)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int n = cpus < 2 ? 2 : cpus > HTTP_THREADS_MAX ?
			 HTTP_THREADS_MAX : (unsigned int)cpus;

	return n < conns ? n : conns;
}

unsigned int vsvad_http_per_client(unsigned int conns, unsigned int per_ip)
{
	if (per_ip)
		return per_ip;
	return conns / HTTP_PER_CLIENT_DIV > HTTP_PER_CLIENT_MIN ?
	       conns / HTTP_PER_CLIENT_DIV : HTTP_PER_CLIENT_MIN;
}

struct MHD_Daemon *vsvad_http_start(struct vsvad *d, int fd,
				    unsigned int conns, unsigned int per_ip)
{
	/* the web config's versions (default TLS 1.2 and 1.3, as
	 * exporter-toolkit's; RFC 8996 deprecates 1.0 and 1.1), ciphers
	 * and curves */
	static char priorities[512];
	struct MHD_OptionItem tls[4], no_tls[1] = { { MHD_OPTION_END, 0, NULL } };
	struct MHD_OptionItem pool[2] = {
		{ MHD_OPTION_THREAD_POOL_SIZE, http_threads(conns), NULL },
		{ MHD_OPTION_END, 0, NULL } };
	struct MHD_Daemon *httpd;

	/* the certificate comes from a callback, so that a reload can
	 * replace it without a restart */
	vsvad_tls_start(d);
	tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_CERT_CALLBACK, 0,
					  (void *)vsvad_tls_retrieve_cert };
	if (vsva_webconfig_priorities(&d->wc, priorities, sizeof(priorities)))
		return NULL;
	tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
					  priorities };
	tls[2] = no_tls[0];
	if (d->wc.client_ca_pem) {
		tls[2] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0,
						  d->wc.client_ca_pem };
		tls[3] = no_tls[0];
	}
	if (vsvad_auth_start(&d->auth, &d->wc, &d->wc_lock))
		return NULL;
	if (vsvad_conns_start(vsvad_http_per_client(conns, per_ip)))
		goto stop_auth;
	/* epoll: no FD_SETSIZE ceiling; slow clients cost a descriptor.
	 * Clients are counted here (may_connect, on_connection), by IPv6
	 * /64 and not only by address as libmicrohttpd would. */
	httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				 MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				 MHD_ALLOW_SUSPEND_RESUME |
				 (d->wc.cert_pem ? MHD_USE_TLS : 0), 0,
				 vsvad_conns_admit, NULL, vsvad_handle, d,
				 MHD_OPTION_ARRAY, d->wc.cert_pem ? tls : no_tls,
				 MHD_OPTION_LISTEN_SOCKET, fd,
				 /* one thread is no pool (MHD warns of 1) */
				 MHD_OPTION_ARRAY, pool[0].value > 1 ? pool :
				 pool + 1,
				 MHD_OPTION_CONNECTION_LIMIT, conns,
				 MHD_OPTION_CONNECTION_TIMEOUT, HTTP_TIMEOUT_S,
				 MHD_OPTION_NOTIFY_COMPLETED, on_completed, d,
				 MHD_OPTION_NOTIFY_CONNECTION, on_connection, d,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				 (size_t)HTTP_CONN_MEMORY,
				 MHD_OPTION_END);
	if (httpd)
		return httpd;
	vsvad_conns_stop();
stop_auth:
	vsvad_auth_stop(d->auth);
	d->auth = NULL;
	return NULL;
}

void vsvad_http_stop(struct MHD_Daemon *httpd)
{
	vsvad_conns_stop();
	MHD_stop_daemon(httpd);	/* every connection closes: conn_end */
}

void vsvad_reload_web_config(struct vsvad *d, const char *path,
			     const char *why)
{
	struct vsva_webconfig next;
	char err[512];
	int rc;

	rc = vsva_webconfig_load(path, &next, err, sizeof(err));
	if (!rc) {
		pthread_rwlock_wrlock(&d->wc_lock);
		rc = vsva_webconfig_swap(&d->wc, &next, err, sizeof(err));
		if (!rc)
			vsvad_tls_cred_set(d->wc.cred);
		pthread_rwlock_unlock(&d->wc_lock);
		/* the old certificate's last reference but the sessions' */
		vsva_webconfig_free(&next);
	}
	d->last_reload_ok = !rc;
	__atomic_add_fetch(&d->reloads[!!rc], 1, __ATOMIC_RELAXED);
	if (rc) {
		fprintf(stderr, "vsvad: %s: web config not reloaded, the old "
			"one stays: %s\n", why, err);
		return;
	}
	pthread_rwlock_rdlock(&d->wc_lock);
	vsva_webconfig_describe(&d->wc, err, sizeof(err));
	pthread_rwlock_unlock(&d->wc_lock);
	fprintf(stderr, "vsvad: %s: web config reloaded: %s\n", why, err);
}
