// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's connections, against slow and greedy clients: each has
 * HTTP_HEADER_S from its accept, or from its last answer, to send a
 * request's headers (its TLS handshake included), and HTTP_ANSWER_S from
 * there to take the answer, however it trickles bytes (libmicrohttpd's
 * own timeout is for silence only); and one client (an IPv4 address, an
 * IPv6 /64) holds at most --max-per-ip of them, loopback clients excepted
 * (any local process can use any of 127/8's addresses).  A sweeper thread
 * shuts the connections past their deadline.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <search.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "vsva/engine.h"
#include "vsva/expo.h"
#include "auth.h"
#include "conns.h"

#define HTTP_HEADER_MS		(HTTP_HEADER_S * 1000ULL)
#define HTTP_ANSWER_MS		(HTTP_ANSWER_S * 1000ULL)
#define HTTP_SWEEP_MS		250		/* deadlines checked this often */
#define STR(x)			STR_(x)
#define STR_(x)			#x

/* Connections of one client: an IPv4 address, or an IPv6 /64 (what one
 * subscriber gets, and may rotate through at will), as auth.c counts
 * failures. */
struct client {
	unsigned char key[AUTH_KEY_LEN];
	size_t len;
	unsigned int n;
};

/* What vsvad keeps of a connection (its socket context in libmicrohttpd):
 * when it must be done with what it is doing, its client, and the
 * certificate its TLS session presented. */
struct conn {
	struct conn *prev, *next;	/* guard.conns */
	int fd;
	/* monotonic ms; 0 once closed for it.  Written by the connection's
	 * thread, read by the sweeper. */
	unsigned long long deadline;
	bool answering;			/* headers in: the answer's deadline */
	struct client *client;		/* NULL: loopback, not counted */
	struct vsva_tls_cred *cred;	/* a reference, or NULL */
};

/* The connections, their clients and their deadlines. */
static struct {
	pthread_mutex_t lock;		/* conns, clients, sweeper's wake */
	pthread_cond_t wake;
	struct conn *conns;
	void *clients;			/* a tsearch tree of struct client */
	unsigned int per_client;
	pthread_t sweeper;
	bool sweeping, stopping;
	unsigned long long late[2];	/* closed: headers, answer late */
	unsigned long long refused;	/* the client had per_client open */
} guard = { .lock = PTHREAD_MUTEX_INITIALIZER };

static unsigned long long now_ms(void)
{
	return vsva_mono_ns() / 1000000;
}

static bool loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *in6 = (const void *)sa;
	const struct sockaddr_in *in4 = (const void *)sa;

	if (sa->sa_family == AF_INET)
		return ntohl(in4->sin_addr.s_addr) >> 24 == 127;
	if (sa->sa_family != AF_INET6)
		return false;
	return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
	       (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) &&
		in6->sin6_addr.s6_addr[12] == 127);
}

static void client_key(const struct sockaddr *sa, struct client *key)
{
	memset(key, 0, sizeof(*key));
	key->len = vsvad_auth_key(sa, key->key);
}

static int client_cmp(const void *a, const void *b)
{
	const struct client *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->key, y->key, x->len);
}

/* @sa's client in the tree, or NULL; guard.lock held. */
static struct client *client_find(const struct sockaddr *sa)
{
	struct client key, **found;

	client_key(sa, &key);
	found = tfind(&key, &guard.clients, client_cmp);
	return found ? *found : NULL;
}

/* @sa's client, added to the tree if new; NULL without memory. */
static struct client *client_get(const struct sockaddr *sa)
{
	struct client *c = client_find(sa), **found;

	if (c)
		return c;
	c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	client_key(sa, c);
	c->n = 0;
	found = tsearch(c, &guard.clients, client_cmp);
	if (!found)
		free(c);
	return found ? *found : NULL;
}

static void client_put(struct client *c)
{
	if (!c || --c->n)
		return;
	tdelete(c, &guard.clients, client_cmp);
	free(c);
}

/* MHD's accept policy: a client at its limit is refused before anything
 * is allocated for it (vsvad_conns_open checks again, exactly). */
enum MHD_Result vsvad_conns_admit(void *cls, const struct sockaddr *sa,
				  socklen_t len)
{
	struct client *c;
	bool ok;

	if (loopback(sa))
		return MHD_YES;
	pthread_mutex_lock(&guard.lock);
	c = client_find(sa);
	ok = !c || c->n < guard.per_client;
	guard.refused += !ok;
	pthread_mutex_unlock(&guard.lock);
	return ok ? MHD_YES : MHD_NO;
}

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* The connection's next deadline: its answer's, or the next headers'. */
void vsvad_conns_phase(struct MHD_Connection *c, bool answering)
{
	struct conn *k = conn_of(c);

	if (!k)
		return;
	__atomic_store_n(&k->answering, answering, __ATOMIC_RELAXED);
	__atomic_store_n(&k->deadline, now_ms() + (answering ? HTTP_ANSWER_MS :
			 HTTP_HEADER_MS), __ATOMIC_RELAXED);
}

/* A new connection: tracked, counted for its client, and shut at once if
 * the client is over its limit (two threads may have let it in at once)
 * or there is no memory to track it.  libmicrohttpd sees the end of its
 * input and closes it. */
void vsvad_conns_open(struct MHD_Connection *c, void **state)
{
	const union MHD_ConnectionInfo *fd =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct conn *k;
	bool over = false;

	if (!fd)
		return;		/* cannot be: it has a socket */
	k = calloc(1, sizeof(*k));
	if (!k) {
		shutdown(fd->connect_fd, SHUT_RDWR);
		return;
	}
	k->fd = fd->connect_fd;
	k->deadline = now_ms() + HTTP_HEADER_MS;
	pthread_mutex_lock(&guard.lock);
	if (ci && ci->client_addr && !loopback(ci->client_addr)) {
		k->client = client_get(ci->client_addr);
		over = !k->client || ++k->client->n > guard.per_client;
		guard.refused += over;
	}
	if (over)
		k->deadline = 0;	/* shut here, not by the sweeper */
	k->next = guard.conns;
	if (guard.conns)
		guard.conns->prev = k;
	guard.conns = k;
	pthread_mutex_unlock(&guard.lock);
	*state = k;
	if (over)
		shutdown(k->fd, SHUT_RDWR);
}

/* The connection is gone (its TLS session too): its client's count, and
 * its reference to the certificate, go with it. */
void vsvad_conns_close(void **state)
{
	struct conn *k = *state;

	if (!k)
		return;
	pthread_mutex_lock(&guard.lock);
	if (k->prev)
		k->prev->next = k->next;
	else
		guard.conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	client_put(k->client);
	pthread_mutex_unlock(&guard.lock);
	vsva_tls_cred_put(k->cred);
	free(k);
	*state = NULL;
}

bool vsvad_conns_hold(struct MHD_Connection *c, struct vsva_tls_cred *cred)
{
	struct conn *k = conn_of(c);

	if (!k)
		return false;
	vsva_tls_cred_put(k->cred);	/* a second handshake's */
	k->cred = cred;
	return true;
}

/* Shut the connections past their deadline: libmicrohttpd sees the end
 * of their input and closes them.  guard.lock held, so none of them is
 * closed (and its descriptor reused) meanwhile: conn_end waits for it. */
static void close_late(void)
{
	unsigned long long t = now_ms(), dl;
	struct conn *k;

	for (k = guard.conns; k; k = k->next) {
		dl = __atomic_load_n(&k->deadline, __ATOMIC_RELAXED);
		if (!dl || t < dl)
			continue;
		shutdown(k->fd, SHUT_RDWR);
		__atomic_store_n(&k->deadline, 0, __ATOMIC_RELAXED);
		guard.late[__atomic_load_n(&k->answering, __ATOMIC_RELAXED)]++;
	}
}

static void *sweeper(void *arg)
{
	struct timespec t;

	pthread_mutex_lock(&guard.lock);
	while (!guard.stopping) {
		close_late();
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += HTTP_SWEEP_MS * 1000000L;
		t.tv_sec += t.tv_nsec / 1000000000L;
		t.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&guard.wake, &guard.lock, &t);
	}
	pthread_mutex_unlock(&guard.lock);
	return NULL;
}

int vsvad_conns_start(unsigned int per_client)
{
	pthread_condattr_t attr;
	int rc;

	guard.per_client = per_client;
	guard.stopping = false;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&guard.wake, &attr);
	pthread_condattr_destroy(&attr);
	rc = pthread_create(&guard.sweeper, NULL, sweeper, NULL);
	guard.sweeping = !rc;
	return -rc;
}

void vsvad_conns_stop(void)
{
	if (!guard.sweeping)
		return;
	pthread_mutex_lock(&guard.lock);
	guard.stopping = true;
	pthread_cond_signal(&guard.wake);
	pthread_mutex_unlock(&guard.lock);
	pthread_join(guard.sweeper, NULL);
	guard.sweeping = false;
}

/* Slow or greedy clients turned away. */
void vsvad_conns_metrics(struct vsva_snapshot *s)
{
	struct vsva_family *f = vsva_snap_family(s,
		"vsva_http_deadline_closes_total",
		"Connections closed for taking too long: to send a request's "
		"headers (TLS handshake included) in " STR(HTTP_HEADER_S) " s "
		"from their accept or last answer, or to take an answer in "
		STR(HTTP_ANSWER_S) " s.", VSVA_COUNTER);
	unsigned long long late[2], refused;

	pthread_mutex_lock(&guard.lock);
	memcpy(late, guard.late, sizeof(late));
	refused = guard.refused;
	pthread_mutex_unlock(&guard.lock);
	vsva_family_add(f, late[0], "phase", "headers", NULL);
	vsva_family_add(f, late[1], "phase", "answer", NULL);
	vsva_family_add(vsva_snap_family(s,
			"vsva_http_client_limit_refusals_total",
			"Connections refused because their client (an IPv4 "
			"address, an IPv6 /64; loopback excepted) had "
			"--max-per-ip open.", VSVA_COUNTER), refused, NULL);
}
