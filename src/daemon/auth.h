/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsvad: basic auth off the HTTP thread.  bcrypt runs in a small pool of
 * workers behind a bounded queue; a request whose password needs it is
 * suspended until a worker answers.  Failed attempts are limited with
 * token buckets: per client (an IPv4 address, an IPv6 /64), and for all
 * clients together.
 */
#ifndef VSVAD_AUTH_H
#define VSVAD_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct vsva_webconfig;
struct vsvad_auth;
struct MHD_Connection;

#define AUTH_WORKERS		2	/* bcrypt threads */
#define AUTH_QUEUE		64	/* requests waiting for one */
#define AUTH_BURST		10	/* failed attempts a client may make */
#define AUTH_REFILL_PER_S	1.0	/* ...and then this many a second */
#define AUTH_ADDRS		256	/* clients remembered */
#define AUTH_ALL_BURST		64	/* failed attempts of all clients */
#define AUTH_ALL_REFILL_PER_S	8.0	/* ...and then this many a second */
#define AUTH_KEY_LEN		9	/* a family byte and an address */

enum auth_verdict {
	AUTH_OK,	/* the user's last good password: no bcrypt */
	AUTH_DENIED,	/* no credentials */
	AUTH_PENDING,	/* queued: suspend the connection */
	AUTH_BUSY,	/* the queue is full, or all clients spent their
			 * failures: 503 */
	AUTH_LIMITED,	/* the client spent its failures: 429 */
};

/* One request's check, between vsvad_auth_begin() and _end(). */
struct auth_job {
	struct vsvad_auth *a;
	struct MHD_Connection *c;
	char *user, *pass;
	unsigned char key[AUTH_KEY_LEN];	/* the client's bucket */
	size_t klen;
	bool ok;
	struct auth_job *next;
};

/*
 * The client a bucket counts for: an IPv4 address (an IPv4-mapped IPv6
 * one too), or an IPv6 /64; its key in @key, and how many bytes of it.
 */
size_t vsvad_auth_key(const struct sockaddr *sa,
		      unsigned char key[AUTH_KEY_LEN]);

/* @wc is read under @lock's read side (a reload writes it); bcrypt runs
 * without the lock. */
int vsvad_auth_start(struct vsvad_auth **a, struct vsva_webconfig *wc,
		     pthread_rwlock_t *lock);
/* Stop: the checks running finish, the queued ones are refused without
 * a bcrypt (their connections resume either way). */
void vsvad_auth_stop(struct vsvad_auth *a);

/*
 * Start checking @c's credentials.  AUTH_PENDING: *@job is queued and the
 * caller suspends @c; a worker resumes it.  AUTH_LIMITED, AUTH_BUSY:
 * *@retry_s is how long until the client may try again.
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
