// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's basic auth, off the HTTP thread (cf. exporter-toolkit, which
 * runs bcrypt one at a time off the path of cached good credentials and
 * limits failed attempts).  The HTTP thread answers a user's last good
 * password itself; anything else is queued for a bcrypt worker and the
 * connection suspended, so twenty bad guesses a second cannot make a
 * scrape wait.  A full queue is refused at once (503), and an address
 * that spent its failed attempts gets 429 until its bucket refills.
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

/* Failed attempts left to one address, refilled over time. */
struct bucket {
	struct sockaddr_storage addr;
	double tokens, at;		/* tokens at time @at (s) */
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
	/* the HTTP thread's alone: begin and end run there */
	struct bucket buckets[AUTH_ADDRS];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The bytes that name an address (port left out), and how many. */
static size_t addr_key(const struct sockaddr_storage *ss, const void **key)
{
	const struct sockaddr_in *in4 = (const void *)ss;
	const struct sockaddr_in6 *in6 = (const void *)ss;

	if (ss->ss_family == AF_INET) {
		*key = &in4->sin_addr;
		return sizeof(in4->sin_addr);
	}
	if (ss->ss_family == AF_INET6) {
		*key = &in6->sin6_addr;
		return sizeof(in6->sin6_addr);
	}
	*key = NULL;
	return 0;
}

static bool same_addr(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	const void *ka, *kb;
	size_t la = addr_key(a, &ka), lb = addr_key(b, &kb);

	return a->ss_family == b->ss_family && la == lb &&
	       (!la || !memcmp(ka, kb, la));
}

/* @addr's bucket, refilled to now; a new address takes the slot of the
 * one refilled longest ago. */
static struct bucket *bucket_of(struct vsvad_auth *a,
				const struct sockaddr_storage *addr)
{
	const unsigned char *k;
	size_t n = addr_key(addr, (const void **)&k), i;
	uint32_t h = 2166136261u;
	struct bucket *b, *oldest = NULL;
	double t = now_s();

	for (i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	for (i = 0; i < 8; i++) {	/* a short probe sequence */
		b = &a->buckets[(h + i) % AUTH_ADDRS];
		if (b->used && same_addr(&b->addr, addr))
			goto refill;
		if (!oldest || !b->used || (oldest->used && b->at < oldest->at))
			oldest = b;
	}
	b = oldest;
	b->addr = *addr;
	b->tokens = AUTH_BURST;
	b->at = t;
	b->used = true;
refill:
	b->tokens = fmin(AUTH_BURST, b->tokens + (t - b->at) *
			 AUTH_REFILL_PER_S);
	b->at = t;
	return b;
}

static void *worker(void *arg)
{
	struct vsvad_auth *a = arg;
	struct auth_job *job;

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
		pthread_mutex_unlock(&a->lock);
		pthread_rwlock_rdlock(a->wc_lock);
		job->ok = vsva_webconfig_verify(a->wc, job->user, job->pass);
		pthread_rwlock_unlock(a->wc_lock);
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
	pthread_mutex_init(&a->lock, NULL);
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

enum auth_verdict vsvad_auth_begin(struct vsvad_auth *a,
				   struct MHD_Connection *c,
				   struct auth_job **out,
				   unsigned int *retry_s)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct auth_job *job = calloc(1, sizeof(*job));
	struct bucket *b;
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
	if (ci && ci->client_addr) {
		memcpy(&job->addr, ci->client_addr,
		       ci->client_addr->sa_family == AF_INET6 ?
		       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	}
	/* a failure is paid for up front, and refunded on success, so that
	 * concurrent guesses cannot all pass the check before one fails */
	b = bucket_of(a, &job->addr);
	if (b->tokens < 1) {
		*retry_s = (unsigned int)ceil((1 - b->tokens) / AUTH_REFILL_PER_S);
		job_free(job);
		return AUTH_LIMITED;
	}
	b->tokens -= 1;
	if (!enqueue(a, job)) {
		b->tokens += 1;
		job_free(job);
		return AUTH_BUSY;
	}
	*out = job;
	return AUTH_PENDING;
}

bool vsvad_auth_end(struct auth_job *job)
{
	bool ok = job->ok;

	if (ok) {
		struct bucket *b = bucket_of(job->a, &job->addr);

		b->tokens = fmin(AUTH_BURST, b->tokens + 1);
	}
	job_free(job);
	return ok;
}

void vsvad_auth_forget(struct auth_job *job)
{
	job_free(job);
}
