// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's basic auth, off the HTTP thread (cf. exporter-toolkit, which
 * runs bcrypt one at a time off the path of cached good credentials and
 * limits failed attempts).  The HTTP thread answers a user's last good
 * password itself; anything else is queued for a bcrypt worker and the
 * connection suspended, so twenty bad guesses a second cannot make a
 * scrape wait.  A full queue is refused at once (503), and a client that
 * spent its failed attempts gets 429 until its bucket refills.  A client
 * is an IPv4 address or an IPv6 /64 (what one subscriber gets, and may
 * rotate through at will).  Beyond that, all clients together have a
 * budget of failures: once it is spent, whatever needs a bcrypt gets 503
 * at once, so that a flood from many addresses costs a bounded number of
 * bcrypts a second, while a scrape with a remembered password still gets
 * through.  bcrypt runs on a copy of the hash, outside the config's lock,
 * so that a reload never waits for one.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include "auth.h"
#include "webconfig.h"

/* Failed attempts left, refilled over time. */
struct budget {
	double tokens, at;		/* tokens at time @at (s) */
};

/* ...to one client */
struct bucket {
	unsigned char key[AUTH_KEY_LEN];
	size_t len;
	struct budget b;
	bool used;
};

struct vsvad_auth {
	struct vsva_webconfig *wc;
	pthread_rwlock_t *wc_lock;
	pthread_t workers[AUTH_WORKERS];
	int nworkers;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct auth_job *head, *tail;
	int queued;
	bool stopping;
	/* begin and end run on the HTTP threads (a pool) */
	pthread_mutex_t limit;		/* the two below */
	struct bucket buckets[AUTH_ADDRS];
	struct budget all;		/* every client's failures */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

size_t vsvad_auth_key(const struct sockaddr *sa,
		      unsigned char key[AUTH_KEY_LEN])
{
	const struct sockaddr_in6 *in6 = (const void *)sa;
	const struct sockaddr_in *in4 = (const void *)sa;

	if (sa && sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		/* an IPv4 client of a dual-stack socket */
		key[0] = 4;
		memcpy(key + 1, &in6->sin6_addr.s6_addr[12], 4);
		return 5;
	}
	if (sa && sa->sa_family == AF_INET6) {
		key[0] = 6;
		memcpy(key + 1, in6->sin6_addr.s6_addr, 8);	/* the /64 */
		return 9;
	}
	if (sa && sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &in4->sin_addr, 4);
		return 5;
	}
	key[0] = 0;	/* no address: such clients share one bucket */
	return 1;
}

/* @b refilled to @t, at @rate a second up to @burst */
static void refill(struct budget *b, double t, double burst, double rate)
{
	b->tokens = fmin(burst, b->tokens + (t - b->at) * rate);
	b->at = t;
}

/* Seconds until @b holds a token again. */
static unsigned int retry_after(const struct budget *b, double rate)
{
	return (unsigned int)ceil((1 - b->tokens) / rate);
}

/* The bucket of the client @key, refilled to now; a new client takes the
 * slot of the one refilled longest ago. */
static struct bucket *bucket_of(struct vsvad_auth *a,
				const unsigned char *key, size_t len)
{
	uint32_t h = 2166136261u;
	struct bucket *b, *oldest = NULL;
	double t = now_s();
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ key[i]) * 16777619u;
	for (i = 0; i < 8; i++) {	/* a short probe sequence */
		b = &a->buckets[(h + i) % AUTH_ADDRS];
		if (b->used && b->len == len && !memcmp(b->key, key, len))
			goto found;
		if (!oldest || !b->used ||
		    (oldest->used && b->b.at < oldest->b.at))
			oldest = b;
	}
	b = oldest;
	memcpy(b->key, key, len);
	b->len = len;
	b->b = (struct budget){ .tokens = AUTH_BURST, .at = t };
	b->used = true;
found:
	refill(&b->b, t, AUTH_BURST, AUTH_REFILL_PER_S);
	return b;
}

/* The global budget, refilled to now. */
static struct budget *budget_all(struct vsvad_auth *a)
{
	refill(&a->all, now_s(), AUTH_ALL_BURST, AUTH_ALL_REFILL_PER_S);
	return &a->all;
}

/* One bcrypt, on a copy of the hash: the config's lock is held only to
 * copy it out and to remember a good password, never during bcrypt, so a
 * reload (the lock's writer) waits for no bcrypt. */
static bool check(struct vsvad_auth *a, struct auth_job *job)
{
	struct vsva_wc_hash h;
	bool ok;

	pthread_rwlock_rdlock(a->wc_lock);
	ok = vsva_webconfig_copy_hash(a->wc, job->user, &h);
	pthread_rwlock_unlock(a->wc_lock);
	ok = ok && vsva_webconfig_bcrypt(&h, job->pass);
	if (ok) {
		pthread_rwlock_rdlock(a->wc_lock);
		ok = vsva_webconfig_remember(a->wc, job->user, job->pass, &h);
		pthread_rwlock_unlock(a->wc_lock);
	}
	return ok;
}

static void *worker(void *arg)
{
	struct vsvad_auth *a = arg;
	struct auth_job *job;
	bool stopping;

	for (;;) {
		pthread_mutex_lock(&a->lock);
		while (!a->head && !a->stopping)
			pthread_cond_wait(&a->more, &a->lock);
		job = a->head;
		if (!job) {		/* stopping, and nothing left */
			pthread_mutex_unlock(&a->lock);
			return NULL;
		}
		a->head = job->next;
		if (!a->head)
			a->tail = NULL;
		a->queued--;
		stopping = a->stopping;
		pthread_mutex_unlock(&a->lock);
		/* stopping: what is still queued is refused unchecked, so
		 * that an exit waits for the bcrypts running, not for a
		 * queue of them */
		job->ok = !stopping && check(a, job);
		MHD_resume_connection(job->c);
	}
}

int vsvad_auth_start(struct vsvad_auth **out, struct vsva_webconfig *wc,
		     pthread_rwlock_t *lock)
{
	struct vsvad_auth *a = calloc(1, sizeof(*a));
	int rc = 0;

	if (!a)
		return -ENOMEM;
	a->wc = wc;
	a->wc_lock = lock;
	a->all = (struct budget){ .tokens = AUTH_ALL_BURST, .at = now_s() };
	pthread_mutex_init(&a->lock, NULL);
	pthread_mutex_init(&a->limit, NULL);
	pthread_cond_init(&a->more, NULL);
	while (a->nworkers < AUTH_WORKERS && !rc) {
		rc = pthread_create(&a->workers[a->nworkers], NULL, worker, a);
		if (!rc)
			a->nworkers++;
	}
	if (!a->nworkers) {
		free(a);
		return -rc;
	}
	*out = a;
	return 0;
}

void vsvad_auth_stop(struct vsvad_auth *a)
{
	int i;

	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stopping = true;
	pthread_cond_broadcast(&a->more);
	pthread_mutex_unlock(&a->lock);
	for (i = 0; i < a->nworkers; i++)
		pthread_join(a->workers[i], NULL);
	free(a);
}

static void job_free(struct auth_job *job)
{
	if (job->pass)
		memset(job->pass, 0, strlen(job->pass));
	MHD_free(job->user);
	MHD_free(job->pass);
	free(job);
}

/* Queue @job for a worker; false when the queue is full. */
static bool enqueue(struct vsvad_auth *a, struct auth_job *job)
{
	bool ok;

	pthread_mutex_lock(&a->lock);
	ok = a->queued < AUTH_QUEUE && !a->stopping;
	if (ok) {
		if (a->tail)
			a->tail->next = job;
		else
			a->head = job;
		a->tail = job;
		a->queued++;
		pthread_cond_signal(&a->more);
	}
	pthread_mutex_unlock(&a->lock);
	return ok;
}

/*
 * A failure is paid for up front, and refunded on success, so that
 * concurrent guesses cannot all pass the check before one fails; the
 * client's bucket first, so that a client refused there does not spend
 * the budget of all.  AUTH_PENDING: paid.
 */
static enum auth_verdict charge(struct vsvad_auth *a,
				const struct auth_job *job,
				unsigned int *retry_s)
{
	enum auth_verdict v = AUTH_PENDING;
	struct budget *all;
	struct bucket *b;

	pthread_mutex_lock(&a->limit);
	b = bucket_of(a, job->key, job->klen);
	all = budget_all(a);
	if (b->b.tokens < 1) {
		*retry_s = retry_after(&b->b, AUTH_REFILL_PER_S);
		v = AUTH_LIMITED;
	} else if (all->tokens < 1) {
		*retry_s = retry_after(all, AUTH_ALL_REFILL_PER_S);
		v = AUTH_BUSY;
	} else {
		b->b.tokens -= 1;
		all->tokens -= 1;
	}
	pthread_mutex_unlock(&a->limit);
	return v;
}

/* Give back what charge() took: the attempt did not fail. */
static void refund(struct vsvad_auth *a, const struct auth_job *job)
{
	struct bucket *b;

	pthread_mutex_lock(&a->limit);
	b = bucket_of(a, job->key, job->klen);
	b->b.tokens = fmin(AUTH_BURST, b->b.tokens + 1);
	a->all.tokens = fmin(AUTH_ALL_BURST, budget_all(a)->tokens + 1);
	pthread_mutex_unlock(&a->limit);
}

enum auth_verdict vsvad_auth_begin(struct vsvad_auth *a,
				   struct MHD_Connection *c,
				   struct auth_job **out,
				   unsigned int *retry_s)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct auth_job *job = calloc(1, sizeof(*job));
	enum auth_verdict v;
	bool ok;

	if (!job)
		return AUTH_BUSY;
	job->a = a;
	job->c = c;
	job->user = MHD_basic_auth_get_username_password(c, &job->pass);
	if (!job->user || !job->pass) {
		job_free(job);
		return AUTH_DENIED;
	}
	pthread_rwlock_rdlock(a->wc_lock);
	ok = vsva_webconfig_cached(a->wc, job->user, job->pass);
	pthread_rwlock_unlock(a->wc_lock);
	if (ok) {
		job_free(job);
		return AUTH_OK;
	}
	job->klen = vsvad_auth_key(ci ? ci->client_addr : NULL, job->key);
	v = charge(a, job, retry_s);
	if (v == AUTH_PENDING && !enqueue(a, job)) {
		refund(a, job);
		v = AUTH_BUSY;
	}
	if (v != AUTH_PENDING) {
		job_free(job);
		return v;
	}
	*out = job;
	return AUTH_PENDING;
}

bool vsvad_auth_end(struct auth_job *job)
{
	bool ok = job->ok;

	if (ok)
		refund(job->a, job);
	job_free(job);
	return ok;
}

void vsvad_auth_forget(struct auth_job *job)
{
	job_free(job);
}
