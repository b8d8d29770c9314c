/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsvad: basic auth off the HTTP thread.  bcrypt runs in a small pool of
 * workers behind a bounded queue; a request whose password needs it is
 * suspended until a worker answers.  Failed attempts are limited per client
 * address with a token bucket.
 */
#ifndef VSVAD_AUTH_H
#define VSVAD_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>

struct vsva_webconfig;
struct vsvad_auth;
struct MHD_Connection;

#define AUTH_WORKERS		2	/* bcrypt threads */
#define AUTH_QUEUE		64	/* requests waiting for one */
#define AUTH_BURST		10	/* failed attempts an address may make */
#define AUTH_REFILL_PER_S	1.0	/* ...and then this many a second */
#define AUTH_ADDRS		256	/* addresses remembered */

enum auth_verdict {
	AUTH_OK,	/* the user's last good password: no bcrypt */
	AUTH_DENIED,	/* no credentials */
	AUTH_PENDING,	/* queued: suspend the connection */
	AUTH_BUSY,	/* the queue is full: 503 */
	AUTH_LIMITED,	/* the address spent its failures: 429 */
};

/* One request's check, between vsvad_auth_begin() and _end(). */
struct auth_job {
	struct vsvad_auth *a;
	struct MHD_Connection *c;
	char *user, *pass;
	struct sockaddr_storage addr;
	bool ok;
	struct auth_job *next;
};

/* @wc is read under @lock's read side (a reload writes it). */
int vsvad_auth_start(struct vsvad_auth **a, struct vsva_webconfig *wc,
		     pthread_rwlock_t *lock);
/* Finish the queued checks (their connections resume) and stop. */
void vsvad_auth_stop(struct vsvad_auth *a);

/*
 * Start checking @c's credentials.  AUTH_PENDING: *@job is queued and the
 * caller suspends @c; a worker resumes it.  AUTH_LIMITED: *@retry_s is
 * how long until the address may try again.
 */
enum auth_verdict vsvad_auth_begin(struct vsvad_auth *a,
				   struct MHD_Connection *c,
				   struct auth_job **job,
				   unsigned int *retry_s);
/* The resumed request's verdict; frees @job. */
bool vsvad_auth_end(struct auth_job *job);
/* A job whose connection went away before it was resumed and ended. */
void vsvad_auth_forget(struct auth_job *job);

#endif /* VSVAD_AUTH_H */
