// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's HTTP side: libmicrohttpd on one listening socket, /metrics (a
 * snapshot, gzip on request), the landing page, basic auth, TLS.
 *
 * Slow clients: a pool of threads serves the connections (a TLS handshake
 * on one does not hold up the others), and conns.c gives them deadlines
 * and a limit per client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <zlib.h>
#include <bpf/bpf.h>
#include "vsva/engine.h"
#include "vsva/expo.h"
#include "auth.h"
#include "conns.h"
#include "http.h"
#include "vsvad.h"

#define HTTP_TIMEOUT_S		10		/* idle: nothing in or out */
#ifndef HTTP_THREADS_MAX	/* -DHTTP_THREADS_MAX=1: one, to compare */
#define HTTP_THREADS_MAX	4		/* the pool: CPUs, 2 to this */
#endif
#define HTTP_PER_CLIENT_MIN	8		/* --max-per-ip's default: this */
#define HTTP_PER_CLIENT_DIV	256		/* or --max-connections / this */
#define HTTP_CONN_MEMORY	(32 * 1024)	/* request line + headers */

double vsvad_mono_s(void)
{
	return vsva_mono_ns() * 1e-9;
}

static const char landing[] =
	"<!DOCTYPE html>\n<html><head><title>vsvad</title></head><body>\n"
	"<h1>vsvad " VSVA_VERSION "</h1>\n"
	"<p>vsva exporter: KVM memslot zap, IOMMU PASID/SVA, nesting and "
	"IRQ bypass measurements.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

/* http_server_config.headers, on every response */
static void add_headers(struct vsvad *d, struct MHD_Response *r)
{
	int i;

	pthread_rwlock_rdlock(&d->wc_lock);
	for (i = 0; i < d->wc.nheaders; i++)
		MHD_add_response_header(r, d->wc.header[i].name,
					d->wc.header[i].value);
	pthread_rwlock_unlock(&d->wc_lock);
}

/*
 * The certificate handshakes present: the web config's, replaced by a
 * reload.  GnuTLS's retrieve callback takes no argument of ours, hence
 * the file-scope pointer.  A session takes a reference to what it
 * presents (GnuTLS keeps pointers to it for the session's life), given
 * back when its connection closes; the reload drops the config's.
 */
static pthread_mutex_t tls_cred_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vsva_tls_cred *tls_cred;		/* under tls_cred_lock */
static enum vsva_client_auth tls_client_auth;	/* fixed at start */
static struct vsvad *tls_daemon;		/* client_allowed_sans */
static unsigned long long tls_purpose_refusals;

static void tls_cred_set(struct vsva_tls_cred *c)
{
	pthread_mutex_lock(&tls_cred_lock);
	tls_cred = c;
	pthread_mutex_unlock(&tls_cred_lock);
}

/* client_allowed_sans: the client's certificate names one of them (read
 * under the lock: a reload may change the list). */
static bool sans_allowed(const gnutls_datum_t *cert)
{
	bool ok;

	pthread_rwlock_rdlock(&tls_daemon->wc_lock);
	ok = !tls_daemon->wc.nsans ||
	     vsva_webconfig_san_allowed(&tls_daemon->wc, cert);
	pthread_rwlock_unlock(&tls_daemon->wc_lock);
	if (!ok)
		__atomic_add_fetch(&tls_daemon->san_refusals, 1,
				   __ATOMIC_RELAXED);
	return ok;
}

/*
 * VerifyClientCertIfGiven, RequireAndVerifyClientCert: the certificate
 * chains to client_ca_file (MHD's trust list) and may serve a TLS client,
 * as Go's crypto/tls asks: its extended key usage, if it has one, names
 * client authentication (or any purpose), and so does every CA's above it
 * that has one.  Then it names one of client_allowed_sans, if listed.
 */
static int verify_client(gnutls_session_t s)
{
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	const gnutls_datum_t *peers;
	unsigned int n = 0, status = 0;

	peers = gnutls_certificate_get_peers(s, &n);
	if (!peers || !n)
		return tls_client_auth == VSVA_VERIFY_CLIENT_CERT_IF_GIVEN ? 0 :
		       GNUTLS_E_NO_CERTIFICATE_FOUND;
	if (gnutls_certificate_verify_peers(s, &purpose, 1, &status) ||
	    status) {
		if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
			__atomic_add_fetch(&tls_purpose_refusals, 1,
					   __ATOMIC_RELAXED);
		return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
	}
	return sans_allowed(&peers[0]) ? 0 : GNUTLS_E_CERTIFICATE_ERROR;
}

/* What this session asks of the client, per client_auth_type: set while
 * the server's certificate is chosen, before it asks for the client's.
 * RequireAnyClientCert verifies nothing, as in Go (hence no SANs with
 * it: webconfig.c refuses them). */
static void ask_client_cert(gnutls_session_t s)
{
	switch (tls_client_auth) {
	case VSVA_NO_CLIENT_CERT:
		return;
	case VSVA_REQUEST_CLIENT_CERT:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
		return;
	case VSVA_REQUIRE_ANY_CLIENT_CERT:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
		return;
	case VSVA_VERIFY_CLIENT_CERT_IF_GIVEN:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
		gnutls_session_set_verify_function(s, verify_client);
		return;
	case VSVA_REQUIRE_AND_VERIFY_CLIENT_CERT:
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
		gnutls_session_set_verify_function(s, verify_client);
		return;
	}
}

/* libmicrohttpd makes its connection the session's pointer: the
 * reference to the certificate is held in the connection's context. */
static int retrieve_cert(gnutls_session_t s, const gnutls_datum_t *req_ca,
			 int nreqs, const gnutls_pk_algorithm_t *algos,
			 int nalgos, gnutls_pcert_st **pcert,
			 unsigned int *npcert, gnutls_privkey_t *key)
{
	struct MHD_Connection *mc = gnutls_session_get_ptr(s);
	struct vsva_tls_cred *c;

	pthread_mutex_lock(&tls_cred_lock);
	c = tls_cred;
	if (c)
		vsva_tls_cred_get(c);
	pthread_mutex_unlock(&tls_cred_lock);
	if (!c)
		return -1;
	if (!mc || !vsvad_conns_hold(mc, c)) {
		vsva_tls_cred_put(c);
		return -1;	/* nowhere to hold it: no handshake */
	}
	ask_client_cert(s);
	*pcert = c->pcert;
	*npcert = c->npcert;
	*key = c->key;
	return 0;
}

static enum MHD_Result reply(struct vsvad *d, struct MHD_Connection *c,
			     unsigned int status, const char *type,
			     char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	add_headers(d, r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct vsvad *d, struct MHD_Connection *c,
				  unsigned int status, const char *msg)
{
	return reply(d, c, status, "text/plain; charset=utf-8", (char *)msg,
		     strlen(msg), MHD_RESPMEM_PERSISTENT);
}

/* Run time and count of every loaded program (BPF_ENABLE_STATS). */
static void prog_metrics(struct vsvad *d, struct vsva_snapshot *s)
{
	struct vsva_family *secs, *runs, *missed;
	const char *names[64];
	int fds[64], n, i;

	vsva_family_add(vsva_snap_family(s, "vsva_bpf_stats_enabled",
			"1 if BPF run-time statistics are on (needs "
			"CAP_SYS_ADMIN at start); else the run metrics are "
			"absent.", VSVA_GAUGE), d->stats_fd >= 0, NULL);
	secs = vsva_snap_family(s, "vsva_bpf_prog_run_seconds_total",
		"Time spent in each vsva BPF program.", VSVA_COUNTER);
	runs = vsva_snap_family(s, "vsva_bpf_prog_runs_total",
		"Runs of each vsva BPF program (events it saw).", VSVA_COUNTER);
	missed = vsva_snap_family(s, "vsva_bpf_prog_recursion_misses_total",
		"Events a vsva BPF program did not see because a program was "
		"already running on that CPU (an interrupt nested in it): "
		"lost, and counted here (Linux 5.12+; absent before).",
		VSVA_COUNTER);
	n = vsva_engine_prog_fds(d->engine, fds, names, 64);
	for (i = 0; i < n; i++) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(fds[i], &info, &len))
			continue;
		/* a kernel that does not count them leaves the field out */
		if (len >= offsetof(struct bpf_prog_info, recursion_misses) +
			   sizeof(info.recursion_misses))
			vsva_family_add(missed, info.recursion_misses, "prog",
					names[i], NULL);
		if (d->stats_fd < 0)
			continue;
		vsva_family_add(secs, info.run_time_ns * 1e-9, "prog",
				names[i], NULL);
		vsva_family_add(runs, info.run_cnt, "prog", names[i], NULL);
	}
}

static void tls_metrics(struct vsva_snapshot *s)
{
	vsva_family_add(vsva_snap_family(s,
			"vsva_tls_client_purpose_refusals_total",
			"TLS handshakes refused because the client certificate "
			"(or a CA above it) is not for TLS clients: its extended "
			"key usage lacks client authentication.", VSVA_COUNTER),
			__atomic_load_n(&tls_purpose_refusals, __ATOMIC_RELAXED),
			NULL);
	vsva_family_add(vsva_snap_family(s, "vsva_tls_credentials",
			"Certificate and key pairs in memory: the one served, "
			"and those a reload replaced that an open connection "
			"still holds.", VSVA_GAUGE), vsva_tls_creds_live(), NULL);
}

/* Requests answered so far, by status (the scrape being served is not
 * among them yet), credentials refused, and connections accepted: the
 * requests libmicrohttpd itself refuses (414, 431, bad syntax) reach no
 * handler and have no count of their own. */
static void http_metrics(struct vsvad *d, struct vsva_snapshot *s)
{
	struct vsva_family *f = vsva_snap_family(s, "vsva_http_requests_total",
		"HTTP requests vsvad answered, by status code.", VSVA_COUNTER);
	unsigned long long n;
	char code[8];
	int i;

	for (i = 100; i < VSVAD_HTTP_CODES; i++) {
		n = __atomic_load_n(&d->http_requests[i], __ATOMIC_RELAXED);
		if (!n)
			continue;
		snprintf(code, sizeof(code), "%d", i);
		vsva_family_add(f, n, "code", code, NULL);
	}
	vsva_family_add(vsva_snap_family(s, "vsva_http_connections_total",
			"TCP connections accepted; each carries one or more "
			"requests, or none that reached vsvad (refused by the "
			"HTTP library: 414, 431, bad syntax, timeout).",
			VSVA_COUNTER),
			__atomic_load_n(&d->connections, __ATOMIC_RELAXED), NULL);
	f = vsva_snap_family(s, "vsva_web_config_reloads_total",
		"--web-config reloads (SIGHUP, or its files changed), by "
		"result; a failed one keeps the config in use and logs why.",
		VSVA_COUNTER);
	vsva_family_add(f, d->reloads[0], "result", "ok", NULL);
	vsva_family_add(f, d->reloads[1], "result", "error", NULL);
	vsva_family_add(vsva_snap_family(s,
			"vsva_web_config_last_reload_successful",
			"1 if the last --web-config reload (or the start) "
			"succeeded.", VSVA_GAUGE), d->last_reload_ok, NULL);
	vsva_family_add(vsva_snap_family(s, "vsva_http_auth_failures_total",
			"Requests refused for missing or wrong basic auth "
			"credentials.", VSVA_COUNTER),
			__atomic_load_n(&d->auth_failures, __ATOMIC_RELAXED),
			NULL);
	vsva_family_add(vsva_snap_family(s,
			"vsva_tls_client_san_refusals_total",
			"TLS handshakes refused because the client certificate "
			"names none of client_allowed_sans.", VSVA_COUNTER),
			__atomic_load_n(&d->san_refusals, __ATOMIC_RELAXED),
			NULL);
	tls_metrics(s);
	vsvad_conns_metrics(s);
}

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

static void self_metrics(struct vsva_snapshot *s, double t0)
{
	vsva_family_add(vsva_snap_family(s, "vsva_build_info",
			"vsva version.", VSVA_GAUGE), 1,
			"version", VSVA_VERSION, NULL);
	vsva_family_add(vsva_snap_family(s, "vsva_scrape_duration_seconds",
			"Time vsvad took to read the BPF maps for this scrape.",
			VSVA_GAUGE), vsvad_mono_s() - t0, NULL);
}

/* gzip @in (Prometheus asks for it); NULL if zlib fails. */
static char *gzip(const char *in, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap = compressBound(len) + 32;
	char *out = malloc(cap);

	if (!out || deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
		goto free_out;
	z.next_in = (Bytef *)in;
	z.avail_in = len;
	z.next_out = (Bytef *)out;
	z.avail_out = cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		goto free_out;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
free_out:
	free(out);
	return NULL;
}

static bool wants_gzip(struct MHD_Connection *c)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_ACCEPT_ENCODING);

	return ae && strstr(ae, "gzip");
}

static enum MHD_Result reply_metrics(struct vsvad *d, struct MHD_Connection *c,
				     char *body,
				     size_t len)
{
	static const char type[] = "text/plain; version=0.0.4; charset=utf-8";
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t zlen;
	char *z = wants_gzip(c) ? gzip(body, len, &zlen) : NULL;

	if (z) {
		free(body);
		body = z;
		len = zlen;
	}
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	add_headers(d, r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY,
				MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (z)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING,
					"gzip");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result serve_metrics(struct vsvad *d, struct MHD_Connection *c)
{
	struct vsva_snapshot s = { 0 };
	struct vsva_buf b = { 0 };
	double t0 = vsvad_mono_s();
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = vsva_engine_snapshot(d->engine, &s);
	prog_metrics(d, &s);
	pthread_mutex_unlock(&d->lock);
	self_metrics(&s, t0);
	http_metrics(d, &s);
	if (!rc && !vsva_snap_incomplete(&s)) {
		/* the last scrape's size and a little: one allocation */
		vsva_buf_reserve(&b, __atomic_load_n(&d->last_size,
						     __ATOMIC_RELAXED) * 9 / 8);
		vsva_expo_write(&b, &s);
		__atomic_store_n(&d->last_size, b.len, __ATOMIC_RELAXED);
	}
	vsva_snap_free(&s);
	if (rc || b.oom || !b.p) {
		vsva_buf_free(&b);
		return reply_text(d, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "vsvad: out of memory building metrics\n");
	}
	return reply_metrics(d, c, b.p, b.len);
}

/* 401 (asking for basic auth), 429 or 503 with Retry-After. */
static enum MHD_Result refuse(struct vsvad *d, struct MHD_Connection *c,
			      enum auth_verdict v, unsigned int retry_s)
{
	static const char need[] = "authentication required\n";
	static const char limited[] = "too many failed attempts\n";
	static const char busy[] = "busy checking credentials\n";
	const char *msg = v == AUTH_LIMITED ? limited : v == AUTH_BUSY ? busy :
			  need;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char after[16];

	r = MHD_create_response_from_buffer(strlen(msg), (void *)msg,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_headers(d, r);
	if (v == AUTH_DENIED) {
		__atomic_add_fetch(&d->auth_failures, 1, __ATOMIC_RELAXED);
		ret = MHD_queue_basic_auth_fail_response(c, "vsvad", r);
	} else {
		snprintf(after, sizeof(after), "%u", retry_s ? retry_s : 1);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, after);
		ret = MHD_queue_response(c, v == AUTH_LIMITED ?
					 MHD_HTTP_TOO_MANY_REQUESTS :
					 MHD_HTTP_SERVICE_UNAVAILABLE, r);
	}
	MHD_destroy_response(r);
	return ret;
}

/*
 * Basic auth against --web-config's users.  True: go on.  False: *@ret is
 * the answer, or the connection is suspended until a bcrypt worker has
 * checked the password (then this runs again with the job in *@state).
 */
static bool authorized(struct vsvad *d, struct MHD_Connection *c,
		       void **state, enum MHD_Result *ret)
{
	struct auth_job *job = *state;
	unsigned int retry_s = 0;
	enum auth_verdict v;

	pthread_rwlock_rdlock(&d->wc_lock);
	v = d->wc.nusers ? AUTH_DENIED : AUTH_OK;
	pthread_rwlock_unlock(&d->wc_lock);
	if (v == AUTH_OK && !job)
		return true;
	if (job) {		/* resumed: the worker's verdict */
		*state = NULL;
		if (vsvad_auth_end(job))
			return true;
		v = AUTH_DENIED;
	} else {
		v = vsvad_auth_begin(d->auth, c, &job, &retry_s);
		if (v == AUTH_OK)
			return true;
		if (v == AUTH_PENDING) {
			*state = job;
			MHD_suspend_connection(c);
			*ret = MHD_YES;
			return false;
		}
	}
	*ret = refuse(d, c, v, retry_s);
	return false;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	enum MHD_Result ret;

	vsvad_conns_phase(c, true);	/* the headers are in */
	if (!authorized(cls, c, state, &ret))
		return ret;
	switch (vsva_http_route(method, url)) {
	case VSVA_ROUTE_METRICS:
		return serve_metrics(cls, c);
	case VSVA_ROUTE_LANDING:
		return reply(cls, c, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (char *)landing, sizeof(landing) - 1,
			     MHD_RESPMEM_PERSISTENT);
	case VSVA_ROUTE_BAD_METHOD:
		return reply_text(cls, c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed\n");
	default:
		return reply_text(cls, c, MHD_HTTP_NOT_FOUND, "not found\n");
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
	tls_cred_set(d->wc.cred);
	tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_CERT_CALLBACK, 0,
					  (void *)retrieve_cert };
	if (vsva_webconfig_priorities(&d->wc, priorities, sizeof(priorities)))
		return NULL;
	tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
					  priorities };
	tls[2] = no_tls[0];
	tls_client_auth = d->wc.client_auth;
	tls_daemon = d;
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
				 vsvad_conns_admit, NULL, handle, d,
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
			tls_cred_set(d->wc.cred);
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
